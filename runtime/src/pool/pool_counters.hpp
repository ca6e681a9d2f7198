// Live-byte, peak and operation counters per tier.
//
// Large, Huge and Direct operations are rare and already take a lock and a system call,
// so they update shared atomics directly. The Small and Medium tiers count per thread (see
// SmallManager and MediumCache) and publish each thread's change of live bytes here only
// on their slow paths (cache refill and flush, the buddy allocator's lock), so peaks
// include those blocks to within what a thread's cache holds, without a shared cache line
// on the fast paths.
#pragma once

#include <cstdint>

#include "memory_pool.hpp"

namespace osp::pool {

void count_allocation(os_memory::Tier tier, std::uint64_t bytes) noexcept;
void count_free(os_memory::Tier tier, std::uint64_t bytes) noexcept;
void count_failed_allocation() noexcept;
// A thread's live bytes of `tier` (Small or Medium) changed by `delta` since it last
// published.
void publish_live_delta(os_memory::Tier tier, std::int64_t delta) noexcept;
// Exact counters: Small and Medium totals are summed over all thread caches.
os_memory::pool::PoolCounters read_counters() noexcept;

}  // namespace osp::pool
