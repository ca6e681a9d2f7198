#include "pool/medium_cache.hpp"

#include "pool/buddy_allocator.hpp"
#include "pool/pool_counters.hpp"

namespace osp::pool {
namespace {

// Bytes of all threads' charged slots.
std::size_t charged_bytes = 0;

std::size_t bytes_of_order(int order) { return BuddyAllocator::kUnitBytes << order; }

void discharge(MediumCache& cache, int order) {
  if (!cache.charged[order]) return;
  cache.charged[order] = false;
  __atomic_fetch_sub(&charged_bytes, bytes_of_order(order), __ATOMIC_RELAXED);
}

}  // namespace

void* take_cached_medium(MediumCache& cache, int order) noexcept {
  if (order >= MediumCache::kCachedOrders) return nullptr;
  void* block = cache.blocks[order];
  if (block == nullptr) return nullptr;
  cache.blocks[order] = nullptr;
  BuddyAllocator::end_claim(block);
  return block;
}

bool keep_medium(MediumCache& cache, void* block, int order) noexcept {
  if (order >= MediumCache::kCachedOrders || cache.blocks[order] != nullptr) return false;
  if (!cache.charged[order]) {
    const std::size_t bytes = bytes_of_order(order);
    if (__atomic_add_fetch(&charged_bytes, bytes, __ATOMIC_RELAXED) > MediumCache::kThreadCachedBytesLimit) {
      __atomic_fetch_sub(&charged_bytes, bytes, __ATOMIC_RELAXED);
      return false;
    }
    cache.charged[order] = true;
  }
  cache.blocks[order] = block;
  return true;
}

void flush_medium(MediumCache& cache) noexcept {
  for (int order = 0; order < MediumCache::kCachedOrders; ++order) {
    if (void* block = cache.blocks[order]) {
      cache.blocks[order] = nullptr;
      BuddyAllocator::deallocate_claimed(block);
    }
    discharge(cache, order);
  }
}

void forget_medium(MediumCache& cache) noexcept {
  for (int order = 0; order < MediumCache::kCachedOrders; ++order) {
    cache.blocks[order] = nullptr;
    discharge(cache, order);
  }
}

std::size_t medium_cache_charged_bytes() noexcept { return __atomic_load_n(&charged_bytes, __ATOMIC_RELAXED); }

void count_medium_allocation(MediumCache& cache, std::size_t bytes) noexcept {
  cache.allocations.add(1);
  cache.live_bytes.add(bytes);
}

void count_medium_free(MediumCache& cache, std::size_t bytes) noexcept {
  cache.frees.add(1);
  cache.live_bytes.add(0 - static_cast<std::uint64_t>(bytes));
}

void publish_medium_live_bytes(MediumCache& cache) noexcept {
  const std::uint64_t live = cache.live_bytes.read();
  publish_live_delta(os_memory::Tier::Medium, static_cast<std::int64_t>(live - cache.published_live_bytes));
  cache.published_live_bytes = live;
}

TierTotals medium_totals(const MediumCache& cache) noexcept {
  return TierTotals{cache.allocations.read(), cache.frees.read(), cache.live_bytes.read()};
}

}  // namespace osp::pool
