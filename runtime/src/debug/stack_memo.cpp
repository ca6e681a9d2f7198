// Per-thread memo of stack walks (see stack_memo.hpp). The memo is 1 MiB of address
// space from the OS layer (resident only as far as its sets are used), reached through an
// initial-exec TLS pointer and given back at thread exit; a thread whose memo is gone (or
// could not be mapped) just walks every time.
#include "debug/stack_memo.hpp"

#include "os/os_memory.hpp"

namespace osp::debug {

namespace detail {
OSP_THREAD_LOCAL(StackMemo*) t_memo;
}  // namespace detail

namespace {

using detail::kMemoGone;
using detail::kMemoMaxWords;
using detail::kMemoWays;
using detail::MemoWalk;
using detail::StackMemo;
using detail::t_memo;

std::size_t memo_bytes() noexcept {
  const std::size_t page = os::page_size();
  return (sizeof(StackMemo) + page - 1) / page * page;
}

void release_memo(void* memo) {
  os::release(memo, memo_bytes());
  t_memo = kMemoGone;
}

StackMemo* memo_of_this_thread() noexcept {
  StackMemo* memo = t_memo;
  if (memo != nullptr) [[likely]] return memo == kMemoGone ? nullptr : memo;
  t_memo = kMemoGone;  // a nested call while mapping walks without the memo
  void* pages = os::map(memo_bytes(), os::page_size(), false);
  if (pages == nullptr) return nullptr;
  t_memo = static_cast<StackMemo*>(pages);
  os::at_thread_exit(release_memo, pages);
  return t_memo;
}

// Empties the sets that hold walks. Every set would touch the whole memo (1 MiB per
// thread), where most threads use a few dozen sets.
void forget_all_walks(StackMemo& memo) noexcept {
  for (int word = 0; word < detail::kMemoSets / 64; ++word) {
    for (std::uint64_t bits = memo.used_sets[word]; bits != 0; bits &= bits - 1) {
      const int set = word * 64 + __builtin_ctzll(bits);
      for (MemoWalk& walk : memo.walks[set]) walk.words = 0;
    }
    memo.used_sets[word] = 0;
  }
}

// Walks from the entry frame and interns the stack; fills `remembered` (when not null)
// with the words read. kNoStack when the entry frame is not usable.
struct WalkKey {
  std::uintptr_t entry_frame;
  std::uintptr_t caller;
  int max_depth;
  trace::UnwindMethod method;
  std::uintptr_t start_at;
  int search_limit;
};

trace::StackId walk_and_intern(const WalkKey& key, trace::WalkRecords* remembered) noexcept {
  std::uintptr_t frames[trace::kMaxStackDepth];
  std::uint64_t hash = 0;
  const int depth = trace::capture_stack_from_entry_frame(
      key.entry_frame, key.caller, frames, key.max_depth, &hash, remembered, key.method,
      key.start_at, key.search_limit);
  if (depth <= 0) return trace::kNoStack;
  return trace::StackDepot::instance().intern(frames, depth, hash);
}

}  // namespace

namespace detail {

trace::StackId walk_and_remember(std::uintptr_t entry_frame, std::uintptr_t caller,
                                 int max_depth, trace::UnwindMethod method,
                                 std::uintptr_t start_at, int search_limit) noexcept {
  const WalkKey key{entry_frame, caller, max_depth, method, start_at, search_limit};
  StackMemo* memo = memo_of_this_thread();
  trace::StackBounds bounds;
  if (memo == nullptr || !trace::current_thread_stack_bounds(bounds)) {
    return walk_and_intern(key, nullptr);
  }
  if (memo->bounds.low != bounds.low || memo->bounds.high != bounds.high) {
    forget_all_walks(*memo);
    memo->bounds = bounds;
  }
  const int set = detail::memo_set_of(key.entry_frame, key.caller ^ key.start_at);
  MemoWalk& victim = memo->walks[set][memo->next_victim[set]];
  victim.words = 0;  // overwritten by the walk: not valid until complete
  trace::WalkRecords records{victim.addresses, victim.values, kMemoMaxWords, 0, 0};
  const trace::StackId id = walk_and_intern(key, &records);
  if (records.count > 0 && id != trace::kNoStack) {
    victim.entry_frame = key.entry_frame;
    victim.caller = key.caller;
    victim.start_at = key.start_at;
    victim.generation = records.generation;
    victim.max_depth = key.max_depth;
    victim.method = static_cast<std::int32_t>(key.method);
    victim.id = id;
    int words = records.count;
    for (; words % detail::kMemoWordStep != 0; ++words) {
      victim.addresses[words] = victim.addresses[words - 1];
      victim.values[words] = victim.values[words - 1];
    }
    victim.words = words;
    memo->used_sets[set / 64] |= std::uint64_t{1} << (set % 64);
    memo->next_victim[set] = static_cast<unsigned char>((memo->next_victim[set] + 1) % kMemoWays);
  }
  return id;
}

}  // namespace detail

}  // namespace osp::debug
