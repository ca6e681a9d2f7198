// Stack capture on Windows (see stack_capture.hpp): RtlCaptureStackBackTrace, which
// unwinds with the x64 unwind data (.pdata/.xdata) that every x86-64 PE image carries,
// mingw-w64 code included, so stacks are whole with or without frame pointers. It returns
// return addresses, as the Linux walks do. The `method` argument has no meaning here, and
// the walk cannot start from a given frame record: capture_stack_from_entry_frame always
// answers -1, and callers capture from the current frame instead.
#define WIN32_LEAN_AND_MEAN
#include <windows.h>

#include "trace/stack_capture.hpp"
#include "trace/stack_depot.hpp"

namespace osp::trace {
namespace {

// Frames a caller may ask to search through before the stack it wants begins.
constexpr int kMaxSearchFrames = 32;
// RtlCaptureStackBackTrace takes at most this many frames to skip plus capture.
constexpr int kMaxCaptureFrames = 62;
// No image is mapped in the first 64 KiB of the address space.
constexpr std::uintptr_t kLowestCodeAddress = 0x10000;

// The stack ends at the first null return address (a thread's start); some unwinders
// (wine's) go on past it with words that are not return addresses.
int frames_before_end(const std::uintptr_t* frames, int count) {
  for (int index = 0; index < count; ++index) {
    if (frames[index] < kLowestCodeAddress) return index;
  }
  return count;
}

}  // namespace

__attribute__((noinline)) int capture_stack(std::uintptr_t* frames, int max_depth, int skip_frames,
                                            UnwindMethod) noexcept {
  if (max_depth <= 0 || skip_frames < 0) return 0;
  if (max_depth > kMaxCaptureFrames) max_depth = kMaxCaptureFrames;
  // Skips this function's own frame too: frames[0] is then the return address into the
  // function that called capture_stack.
  const USHORT count = RtlCaptureStackBackTrace(static_cast<DWORD>(skip_frames + 1), static_cast<DWORD>(max_depth),
                                                reinterpret_cast<void**>(frames), nullptr);
  return frames_before_end(frames, count);
}

__attribute__((noinline)) int capture_stack_starting_at(std::uintptr_t first_return_address,
                                                        std::uintptr_t* frames, int max_depth,
                                                        int search_limit, UnwindMethod) noexcept {
  if (max_depth <= 0) return 0;
  if (search_limit > kMaxSearchFrames) search_limit = kMaxSearchFrames;
  std::uintptr_t found[kMaxCaptureFrames];
  int wanted = search_limit + max_depth;
  if (wanted > kMaxCaptureFrames) wanted = kMaxCaptureFrames;
  const int count = frames_before_end(
      found, RtlCaptureStackBackTrace(1, static_cast<DWORD>(wanted), reinterpret_cast<void**>(found), nullptr));
  for (int start = 0; start < count && start < search_limit; ++start) {
    if (found[start] != first_return_address) continue;
    int depth = 0;
    for (int index = start; index < count && depth < max_depth; ++index) frames[depth++] = found[index];
    return depth;
  }
  return -1;
}

int capture_stack_from_entry_frame(std::uintptr_t, std::uintptr_t, std::uintptr_t*, int,
                                   std::uint64_t*, WalkRecords*, UnwindMethod, std::uintptr_t,
                                   int) noexcept {
  return -1;
}

}  // namespace osp::trace
