// Many threads allocate, stamp, hand blocks to each other and free them. Every live block
// is registered in an ownership set: if the pool ever handed out a block that is still
// live, the insert finds it there; if two owners ever wrote the same block, a stamp breaks.
#include <gtest/gtest.h>

#include <atomic>
#include <cstdint>
#include <cstring>
#include <deque>
#include <mutex>
#include <random>
#include <thread>
#include <unordered_set>
#include <vector>

#include "memory_pool.hpp"

namespace {

using os_memory::pool::MemoryPool;

struct Stamp {
  std::uint64_t owner;
  std::uint64_t serial;
};

struct OwnershipSet {
  static constexpr int kStripes = 64;
  std::mutex locks[kStripes];
  std::unordered_set<std::uintptr_t> live[kStripes];

  int stripe(void* block) { return static_cast<int>((reinterpret_cast<std::uintptr_t>(block) >> 4) % kStripes); }
  bool claim(void* block) {
    const int index = stripe(block);
    std::lock_guard<std::mutex> guard(locks[index]);
    return live[index].insert(reinterpret_cast<std::uintptr_t>(block)).second;
  }
  bool release(void* block) {
    const int index = stripe(block);
    std::lock_guard<std::mutex> guard(locks[index]);
    return live[index].erase(reinterpret_cast<std::uintptr_t>(block)) == 1;
  }
};

struct Handoff {
  std::mutex lock;
  std::deque<std::pair<void*, std::size_t>> blocks;
};

void write_stamp(void* block, std::size_t bytes, Stamp stamp) {
  std::memcpy(block, &stamp, sizeof(stamp));
  std::memcpy(static_cast<char*>(block) + bytes - sizeof(stamp), &stamp, sizeof(stamp));
}

bool stamp_intact(void* block, std::size_t bytes) {
  Stamp head, tail;
  std::memcpy(&head, block, sizeof(head));
  std::memcpy(&tail, static_cast<char*>(block) + bytes - sizeof(tail), sizeof(tail));
  return head.owner == tail.owner && head.serial == tail.serial;
}

TEST(PoolStress, NoBlockIsEverHandedOutTwiceAcrossThreadsAndCrossThreadFrees) {
  constexpr int kThreads = 4;
  constexpr int kOperations = 60000;
  OwnershipSet ownership;
  Handoff handoff;
  std::atomic<int> double_handouts{0}, broken_stamps{0}, failed{0};
  const auto before = MemoryPool::counters();

  auto release = [&](void* block, std::size_t bytes) {
    if (!stamp_intact(block, bytes)) broken_stamps.fetch_add(1);
    if (!ownership.release(block)) double_handouts.fetch_add(1);
    MemoryPool::deallocate(block);
  };

  std::vector<std::thread> threads;
  for (int t = 0; t < kThreads; ++t) {
    threads.emplace_back([&, t] {
      std::mt19937_64 random(static_cast<std::uint64_t>(t) * 7919 + 1);
      std::vector<std::pair<void*, std::size_t>> mine;
      for (int op = 0; op < kOperations; ++op) {
        const int choice = static_cast<int>(random() % 10);
        if (choice < 5 || mine.empty()) {
          // At least two stamps wide, so head and tail stamps never overlap.
          std::size_t bytes = 2 * sizeof(Stamp) + random() % (random() % 50 == 0 ? (2u << 20) : 4096);
          const std::size_t alignment = std::size_t{16} << (random() % 6);
          void* block = MemoryPool::allocate(bytes, alignment);
          if (block == nullptr) { failed.fetch_add(1); continue; }
          if (!ownership.claim(block)) double_handouts.fetch_add(1);
          write_stamp(block, bytes, Stamp{static_cast<std::uint64_t>(t), static_cast<std::uint64_t>(op)});
          mine.emplace_back(block, bytes);
        } else if (choice < 7) {
          std::lock_guard<std::mutex> guard(handoff.lock);
          handoff.blocks.push_back(mine.back());  // another thread will free it
          mine.pop_back();
        } else if (choice < 8) {
          std::pair<void*, std::size_t> taken{nullptr, 0};
          {
            std::lock_guard<std::mutex> guard(handoff.lock);
            if (!handoff.blocks.empty()) {
              taken = handoff.blocks.front();
              handoff.blocks.pop_front();
            }
          }
          if (taken.first != nullptr) release(taken.first, taken.second);
        } else {
          const std::size_t victim = random() % mine.size();
          release(mine[victim].first, mine[victim].second);
          mine[victim] = mine.back();
          mine.pop_back();
        }
      }
      for (auto& [block, bytes] : mine) release(block, bytes);
    });
  }
  for (auto& thread : threads) thread.join();
  for (auto& [block, bytes] : handoff.blocks) release(block, bytes);

  EXPECT_EQ(double_handouts.load(), 0);
  EXPECT_EQ(broken_stamps.load(), 0);
  EXPECT_EQ(failed.load(), 0);
  EXPECT_EQ(MemoryPool::counters().live_bytes, before.live_bytes) << "every block came back";
}

TEST(PoolStress, ThreadsStartingAndEndingAllTheTimeKeepCountersExact) {
  const auto before = MemoryPool::counters();
  for (int wave = 0; wave < 20; ++wave) {
    std::vector<void*> from_previous;
    std::vector<std::thread> threads;
    std::mutex lock;
    for (int t = 0; t < 4; ++t) {
      threads.emplace_back([&] {
        std::vector<void*> blocks;
        for (int i = 0; i < 500; ++i) blocks.push_back(MemoryPool::allocate(32 + i));
        for (std::size_t i = 0; i < blocks.size(); i += 2) MemoryPool::deallocate(blocks[i]);
        std::lock_guard<std::mutex> guard(lock);
        for (std::size_t i = 1; i < blocks.size(); i += 2) from_previous.push_back(blocks[i]);
      });
    }
    for (auto& thread : threads) thread.join();
    for (void* block : from_previous) MemoryPool::deallocate(block);  // freed after their threads exited
  }
  EXPECT_EQ(MemoryPool::counters().live_bytes, before.live_bytes);
}

}  // namespace
