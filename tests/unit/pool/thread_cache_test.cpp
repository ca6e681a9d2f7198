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

TEST(ThreadCache, ExplicitFlushKeepsCountersExact) {
  const auto before = MemoryPool::counters();
  void* block = MemoryPool::allocate(100);
  MemoryPool::flush_thread_cache();
  MemoryPool::deallocate(block);
  MemoryPool::flush_thread_cache();
  EXPECT_EQ(MemoryPool::counters().live_bytes, before.live_bytes);
}

}  // namespace
