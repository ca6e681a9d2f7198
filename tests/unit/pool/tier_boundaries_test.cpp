#include <gtest/gtest.h>

#include <cstring>

#include "global_allocator_api.hpp"

namespace {

using os_memory::Tier;
using os_memory::pool::MemoryPool;

struct Boundary {
  std::size_t bytes;
  Tier tier;
};

class TierBoundaries : public ::testing::TestWithParam<Boundary> {};

TEST_P(TierBoundaries, RoutesToTheRightTierAndTheWholeBlockIsUsable) {
  const Boundary boundary = GetParam();
  const auto before = MemoryPool::counters();
  auto* block = static_cast<unsigned char*>(MemoryPool::allocate(boundary.bytes));
  ASSERT_NE(block, nullptr);
  EXPECT_EQ(MemoryPool::tier_of(block), boundary.tier);
  EXPECT_GE(MemoryPool::usable_size(block), boundary.bytes);
  EXPECT_TRUE(MemoryPool::owns(block));
  block[0] = 0x5a;  // first and last byte only: never touch gigabytes
  block[boundary.bytes - 1] = 0xa5;
  EXPECT_EQ(block[0], 0x5a);
  EXPECT_EQ(block[boundary.bytes - 1], 0xa5);
  const int tier = static_cast<int>(boundary.tier);
  if (boundary.tier != Tier::Small) {
    EXPECT_EQ(MemoryPool::counters().tiers[tier].allocations, before.tiers[tier].allocations + 1);
  }
  MemoryPool::deallocate(block);
  const auto after = MemoryPool::counters();
  EXPECT_EQ(after.tiers[tier].live_bytes, before.tiers[tier].live_bytes);
}

constexpr std::size_t kMiB = std::size_t{1} << 20;
INSTANTIATE_TEST_SUITE_P(EveryBoundary, TierBoundaries,
                         ::testing::Values(Boundary{kMiB, Tier::Small}, Boundary{kMiB + 1, Tier::Medium},
                                           Boundary{512 * kMiB, Tier::Medium},
                                           Boundary{512 * kMiB + 1, Tier::Large},
                                           Boundary{1024 * kMiB, Tier::Large},
                                           Boundary{1024 * kMiB + 1, Tier::Huge}));

TEST(TierBoundaries, ZeroBytesGivesADistinctFreeableBlock) {
  void* first = MemoryPool::allocate(0);
  void* second = MemoryPool::allocate(0);
  ASSERT_NE(first, nullptr);
  ASSERT_NE(second, nullptr);
  EXPECT_NE(first, second);
  MemoryPool::deallocate(first);
  MemoryPool::deallocate(second);
}

}  // namespace
