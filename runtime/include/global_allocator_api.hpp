// The allocation API of the seed design (DESIGN §3). The macros record the call site;
// the plain forms throw std::bad_alloc on failure, the NOTHROW forms return nullptr.
#pragma once

#include <cstddef>
#include <cstdint>

#include "memory_allocators.hpp"
#include "memory_pool.hpp"

namespace os_memory::api {

// Allocates `bytes` aligned to `alignment`. An alignment that is not a power of two
// fails (nullptr or std::bad_alloc); alignments above MAX_ALLOWED_ALIGNMENT are served
// straight by the operating system. `file`/`line` may be null/0.
void* my_allocate(std::size_t bytes, std::size_t alignment, const char* file, int line,
                  bool nothrow);
// Frees a block from my_allocate/ALLOCATE. nullptr is ignored.
void my_deallocate(void* block) noexcept;

void enable_memory_tracking(bool enabled) noexcept;
void disable_memory_tracking() noexcept;
bool is_memory_tracking_enabled() noexcept;
// Prints the live tracked blocks with their origin to stderr; returns how many.
std::size_t report_memory_leaks() noexcept;

// Bytes currently handed out by the pool (all tiers), and the high-water mark.
std::uint64_t get_current_memory_usage() noexcept;
std::uint64_t get_peak_memory_usage() noexcept;
pool::PoolCounters get_memory_counters() noexcept;

}  // namespace os_memory::api

#define ALLOCATE(size) \
  ::os_memory::api::my_allocate((size), DEFAULT_ALIGNMENT, __FILE__, __LINE__, false)
#define ALLOCATE_NOTHROW(size) \
  ::os_memory::api::my_allocate((size), DEFAULT_ALIGNMENT, __FILE__, __LINE__, true)
#define ALLOCATE_ALIGNED(size, alignment) \
  ::os_memory::api::my_allocate((size), (alignment), __FILE__, __LINE__, false)
#define ALLOCATE_ALIGNED_NOTHROW(size, alignment) \
  ::os_memory::api::my_allocate((size), (alignment), __FILE__, __LINE__, true)
#define DEALLOCATE(ptr) ::os_memory::api::my_deallocate(ptr)
