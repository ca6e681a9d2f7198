#include <gtest/gtest.h>

#include <atomic>
#include <cstring>
#include <set>
#include <thread>
#include <vector>

#include "memory_pool.hpp"
#include "pool/buddy_allocator.hpp"
#include "pool/medium_cache.hpp"

namespace {

using os_memory::Tier;
using os_memory::pool::MemoryPool;
using osp::pool::BuddyAllocator;
using osp::pool::MediumCache;
using osp::pool::medium_cache_charged_bytes;
constexpr std::size_t kMiB = std::size_t{1} << 20;

std::uint64_t medium_frees() { return MemoryPool::counters().tiers[static_cast<int>(Tier::Medium)].frees; }

TEST(MediumCache, AFreedBlockServesTheThreadsNextAllocationOfItsOrder) {
  MemoryPool::flush_thread_cache();
  const std::size_t baseline = medium_cache_charged_bytes();
  auto* block = static_cast<unsigned char*>(MemoryPool::allocate(3 * kMiB));  // a 4 MiB block
  ASSERT_NE(block, nullptr);
  std::memset(block, 0x5a, 3 * kMiB);
  MemoryPool::deallocate(block);
  EXPECT_EQ(medium_cache_charged_bytes(), baseline + 4 * kMiB);
  EXPECT_FALSE(MemoryPool::owns(block)) << "a cached block is not live";
  EXPECT_EQ(BuddyAllocator::block_bytes(block), 0u);

  auto* again = static_cast<unsigned char*>(MemoryPool::allocate(4 * kMiB - 100));
  EXPECT_EQ(again, block);
  EXPECT_TRUE(MemoryPool::owns(again));
  EXPECT_EQ(medium_cache_charged_bytes(), baseline + 4 * kMiB) << "the slot stays charged until a flush";
  EXPECT_EQ(MemoryPool::usable_size(again), 4 * kMiB);
  EXPECT_EQ(again[12345], 0x5a) << "a cached block keeps its pages";
  MemoryPool::deallocate(again);
  MemoryPool::flush_thread_cache();
  EXPECT_EQ(medium_cache_charged_bytes(), baseline);
  EXPECT_EQ(BuddyAllocator::block_bytes(block), 0u) << "flushed to the free lists";
}

TEST(MediumCache, CountersStayExactThroughTheCache) {
  const auto before = MemoryPool::counters().tiers[static_cast<int>(Tier::Medium)];
  std::vector<void*> blocks;
  for (int round = 0; round < 10; ++round) {
    void* block = MemoryPool::allocate(2 * kMiB);  // from the cache after the first round
    ASSERT_NE(block, nullptr);
    blocks.push_back(MemoryPool::allocate(3 * kMiB));  // 4 MiB blocks, most from the buddy
    const auto during = MemoryPool::counters().tiers[static_cast<int>(Tier::Medium)];
    EXPECT_EQ(during.allocations, before.allocations + 2 * (round + 1));
    EXPECT_EQ(during.live_bytes, before.live_bytes + 2 * kMiB + 4 * kMiB * (round + 1));
    EXPECT_GE(during.peak_bytes, during.live_bytes);
    MemoryPool::deallocate(block);
  }
  std::thread other([&] {
    for (void* block : blocks) MemoryPool::deallocate(block);  // cached by the other thread, then its exit
  });
  other.join();
  const auto after = MemoryPool::counters().tiers[static_cast<int>(Tier::Medium)];
  EXPECT_EQ(after.allocations, before.allocations + 20);
  EXPECT_EQ(after.frees, before.frees + 20);
  EXPECT_EQ(after.live_bytes, before.live_bytes);
  EXPECT_GE(after.peak_bytes, before.live_bytes + 2 * kMiB + 40 * kMiB - 4 * kMiB)
      << "the peak lags by at most what a thread's cache holds";
  MemoryPool::flush_thread_cache();
}

TEST(MediumCache, BlocksOfEightMebibytesAndMoreGoStraightBack) {
  const std::size_t baseline = medium_cache_charged_bytes();
  void* block = MemoryPool::allocate(5 * kMiB);
  ASSERT_NE(block, nullptr);
  MemoryPool::deallocate(block);
  EXPECT_EQ(medium_cache_charged_bytes(), baseline);
}

TEST(MediumCache, ASecondFreeOfACachedBlockIsIgnored) {
  MemoryPool::flush_thread_cache();
  void* block = MemoryPool::allocate(kMiB + 1);  // a 2 MiB block (1 MiB is Small)
  ASSERT_NE(block, nullptr);
  const std::uint64_t frees_before = medium_frees();
  const std::size_t cached_before = medium_cache_charged_bytes();
  MemoryPool::deallocate(block);
  MemoryPool::deallocate(block);
  EXPECT_EQ(medium_frees(), frees_before + 1);
  EXPECT_EQ(medium_cache_charged_bytes(), cached_before + 2 * kMiB);
  void* first = MemoryPool::allocate(kMiB + 1);
  void* second = MemoryPool::allocate(kMiB + 1);
  EXPECT_NE(first, second) << "a block freed twice must not be handed out twice";
  MemoryPool::deallocate(first);
  MemoryPool::deallocate(second);
  MemoryPool::flush_thread_cache();
}

// Two threads free the same block at once: exactly one free counts, whichever of the
// cache and the buddy allocator each goes to.
TEST(MediumCache, ConcurrentFreesOfOneBlockSucceedOnce) {
  for (int round = 0; round < 200; ++round) {
    void* block = MemoryPool::allocate(2 * kMiB);
    ASSERT_NE(block, nullptr);
    const std::uint64_t frees_before = medium_frees();
    std::atomic<int> ready{0};
    auto free_it = [&] {
      ready.fetch_add(1);
      while (ready.load() < 2) {
      }
      MemoryPool::deallocate(block);
    };
    std::thread first(free_it);
    std::thread second(free_it);
    first.join();
    second.join();
    ASSERT_EQ(medium_frees(), frees_before + 1) << "round " << round;
  }
}

TEST(MediumCache, AllThreadsTogetherCacheNoMoreThanTheLimitAndGiveItBackAtExit) {
  MemoryPool::flush_thread_cache();
  const std::size_t baseline = medium_cache_charged_bytes();
  constexpr int kThreads = 16;  // 16 × 4 MiB is twice the limit
  std::atomic<int> freed{0};
  std::atomic<bool> exit_now{false};
  std::vector<std::thread> threads;
  for (int index = 0; index < kThreads; ++index) {
    threads.emplace_back([&] {
      void* block = MemoryPool::allocate(4 * kMiB);
      if (block != nullptr) MemoryPool::deallocate(block);
      freed.fetch_add(1);
      while (!exit_now.load()) std::this_thread::yield();
    });
  }
  while (freed.load() < kThreads) std::this_thread::yield();
  const std::size_t cached = medium_cache_charged_bytes() - baseline;
  EXPECT_LE(cached, MediumCache::kThreadCachedBytesLimit);
  EXPECT_GE(cached, MediumCache::kThreadCachedBytesLimit - 4 * kMiB) << "threads cache up to the limit";
  exit_now.store(true);
  for (std::thread& thread : threads) thread.join();
  EXPECT_EQ(medium_cache_charged_bytes(), baseline) << "exiting threads give their blocks back";
}

TEST(MediumCache, AForeignOrInteriorPointerIsNeverCached) {
  const std::size_t baseline = medium_cache_charged_bytes();
  auto* block = static_cast<char*>(MemoryPool::allocate(2 * kMiB));
  ASSERT_NE(block, nullptr);
  MemoryPool::deallocate(block + kMiB);  // interior, at a unit boundary
  EXPECT_EQ(medium_cache_charged_bytes(), baseline);
  EXPECT_EQ(BuddyAllocator::block_bytes(block), 2 * kMiB) << "the block is still live";
  MemoryPool::deallocate(block);
  MemoryPool::flush_thread_cache();
}

}  // namespace
