// libosp_malloc: the fast pool as the process's malloc and operator new/delete, with no
// debug layer. Preload it (LD_PRELOAD=libosp_malloc.so) or link it to run any program on
// osp's pool; it is what the benchmarks compare with glibc, jemalloc, tcmalloc and mimalloc.
#include <errno.h>

#include <cstdint>
#include <cstring>
#include <new>

#include "api/malloc_arguments.hpp"
#include "memory_pool.hpp"
#include "pool/small_fast_path.hpp"

using os_memory::pool::MemoryPool;
using osp::api::kMallocAlignmentBytes;

namespace {

// A block from the calling thread's cache when the request is Small at the default
// alignment, else null. Inline: the hit path of malloc and new is this and a return.
inline void* from_thread_cache(std::size_t bytes, std::size_t alignment) noexcept {
  return alignment <= kMallocAlignmentBytes ? osp::pool::allocate_small_fast(bytes) : nullptr;
}

inline void* pool_allocate(std::size_t bytes, std::size_t alignment) noexcept {
  if (void* block = from_thread_cache(bytes, alignment)) return block;
  return MemoryPool::allocate(bytes, alignment);
}

inline void pool_free(void* block) noexcept {
  if (!osp::pool::deallocate_small_fast(block)) MemoryPool::deallocate(block);
}

// Everything but a cache hit is out of line, so the hit path needs no stack frame.
[[gnu::noinline]] void* allocate_slow_or_errno(std::size_t bytes, std::size_t alignment) noexcept {
  void* block = MemoryPool::allocate(bytes, alignment);
  if (block == nullptr) errno = ENOMEM;
  return block;
}

inline void* allocate_or_errno(std::size_t bytes, std::size_t alignment) noexcept {
  if (void* block = from_thread_cache(bytes, alignment)) return block;
  return allocate_slow_or_errno(bytes, alignment);
}

void* reallocate(void* block, std::size_t bytes) {
  if (block == nullptr) return allocate_or_errno(bytes, kMallocAlignmentBytes);
  if (bytes == 0) {  // like glibc: frees the block and returns null
    pool_free(block);
    return nullptr;
  }
  const int class_index = osp::pool::SmallManager::class_of(block);
  const std::size_t usable = class_index >= 0 ? osp::pool::class_block_bytes(class_index)
                                              : MemoryPool::usable_size(block);
  // Shrinking by less than half, or growing within the block, keeps it in place.
  if (bytes <= usable && bytes >= usable / 2) return block;
  // A Medium block may grow into free neighbours, or shrink, without a copy; a Large or
  // Huge block's pages move to a new mapping.
  if (usable != 0 && class_index < 0) {
    void* moved = MemoryPool::reallocate(block, bytes);
    if (moved == nullptr) errno = ENOMEM;
    return moved;
  }
  void* moved = allocate_or_errno(bytes, kMallocAlignmentBytes);
  if (moved == nullptr) return nullptr;
  std::memcpy(moved, block, bytes < usable ? bytes : usable);
  pool_free(block);
  return moved;
}

[[gnu::noinline]] void* new_slow(std::size_t bytes, std::size_t alignment) {
  for (;;) {
    if (void* block = MemoryPool::allocate(bytes, alignment)) return block;
    std::new_handler handler = std::get_new_handler();
    if (handler == nullptr) throw std::bad_alloc();
    handler();
  }
}

inline void* new_or_throw(std::size_t bytes, std::size_t alignment) {
  if (void* block = from_thread_cache(bytes, alignment)) return block;
  return new_slow(bytes, alignment);
}

void* new_or_null(std::size_t bytes, std::size_t alignment) noexcept {
  try {
    return new_or_throw(bytes, alignment);
  } catch (...) {
    return nullptr;
  }
}

}  // namespace

extern "C" {

void* malloc(std::size_t bytes) noexcept { return allocate_or_errno(bytes, kMallocAlignmentBytes); }

void free(void* block) noexcept { pool_free(block); }

void* calloc(std::size_t count, std::size_t size) noexcept {
  std::size_t bytes;
  if (__builtin_mul_overflow(count, size, &bytes)) {
    errno = ENOMEM;
    return nullptr;
  }
  void* block = allocate_or_errno(bytes, kMallocAlignmentBytes);
  if (block != nullptr) std::memset(block, 0, bytes);
  return block;
}

void* realloc(void* block, std::size_t bytes) noexcept { return reallocate(block, bytes); }

void* reallocarray(void* block, std::size_t count, std::size_t size) noexcept {
  std::size_t bytes;
  if (__builtin_mul_overflow(count, size, &bytes)) {
    errno = ENOMEM;
    return nullptr;
  }
  return reallocate(block, bytes);
}

int posix_memalign(void** result, std::size_t alignment, std::size_t bytes) noexcept {
  if (!osp::api::valid_posix_memalign_alignment(alignment)) return EINVAL;
  void* block = pool_allocate(bytes, alignment);
  if (block == nullptr) return ENOMEM;
  *result = block;
  return 0;
}

void* aligned_alloc(std::size_t alignment, std::size_t bytes) noexcept {
  if (!osp::api::is_power_of_two(alignment)) {
    errno = EINVAL;
    return nullptr;
  }
  return allocate_or_errno(bytes, alignment);
}

void* memalign(std::size_t alignment, std::size_t bytes) noexcept {
  const std::size_t rounded = osp::api::memalign_alignment(alignment);
  if (rounded == 0) {
    errno = EINVAL;
    return nullptr;
  }
  return allocate_or_errno(bytes, rounded);
}

void* valloc(std::size_t bytes) noexcept {
  return allocate_or_errno(bytes, osp::os::page_size());
}

void* pvalloc(std::size_t bytes) noexcept {
  const std::size_t rounded = osp::api::pvalloc_bytes(bytes);
  if (rounded == 0) {
    errno = ENOMEM;
    return nullptr;
  }
  return allocate_or_errno(rounded, osp::os::page_size());
}

std::size_t malloc_usable_size(void* block) noexcept { return MemoryPool::usable_size(block); }

}  // extern "C"

void* operator new(std::size_t bytes) { return new_or_throw(bytes, kMallocAlignmentBytes); }
void* operator new[](std::size_t bytes) { return new_or_throw(bytes, kMallocAlignmentBytes); }
void* operator new(std::size_t bytes, const std::nothrow_t&) noexcept {
  return new_or_null(bytes, kMallocAlignmentBytes);
}
void* operator new[](std::size_t bytes, const std::nothrow_t&) noexcept {
  return new_or_null(bytes, kMallocAlignmentBytes);
}
void* operator new(std::size_t bytes, std::align_val_t alignment) {
  return new_or_throw(bytes, static_cast<std::size_t>(alignment));
}
void* operator new[](std::size_t bytes, std::align_val_t alignment) {
  return new_or_throw(bytes, static_cast<std::size_t>(alignment));
}
void* operator new(std::size_t bytes, std::align_val_t alignment, const std::nothrow_t&) noexcept {
  return new_or_null(bytes, static_cast<std::size_t>(alignment));
}
void* operator new[](std::size_t bytes, std::align_val_t alignment, const std::nothrow_t&) noexcept {
  return new_or_null(bytes, static_cast<std::size_t>(alignment));
}

void operator delete(void* block) noexcept { pool_free(block); }
void operator delete[](void* block) noexcept { pool_free(block); }
void operator delete(void* block, std::size_t) noexcept { pool_free(block); }
void operator delete[](void* block, std::size_t) noexcept { pool_free(block); }
void operator delete(void* block, const std::nothrow_t&) noexcept { pool_free(block); }
void operator delete[](void* block, const std::nothrow_t&) noexcept { pool_free(block); }
void operator delete(void* block, std::align_val_t) noexcept { pool_free(block); }
void operator delete[](void* block, std::align_val_t) noexcept { pool_free(block); }
void operator delete(void* block, std::size_t, std::align_val_t) noexcept { pool_free(block); }
void operator delete[](void* block, std::size_t, std::align_val_t) noexcept { pool_free(block); }
void operator delete(void* block, std::align_val_t, const std::nothrow_t&) noexcept {
  pool_free(block);
}
void operator delete[](void* block, std::align_val_t, const std::nothrow_t&) noexcept {
  pool_free(block);
}
