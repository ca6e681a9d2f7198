#include "pool/pool_counters.hpp"

#include <utility>

#include "pool/small_manager.hpp"

namespace osp::pool {
namespace {

using os_memory::kTierCount;
using os_memory::Tier;

struct SharedCounters {
  std::uint64_t live_bytes[kTierCount];
  std::uint64_t peak_bytes[kTierCount];
  std::uint64_t allocations[kTierCount];
  std::uint64_t frees[kTierCount];
  std::uint64_t total_live_bytes;  // Small as published + other tiers exactly
  std::uint64_t total_peak_bytes;
  std::uint64_t failed_allocations;
};

SharedCounters shared;

void raise_to(std::uint64_t& peak, std::uint64_t value) {
  std::uint64_t current = __atomic_load_n(&peak, __ATOMIC_RELAXED);
  while (value > current &&
         !__atomic_compare_exchange_n(&peak, &current, value, true, __ATOMIC_RELAXED, __ATOMIC_RELAXED)) {
  }
}

void add_live(int tier, std::int64_t delta) {
  const std::uint64_t amount = static_cast<std::uint64_t>(delta);
  const std::uint64_t tier_live = __atomic_add_fetch(&shared.live_bytes[tier], amount, __ATOMIC_RELAXED);
  const std::uint64_t total_live = __atomic_add_fetch(&shared.total_live_bytes, amount, __ATOMIC_RELAXED);
  if (delta > 0) {
    raise_to(shared.peak_bytes[tier], tier_live);
    raise_to(shared.total_peak_bytes, total_live);
  }
}

}  // namespace

void count_allocation(Tier tier, std::uint64_t bytes) noexcept {
  const int index = static_cast<int>(tier);
  __atomic_fetch_add(&shared.allocations[index], 1, __ATOMIC_RELAXED);
  add_live(index, static_cast<std::int64_t>(bytes));
}

void count_free(Tier tier, std::uint64_t bytes) noexcept {
  const int index = static_cast<int>(tier);
  __atomic_fetch_add(&shared.frees[index], 1, __ATOMIC_RELAXED);
  add_live(index, -static_cast<std::int64_t>(bytes));
}

void count_failed_allocation() noexcept {
  __atomic_fetch_add(&shared.failed_allocations, 1, __ATOMIC_RELAXED);
}

void publish_live_delta(Tier tier, std::int64_t delta) noexcept {
  if (delta != 0) add_live(static_cast<int>(tier), delta);
}

os_memory::pool::PoolCounters read_counters() noexcept {
  os_memory::pool::PoolCounters counters{};
  for (int tier = 0; tier < kTierCount; ++tier) {
    counters.tiers[tier].live_bytes = __atomic_load_n(&shared.live_bytes[tier], __ATOMIC_RELAXED);
    counters.tiers[tier].peak_bytes = __atomic_load_n(&shared.peak_bytes[tier], __ATOMIC_RELAXED);
    counters.tiers[tier].allocations = __atomic_load_n(&shared.allocations[tier], __ATOMIC_RELAXED);
    counters.tiers[tier].frees = __atomic_load_n(&shared.frees[tier], __ATOMIC_RELAXED);
  }
  const ThreadCacheTotals cached = SmallManager::totals();
  for (const auto& [tier, totals] : {std::pair{Tier::Small, cached.small}, std::pair{Tier::Medium, cached.medium}}) {
    auto& counted = counters.tiers[static_cast<int>(tier)];
    counted.live_bytes = totals.live_bytes;
    counted.allocations = totals.allocations;
    counted.frees = totals.frees;
    if (counted.peak_bytes < totals.live_bytes) counted.peak_bytes = totals.live_bytes;
  }
  for (int tier = 0; tier < kTierCount; ++tier) counters.live_bytes += counters.tiers[tier].live_bytes;
  counters.peak_bytes = __atomic_load_n(&shared.total_peak_bytes, __ATOMIC_RELAXED);
  if (counters.peak_bytes < counters.live_bytes) counters.peak_bytes = counters.live_bytes;
  counters.failed_allocations = __atomic_load_n(&shared.failed_allocations, __ATOMIC_RELAXED);
  return counters;
}

}  // namespace osp::pool
