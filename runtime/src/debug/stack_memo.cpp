// Per-thread memo of stack walks (see stack_memo.hpp). The memo is 270 KiB of address
// space from the OS layer (resident only as far as its sets are used), reached through an
// initial-exec TLS pointer and given back at thread exit; a thread whose memo is gone (or
// could not be mapped) just walks every time.
#include "debug/stack_memo.hpp"

#include "os/os_memory.hpp"
#include "trace/code_ranges.hpp"
#include "trace/stack_capture.hpp"
#include "trace/thread_stack_bounds.hpp"
#include "os/platform.hpp"

namespace osp::debug {
namespace {

// A program's hot allocation paths outnumber a handful of walks: 256 are kept per thread,
// four per set, since one entry frame and caller (malloc called from one place at one
// depth) is often reached from several outer paths. On sqlite3, 32 walks in sets of two
// took 1.4 s of CPU where these take 1.0 s.
constexpr int kSetBits = 6;
constexpr int kSets = 1 << kSetBits;
constexpr int kWays = 4;
// Walks that read more stack words than this are not remembered. The default depth of 16
// frames reads 34 words by frame pointers, a few more from a runtime function's own frame;
// an eh_frame walk reads the return address of each frame and the RBP of those that saved
// it.
constexpr int kMaxWords = 64;

struct Walk {
  std::uintptr_t entry_frame;
  std::uintptr_t caller;
  std::uintptr_t start_at;
  std::uint64_t generation;  // of the code ranges the walk checked its frames against
  std::int32_t max_depth;
  std::int32_t method;
  std::int32_t words;  // 0: empty
  trace::StackId id;
  std::uintptr_t addresses[kMaxWords];
  std::uintptr_t values[kMaxWords];  // as the walk read them
};

struct StackMemo {
  // The walks were validated against these bounds; other bounds (a recycled thread
  // stack) invalidate them all.
  trace::StackBounds bounds;
  unsigned char next_victim[kSets];
  Walk walks[kSets][kWays];
};

std::size_t memo_bytes() noexcept {
  const std::size_t page = os::page_size();
  return (sizeof(StackMemo) + page - 1) / page * page;
}

// Not mapped yet; kGone after thread exit or when the OS refused.
StackMemo* const kGone = reinterpret_cast<StackMemo*>(1);
OSP_THREAD_LOCAL(StackMemo*) t_memo;

void release_memo(void* memo) {
  os::release(memo, memo_bytes());
  t_memo = kGone;
}

StackMemo* memo_of_this_thread() noexcept {
  StackMemo* memo = t_memo;
  if (memo != nullptr) [[likely]] return memo == kGone ? nullptr : memo;
  t_memo = kGone;  // a nested call while mapping walks without the memo
  void* pages = os::map(memo_bytes(), os::page_size(), false);
  if (pages == nullptr) return nullptr;
  t_memo = static_cast<StackMemo*>(pages);
  os::at_thread_exit(release_memo, pages);
  return t_memo;
}

// True when every word the remembered walk read is still where it read it. The
// addresses were inside this thread's stack when read, and the bounds are unchanged.
bool still_valid(const Walk& walk) noexcept {
  std::uintptr_t differences = 0;
  for (int index = 0; index < walk.words; ++index) {
    differences |= *reinterpret_cast<const std::uintptr_t*>(walk.addresses[index]) ^
                   walk.values[index];
  }
  return differences == 0;
}

int set_of(std::uintptr_t entry_frame, std::uintptr_t caller) noexcept {
  const std::uint64_t mixed = (caller ^ (entry_frame << 7)) * 0x9e3779b97f4a7c15ULL;
  return static_cast<int>(mixed >> (64 - kSetBits));
}

// Walks from the entry frame and interns the stack; fills `remembered` (when not null)
// with the words read. False when the entry frame is not usable.
struct WalkKey {
  std::uintptr_t entry_frame;
  std::uintptr_t caller;
  int max_depth;
  trace::UnwindMethod method;
  std::uintptr_t start_at;
  int search_limit;
};

bool walk_and_intern(const WalkKey& key, trace::WalkRecords* remembered,
                     trace::StackId& id) noexcept {
  std::uintptr_t frames[trace::kMaxStackDepth];
  std::uint64_t hash = 0;
  const int depth = trace::capture_stack_from_entry_frame(
      key.entry_frame, key.caller, frames, key.max_depth, &hash, remembered, key.method,
      key.start_at, key.search_limit);
  if (depth <= 0) return false;
  id = trace::StackDepot::instance().intern(frames, depth, hash);
  return true;
}

}  // namespace

namespace {

// Everything but a hit: mapping the memo, a change of stack bounds, and a walk whose
// result is remembered. Out of line, so the hit path needs no stack frame of its own.
__attribute__((noinline)) bool walk_and_remember(const WalkKey& key, trace::StackId& id) noexcept {
  StackMemo* memo = memo_of_this_thread();
  trace::StackBounds bounds;
  if (memo == nullptr || !trace::current_thread_stack_bounds(bounds)) {
    return walk_and_intern(key, nullptr, id);
  }
  if (memo->bounds.low != bounds.low || memo->bounds.high != bounds.high) {
    for (auto& ways : memo->walks) {
      for (Walk& walk : ways) walk.words = 0;
    }
    memo->bounds = bounds;
  }
  const int set = set_of(key.entry_frame, key.caller ^ key.start_at);
  Walk& victim = memo->walks[set][memo->next_victim[set]];
  victim.words = 0;  // overwritten by the walk: not valid until complete
  trace::WalkRecords records{victim.addresses, victim.values, kMaxWords, 0, 0};
  if (!walk_and_intern(key, &records, id)) return false;
  if (records.count > 0 && id != trace::kNoStack) {
    victim.entry_frame = key.entry_frame;
    victim.caller = key.caller;
    victim.start_at = key.start_at;
    victim.generation = records.generation;
    victim.max_depth = key.max_depth;
    victim.method = static_cast<std::int32_t>(key.method);
    victim.id = id;
    victim.words = records.count;
    memo->next_victim[set] = static_cast<unsigned char>((memo->next_victim[set] + 1) % kWays);
  }
  return true;
}

}  // namespace

bool intern_stack_from_entry_frame(std::uintptr_t entry_frame, std::uintptr_t caller,
                                   int max_depth, trace::UnwindMethod method,
                                   trace::StackId& id, std::uintptr_t start_at,
                                   int search_limit) noexcept {
  if (max_depth > trace::kMaxStackDepth) max_depth = trace::kMaxStackDepth;
  const StackMemo* memo = t_memo;
  const trace::detail::ThreadStackCache& stack = trace::detail::thread_stack_cache;
  // A hit needs a memo validated against this thread's current stack bounds, and an
  // entry frame inside them (so it can be read); the walks remembered for it were
  // validated against the same bounds.
  // Null (not mapped yet) and kGone are the two addresses below 2.
  if (reinterpret_cast<std::uintptr_t>(memo) > reinterpret_cast<std::uintptr_t>(kGone) &&
      stack.state == trace::detail::FetchState::Known &&
      memo->bounds.low == stack.low && memo->bounds.high == stack.high &&
      entry_frame % sizeof(std::uintptr_t) == 0 && entry_frame >= stack.low &&
      entry_frame <= stack.high - 2 * sizeof(std::uintptr_t)) [[likely]] {
    const std::uint64_t generation = trace::code_ranges_generation();
    for (const Walk& walk : memo->walks[set_of(entry_frame, caller ^ start_at)]) {
      if (walk.words > 0 && walk.entry_frame == entry_frame && walk.caller == caller &&
          walk.start_at == start_at && walk.max_depth == max_depth &&
          walk.method == static_cast<std::int32_t>(method) && walk.generation == generation &&
          still_valid(walk)) {
        id = walk.id;
        return true;
      }
    }
  }
  return walk_and_remember({entry_frame, caller, max_depth, method, start_at, search_limit}, id);
}

}  // namespace osp::debug
