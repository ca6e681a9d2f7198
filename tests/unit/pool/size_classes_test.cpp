#include <gtest/gtest.h>

#include "pool/size_classes.hpp"

namespace osp::pool {
namespace {

TEST(SizeClasses, TableGrowsStrictlyAndEndsAtOneMebibyte) {
  EXPECT_EQ(class_block_bytes(0), 16u);
  for (int index = 1; index < kSmallClassCount; ++index) {
    EXPECT_GT(class_block_bytes(index), class_block_bytes(index - 1)) << index;
    EXPECT_EQ(class_block_bytes(index) % 16, 0u) << index;
  }
  EXPECT_EQ(class_block_bytes(kSmallClassCount - 1), std::size_t{1} << 20);
}

TEST(SizeClasses, PicksTheSmallestClassThatFits) {
  for (std::size_t bytes = 0; bytes <= (std::size_t{1} << 20); bytes += (bytes < 4096 ? 1 : 509)) {
    const int index = class_for(bytes, 16);
    ASSERT_GE(index, 0) << bytes;
    EXPECT_GE(class_block_bytes(index), bytes);
    if (index > 0) {
      EXPECT_LT(class_block_bytes(index - 1), bytes == 0 ? 1 : bytes) << bytes;
    }
  }
  EXPECT_EQ(class_for((std::size_t{1} << 20) + 1, 16), -1);
}

TEST(SizeClasses, WorstCaseWasteIsUnderAQuarterAbove128Bytes) {
  for (std::size_t bytes = 129; bytes <= (std::size_t{1} << 20); bytes += 7) {
    const std::size_t block = class_block_bytes(class_for(bytes, 16));
    EXPECT_LT(static_cast<double>(block - bytes) / static_cast<double>(bytes), 0.25) << bytes;
  }
  for (std::size_t bytes = 1; bytes <= 128; ++bytes) {
    EXPECT_LT(class_block_bytes(class_for(bytes, 16)) - bytes, 16u) << bytes;
  }
}

TEST(SizeClasses, AlignedRequestsGetClassesThatAreMultiplesOfTheAlignment) {
  for (std::size_t alignment = 32; alignment <= 65536; alignment *= 2) {
    for (std::size_t bytes : {std::size_t{1}, alignment - 1, alignment + 1, 3 * alignment}) {
      const int index = class_for(bytes, alignment);
      ASSERT_GE(index, 0);
      EXPECT_EQ(class_block_bytes(index) % alignment, 0u);
      EXPECT_GE(class_block_bytes(index), bytes);
    }
  }
}

TEST(SizeClasses, BatchesStayBetweenOneAndSixtyFourBlocks) {
  for (int index = 0; index < kSmallClassCount; ++index) {
    EXPECT_GE(class_batch_blocks(index), 1);
    EXPECT_LE(class_batch_blocks(index), 64);
  }
}

}  // namespace
}  // namespace osp::pool
