// Compiled with -fno-omit-frame-pointer -fno-inline -fno-optimize-sibling-calls (see
// CMakeLists.txt) so every function keeps a frame record and really calls the next.
#include "call_chain.hpp"
#include "omitted_frame_pointers.hpp"

namespace osp_trace_test {

using osp::trace::capture_stack;

__attribute__((noinline)) void chain_inner(CallChainRecord& record) {
  record.return_into_middle = reinterpret_cast<std::uintptr_t>(__builtin_return_address(0));
  // The capture call must stay on the same line as __LINE__.
  record.inner_capture_line = __LINE__; record.depth = capture_stack(record.frames, kCaptureCapacity, record.skip_frames, record.method);
  __asm__ __volatile__("" : : : "memory");
}

__attribute__((noinline)) void chain_middle(CallChainRecord& record) {
  record.return_into_outer = reinterpret_cast<std::uintptr_t>(__builtin_return_address(0));
  // The call must stay on the same line as __LINE__.
  record.middle_call_line = __LINE__; chain_inner(record);
  __asm__ __volatile__("" : : : "memory");
}

__attribute__((noinline)) void chain_outer(CallChainRecord& record) {
  chain_middle(record);
  __asm__ __volatile__("" : : : "memory");
}

__attribute__((noinline)) int capture_at_depth(int levels, std::uintptr_t* frames,
                                               int max_depth, osp::trace::UnwindMethod method) {
  int count;
  if (levels <= 1) {
    count = capture_stack(frames, max_depth, 0, method);
  } else {
    count = capture_at_depth(levels - 1, frames, max_depth, method);
  }
  __asm__ __volatile__("" : : : "memory");
  return count;
}

}  // namespace osp_trace_test

namespace osp_trace_test {

__attribute__((noinline)) void with_frame_pointer_inner(MixedChainRecord& record) {
  record.return_into_plain = reinterpret_cast<std::uintptr_t>(__builtin_return_address(0));
  record.rbp_seen_by_inner = reinterpret_cast<const std::uintptr_t*>(__builtin_frame_address(0))[0];
  for (int method = 0; method < 3; ++method) {
    record.depth[method] = osp::trace::capture_stack(
        record.frames[method], kMixedCapacity, 0, static_cast<osp::trace::UnwindMethod>(method));
  }
  __asm__ __volatile__("" : : : "memory");
}

__attribute__((noinline)) void with_frame_pointer_outer(MixedChainRecord& record) {
  without_frame_pointer_middle(record);
  __asm__ __volatile__("" : : : "memory");
}

}  // namespace osp_trace_test
