#include "pool/medium_cache.hpp"

#include "pool/buddy_allocator.hpp"

namespace osp::pool {
namespace {

// Bytes in all threads' Medium caches.
std::size_t cached_bytes = 0;

std::size_t bytes_of_order(int order) { return BuddyAllocator::kUnitBytes << order; }

}  // namespace

void* take_cached_medium(MediumCache& cache, int order) noexcept {
  if (order >= MediumCache::kCachedOrders) return nullptr;
  void* block = cache.blocks[order];
  if (block == nullptr) return nullptr;
  cache.blocks[order] = nullptr;
  __atomic_fetch_sub(&cached_bytes, bytes_of_order(order), __ATOMIC_RELAXED);
  BuddyAllocator::end_claim(block);
  return block;
}

bool keep_medium(MediumCache& cache, void* block, int order) noexcept {
  if (order >= MediumCache::kCachedOrders || cache.blocks[order] != nullptr) return false;
  const std::size_t bytes = bytes_of_order(order);
  if (__atomic_add_fetch(&cached_bytes, bytes, __ATOMIC_RELAXED) > MediumCache::kThreadCachedBytesLimit) {
    __atomic_fetch_sub(&cached_bytes, bytes, __ATOMIC_RELAXED);
    return false;
  }
  cache.blocks[order] = block;
  return true;
}

void flush_medium(MediumCache& cache) noexcept {
  for (int order = 0; order < MediumCache::kCachedOrders; ++order) {
    if (void* block = cache.blocks[order]) {
      cache.blocks[order] = nullptr;
      __atomic_fetch_sub(&cached_bytes, bytes_of_order(order), __ATOMIC_RELAXED);
      BuddyAllocator::deallocate_claimed(block);
    }
  }
}

std::size_t medium_cached_bytes() noexcept { return __atomic_load_n(&cached_bytes, __ATOMIC_RELAXED); }

void forget_medium(MediumCache& cache) noexcept {
  for (int order = 0; order < MediumCache::kCachedOrders; ++order) {
    if (cache.blocks[order] != nullptr) {
      cache.blocks[order] = nullptr;
      __atomic_fetch_sub(&cached_bytes, bytes_of_order(order), __ATOMIC_RELAXED);
    }
  }
}

}  // namespace osp::pool
