// OsBlockRegistry: blocks mapped straight from the OS — Large (512 MiB–1 GiB), Huge
// (> 1 GiB) and over-aligned (alignment > 64 KiB) — kept in an open-addressing table
// (address → size, tier) under one lock so frees can be validated and counted. The table
// lives in OS memory and doubles when 3/4 full.
#pragma once

#include <cstddef>
#include <cstdint>

#include "memory_allocators.hpp"

namespace osp::pool {

class OsBlockRegistry {
 public:
  // Maps a block and records it; nullptr when the OS refuses.
  static void* allocate(std::size_t bytes, std::size_t alignment, os_memory::Tier tier,
                        bool huge_pages) noexcept;
  // Records a mapping made elsewhere (reserve(), then moved pages): a block of `tier`
  // mapped without huge pages. False when the table has no room (nothing recorded).
  static bool adopt(void* block, std::size_t bytes, os_memory::Tier tier) noexcept;
  // Unmaps a recorded block; returns its mapped size, 0 when `block` is not recorded.
  static std::size_t deallocate(void* block, os_memory::Tier& tier) noexcept;
  // Gives a recorded Large or Huge block mapped without huge pages a new mapping of
  // `bytes` (the OS moves its pages, no copy) and records it as `tier`: the new address,
  // or null (nothing changed) when the block is not such a block or the OS cannot.
  // `old_bytes` and `old_tier` receive what the block was before.
  static void* remap(void* block, std::size_t bytes, os_memory::Tier tier, std::size_t& old_bytes,
                     os_memory::Tier& old_tier) noexcept;
  // Mapped size and tier of a recorded block; 0 when not recorded.
  static std::size_t lookup(const void* block, os_memory::Tier& tier) noexcept;
  static std::size_t block_count() noexcept;

  static void prepare_fork() noexcept;
  static void after_fork() noexcept;
};

}  // namespace osp::pool
