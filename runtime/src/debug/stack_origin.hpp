// Stack capture for the debug runtime: the stack is cut so that it starts at the program
// frame that called the interposed function (`caller`, its return address), never inside
// the runtime, then stored once in the StackDepot.
#pragma once

#include <cstdint>

#include "trace/stack_depot.hpp"

namespace osp::debug {

// Captures up to `max_depth` frames from `caller` outwards. Returns the frame count.
int capture_stack_from(std::uintptr_t caller, std::uintptr_t* frames, int max_depth) noexcept;
// Captures and interns up to the stack_depth option's frames; kNoStack when it is 0.
// `caller_frame`, when not 0, is the entry point's frame record: the walk starts there.
trace::StackId capture_origin_stack(std::uintptr_t caller, std::uintptr_t caller_frame) noexcept;
// The same for a free: up to free_stack_depth frames (never more than stack_depth).
trace::StackId capture_free_stack(std::uintptr_t caller, std::uintptr_t caller_frame) noexcept;

}  // namespace osp::debug
