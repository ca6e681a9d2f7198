// Stack capture cut at the program's caller (see stack_origin.hpp).
#include "debug/stack_origin.hpp"

#include <atomic>
#include <cstring>

#include "debug/options.hpp"
#include "debug/stack_memo.hpp"
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
    const char* name = options().unwind;
    trace::UnwindMethod chosen = trace::UnwindMethod::EhFrame;
    if (std::strcmp(name, "fp") == 0) chosen = trace::UnwindMethod::FramePointer;
    if (std::strcmp(name, "libunwind") == 0) chosen = trace::UnwindMethod::Libunwind;
    method = static_cast<int>(chosen);
    g_unwind_method.store(method, std::memory_order_relaxed);
  }
  return static_cast<trace::UnwindMethod>(method);
}

}  // namespace

int capture_stack_from(std::uintptr_t caller, std::uintptr_t* frames, int max_depth) noexcept {
  if (max_depth <= 0) return 0;
  if (max_depth > trace::kMaxStackDepth) max_depth = trace::kMaxStackDepth;
  const trace::UnwindMethod method = unwind_method();
  int depth = trace::capture_stack_starting_at(caller, frames, max_depth,
                                               kRuntimeFrameAllowance, method);
  // The caller's frame was not on the walked chain (a frame without a frame record):
  // keep the whole stack rather than none.
  if (depth < 0) depth = trace::capture_stack(frames, max_depth, 0, method);
  return depth;
}

namespace {

// The search from the caller's return address, when the entry point gave no frame record
// (or it could not be used): walked from this function's own record through the memo
// (the runtime frames between here and the caller are the same every time), else
// captured outright. Out of line, so the common path keeps no frame buffer of its own.
__attribute__((noinline)) trace::StackId capture_and_intern(std::uintptr_t caller,
                                                            int max_depth) noexcept {
  const trace::UnwindMethod method = unwind_method();
  if (method != trace::UnwindMethod::Libunwind) {
    const trace::StackId id = intern_stack_from_entry_frame(
        reinterpret_cast<std::uintptr_t>(__builtin_frame_address(0)),
        reinterpret_cast<std::uintptr_t>(__builtin_return_address(0)), max_depth, method, caller,
        kRuntimeFrameAllowance);
    if (id != trace::kNoStack) return id;
  }
  std::uintptr_t frames[trace::kMaxStackDepth];
  const int depth = capture_stack_from(caller, frames, max_depth);
  return trace::StackDepot::instance().intern(frames, depth);
}

}  // namespace

namespace {

trace::StackId capture_and_intern_up_to(std::uintptr_t caller, std::uintptr_t caller_frame,
                                        int depth) noexcept {
  if (depth <= 0) return trace::kNoStack;
  if (depth > trace::kMaxStackDepth) depth = trace::kMaxStackDepth;
  const trace::UnwindMethod method = unwind_method();
  if (caller_frame != 0 && method != trace::UnwindMethod::Libunwind) {
    const trace::StackId id = intern_stack_from_entry_frame(caller_frame, caller, depth, method);
    if (id != trace::kNoStack) return id;
  }
  return capture_and_intern(caller, depth);
}

}  // namespace

trace::StackId capture_origin_stack(std::uintptr_t caller, std::uintptr_t caller_frame) noexcept {
  return capture_and_intern_up_to(caller, caller_frame, options().stack_depth);
}

trace::StackId capture_free_stack(std::uintptr_t caller, std::uintptr_t caller_frame) noexcept {
  const Options& current = options();
  const int depth = current.free_stack_depth < current.stack_depth ? current.free_stack_depth
                                                                   : current.stack_depth;
  return capture_and_intern_up_to(caller, caller_frame, depth);
}

}  // namespace osp::debug
