// Stack capture: a validated frame-pointer walk and a libunwind walk, both malloc-free.
// Frame record layout on x86-64 and AArch64: the frame pointer points at
// [saved caller frame pointer, return address]. Every record is read only after checking
// it lies inside [current frame, thread stack top), so a corrupt chain ends the walk
// instead of faulting.
#define UNW_LOCAL_ONLY
#include "trace/stack_capture.hpp"

#include <libunwind.h>

#include "trace/thread_stack_bounds.hpp"

namespace osp::trace {
namespace {

constexpr std::uintptr_t kWordBytes = sizeof(std::uintptr_t);
constexpr std::uintptr_t kFrameRecordBytes = 2 * kWordBytes;
// Return addresses below this are garbage (the first page is never mapped).
constexpr std::uintptr_t kLowestPlausibleCodeAddress = 4096;
// libunwind is given a stack buffer; frames beyond it are not captured.
constexpr int kLibunwindBufferFrames = 256;
// How far into libunwind's result we look for our own caller before giving up.
constexpr int kMaxInternalFrames = 8;

std::uintptr_t strip_pointer_authentication(std::uintptr_t return_address) noexcept {
#if defined(__aarch64__)
  // XPACLRI (a NOP on cores without pointer authentication) clears the PAC bits of x30.
  register std::uintptr_t link_register __asm__("x30") = return_address;
  __asm__("hint #7" : "+r"(link_register));
  return link_register;
#else
  return return_address;
#endif
}

int walk_frame_pointers(std::uintptr_t frame_pointer, std::uintptr_t* frames, int max_depth,
                        int skip_frames) noexcept {
  StackBounds bounds;
  if (!current_thread_stack_bounds(bounds)) return 0;
  // Our own frame is the lowest legal record; anything below it is not a caller.
  if (frame_pointer < bounds.low || frame_pointer >= bounds.high) return 0;
  std::uintptr_t lowest_allowed = frame_pointer;

  int count = 0;
  while (count < max_depth) {
    if (frame_pointer % kWordBytes != 0 || frame_pointer < lowest_allowed ||
        frame_pointer > bounds.high - kFrameRecordBytes) {
      break;
    }
    const auto* record = reinterpret_cast<const std::uintptr_t*>(frame_pointer);
    const std::uintptr_t return_address = strip_pointer_authentication(record[1]);
    if (return_address < kLowestPlausibleCodeAddress) break;
    if (skip_frames > 0) {
      --skip_frames;
    } else {
      frames[count++] = return_address;
    }
    // Strictly increasing: a loop in the chain cannot spin forever.
    lowest_allowed = frame_pointer + kFrameRecordBytes;
    frame_pointer = record[0];
  }
  return count;
}

// libunwind's fast path (unw_backtrace) keeps a per-thread cache whose destructor locks
// a mutex at thread exit; ThreadSanitizer has already torn the thread down by then and
// crashes, so TSan builds step the cursor instead (slower, no per-thread cache).
#if defined(__SANITIZE_THREAD__)
int unwind_into(void** buffer, int capacity) noexcept {
  unw_context_t context;
  unw_cursor_t cursor;
  if (unw_getcontext(&context) != 0 || unw_init_local(&cursor, &context) != 0) return 0;
  int count = 0;
  do {
    unw_word_t instruction_pointer = 0;
    if (unw_get_reg(&cursor, UNW_REG_IP, &instruction_pointer) != 0) break;
    buffer[count++] = reinterpret_cast<void*>(instruction_pointer);
  } while (count < capacity && unw_step(&cursor) > 0);
  return count;
}
#else
int unwind_into(void** buffer, int capacity) noexcept { return unw_backtrace(buffer, capacity); }
#endif

// `caller_return_address` is capture_stack's return address: libunwind's result starts
// with its own and our frames, and frame 0 is the entry equal to it.
__attribute__((noinline)) int walk_with_libunwind(std::uintptr_t caller_return_address,
                                                  std::uintptr_t* frames, int max_depth,
                                                  int skip_frames) noexcept {
  void* buffer[kLibunwindBufferFrames];
  int wanted = kMaxInternalFrames + skip_frames + max_depth;
  if (wanted > kLibunwindBufferFrames || wanted < 0) wanted = kLibunwindBufferFrames;
  const int captured = unwind_into(buffer, wanted);
  if (captured <= 0) return 0;

  int first = -1;
  for (int i = 0; i < captured && i < kMaxInternalFrames; ++i) {
    if (reinterpret_cast<std::uintptr_t>(buffer[i]) == caller_return_address) {
      first = i;
      break;
    }
  }
  if (first < 0) return 0;  // our own frames were not recognisable: report nothing
  int count = 0;
  for (int i = first + skip_frames; i < captured && count < max_depth; ++i) {
    const auto address = reinterpret_cast<std::uintptr_t>(buffer[i]);
    if (address < kLowestPlausibleCodeAddress) break;
    frames[count++] = address;
  }
  return count;
}

}  // namespace

// noinline: the walk relies on this function having its own frame record whose return
// address is the caller's frame 0.
__attribute__((noinline)) int capture_stack(std::uintptr_t* frames, int max_depth,
                                            int skip_frames, UnwindMethod method) noexcept {
  if (frames == nullptr || max_depth <= 0) return 0;
  if (skip_frames < 0) skip_frames = 0;
  int count;
  if (method == UnwindMethod::Libunwind) {
    const auto return_address = reinterpret_cast<std::uintptr_t>(__builtin_return_address(0));
    count = walk_with_libunwind(return_address, frames, max_depth, skip_frames);
  } else {
    const auto frame_pointer = reinterpret_cast<std::uintptr_t>(__builtin_frame_address(0));
    count = walk_frame_pointers(frame_pointer, frames, max_depth, skip_frames);
  }
  // Keeps the calls above from becoming tail calls, which would pop this frame record
  // while the walk still reads it.
  __asm__ __volatile__("" : : : "memory");
  return count;
}

}  // namespace osp::trace
