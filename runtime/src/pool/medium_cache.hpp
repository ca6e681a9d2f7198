// MediumCache: a thread's freed Medium blocks of the smallest orders (1, 2 and 4 MiB), one
// per order, kept for its next allocation of that order. A loop that allocates and frees a
// buffer of a few MiB then takes no lock, writes no line another thread writes, and faults
// no page in again. A cached block stays allocated to the buddy allocator, claimed by the
// cache (BuddyAllocator::claim): lookups see it as not live, and a second free of it fails
// its claim.
//
// The caches hold at most kThreadCachedBytesLimit over all threads, so threads that free
// once and then idle do not pin memory beyond that. A slot is charged against the limit
// when it first keeps a block and stays charged while its blocks come and go, until the
// cache is flushed: the loop above touches no shared counter. Counters are per thread, as
// the Small tier's (published on the paths that take the buddy allocator's lock).
//
// Part of the thread's pool cache (ThreadCache): flushed at the thread's exit and by
// MemoryPool::flush_thread_cache.
#pragma once

#include <cstddef>
#include <cstdint>

#include "pool/owner_counter.hpp"

namespace osp::pool {

struct MediumCache {
  static constexpr int kCachedOrders = 3;  // 1, 2 and 4 MiB blocks
  static constexpr std::size_t kThreadCachedBytesLimit = std::size_t{32} << 20;

  void* blocks[kCachedOrders];  // a claimed live block, or null
  bool charged[kCachedOrders];  // the slot's block bytes count against the limit
  OwnerCounter allocations;
  OwnerCounter frees;
  OwnerCounter live_bytes;  // allocated minus freed by this thread (wraps below zero)
  std::uint64_t published_live_bytes;  // live_bytes at the last publish
};

// The cached block of `order`, live again, or null.
void* take_cached_medium(MediumCache& cache, int order) noexcept;
// Keeps `block` (claimed, of `order`) for reuse; false when the cache has no room for it.
bool keep_medium(MediumCache& cache, void* block, int order) noexcept;
// Gives every cached block back to the buddy allocator and every charge back to the limit.
void flush_medium(MediumCache& cache) noexcept;
// Drops the cached blocks and charges of a thread that does not exist in a forked child
// (its blocks are lost to the child, like the rest of that thread's cache).
void forget_medium(MediumCache& cache) noexcept;
// Bytes charged against the limit over all threads (for tests and reports).
std::size_t medium_cache_charged_bytes() noexcept;

void count_medium_allocation(MediumCache& cache, std::size_t bytes) noexcept;
void count_medium_free(MediumCache& cache, std::size_t bytes) noexcept;
// Publishes the change of the thread's live Medium bytes since its last publish.
void publish_medium_live_bytes(MediumCache& cache) noexcept;
TierTotals medium_totals(const MediumCache& cache) noexcept;

}  // namespace osp::pool
