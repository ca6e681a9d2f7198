// Live-byte, peak and operation counters per tier.
//
// Medium, Large, Huge and Direct operations are rare and already take a lock or a system
// call, so they update shared atomics directly. The Small tier counts per thread (see
// SmallManager) and publishes each thread's change of live bytes here only on its slow
// paths (cache refill and flush), so peaks include Small blocks to within about two cache
// batches per thread, without a shared cache line on the fast path.
#pragma once

#include <cstdint>

#include "memory_pool.hpp"

namespace osp::pool {

void count_allocation(os_memory::Tier tier, std::uint64_t bytes) noexcept;
void count_free(os_memory::Tier tier, std::uint64_t bytes) noexcept;
void count_failed_allocation() noexcept;
// A thread's Small live bytes changed by `delta` since it last published.
void publish_small_live_delta(std::int64_t delta) noexcept;
// Exact counters: Small totals are summed over all thread caches.
os_memory::pool::PoolCounters read_counters() noexcept;

}  // namespace osp::pool
