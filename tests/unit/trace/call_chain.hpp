// A known chain of calls, outer -> middle -> inner, where inner captures the stack. Each
// function records the addresses and lines the tests expect to find in the capture, so
// nothing is hard-coded. Built with frame pointers and without inlining.
#pragma once

#include <cstdint>

#include "trace/stack_capture.hpp"

namespace osp_trace_test {

inline constexpr int kCaptureCapacity = 64;

struct CallChainRecord {
  osp::trace::UnwindMethod method;
  int skip_frames;
  std::uintptr_t frames[kCaptureCapacity];
  int depth;
  // Return addresses the capture must contain after frame 0.
  std::uintptr_t return_into_middle;  // inner's return address (frame 1 with skip 0)
  std::uintptr_t return_into_outer;   // middle's return address (frame 2 with skip 0)
  int middle_call_line;  // line in call_chain.cpp where middle calls inner
  int inner_capture_line;  // line in call_chain.cpp where inner calls capture_stack
};

// Runs outer -> middle -> inner; inner captures into record.frames.
void chain_outer(CallChainRecord& record);
void chain_middle(CallChainRecord& record);
void chain_inner(CallChainRecord& record);

// Captures at the bottom of a chain of `levels` distinct calls (for depth tests).
int capture_at_depth(int levels, std::uintptr_t* frames, int max_depth,
                     osp::trace::UnwindMethod method);

}  // namespace osp_trace_test
