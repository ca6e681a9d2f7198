// Threads that grow and shrink Medium buffers by realloc at once: blocks move (their pages
// where the OS allows) into arenas other threads use, and every buffer keeps its contents.
#include <gtest/gtest.h>

#include <thread>
#include <vector>

#include "memory_pool.hpp"
#include "page_marks.hpp"
#include "pool/buddy_allocator.hpp"

namespace {

using os_memory::pool::MemoryPool;
using osp::pool::BuddyAllocator;
constexpr std::size_t kMiB = std::size_t{1} << 20;

TEST(PageMoveConcurrency, BuffersReallocatedByManyThreadsKeepTheirContents) {
  constexpr int kThreads = 4;
  constexpr int kRounds = 6;
  std::vector<int> broken(kThreads, 0);
  std::vector<std::thread> threads;
  for (int index = 0; index < kThreads; ++index) {
    threads.emplace_back([index, &broken] {
      // A block in each thread's way, so growth has to move.
      void* blocker = MemoryPool::allocate(2 * kMiB);
      for (int round = 0; round < kRounds; ++round) {
        std::size_t size = 2 * kMiB;
        auto* buffer = static_cast<unsigned char*>(MemoryPool::allocate(size));
        osp::test::mark_pages(buffer, size);
        for (std::size_t bytes = 3 * kMiB; bytes <= 96 * kMiB; bytes += bytes / 2) {
          buffer = static_cast<unsigned char*>(MemoryPool::reallocate(buffer, bytes));
          if (buffer == nullptr || !osp::test::pages_marked(buffer, size)) {
            ++broken[index];
            return;
          }
          size = bytes;
          osp::test::mark_pages(buffer, size);
        }
        buffer = static_cast<unsigned char*>(MemoryPool::reallocate(buffer, 5 * kMiB));
        if (buffer == nullptr || !osp::test::pages_marked(buffer, 5 * kMiB)) ++broken[index];
        MemoryPool::deallocate(buffer);
      }
      MemoryPool::deallocate(blocker);
      MemoryPool::flush_thread_cache();
    });
  }
  for (std::thread& thread : threads) thread.join();
  for (int index = 0; index < kThreads; ++index) EXPECT_EQ(broken[index], 0) << "thread " << index;
  MemoryPool::flush_thread_cache();
  EXPECT_TRUE(BuddyAllocator::all_arenas_coalesced());
}

}  // namespace
