// Per-thread memo of stack walks (see stack_memo.hpp). The memo is two pages from the OS
// layer, reached through an initial-exec TLS pointer and given back at thread exit; a
// thread whose memo is gone (or could not be mapped) just walks every time.
#include "debug/stack_memo.hpp"

#include <cstring>

#include "os/os_memory.hpp"
#include "trace/code_ranges.hpp"
#include "trace/stack_capture.hpp"
#include "trace/thread_stack_bounds.hpp"

namespace osp::debug {
namespace {

constexpr int kSets = 4;
constexpr int kWays = 2;
// Walks that read more word pairs than this are not remembered. The default depth of 16
// frames reads 17 pairs by frame pointers; an eh_frame walk reads one pair per frame and
// one more for each frame that saved RBP away from the return address.
constexpr int kMaxPairs = 36;
constexpr std::size_t kMemoPages = 2;

struct Walk {
  std::uintptr_t entry_frame;
  std::uintptr_t caller;
  std::uint64_t generation;  // of the code ranges the walk checked its frames against
  std::int32_t max_depth;
  std::int32_t method;
  std::int32_t pairs;  // 0: empty
  trace::StackId id;
  std::uintptr_t addresses[kMaxPairs];
  // The two words at each address, as the walk read them: one 16-byte compare each.
  alignas(16) std::uintptr_t words[kMaxPairs][2];
};

struct StackMemo {
  // The walks were validated against these bounds; other bounds (a recycled thread
  // stack) invalidate them all.
  trace::StackBounds bounds;
  unsigned char next_victim[kSets];
  Walk walks[kSets][kWays];
};

std::size_t memo_bytes() noexcept { return kMemoPages * os::page_size(); }

// Not mapped yet; kGone after thread exit or when the OS refused.
StackMemo* const kGone = reinterpret_cast<StackMemo*>(1);
__thread StackMemo* t_memo __attribute__((tls_model("initial-exec"))) = nullptr;

void release_memo(void* memo) {
  os::release(memo, memo_bytes());
  t_memo = kGone;
}

StackMemo* memo_of_this_thread() noexcept {
  StackMemo* memo = t_memo;
  if (memo != nullptr) [[likely]] return memo == kGone ? nullptr : memo;
  t_memo = kGone;  // a nested call while mapping walks without the memo
  if (sizeof(StackMemo) > memo_bytes()) return nullptr;
  void* pages = os::map(memo_bytes(), os::page_size(), false);
  if (pages == nullptr) return nullptr;
  t_memo = static_cast<StackMemo*>(pages);
  os::at_thread_exit(release_memo, pages);
  return t_memo;
}

// Two words compared at once (SSE2 on x86-64, NEON on ARM64).
using WordPair = std::uintptr_t __attribute__((vector_size(2 * sizeof(std::uintptr_t))));

// True when every word the remembered walk read is still where it read it. The
// addresses were inside this thread's stack when read, and the bounds are unchanged.
bool still_valid(const Walk& walk) noexcept {
  WordPair differences{};
  for (int index = 0; index < walk.pairs; ++index) {
    WordPair actual;
    std::memcpy(&actual, reinterpret_cast<const void*>(walk.addresses[index]), sizeof actual);
    WordPair remembered;
    std::memcpy(&remembered, walk.words[index], sizeof remembered);
    differences |= actual ^ remembered;
  }
  return (differences[0] | differences[1]) == 0;
}

int set_of(std::uintptr_t entry_frame, std::uintptr_t caller) noexcept {
  const std::uint64_t mixed = (caller ^ (entry_frame << 7)) * 0x9e3779b97f4a7c15ULL;
  return static_cast<int>(mixed >> 62) & (kSets - 1);
}

// Walks from the entry frame and interns the stack; fills `remembered` (when not null)
// with the words read. False when the entry frame is not usable.
bool walk_and_intern(std::uintptr_t entry_frame, std::uintptr_t caller, int max_depth,
                     trace::UnwindMethod method, trace::WalkRecords* remembered,
                     trace::StackId& id) noexcept {
  std::uintptr_t frames[trace::kMaxStackDepth];
  std::uint64_t hash = 0;
  const int depth = trace::capture_stack_from_entry_frame(entry_frame, caller, frames,
                                                          max_depth, &hash, remembered, method);
  if (depth <= 0) return false;
  id = trace::StackDepot::instance().intern(frames, depth, hash);
  return true;
}

}  // namespace

namespace {

// Everything but a hit: mapping the memo, a change of stack bounds, and a walk whose
// result is remembered. Out of line, so the hit path needs no stack frame of its own.
__attribute__((noinline)) bool walk_and_remember(std::uintptr_t entry_frame,
                                                 std::uintptr_t caller, int max_depth,
                                                 trace::UnwindMethod method,
                                                 trace::StackId& id) noexcept {
  StackMemo* memo = memo_of_this_thread();
  trace::StackBounds bounds;
  if (memo == nullptr || !trace::current_thread_stack_bounds(bounds)) {
    return walk_and_intern(entry_frame, caller, max_depth, method, nullptr, id);
  }
  if (memo->bounds.low != bounds.low || memo->bounds.high != bounds.high) {
    for (auto& ways : memo->walks) {
      for (Walk& walk : ways) walk.pairs = 0;
    }
    memo->bounds = bounds;
  }
  const int set = set_of(entry_frame, caller);
  Walk& victim = memo->walks[set][memo->next_victim[set]];
  victim.pairs = 0;  // overwritten by the walk: not valid until complete
  trace::WalkRecords records{victim.addresses, victim.words, kMaxPairs, 0, 0};
  if (!walk_and_intern(entry_frame, caller, max_depth, method, &records, id)) return false;
  if (records.count > 0 && id != trace::kNoStack) {
    victim.entry_frame = entry_frame;
    victim.caller = caller;
    victim.generation = records.generation;
    victim.max_depth = max_depth;
    victim.method = static_cast<std::int32_t>(method);
    victim.id = id;
    victim.pairs = records.count;
    memo->next_victim[set] = static_cast<unsigned char>((memo->next_victim[set] + 1) % kWays);
  }
  return true;
}

}  // namespace

bool intern_stack_from_entry_frame(std::uintptr_t entry_frame, std::uintptr_t caller,
                                   int max_depth, trace::UnwindMethod method,
                                   trace::StackId& id) noexcept {
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
    for (const Walk& walk : memo->walks[set_of(entry_frame, caller)]) {
      if (walk.pairs > 0 && walk.entry_frame == entry_frame && walk.caller == caller &&
          walk.max_depth == max_depth && walk.method == static_cast<std::int32_t>(method) &&
          walk.generation == generation && still_valid(walk)) {
        id = walk.id;
        return true;
      }
    }
  }
  return walk_and_remember(entry_frame, caller, max_depth, method, id);
}

}  // namespace osp::debug
