// SmallManager: the Small tier (blocks up to 1 MiB).
//
// Address space: one reservation split into one region per size class, so a block's class
// is (address - base) / kClassRegionBytes and needs no header. Each thread owns a cache
// per class: a free list plus a bump range carved from the class region. The fast paths
// (pop/push on the calling thread's cache) use no locks and no atomic read-modify-write;
// they touch only the thread's own storage (initial-exec TLS on Linux; os/platform.hpp).
// Whole chains move between a cache and the class's global ChainStack when the cache runs
// empty or holds more than two batches, and at thread exit.
//
// Counters are per thread (written only by their owner) and summed over a registry of
// live caches plus the totals of exited threads, so no counter line is shared on the fast
// path.
#pragma once

#include <cstddef>
#include <cstdint>

#include "pool/size_classes.hpp"

namespace osp::pool {

struct SmallTotals {
  std::uint64_t allocations;
  std::uint64_t frees;
  std::uint64_t live_bytes;
};

class SmallManager {
 public:
  // Bytes of address space each class may use; beyond it the class is exhausted and
  // requests fall through to the Medium tier.
  static constexpr std::size_t kClassRegionBytes = std::size_t{1} << 30;

  static void* allocate(int class_index) noexcept;
  static void deallocate(void* block, int class_index) noexcept;
  // The class of a block inside the Small region, or -1 when `address` is not in it.
  static int class_of(const void* address) noexcept;
  // True when `address` is in the Small region at a block boundary of its class.
  static bool is_block_start(const void* address) noexcept;
  static void flush_thread_cache() noexcept;
  static SmallTotals totals() noexcept;

  static void prepare_fork() noexcept;
  static void after_fork_in_parent() noexcept;
  static void after_fork_in_child() noexcept;
};

}  // namespace osp::pool
