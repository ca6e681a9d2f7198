// The stack of an instruction interrupted by a signal (a fault), unwound from the signal's
// context with libunwind's DWARF unwinder, so a leaf function without a frame record (a
// libc string function, say) still shows its caller.
#pragma once

#include <cstdint>

namespace osp::trace {

// frames[0] is `pc` + 1: stored frames are return addresses, which symbolize() looks up
// one byte back, and this one must name the faulting instruction itself. The rest are
// the return addresses of the interrupted stack, each inside a loaded module's code (the
// walk stops at the first that is not). Returns the frame count (at least 1).
int capture_signal_context_stack(const void* ucontext, std::uintptr_t pc, std::uintptr_t* frames,
                                 int max_depth) noexcept;

}  // namespace osp::trace
