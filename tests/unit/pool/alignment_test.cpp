#include <gtest/gtest.h>

#include <cstdint>
#include <vector>

#include "global_allocator_api.hpp"

namespace {

using os_memory::pool::MemoryPool;

bool aligned_to(const void* block, std::size_t alignment) {
  return reinterpret_cast<std::uintptr_t>(block) % alignment == 0;
}

TEST(Alignment, EveryPowerOfTwoFromTwoBytesToOneMebibyte) {
  for (std::size_t alignment = 2; alignment <= (std::size_t{1} << 20); alignment *= 2) {
    for (std::size_t bytes : {std::size_t{1}, std::size_t{24}, alignment, alignment + 8,
                              std::size_t{100000}, std::size_t{3} << 20}) {
      void* block = ALLOCATE_ALIGNED(bytes, alignment);
      ASSERT_NE(block, nullptr) << bytes << " @ " << alignment;
      EXPECT_TRUE(aligned_to(block, alignment)) << bytes << " @ " << alignment;
      EXPECT_GE(MemoryPool::usable_size(block), bytes);
      static_cast<unsigned char*>(block)[bytes - 1] = 1;
      DEALLOCATE(block);
    }
  }
}

TEST(Alignment, AboveTheMaximumGoesStraightToTheOperatingSystem) {
  void* block = MemoryPool::allocate(100, std::size_t{1} << 17);
  ASSERT_NE(block, nullptr);
  EXPECT_TRUE(aligned_to(block, std::size_t{1} << 17));
  EXPECT_EQ(MemoryPool::tier_of(block), os_memory::Tier::Direct);
  MemoryPool::deallocate(block);
}

TEST(Alignment, ManyAlignedSmallBlocksDoNotOverlap) {
  std::vector<unsigned char*> blocks;
  for (int i = 0; i < 2000; ++i) {
    const std::size_t alignment = std::size_t{2} << (i % 15);
    auto* block = static_cast<unsigned char*>(ALLOCATE_ALIGNED(40, alignment));
    ASSERT_TRUE(aligned_to(block, alignment));
    for (int j = 0; j < 40; ++j) block[j] = static_cast<unsigned char>(i);
    blocks.push_back(block);
  }
  for (int i = 0; i < 2000; ++i) {
    for (int j = 0; j < 40; ++j) ASSERT_EQ(blocks[i][j], static_cast<unsigned char>(i));
    DEALLOCATE(blocks[i]);
  }
}

TEST(Alignment, NotAPowerOfTwoFails) {
  EXPECT_EQ(ALLOCATE_ALIGNED_NOTHROW(64, 3), nullptr);
  EXPECT_EQ(ALLOCATE_ALIGNED_NOTHROW(64, 0), nullptr);
  EXPECT_THROW(ALLOCATE_ALIGNED(64, 48), std::bad_alloc);
}

TEST(Alignment, ConstantsMatchTheDesign) {
  static_assert(MIN_ALLOWED_ALIGNMENT == 2);
  static_assert(MAX_ALLOWED_ALIGNMENT == 64 * 1024);
  static_assert(DEFAULT_ALIGNMENT >= alignof(std::max_align_t));
  void* block = ALLOCATE(1);
  EXPECT_TRUE(aligned_to(block, DEFAULT_ALIGNMENT));
  DEALLOCATE(block);
}

}  // namespace
