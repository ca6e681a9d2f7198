#include <gtest/gtest.h>

#include <new>

#include "global_allocator_api.hpp"

namespace {

constexpr std::size_t kImpossibleBytes = std::size_t{1} << 46;

TEST(ImpossibleRequest, NothrowReturnsNullPlainThrowsAndNothingLeaks) {
  const auto before = os_memory::api::get_memory_counters();
  EXPECT_EQ(ALLOCATE_NOTHROW(kImpossibleBytes), nullptr);
  EXPECT_EQ(ALLOCATE_ALIGNED_NOTHROW(kImpossibleBytes, 4096), nullptr);
  EXPECT_THROW(ALLOCATE(kImpossibleBytes), std::bad_alloc);
  EXPECT_EQ(ALLOCATE_NOTHROW(~std::size_t{0}), nullptr);
  EXPECT_EQ(ALLOCATE_NOTHROW(~std::size_t{0} - 4095), nullptr);
  const auto after = os_memory::api::get_memory_counters();
  EXPECT_EQ(after.live_bytes, before.live_bytes);
  EXPECT_EQ(after.failed_allocations, before.failed_allocations + 5);
  for (int tier = 0; tier < os_memory::kTierCount; ++tier) {
    EXPECT_EQ(after.tiers[tier].allocations - after.tiers[tier].frees,
              before.tiers[tier].allocations - before.tiers[tier].frees);
  }
}

}  // namespace
