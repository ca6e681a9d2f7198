// Stack capture cut at the program's caller (see stack_origin.hpp).
#include "debug/stack_origin.hpp"

#include <atomic>
#include <cstring>

#include "debug/options.hpp"
#include "trace/stack_capture.hpp"

namespace osp::debug {
namespace {

// Frames the runtime itself may add between the capture and the interposed entry point.
constexpr int kRuntimeFrameAllowance = 12;

// Options never change once parsed, so the method is decided once (-1: not yet).
std::atomic<int> g_unwind_method{-1};

trace::UnwindMethod unwind_method() noexcept {
  int method = g_unwind_method.load(std::memory_order_relaxed);
  if (method < 0) {
    method = std::strcmp(options().unwind, "libunwind") == 0
                 ? static_cast<int>(trace::UnwindMethod::Libunwind)
                 : static_cast<int>(trace::UnwindMethod::FramePointer);
    g_unwind_method.store(method, std::memory_order_relaxed);
  }
  return static_cast<trace::UnwindMethod>(method);
}

}  // namespace

int capture_stack_from(std::uintptr_t caller, std::uintptr_t* frames, int max_depth) noexcept {
  if (max_depth <= 0) return 0;
  std::uintptr_t captured[trace::kMaxStackDepth + kRuntimeFrameAllowance];
  int wanted = max_depth + kRuntimeFrameAllowance;
  int capacity = static_cast<int>(sizeof captured / sizeof captured[0]);
  if (wanted > capacity) wanted = capacity;
  int depth = trace::capture_stack(captured, wanted, 0, unwind_method());
  int first = 0;
  for (int index = 0; index < depth; ++index) {
    if (captured[index] == caller) {
      first = index;
      break;
    }
  }
  int kept = depth - first;
  if (kept > max_depth) kept = max_depth;
  if (kept > 0) std::memcpy(frames, captured + first, sizeof(std::uintptr_t) * kept);
  return kept;
}

trace::StackId capture_origin_stack(std::uintptr_t caller) noexcept {
  int depth_option = options().stack_depth;
  if (depth_option <= 0) return trace::kNoStack;
  std::uintptr_t frames[trace::kMaxStackDepth];
  int depth = capture_stack_from(caller, frames, depth_option);
  return trace::StackDepot::instance().intern(frames, depth);
}

}  // namespace osp::debug
