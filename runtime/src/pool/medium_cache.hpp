// MediumCache: a thread's freed Medium blocks of the smallest orders (1, 2 and 4 MiB), one
// per order, kept for its next allocation of that order. A loop that allocates and frees a
// buffer of a few MiB then takes no lock and faults no page in again: the block stays
// allocated to the buddy allocator, claimed by the cache (BuddyAllocator::claim), so
// lookups see it as not live and a second free of it fails its claim.
//
// At most kThreadCachedBytesLimit is cached over all threads, so threads that free once
// and then idle do not pin memory beyond that. Part of the thread's pool cache
// (ThreadCache); given back to the buddy allocator at the thread's exit and on
// MemoryPool::flush_thread_cache.
#pragma once

#include <cstddef>

namespace osp::pool {

struct MediumCache {
  static constexpr int kCachedOrders = 3;  // 1, 2 and 4 MiB blocks
  static constexpr std::size_t kThreadCachedBytesLimit = std::size_t{32} << 20;

  void* blocks[kCachedOrders];  // a claimed live block, or null
};

// The cached block of `order`, live again, or null.
void* take_cached_medium(MediumCache& cache, int order) noexcept;
// Keeps `block` (claimed, of `order`) for reuse; false when the cache has no room for it.
bool keep_medium(MediumCache& cache, void* block, int order) noexcept;
// Gives every cached block back to the buddy allocator.
void flush_medium(MediumCache& cache) noexcept;
// Bytes in all threads' Medium caches (for tests and reports).
std::size_t medium_cached_bytes() noexcept;
// Forgets the cached blocks of a thread that does not exist in a forked child (they are
// lost to the child, like the rest of that thread's cache).
void forget_medium(MediumCache& cache) noexcept;

}  // namespace osp::pool
