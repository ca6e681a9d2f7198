#include <gtest/gtest.h>

#include <cstdint>

#include "memory_pool.hpp"
#include "page_marks.hpp"

namespace {

using osp::test::mark_pages;
using osp::test::pages_marked;

using os_memory::Tier;
using os_memory::pool::MemoryPool;
constexpr std::size_t kMiB = std::size_t{1} << 20;

std::uint64_t live_bytes(Tier tier) { return MemoryPool::counters().tiers[static_cast<int>(tier)].live_bytes; }

TEST(Remap, ALargeBlockGrowsIntoAHugeOneAndBackKeepingItsPages) {
  auto* block = static_cast<unsigned char*>(MemoryPool::allocate(600 * kMiB));
  ASSERT_NE(block, nullptr);
  ASSERT_EQ(MemoryPool::tier_of(block), Tier::Large);
  mark_pages(block, 600 * kMiB);
  const std::uint64_t large_before = live_bytes(Tier::Large);
  const std::uint64_t huge_before = live_bytes(Tier::Huge);

  auto* grown = static_cast<unsigned char*>(MemoryPool::remap(block, 1536 * kMiB));
  if (grown == nullptr) GTEST_SKIP() << "this OS cannot move a mapping's pages";
  EXPECT_EQ(MemoryPool::tier_of(grown), Tier::Huge);
  EXPECT_GE(MemoryPool::usable_size(grown), 1536 * kMiB);
  EXPECT_TRUE(pages_marked(grown, 600 * kMiB)) << "the pages moved with the block";
  grown[1536 * kMiB - 1] = 1;
  EXPECT_EQ(live_bytes(Tier::Large), large_before - 600 * kMiB);
  EXPECT_EQ(live_bytes(Tier::Huge), huge_before + 1536 * kMiB);
  if (grown != block) {
    EXPECT_EQ(MemoryPool::usable_size(block), 0u) << "the old address is no block";
  }

  auto* shrunk = static_cast<unsigned char*>(MemoryPool::remap(grown, 700 * kMiB));
  ASSERT_NE(shrunk, nullptr);
  EXPECT_EQ(MemoryPool::tier_of(shrunk), Tier::Large);
  EXPECT_TRUE(pages_marked(shrunk, 600 * kMiB));
  EXPECT_EQ(live_bytes(Tier::Huge), huge_before);
  MemoryPool::deallocate(shrunk);
  EXPECT_EQ(live_bytes(Tier::Large), large_before - 600 * kMiB);
}

TEST(Remap, OnlyLargeAndHugeBlocksToLargeAndHugeSizesAreRemapped) {
  void* large = MemoryPool::allocate(600 * kMiB);
  ASSERT_NE(large, nullptr);
  EXPECT_EQ(MemoryPool::remap(large, 100 * kMiB), nullptr) << "a Medium size is copied into a Medium block";
  EXPECT_GE(MemoryPool::usable_size(large), 600 * kMiB) << "a refused remap changes nothing";
  void* medium = MemoryPool::allocate(100 * kMiB);
  EXPECT_EQ(MemoryPool::remap(medium, 600 * kMiB), nullptr);
  void* small = MemoryPool::allocate(100);
  EXPECT_EQ(MemoryPool::remap(small, 600 * kMiB), nullptr);
  int local = 0;
  EXPECT_EQ(MemoryPool::remap(&local, 600 * kMiB), nullptr);
  void* over_aligned = MemoryPool::allocate(600 * kMiB, 1 << 20);  // Direct: its alignment must stay
  EXPECT_EQ(MemoryPool::remap(over_aligned, 700 * kMiB), nullptr);
  MemoryPool::deallocate(over_aligned);
  MemoryPool::deallocate(small);
  MemoryPool::deallocate(medium);
  MemoryPool::deallocate(large);
}

// Each remap leaves a tombstone in the block registry, so a run of them makes the registry's
// table grow inside a remap: the moved block must still be recorded, with its old size read
// before the table moved.
TEST(Remap, ManyRemapsGrowTheRegistryAndKeepTheBlock) {
  auto* block = static_cast<unsigned char*>(MemoryPool::allocate(600 * kMiB));
  ASSERT_NE(block, nullptr);
  block[0] = 7;
  for (int round = 0; round < 2000; ++round) {
    const std::size_t bytes = (round % 2 == 0 ? 700 : 600) * kMiB;
    auto* moved = static_cast<unsigned char*>(MemoryPool::remap(block, bytes));
    if (moved == nullptr) GTEST_SKIP() << "this OS cannot move a mapping's pages";
    block = moved;
    ASSERT_GE(MemoryPool::usable_size(block), bytes) << "round " << round;
    ASSERT_EQ(block[0], 7) << "round " << round;
  }
  MemoryPool::deallocate(block);
  EXPECT_EQ(MemoryPool::usable_size(block), 0u);
}

}  // namespace

