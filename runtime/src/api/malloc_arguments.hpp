// The argument rules of the C allocation surface, shared by both malloc replacements
// (libospdebug's malloc_override.cpp and libosp_malloc's pool_malloc_override.cpp), so the
// two libraries accept and refuse exactly the same requests.
#pragma once

#include <cstddef>
#include <cstdint>

#include "os/os_memory.hpp"

namespace osp::api {

// malloc's guarantee: alignof(std::max_align_t) on every supported platform.
inline constexpr std::size_t kMallocAlignmentBytes = 16;

inline bool is_power_of_two(std::size_t value) noexcept { return value != 0 && (value & (value - 1)) == 0; }

// posix_memalign: a power of two and a multiple of sizeof(void*), else EINVAL.
inline bool valid_posix_memalign_alignment(std::size_t alignment) noexcept {
  return is_power_of_two(alignment) && alignment % sizeof(void*) == 0;
}

// memalign, like glibc: an alignment that is not a power of two is rounded up to one (at
// least malloc's). Returns 0 when no such power of two exists.
inline std::size_t memalign_alignment(std::size_t alignment) noexcept {
  std::size_t rounded = kMallocAlignmentBytes;
  while (rounded < alignment && rounded != 0) rounded <<= 1;
  return rounded;
}

// pvalloc: the size rounded up to whole pages (one page for 0); 0 when that overflows.
inline std::size_t pvalloc_bytes(std::size_t bytes) noexcept {
  const std::size_t page = os::page_size();
  if (bytes > SIZE_MAX - page) return 0;
  return bytes == 0 ? page : (bytes + page - 1) & ~(page - 1);
}

}  // namespace osp::api
