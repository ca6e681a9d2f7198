// Stack capture: a validated frame-pointer walk and a libunwind walk, both malloc-free.
// Frame record layout on x86-64 and AArch64: the frame pointer points at
// [saved caller frame pointer, return address]. Every record is read only after checking
// it lies inside [current frame, thread stack top), so a corrupt chain ends the walk
// instead of faulting.
#define UNW_LOCAL_ONLY
#include "trace/stack_capture.hpp"

#include <libunwind.h>

#include "trace/stack_depot.hpp"
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

// Where a walk starts storing: after `skip_frames` frames, or (when `start_at` is not 0)
// at the frame whose return address is `start_at`, searched for among the first
// `search_limit` frames.
struct WalkStart {
  int skip_frames;
  std::uintptr_t start_at;
  int search_limit;
};

// Returns the frame count, or -1 when `start.start_at` was not found.
int walk_frame_pointers(std::uintptr_t frame_pointer, std::uintptr_t* frames, int max_depth,
                        WalkStart start, const StackBounds& bounds) noexcept {
  // The first record is the lowest legal one; anything below it is not a caller.
  if (frame_pointer < bounds.low || frame_pointer >= bounds.high) return 0;
  std::uintptr_t lowest_allowed = frame_pointer;

  bool searching = start.start_at != 0;
  int passed = 0;  // frames walked before storing began
  int count = 0;
  while (count < max_depth) {
    if (frame_pointer % kWordBytes != 0 || frame_pointer < lowest_allowed ||
        frame_pointer > bounds.high - kFrameRecordBytes) {
      break;
    }
    const auto* record = reinterpret_cast<const std::uintptr_t*>(frame_pointer);
    const std::uintptr_t return_address = strip_pointer_authentication(record[1]);
    if (return_address < kLowestPlausibleCodeAddress) break;
    if (searching) {
      if (return_address == start.start_at) {
        searching = false;
        frames[count++] = return_address;
      } else if (++passed > start.search_limit) {
        return -1;
      }
    } else if (passed < start.skip_frames) {
      ++passed;
    } else {
      frames[count++] = return_address;
    }
    // Strictly increasing: a loop in the chain cannot spin forever.
    lowest_allowed = frame_pointer + kFrameRecordBytes;
    frame_pointer = record[0];
  }
  return searching ? -1 : count;
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

// `caller_return_address` is the capturing function's return address: libunwind's
// result starts with its own and our frames, and frame 0 is the entry equal to it.
// Returns -1 when `start.start_at` was not found.
__attribute__((noinline)) int walk_with_libunwind(std::uintptr_t caller_return_address,
                                                  std::uintptr_t* frames, int max_depth,
                                                  WalkStart start) noexcept {
  void* buffer[kLibunwindBufferFrames];
  int wanted = kMaxInternalFrames + start.skip_frames + start.search_limit + max_depth;
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
  if (start.start_at != 0) {
    int found = -1;
    for (int i = first; i < captured && i <= first + start.search_limit; ++i) {
      if (reinterpret_cast<std::uintptr_t>(buffer[i]) == start.start_at) {
        found = i;
        break;
      }
    }
    if (found < 0) return -1;
    first = found;
  } else {
    first += start.skip_frames;
  }
  int count = 0;
  for (int i = first; i < captured && count < max_depth; ++i) {
    const auto address = reinterpret_cast<std::uintptr_t>(buffer[i]);
    if (address < kLowestPlausibleCodeAddress) break;
    frames[count++] = address;
  }
  return count;
}

// Both captures below must be noinline with a frame record of their own: the walk starts
// at that record, whose return address is the capturing function's frame 0.
__attribute__((always_inline)) inline int capture_here(std::uintptr_t return_address,
                                                       std::uintptr_t frame_pointer,
                                                       std::uintptr_t* frames, int max_depth,
                                                       WalkStart start,
                                                       UnwindMethod method) noexcept {
  if (method == UnwindMethod::Libunwind) {
    return walk_with_libunwind(return_address, frames, max_depth, start);
  }
  StackBounds bounds;
  if (!current_thread_stack_bounds(bounds)) return 0;
  return walk_frame_pointers(frame_pointer, frames, max_depth, start, bounds);
}

}  // namespace

__attribute__((noinline)) int capture_stack(std::uintptr_t* frames, int max_depth,
                                            int skip_frames, UnwindMethod method) noexcept {
  if (frames == nullptr || max_depth <= 0) return 0;
  if (skip_frames < 0) skip_frames = 0;
  const int count = capture_here(reinterpret_cast<std::uintptr_t>(__builtin_return_address(0)),
                                 reinterpret_cast<std::uintptr_t>(__builtin_frame_address(0)),
                                 frames, max_depth, WalkStart{skip_frames, 0, 0}, method);
  // Keeps the calls above from becoming tail calls, which would pop this frame record
  // while the walk still reads it.
  __asm__ __volatile__("" : : : "memory");
  return count;
}

__attribute__((noinline)) int capture_stack_starting_at(std::uintptr_t first_return_address,
                                                        std::uintptr_t* frames, int max_depth,
                                                        int search_limit,
                                                        UnwindMethod method) noexcept {
  if (frames == nullptr || max_depth <= 0) return 0;
  if (first_return_address == 0) return -1;
  if (search_limit < 0) search_limit = 0;
  const int count = capture_here(reinterpret_cast<std::uintptr_t>(__builtin_return_address(0)),
                                 reinterpret_cast<std::uintptr_t>(__builtin_frame_address(0)),
                                 frames, max_depth, WalkStart{0, first_return_address, search_limit},
                                 method);
  __asm__ __volatile__("" : : : "memory");
  return count;
}

__attribute__((noinline)) int capture_stack_from_entry_frame(
    std::uintptr_t entry_frame, std::uintptr_t expected_return_address, std::uintptr_t* frames,
    int max_depth, std::uint64_t* hash, WalkRecords* records) noexcept {
  if (frames == nullptr || max_depth <= 0) return 0;
  if (records != nullptr) records->count = 0;
  StackBounds bounds;
  if (!current_thread_stack_bounds(bounds)) return 0;
  // The entry frame is an active frame above ours: anything else is not a frame record.
  const auto own_frame = reinterpret_cast<std::uintptr_t>(__builtin_frame_address(0));
  const std::uintptr_t highest_record = bounds.high - kFrameRecordBytes;
  if (entry_frame % kWordBytes != 0 || entry_frame <= own_frame || entry_frame > highest_record) {
    return -1;
  }
  if (strip_pointer_authentication(reinterpret_cast<const std::uintptr_t*>(entry_frame)[1]) !=
      expected_return_address) {
    return -1;
  }
  // The same validation as walk_frame_pointers, in the tightest loop: one unsigned compare
  // checks "above the previous record and inside the stack".
  StackHash stack_hash;
  std::uintptr_t frame_pointer = entry_frame;
  std::uintptr_t lowest_allowed = entry_frame;
  int count = 0;
  while (count < max_depth) {
    if (frame_pointer - lowest_allowed > highest_record - lowest_allowed ||
        frame_pointer % kWordBytes != 0) {
      break;
    }
    const auto* record = reinterpret_cast<const std::uintptr_t*>(frame_pointer);
    if (records != nullptr) [[unlikely]] {
      if (records->count >= 0 && records->count < records->capacity) {
        records->words[records->count][0] = record[0];
        records->words[records->count][1] = record[1];
        ++records->count;
      } else {
        records->count = -1;
      }
    }
    const std::uintptr_t return_address = strip_pointer_authentication(record[1]);
    if (return_address < kLowestPlausibleCodeAddress) break;
    stack_hash.add(count, return_address);
    frames[count++] = return_address;
    lowest_allowed = frame_pointer + kFrameRecordBytes;
    frame_pointer = record[0];
  }
  if (hash != nullptr) *hash = stack_hash.finish(count);
  return count;
}

}  // namespace osp::trace
