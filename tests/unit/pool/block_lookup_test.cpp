// MemoryPool::block_bytes_at: a block's size when the address is exactly a block start,
// 0 for every other address, agreeing with owns() and usable_size() in every tier.
#include <gtest/gtest.h>

#include <cstddef>
#include <vector>

#include "memory_pool.hpp"
#include "pool/size_classes.hpp"

namespace {

using os_memory::pool::MemoryPool;

TEST(BlockLookup, EverySmallClassIsKnownAtItsStartsAndNowhereElse) {
  for (int index = 0; index < osp::pool::kSmallClassCount; ++index) {
    const std::size_t bytes = osp::pool::class_block_bytes(index);
    // Three blocks, so the middle one has carved neighbours on both sides.
    std::vector<char*> blocks;
    for (int count = 0; count < 3; ++count) {
      blocks.push_back(static_cast<char*>(MemoryPool::allocate(bytes)));
      ASSERT_NE(blocks.back(), nullptr);
    }
    for (char* block : blocks) {
      EXPECT_EQ(MemoryPool::block_bytes_at(block), bytes) << "class " << index;
      EXPECT_EQ(MemoryPool::block_bytes_at(block), MemoryPool::usable_size(block));
      EXPECT_TRUE(MemoryPool::owns(block));
      // Interior addresses: small steps near the start, then across the whole block.
      const std::size_t step = bytes / 64 > 8 ? bytes / 64 : 8;
      for (std::size_t offset = 8; offset < bytes; offset += offset < 64 ? 8 : step) {
        ASSERT_EQ(MemoryPool::block_bytes_at(block + offset), 0u)
            << "class " << index << " offset " << offset;
        ASSERT_FALSE(MemoryPool::owns(block + offset));
      }
      if (bytes > 16) {
        EXPECT_EQ(MemoryPool::block_bytes_at(block + bytes - 16), 0u) << "class " << index;
      }
    }
    for (char* block : blocks) MemoryPool::deallocate(block);
  }
}

TEST(BlockLookup, OtherTiersAndForeignAddressesAgreeWithOwns) {
  constexpr std::size_t kMiB = std::size_t{1} << 20;
  for (std::size_t bytes : {2 * kMiB, 600 * kMiB}) {
    auto* block = static_cast<char*>(MemoryPool::allocate(bytes));
    ASSERT_NE(block, nullptr);
    EXPECT_EQ(MemoryPool::block_bytes_at(block), MemoryPool::usable_size(block));
    EXPECT_GE(MemoryPool::block_bytes_at(block), bytes);
    EXPECT_EQ(MemoryPool::block_bytes_at(block + 4096), 0u);
    MemoryPool::deallocate(block);
  }
  int on_the_stack = 0;
  EXPECT_EQ(MemoryPool::block_bytes_at(&on_the_stack), 0u);
  EXPECT_EQ(MemoryPool::block_bytes_at(nullptr), 0u);
}

}  // namespace
