// What the malloc-family entry points of libospdebug share on every platform
// (malloc_override.cpp, malloc_override_windows.cpp): each entry point takes its own
// return address, and hands it with the request to these.
#pragma once

#include <errno.h>

#include <cstddef>
#include <cstdint>

#include "api/backend.hpp"
#include "api/malloc_arguments.hpp"
#include "debug/debug_heap.hpp"
#include "debug/error_reports.hpp"
#include "debug/runtime_thread.hpp"

namespace osp::api::entry {

inline std::uintptr_t as_address(void* return_address) {
  return reinterpret_cast<std::uintptr_t>(return_address);
}

// `asked_alignment`: the program named the alignment (memalign and friends), which a
// guarded slot then keeps instead of the C rule for the size.
inline void* allocate_malloc(std::size_t bytes, std::size_t alignment, std::uintptr_t caller,
                             bool zero, std::uintptr_t caller_frame = 0,
                             bool asked_alignment = false) {
  void* block = osp::debug::allocate({bytes, alignment, AllocationKind::Malloc, nullptr, 0,
                                      caller, zero, caller_frame, asked_alignment});
  if (block == nullptr) errno = ENOMEM;
  return block;
}

inline void report_bad_alignment(const char* function, std::size_t alignment,
                                 std::uintptr_t caller) {
  if (osp::debug::inside_runtime()) return;
  osp::debug::ReentrancyGuard guard;
  osp::debug::report_invalid_alignment(function, alignment, caller);
}

inline void report_overflow(const char* function, std::size_t count, std::size_t size,
                            std::uintptr_t caller) {
  if (osp::debug::inside_runtime()) return;
  osp::debug::ReentrancyGuard guard;
  osp::debug::report_calloc_overflow(function, count, size, caller);
}

// calloc: the product checked for overflow (reported, ENOMEM), then a zeroed block.
inline void* checked_calloc(std::size_t count, std::size_t size, std::uintptr_t caller) {
  std::size_t bytes;
  if (__builtin_mul_overflow(count, size, &bytes)) {
    report_overflow("calloc", count, size, caller);
    errno = ENOMEM;
    return nullptr;
  }
  return allocate_malloc(bytes, kMallocAlignmentBytes, caller, true);
}

}  // namespace osp::api::entry
