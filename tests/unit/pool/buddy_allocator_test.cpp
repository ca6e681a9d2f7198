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

}  // namespace
