// The Small tier's fast paths as inline functions, for the code that sits on every malloc
// and free (MemoryPool itself, libosp_malloc's malloc/new): a block at the default
// alignment from the calling thread's cache, and a free back to it. MemoryPool's exported
// entry points are reached through the PLT; these are compiled into the caller.
#pragma once

#include <cstddef>

#include "pool/size_classes.hpp"
#include "pool/small_manager.hpp"

namespace osp::pool {

// A Small block of at least `bytes` at 16-byte alignment, or null when the request is
// not Small or the cache cannot serve it without a refill (the caller then goes the full
// way, which refills, falls back to another tier and counts failures). Calls nothing.
inline void* allocate_small_fast(std::size_t bytes) noexcept {
  if (__builtin_expect(bytes > kSmallMaxBlockBytes, 0)) return nullptr;
  return SmallManager::try_allocate(class_for_size(bytes));
}

// Frees `block` when it is a Small block; false when it belongs to another tier (or is
// null), for the caller to route. The cache's slow path is a tail call.
inline bool deallocate_small_fast(void* block) noexcept {
  const int class_index = SmallManager::class_of(block);
  if (class_index < 0) return false;
  SmallManager::deallocate(block, class_index);
  return true;
}

}  // namespace osp::pool
