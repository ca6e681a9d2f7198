// The C API (osp/osp.h) over the library's backend.
#include "osp/osp.h"

#include "api/backend.hpp"
#include "memory_pool.hpp"
#include "memory_tracker.hpp"

extern "C" {

void* osp_allocate(size_t bytes, size_t alignment, const char* file, int line) {
  return osp::api::backend_allocate(bytes, alignment, file, line, osp::api::AllocationKind::Api);
}

void osp_deallocate(void* block) { osp::api::backend_deallocate(block, osp::api::AllocationKind::Api); }

void osp_get_counters(osp_counters* out) {
  if (out == nullptr) return;
  const os_memory::pool::PoolCounters counters = os_memory::pool::MemoryPool::counters();
  out->live_bytes = counters.live_bytes;
  out->peak_bytes = counters.peak_bytes;
  out->allocations = 0;
  out->frees = 0;
  for (const auto& tier : counters.tiers) {
    out->allocations += tier.allocations;
    out->frees += tier.frees;
  }
  out->failed_allocations = counters.failed_allocations;
}

void osp_enable_tracking(int enabled) { os_memory::tracker::MemoryTracker::get().set_enabled(enabled != 0); }

size_t osp_report_leaks(void) { return os_memory::tracker::MemoryTracker::get().report(2); }

size_t osp_check_heap(void) { return osp::api::backend_check_heap(); }

}  // extern "C"
