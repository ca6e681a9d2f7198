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

namespace {

TEST(TierBoundaries, HugeBlocksWithHugePagesRequestedStillWorkAndGoBack) {
  constexpr std::size_t kBytes = (std::size_t{1} << 30) + 4096;
  const int huge = static_cast<int>(Tier::Huge);
  const auto before = MemoryPool::counters().tiers[huge].live_bytes;
  MemoryPool::set_huge_pages(true);  // MAP_HUGETLB when reserved, else THP advice
  auto* block = static_cast<unsigned char*>(MemoryPool::allocate(kBytes));
  MemoryPool::set_huge_pages(false);
  ASSERT_NE(block, nullptr);
  EXPECT_EQ(MemoryPool::tier_of(block), Tier::Huge);
  block[0] = 1;
  block[kBytes - 1] = 2;
  EXPECT_GE(MemoryPool::counters().tiers[huge].live_bytes, before + kBytes);
  MemoryPool::deallocate(block);
  EXPECT_EQ(MemoryPool::counters().tiers[huge].live_bytes, before);
  EXPECT_FALSE(MemoryPool::owns(block)) << "freed Huge blocks go back to the OS";
}

}  // namespace
