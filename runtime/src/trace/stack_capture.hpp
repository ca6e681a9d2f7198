// Captures the return addresses of the current call stack. Three methods: DWARF frame
// rules from .eh_frame cached per return address (the default; whole stacks through code
// without frame pointers, a few loads per frame once a path has been seen), a
// frame-pointer walk (the fastest; needs -fno-omit-frame-pointer code) and libunwind.
// The eh_frame rules are read for x86-64 only; on AArch64 EhFrame walks the frame records
// (x29), which GCC keeps there by default, and libunwind covers code built without them.
// All of them read the stack only inside the thread's stack bounds, so they never fault,
// and every captured return address lies in an executable segment of a loaded module
// (code_ranges.hpp): a walk that leaves code stops there. None allocates; all are safe
// inside malloc.
#pragma once

#include <cstddef>
#include <cstdint>

namespace osp::trace {

enum class UnwindMethod : int { FramePointer = 0, Libunwind = 1, EhFrame = 2 };

// Fills `frames` with up to `max_depth` return addresses, skipping the innermost
// `skip_frames` frames (the capture itself is never included). Returns the count.
//
// Which frame comes first, precisely: with skip_frames = 0, frames[0] is the return
// address of the call to capture_stack, i.e. an address inside the function that called
// capture_stack (symbolizing it names that function at the line of the call).
// frames[1] is the return address into that function's caller, and so on outwards.
// skip_frames = n drops the first n of these, so a helper that captures on behalf of
// its caller passes 1. Both methods return the same addresses for the same stack
// (return addresses, not call-site addresses: symbolize() looks up address - 1).
//
// Returns 0 (never faults, never allocates) when: max_depth <= 0; the thread's stack
// bounds are unknown or being fetched by this very thread (the walks ask
// pthread_getattr_np once per thread, which may allocate and so re-enter malloc);
// the current frame lies outside the thread stack (e.g. a signal alternate stack); or
// libunwind fails. Every walk stops at the first return address that is not code. The
// frame-pointer walk also stops at the first null, misaligned, non-increasing or
// out-of-bounds frame pointer, so code built without frame pointers yields a shorter
// stack, never a crash; the eh_frame walk stops where a frame has no usable rule and
// no frame record either, or where the stack ends (_start, a thread's start).
int capture_stack(std::uintptr_t* frames, int max_depth, int skip_frames,
                  UnwindMethod method) noexcept;

// Like capture_stack, but the stack starts at the frame whose return address is
// `first_return_address` (an interposed function's __builtin_return_address(0)), so the
// frames of the code between it and the capture are never stored or walked twice. That
// frame must be among the innermost `search_limit` frames; returns -1 when it is not
// (the caller then decides what to keep), 0 in the cases listed above.
int capture_stack_starting_at(std::uintptr_t first_return_address, std::uintptr_t* frames,
                              int max_depth, int search_limit, UnwindMethod method) noexcept;

// The cheapest capture: the walk starts at the frame record `entry_frame` of an
// interposed entry point (its __builtin_frame_address(0), still live below the caller),
// whose return address must be `expected_return_address`; frames[0] is that address.
// Frame pointers or eh_frame rules (libunwind cannot start from a given frame: -1).
// Returns -1 when the record does not match (the entry point had no frame record of its
// own), 0 when the stack bounds are unknown.
// `hash`, when not null, receives the StackDepot hash (StackHash) of the captured frames.
// `records`, when not null, receives every stack word the walk read, with its address,
// in order (count -1 when there were more than its capacity). Given the same entry frame, the same code-range generation and these words
// still in place, a walk reads the same words, takes the same decisions and gives the
// same frames (see debug/stack_memo.hpp); `generation` receives that generation.
// With `start_at` not 0 the stack starts at the frame whose return address it is, searched
// for among the first `search_limit` frames as capture_stack_starting_at does (-1 when it
// is not there): a runtime function can then walk from its own frame record.
struct WalkRecords {
  std::uintptr_t* addresses;  // [i]: where a word was read
  std::uintptr_t* values;     // [i]: what it held
  int capacity;
  int count;
  std::uint64_t generation;
};
int capture_stack_from_entry_frame(std::uintptr_t entry_frame,
                                   std::uintptr_t expected_return_address,
                                   std::uintptr_t* frames, int max_depth, std::uint64_t* hash,
                                   WalkRecords* records = nullptr,
                                   UnwindMethod method = UnwindMethod::FramePointer,
                                   std::uintptr_t start_at = 0, int search_limit = 0) noexcept;

}  // namespace osp::trace
