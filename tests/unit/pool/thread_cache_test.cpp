#include <gtest/gtest.h>

#include <set>
#include <thread>
#include <vector>

#include "memory_pool.hpp"

namespace {

using os_memory::pool::MemoryPool;

// A size no other test or gtest uses, so the class's global stack starts empty here.
constexpr std::size_t kProbeBytes = 44 * 1024;

TEST(ThreadCache, AThreadThatExitsGivesItsCachedBlocksBack) {
  std::set<void*> freed_by_thread;
  std::thread worker([&] {
    std::vector<void*> blocks;
    for (int i = 0; i < 3; ++i) blocks.push_back(MemoryPool::allocate(kProbeBytes));
    for (void* block : blocks) {
      freed_by_thread.insert(block);
      MemoryPool::deallocate(block);  // stays in the worker's cache until it exits
    }
  });
  worker.join();
  std::vector<void*> reused;
  for (int i = 0; i < 3; ++i) reused.push_back(MemoryPool::allocate(kProbeBytes));
  int found = 0;
  for (void* block : reused) found += freed_by_thread.count(block) != 0;
  EXPECT_EQ(found, 3) << "the main thread must get the exited thread's blocks back";
  for (void* block : reused) MemoryPool::deallocate(block);
}

TEST(ThreadCache, BlocksFreedByAnotherThreadAreCountedAndReusable) {
  const auto before = MemoryPool::counters();
  std::vector<void*> blocks;
  for (int i = 0; i < 10000; ++i) blocks.push_back(MemoryPool::allocate(64 + (i % 7) * 100));
  std::thread freer([&] {
    for (void* block : blocks) MemoryPool::deallocate(block);
  });
  freer.join();
  const auto after = MemoryPool::counters();
  const int small = static_cast<int>(os_memory::Tier::Small);
  EXPECT_EQ(after.tiers[small].live_bytes, before.tiers[small].live_bytes);
  EXPECT_EQ(after.tiers[small].allocations - before.tiers[small].allocations, 10000u);
  EXPECT_EQ(after.tiers[small].frees - before.tiers[small].frees, 10000u);
}

// A class's free list holds one batch and hands a full list over as the spare chain; frees
// and allocations that swing the list across that boundary, over and over, must never hand
// out a live block twice nor lose count of one.
TEST(ThreadCache, SwingingAcrossTheBatchBoundaryHandsOutEachBlockOnce) {
  constexpr std::size_t kBytes = 2000;  // a class of 32-block batches
  constexpr int kLive = 200;            // more than list + spare, so chains reach the stack
  const auto before = MemoryPool::counters();
  bool distinct = true;
  std::thread worker([&] {
    std::vector<void*> live;
    for (int i = 0; i < kLive; ++i) live.push_back(MemoryPool::allocate(kBytes));
    for (int round = 0; round < 300; ++round) {
      const int swing = 1 + round % 90;  // from one block to nearly three batches
      for (int i = 0; i < swing; ++i) {
        MemoryPool::deallocate(live.back());
        live.pop_back();
      }
      for (int i = 0; i < swing; ++i) {
        void* block = MemoryPool::allocate(kBytes);
        *static_cast<int*>(block) = round;  // writes the word the free list links through
        live.push_back(block);
      }
      if (std::set<void*>(live.begin(), live.end()).size() != live.size()) distinct = false;
    }
    for (void* block : live) MemoryPool::deallocate(block);
  });
  worker.join();
  EXPECT_TRUE(distinct) << "a block was handed out twice while live";
  const auto after = MemoryPool::counters();
  const int small = static_cast<int>(os_memory::Tier::Small);
  EXPECT_EQ(after.tiers[small].live_bytes, before.tiers[small].live_bytes);
  EXPECT_EQ(after.tiers[small].frees - before.tiers[small].frees,
            after.tiers[small].allocations - before.tiers[small].allocations);
}

TEST(ThreadCache, ExplicitFlushKeepsCountersExact) {
  const auto before = MemoryPool::counters();
  void* block = MemoryPool::allocate(100);
  MemoryPool::flush_thread_cache();
  MemoryPool::deallocate(block);
  MemoryPool::flush_thread_cache();
  EXPECT_EQ(MemoryPool::counters().live_bytes, before.live_bytes);
}

}  // namespace
