// The tiered pool (DESIGN §2): the raw allocator underneath both libosp and libospdebug.
// Blocks from here carry no header; the pool finds a block's tier and size from its
// address alone. All functions are thread-safe and never call malloc.
#pragma once

#include <cstddef>
#include <cstdint>

#include "memory_allocators.hpp"

namespace os_memory::pool {

struct TierCounters {
  std::uint64_t live_bytes;   // bytes handed out and not yet returned (block sizes)
  std::uint64_t peak_bytes;   // high-water mark of live_bytes
  std::uint64_t allocations;  // successful allocations since start
  std::uint64_t frees;        // deallocations since start
};

struct PoolCounters {
  TierCounters tiers[kTierCount];
  std::uint64_t live_bytes;  // sum over tiers
  std::uint64_t peak_bytes;  // process-wide high-water mark
  std::uint64_t failed_allocations;
};

class OSP_EXPORT MemoryPool {
 public:
  // Returns a block of at least `bytes` aligned to `alignment` (a power of two, any
  // size), or nullptr when the request cannot be met. Zero bytes gives a minimal block.
  static void* allocate(std::size_t bytes, std::size_t alignment = DEFAULT_ALIGNMENT) noexcept;
  // Returns a block from allocate(); nullptr is ignored. Any thread may free any block.
  static void deallocate(void* block) noexcept;
  // Makes `block` (from allocate(), default alignment) hold at least `bytes` without moving
  // it, when its tier can: a Medium block grows into free neighbours or gives back its
  // upper part. True when it now does (usable_size() tells the new size); false, with
  // nothing changed, when the caller must move it (or keep it, to shrink).
  static bool resize_in_place(void* block, std::size_t bytes) noexcept;
  // Gives a Large or Huge block (from allocate(), default alignment, no huge pages) a new
  // size of Large or Huge, moving its pages instead of copying them: the block's new
  // address (the old one is gone), or null, with nothing changed, when it cannot (another
  // tier, or an OS without such a call): the caller then copies.
  static void* remap(void* block, std::size_t bytes) noexcept;
  // realloc for blocks from allocate() at the default alignment: `block` itself when it
  // still fits or can be resized in place (resize_in_place, remap), else a new block with
  // the contents copied and `block` freed. A Medium block that must move goes where it can
  // grow in place next time. Null, with `block` untouched, when no memory is left, `bytes`
  // is 0 or `block` is not ours.
  static void* reallocate(void* block, std::size_t bytes) noexcept;
  // Usable bytes of a block from allocate() (at least what was asked), 0 if not ours.
  static std::size_t usable_size(const void* block) noexcept;
  // True when `address` is the start of a block this pool could have handed out
  // (exact start for Medium/Large/Huge, a class boundary for Small). Does not say live.
  static bool owns(const void* address) noexcept;
  // owns() and usable_size() in one lookup: the usable bytes of the block that starts
  // exactly at `address`, or 0 when no block of this pool could start there.
  static std::size_t block_bytes_at(const void* address) noexcept;
  static Tier tier_of(const void* block) noexcept;
  // Small-tier size class index of the block, or -1 for other tiers.
  static int size_class_of(const void* block) noexcept;
  static PoolCounters counters() noexcept;
  // Gives the calling thread's cached Small blocks back to the global stacks and its cached
  // Medium blocks to the buddy allocator.
  static void flush_thread_cache() noexcept;
  // Ask for huge pages for Large/Huge blocks (MAP_HUGETLB, falling back to THP advice).
  static void set_huge_pages(bool enabled) noexcept;
};

}  // namespace os_memory::pool
