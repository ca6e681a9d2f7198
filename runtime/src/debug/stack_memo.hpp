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

#include "trace/stack_capture.hpp"
#include "trace/stack_depot.hpp"

namespace osp::debug {

// The depot id of up to `max_depth` frames from the frame record `entry_frame` of an
// interposed entry point, whose return address must be `caller`, walked with `method`
// (FramePointer or EhFrame). With `start_at` not 0 the stack starts at that return
// address, among the first `search_limit` frames (for a runtime function that walks from
// its own frame record). False when that record is not usable or the start is not found
// (see trace::capture_stack_from_entry_frame): the caller then captures some other way.
bool intern_stack_from_entry_frame(std::uintptr_t entry_frame, std::uintptr_t caller,
                                   int max_depth, trace::UnwindMethod method,
                                   trace::StackId& id, std::uintptr_t start_at = 0,
                                   int search_limit = 0) noexcept;

}  // namespace osp::debug
