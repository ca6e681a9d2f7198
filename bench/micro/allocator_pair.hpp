// The two allocators the pool micro-benchmarks compare inside one binary: osp's pool
// (MemoryPool, called directly, no debug layer) and the system malloc. Each benchmark is
// a template over one of these, so both run the same loop.
#pragma once

#include <cstdlib>
#include <cstring>

#include "memory_pool.hpp"

namespace osp_bench {

struct PoolAllocator {
  static void* allocate(std::size_t bytes) noexcept {
    return os_memory::pool::MemoryPool::allocate(bytes);
  }
  static void* allocate_aligned(std::size_t bytes, std::size_t alignment) noexcept {
    return os_memory::pool::MemoryPool::allocate(bytes, alignment);
  }
  static void* reallocate(void* block, std::size_t, std::size_t bytes) noexcept {
    if (block == nullptr) return allocate(bytes);
    return os_memory::pool::MemoryPool::reallocate(block, bytes);
  }
  static void deallocate(void* block) noexcept { os_memory::pool::MemoryPool::deallocate(block); }
};

struct SystemAllocator {
  static void* allocate(std::size_t bytes) noexcept { return std::malloc(bytes); }
  static void* allocate_aligned(std::size_t bytes, std::size_t alignment) noexcept {
    void* block = nullptr;
    return posix_memalign(&block, alignment, bytes) == 0 ? block : nullptr;
  }
  static void* reallocate(void* block, std::size_t, std::size_t bytes) noexcept {
    return std::realloc(block, bytes);
  }
  static void deallocate(void* block) noexcept { std::free(block); }
};

}  // namespace osp_bench
