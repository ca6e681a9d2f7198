// The public C++ API (global_allocator_api.hpp) over the library's backend.
#include "global_allocator_api.hpp"

#include <new>

#include "api/backend.hpp"
#include "memory_tracker.hpp"

namespace os_memory::api {

void* my_allocate(std::size_t bytes, std::size_t alignment, const char* file, int line, bool nothrow) {
  void* block = osp::api::backend_allocate(bytes, alignment, file, line, osp::api::AllocationKind::Api);
  if (block == nullptr && !nothrow) throw std::bad_alloc();
  return block;
}

void my_deallocate(void* block) noexcept {
  osp::api::backend_deallocate(block, osp::api::AllocationKind::Api);
}

void enable_memory_tracking(bool enabled) noexcept {
  tracker::MemoryTracker::get().set_enabled(enabled);
}

void disable_memory_tracking() noexcept { tracker::MemoryTracker::get().set_enabled(false); }

bool is_memory_tracking_enabled() noexcept { return tracker::MemoryTracker::get().enabled(); }

std::size_t report_memory_leaks() noexcept { return tracker::MemoryTracker::get().report(2); }

std::uint64_t get_current_memory_usage() noexcept { return pool::MemoryPool::counters().live_bytes; }

std::uint64_t get_peak_memory_usage() noexcept { return pool::MemoryPool::counters().peak_bytes; }

pool::PoolCounters get_memory_counters() noexcept { return pool::MemoryPool::counters(); }

}  // namespace os_memory::api
