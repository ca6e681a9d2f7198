#include <gtest/gtest.h>

#include <random>
#include <vector>

#include "memory_pool.hpp"
#include "pool/buddy_allocator.hpp"

namespace {

using os_memory::pool::MemoryPool;
using osp::pool::BuddyAllocator;
constexpr std::size_t kMiB = std::size_t{1} << 20;

TEST(BuddyAllocator, BlocksArePowerOfTwoMebibytesAlignedToTheirSize) {
  for (std::size_t mebibytes : {2, 3, 5, 17, 100, 300, 512}) {
    void* block = MemoryPool::allocate(mebibytes * kMiB - 7);
    ASSERT_NE(block, nullptr);
    const std::size_t bytes = BuddyAllocator::block_bytes(block);
    EXPECT_GE(bytes, mebibytes * kMiB - 7);
    EXPECT_EQ(bytes & (bytes - 1), 0u);
    EXPECT_EQ(reinterpret_cast<std::uintptr_t>(block) % bytes, 0u);
    MemoryPool::deallocate(block);
  }
}

TEST(BuddyAllocator, FreeingEverythingCoalescesTheArenasWhole) {
  std::mt19937 random(7);
  std::vector<void*> blocks;
  for (int i = 0; i < 200; ++i) {
    void* block = MemoryPool::allocate((1 + random() % 40) * kMiB + 1);
    ASSERT_NE(block, nullptr);
    blocks.push_back(block);
  }
  EXPECT_FALSE(BuddyAllocator::all_arenas_coalesced());
  std::shuffle(blocks.begin(), blocks.end(), random);
  for (void* block : blocks) MemoryPool::deallocate(block);
  MemoryPool::flush_thread_cache();  // the thread's Medium cache keeps a few blocks
  EXPECT_TRUE(BuddyAllocator::all_arenas_coalesced());
  EXPECT_LE(BuddyAllocator::arena_count(), 1) << "empty arenas go back to the OS";
}

TEST(BuddyAllocator, DistinctLiveBlocksNeverOverlap) {
  std::vector<std::pair<std::uintptr_t, std::size_t>> ranges;
  std::vector<void*> blocks;
  for (std::size_t mebibytes = 1; mebibytes <= 64; mebibytes += 3) {
    void* block = MemoryPool::allocate(mebibytes * kMiB + 1);
    ASSERT_NE(block, nullptr);
    blocks.push_back(block);
    ranges.emplace_back(reinterpret_cast<std::uintptr_t>(block), BuddyAllocator::block_bytes(block));
  }
  std::sort(ranges.begin(), ranges.end());
  for (std::size_t i = 1; i < ranges.size(); ++i) {
    EXPECT_LE(ranges[i - 1].first + ranges[i - 1].second, ranges[i].first);
  }
  for (void* block : blocks) MemoryPool::deallocate(block);
}

TEST(BuddyAllocator, InteriorAndForeignPointersAreNotBlocks) {
  auto* block = static_cast<char*>(MemoryPool::allocate(3 * kMiB));
  EXPECT_EQ(BuddyAllocator::block_bytes(block + kMiB), 0u);
  EXPECT_EQ(BuddyAllocator::deallocate(block + kMiB), 0u);
  int local = 0;
  EXPECT_EQ(BuddyAllocator::block_bytes(&local), 0u);
  MemoryPool::deallocate(block);
}

// From an empty Medium tier the first block sits at the start of an arena, with every
// buddy above it free: it can grow to the whole arena without moving.
TEST(BuddyAllocator, ABlockGrowsIntoFreeBuddiesAndShrinksWithoutMoving) {
  MemoryPool::flush_thread_cache();
  ASSERT_TRUE(BuddyAllocator::all_arenas_coalesced()) << "precondition: no live Medium block";
  auto* block = static_cast<unsigned char*>(MemoryPool::allocate(2 * kMiB));
  ASSERT_NE(block, nullptr);
  for (std::size_t offset = 0; offset < 2 * kMiB; offset += 4096) block[offset] = static_cast<unsigned char>(offset >> 12);
  const auto live_before = MemoryPool::counters().tiers[static_cast<int>(os_memory::Tier::Medium)].live_bytes;
  for (std::size_t mebibytes : {3, 5, 17, 100}) {
    ASSERT_TRUE(MemoryPool::resize_in_place(block, mebibytes * kMiB)) << mebibytes << " MiB";
    EXPECT_GE(MemoryPool::usable_size(block), mebibytes * kMiB);
    block[mebibytes * kMiB - 1] = 1;
  }
  EXPECT_EQ(MemoryPool::usable_size(block), 128 * kMiB);
  for (std::size_t offset = 0; offset < 2 * kMiB; offset += 4096) {
    ASSERT_EQ(block[offset], static_cast<unsigned char>(offset >> 12)) << "contents kept at " << offset;
  }
  EXPECT_EQ(MemoryPool::counters().tiers[static_cast<int>(os_memory::Tier::Medium)].live_bytes,
            live_before + 126 * kMiB);

  // The next block takes the free 128 MiB buddy's first part: the block cannot grow over it.
  void* neighbour = MemoryPool::allocate(2 * kMiB);
  EXPECT_EQ(neighbour, block + 128 * kMiB);
  EXPECT_FALSE(MemoryPool::resize_in_place(block, 200 * kMiB));
  EXPECT_EQ(MemoryPool::usable_size(block), 128 * kMiB) << "a failed growth changes nothing";

  // Shrinking frees the upper halves, which the next allocations get.
  ASSERT_TRUE(MemoryPool::resize_in_place(block, 3 * kMiB));
  EXPECT_EQ(MemoryPool::usable_size(block), 4 * kMiB);
  EXPECT_EQ(block[12288], 3) << "contents kept";
  void* upper = MemoryPool::allocate(64 * kMiB);
  EXPECT_EQ(upper, block + 64 * kMiB);

  MemoryPool::deallocate(upper);
  MemoryPool::deallocate(neighbour);
  MemoryPool::deallocate(block);
  MemoryPool::flush_thread_cache();
  EXPECT_TRUE(BuddyAllocator::all_arenas_coalesced());
}

TEST(BuddyAllocator, OnlyMediumBlocksOfMediumSizesResizeInPlace) {
  void* small = MemoryPool::allocate(100);
  EXPECT_TRUE(MemoryPool::resize_in_place(small, 100)) << "within its class";
  EXPECT_FALSE(MemoryPool::resize_in_place(small, 2 * kMiB));
  void* medium = MemoryPool::allocate(2 * kMiB);
  EXPECT_FALSE(MemoryPool::resize_in_place(medium, 1000)) << "a Small size belongs in a Small block";
  EXPECT_FALSE(MemoryPool::resize_in_place(medium, std::size_t{600} << 20)) << "beyond the Medium tier";
  EXPECT_FALSE(MemoryPool::resize_in_place(static_cast<char*>(medium) + kMiB, 3 * kMiB)) << "interior";
  int local = 0;
  EXPECT_FALSE(MemoryPool::resize_in_place(&local, 3 * kMiB));
  MemoryPool::deallocate(medium);
  EXPECT_FALSE(MemoryPool::resize_in_place(medium, 3 * kMiB)) << "a freed block";
  MemoryPool::deallocate(small);
  MemoryPool::flush_thread_cache();
}

// A block in the way of a growing buffer's buddies makes it move once: to where it can then
// grow in place all the way.
TEST(BuddyAllocator, ABufferThatReallocGrowsMovesOnceToWhereItHasRoom) {
  MemoryPool::flush_thread_cache();
  ASSERT_TRUE(BuddyAllocator::all_arenas_coalesced()) << "precondition: no live Medium block";
  void* blocker = MemoryPool::allocate(2 * kMiB);  // the arena's first 2 MiB
  auto* buffer = static_cast<unsigned char*>(MemoryPool::allocate(2 * kMiB));  // its buddy
  ASSERT_EQ(buffer, static_cast<unsigned char*>(blocker) + 2 * kMiB);
  buffer[0] = 42;
  int moves = 0;
  for (std::size_t bytes = 3 * kMiB; bytes < 200 * kMiB; bytes += bytes / 2) {
    auto* grown = static_cast<unsigned char*>(MemoryPool::reallocate(buffer, bytes));
    ASSERT_NE(grown, nullptr);
    moves += grown != buffer;
    buffer = grown;
    ASSERT_EQ(buffer[0], 42) << "contents kept at " << bytes << " bytes";
    buffer[bytes - 1] = 1;
  }
  EXPECT_EQ(moves, 1) << "one move out of the blocker's way, then in place";
  MemoryPool::deallocate(buffer);
  MemoryPool::deallocate(blocker);
  MemoryPool::flush_thread_cache();
  EXPECT_TRUE(BuddyAllocator::all_arenas_coalesced());
}

}  // namespace

