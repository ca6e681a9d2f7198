// Allocation and free stacks, remembered per thread. A program allocates from the same
// few places over and over, and the stack above an entry point then holds the same
// values as last time. Each thread keeps its last walks (the stack words each one read
// with their addresses, the frames and the depot id): when every remembered word is still
// in place and the code ranges are the same generation (so are the frame rules), a new
// walk from the same entry frame would read exactly the same words, take the same
// decisions and give the same frames, so the id is reused. The check is a set of
// independent loads, where the walk is a chain of dependent ones; and it skips interning.
// Works for the frame-pointer and the eh_frame walk alike.
#pragma once

#include <cstdint>

#include "os/platform.hpp"
#include "trace/code_ranges.hpp"
#include "trace/stack_capture.hpp"
#include "trace/stack_depot.hpp"
#include "trace/thread_stack_bounds.hpp"

namespace osp::debug {

namespace detail {

// A program's hot allocation paths outnumber a handful of walks: 1024 are kept per
// thread, four per set, since one entry frame and caller (malloc called from one place at
// one depth) is often reached from several outer paths. On sqlite3, 32 walks in sets of
// two took 1.4 s of CPU where 256 in sets of four took 1.0 s. The sets are many so that
// two hot sites seldom share one: a site's outer paths all fall in its set, and with 64
// sets, in 3 of 12 runs of sqlite3 (its addresses differ from run to run) two sites
// shared a set, evicted each other's walks and walked 11 times as often.
inline constexpr int kMemoSetBits = 8;
inline constexpr int kMemoSets = 1 << kMemoSetBits;
static_assert(kMemoSets % 64 == 0);
inline constexpr int kMemoWays = 4;
// Walks that read more stack words than this are not remembered. The default depth of 16
// frames reads 34 words by frame pointers, a few more from a runtime function's own frame;
// an eh_frame walk reads the return address of each frame and the RBP of those that saved
// it.
inline constexpr int kMemoMaxWords = 64;

struct MemoWalk {
  std::uintptr_t entry_frame;
  std::uintptr_t caller;
  std::uintptr_t start_at;
  std::uint64_t generation;  // of the code ranges the walk checked its frames against
  std::int32_t max_depth;
  std::int32_t method;
  std::int32_t words;  // 0: empty
  trace::StackId id;
  std::uintptr_t addresses[kMemoMaxWords];
  std::uintptr_t values[kMemoMaxWords];  // as the walk read them
};

struct StackMemo {
  // The walks were validated against these bounds; other bounds (a recycled thread
  // stack) invalidate them all.
  trace::StackBounds bounds;
  unsigned char next_victim[kMemoSets];
  // Bit s: set s holds walks. Invalidating clears only those sets, so the memo's pages
  // stay untouched (not resident) until a walk is remembered in them.
  std::uint64_t used_sets[kMemoSets / 64];
  MemoWalk walks[kMemoSets][kMemoWays];
};

// The calling thread's memo: null until mapped; kMemoGone after its exit or when the OS
// refused (so the two addresses below 2 mean "no memo").
inline StackMemo* const kMemoGone = reinterpret_cast<StackMemo*>(1);
extern OSP_THREAD_LOCAL(StackMemo*) t_memo;

inline int memo_set_of(std::uintptr_t entry_frame, std::uintptr_t caller) noexcept {
  const std::uint64_t mixed = (caller ^ (entry_frame << 7)) * 0x9e3779b97f4a7c15ULL;
  return static_cast<int>(mixed >> (64 - kMemoSetBits));
}

// A remembered walk's words are padded to a multiple of this (by repeating its last
// word), so the check runs four words per step with no remainder: a word costs four and
// a half instructions instead of seven.
inline constexpr int kMemoWordStep = 4;
static_assert(kMemoMaxWords % kMemoWordStep == 0);

// True when every word the remembered walk read is still where it read it. The
// addresses were inside this thread's stack when read, and the bounds are unchanged.
// Always inline: called out of line from the hit check, it cost 2.5% more instructions
// per malloc+free.
[[gnu::always_inline]] inline bool memo_still_valid(const MemoWalk& walk) noexcept {
  std::uintptr_t differences = 0;
  for (int index = 0; index < walk.words; index += kMemoWordStep) {
#pragma GCC unroll 4
    for (int word = index; word < index + kMemoWordStep; ++word) {
      differences |= *reinterpret_cast<const std::uintptr_t*>(walk.addresses[word]) ^
                     walk.values[word];
    }
  }
  return differences == 0;
}

// The depot id a remembered walk gives for this entry frame, caller, depth (at most
// kMaxStackDepth), method and start, when every stack word that walk read is unchanged;
// kNoStack otherwise.
inline trace::StackId remembered_stack(std::uintptr_t entry_frame, std::uintptr_t caller,
                                       int max_depth, trace::UnwindMethod method,
                                       std::uintptr_t start_at) noexcept {
  const StackMemo* memo = t_memo;
  const trace::detail::ThreadStackCache& stack = trace::detail::thread_stack_cache;
  // A hit needs a memo validated against this thread's current stack bounds, and an
  // entry frame inside them (so it can be read); the walks remembered for it were
  // validated against the same bounds.
  if (reinterpret_cast<std::uintptr_t>(memo) <= reinterpret_cast<std::uintptr_t>(kMemoGone) ||
      stack.state != trace::detail::FetchState::Known || memo->bounds.low != stack.low ||
      memo->bounds.high != stack.high || entry_frame % sizeof(std::uintptr_t) != 0 ||
      entry_frame < stack.low || entry_frame > stack.high - 2 * sizeof(std::uintptr_t)) {
    return trace::kNoStack;
  }
  const std::uint64_t generation = trace::code_ranges_generation();
  for (const MemoWalk& walk : memo->walks[memo_set_of(entry_frame, caller ^ start_at)]) {
    if (walk.words > 0 && walk.entry_frame == entry_frame && walk.caller == caller &&
        walk.start_at == start_at && walk.max_depth == max_depth &&
        walk.method == static_cast<std::int32_t>(method) && walk.generation == generation &&
        memo_still_valid(walk)) {
      return walk.id;
    }
  }
  return trace::kNoStack;
}

// Everything but a hit: mapping the memo, a change of stack bounds, and a walk whose
// result is remembered. Out of line. kNoStack as for intern_stack_from_entry_frame.
trace::StackId walk_and_remember(std::uintptr_t entry_frame, std::uintptr_t caller,
                                 int max_depth, trace::UnwindMethod method,
                                 std::uintptr_t start_at, int search_limit) noexcept;

}  // namespace detail

// The depot id of up to `max_depth` frames from the frame record `entry_frame` of an
// interposed entry point, whose return address must be `caller`, walked with `method`
// (FramePointer or EhFrame). With `start_at` not 0 the stack starts at that return
// address, among the first `search_limit` frames (for a runtime function that walks from
// its own frame record). kNoStack when that record is not usable or the start is not
// found (see trace::capture_stack_from_entry_frame), or the depot is full: the caller
// then captures some other way.
// Inline, so a hit (the common case of a capture) costs no call; and the id is returned
// by value, so a hit needs no stack frame: with seven arguments and the id returned
// through memory, the call alone cost about 35 instructions per capture.
inline trace::StackId intern_stack_from_entry_frame(std::uintptr_t entry_frame,
                                                    std::uintptr_t caller, int max_depth,
                                                    trace::UnwindMethod method,
                                                    std::uintptr_t start_at = 0,
                                                    int search_limit = 0) noexcept {
  if (max_depth > trace::kMaxStackDepth) max_depth = trace::kMaxStackDepth;
  const trace::StackId remembered =
      detail::remembered_stack(entry_frame, caller, max_depth, method, start_at);
  if (remembered != trace::kNoStack) return remembered;
  return detail::walk_and_remember(entry_frame, caller, max_depth, method, start_at,
                                   search_limit);
}

}  // namespace osp::debug
