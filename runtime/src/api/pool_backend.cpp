// libosp's backend: blocks straight from the pool; when tracking is on, each block's
// origin is recorded in the TrackingTable so leaks can be reported by file:line.
#include "api/backend.hpp"
#include "api/tracked_block_report.hpp"
#include "api/tracking_table.hpp"
#include "memory_pool.hpp"
#include "memory_tracker.hpp"
#include "os/os_memory.hpp"
#include "pool/fork_hooks.hpp"

namespace osp::api {
namespace {

bool tracking_enabled = false;

bool tracking_on() { return __atomic_load_n(&tracking_enabled, __ATOMIC_RELAXED); }

__attribute__((constructor)) void register_fork_handlers() {
  osp::os::register_fork_handlers(osp::pool::prepare_fork, osp::pool::after_fork_in_parent,
                                  osp::pool::after_fork_in_child);
}

}  // namespace

void* backend_allocate(std::size_t bytes, std::size_t alignment, const char* file, int line,
                       AllocationKind) noexcept {
  void* block = os_memory::pool::MemoryPool::allocate(bytes, alignment);
  if (block != nullptr && tracking_on()) TrackingTable::insert(block, bytes, file, line);
  return block;
}

void backend_deallocate(void* block, AllocationKind) noexcept {
  if (block == nullptr) return;
  // Erase even when tracking was turned off since: the block may have been recorded.
  if (TrackingTable::count() != 0) TrackingTable::erase(block);
  os_memory::pool::MemoryPool::deallocate(block);
}

std::size_t backend_check_heap() noexcept { return 0; }

}  // namespace osp::api

namespace os_memory::tracker {

MemoryTracker& MemoryTracker::get() noexcept {
  static MemoryTracker tracker;
  return tracker;
}

bool MemoryTracker::enabled() const noexcept { return osp::api::tracking_on(); }

void MemoryTracker::set_enabled(bool enabled) noexcept {
  __atomic_store_n(&osp::api::tracking_enabled, enabled, __ATOMIC_RELAXED);
}

std::size_t MemoryTracker::live_block_count() const noexcept { return osp::api::TrackingTable::count(); }

std::size_t MemoryTracker::live_bytes() const noexcept { return osp::api::TrackingTable::bytes(); }

void MemoryTracker::for_each_live_block(Visitor visit, void* context) const noexcept {
  osp::api::TrackingTable::for_each(visit, context);
}

std::size_t MemoryTracker::report(int fd) const noexcept {
  return osp::api::write_tracked_block_report(fd, *this, false);
}

}  // namespace os_memory::tracker
