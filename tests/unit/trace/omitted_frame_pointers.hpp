// Calls through code built without frame pointers (-O2 -fomit-frame-pointer, see
// CMakeLists.txt), between functions built with them: with_frame_pointer_outer ->
// without_frame_pointer_middle (which leaves RBP pointing at a fake frame record on its
// stack whose return address is a data object, as a broken chain does in real programs)
// -> without_frame_pointer_plain -> with_frame_pointer_inner, which captures the stack
// with every method.
#pragma once

#include <cstdint>

#include "trace/stack_capture.hpp"

namespace osp_trace_test {

inline constexpr int kMixedCapacity = 64;

struct MixedChainRecord {
  std::uintptr_t frames[3][kMixedCapacity];  // by UnwindMethod
  int depth[3];
  std::uintptr_t return_into_plain;   // with_frame_pointer_inner's return address
  std::uintptr_t return_into_middle;  // without_frame_pointer_plain's return address
  std::uintptr_t fake_record;         // where the middle function left RBP
  std::uintptr_t rbp_seen_by_inner;   // the caller's RBP saved in the inner frame record
};

// A data object (in .data, never executable) that the fake record names as return address.
extern std::uintptr_t g_data_not_code[4];

// Built with frame pointers.
void with_frame_pointer_outer(MixedChainRecord& record);
void with_frame_pointer_inner(MixedChainRecord& record);
// Built without.
int without_frame_pointer_middle(MixedChainRecord& record);
int without_frame_pointer_plain(MixedChainRecord& record);

}  // namespace osp_trace_test
