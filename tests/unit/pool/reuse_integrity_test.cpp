#include <gtest/gtest.h>

#include <cstdint>
#include <random>
#include <vector>

#include "memory_pool.hpp"

namespace {

using os_memory::pool::MemoryPool;

struct Block {
  std::uint8_t* data;
  std::size_t bytes;
  std::uint8_t seed;
};

void fill(const Block& block) {
  for (std::size_t i = 0; i < block.bytes; ++i) block.data[i] = static_cast<std::uint8_t>(block.seed + i * 31);
}

bool intact(const Block& block) {
  for (std::size_t i = 0; i < block.bytes; ++i) {
    if (block.data[i] != static_cast<std::uint8_t>(block.seed + i * 31)) return false;
  }
  return true;
}

TEST(ReuseIntegrity, LiveBlocksKeepTheirBytesWhileOthersAreFreedAndReused) {
  std::mt19937 random(42);
  std::uniform_int_distribution<std::size_t> size(1, 20000);
  std::vector<Block> live;
  for (int round = 0; round < 20000; ++round) {
    if (live.size() < 500 || random() % 3 != 0) {
      Block block{nullptr, size(random), static_cast<std::uint8_t>(random())};
      block.data = static_cast<std::uint8_t*>(MemoryPool::allocate(block.bytes));
      ASSERT_NE(block.data, nullptr);
      fill(block);
      live.push_back(block);
    } else {
      const std::size_t victim = random() % live.size();
      ASSERT_TRUE(intact(live[victim])) << "round " << round;
      MemoryPool::deallocate(live[victim].data);
      live[victim] = live.back();
      live.pop_back();
    }
  }
  for (const Block& block : live) {
    ASSERT_TRUE(intact(block));
    MemoryPool::deallocate(block.data);
  }
}

TEST(ReuseIntegrity, FreedBlocksAreReused) {
  void* first = MemoryPool::allocate(200);
  MemoryPool::deallocate(first);
  void* second = MemoryPool::allocate(200);
  EXPECT_EQ(first, second) << "the thread cache hands back its most recent block";
  MemoryPool::deallocate(second);
}

}  // namespace
