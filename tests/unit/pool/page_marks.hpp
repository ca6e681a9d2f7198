// Marks that show whether a block's pages moved with it: one byte every 64 pages, holding
// that byte's number.
#pragma once

#include <cstddef>

namespace osp::test {

inline constexpr std::size_t kMarkStrideBytes = 64 * 4096;

inline void mark_pages(unsigned char* block, std::size_t bytes) {
  for (std::size_t offset = 0; offset < bytes; offset += kMarkStrideBytes) {
    block[offset] = static_cast<unsigned char>(offset / kMarkStrideBytes);
  }
}

inline bool pages_marked(const unsigned char* block, std::size_t bytes) {
  for (std::size_t offset = 0; offset < bytes; offset += kMarkStrideBytes) {
    if (block[offset] != static_cast<unsigned char>(offset / kMarkStrideBytes)) return false;
  }
  return true;
}

}  // namespace osp::test
