#include <gtest/gtest.h>

#include <cstdio>
#include <fstream>
#include <string>

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

// The smallest fitting class, as a scan of every class finds it: for every alignment up
// to the largest block and sizes around every class boundary.
TEST(SizeClasses, AlignedRequestsGetTheSmallestFittingClass) {
  for (std::size_t alignment = 1; alignment <= (std::size_t{1} << 21); alignment *= 2) {
    for (int boundary = 0; boundary < kSmallClassCount; ++boundary) {
      for (std::size_t bytes : {class_block_bytes(boundary) - 1, class_block_bytes(boundary),
                                class_block_bytes(boundary) + 1}) {
        int expected = -1;
        for (int index = 0; index < kSmallClassCount && bytes <= (std::size_t{1} << 20); ++index) {
          if (class_block_bytes(index) >= bytes && class_block_bytes(index) % alignment == 0) {
            expected = index;
            break;
          }
        }
        EXPECT_EQ(class_for(bytes, alignment), expected) << bytes << " B at " << alignment;
      }
    }
  }
}

TEST(SizeClasses, BatchesStayBetweenOneAndSixtyFourBlocks) {
  for (int index = 0; index < kSmallClassCount; ++index) {
    EXPECT_GE(class_batch_blocks(index), 1u);
    EXPECT_LE(class_batch_blocks(index), 64u);
  }
}

}  // namespace
}  // namespace osp::pool

namespace osp::pool {
namespace {

TEST(SizeClasses, DocumentedTableMatchesTheCode) {
  std::ifstream document(OSP_SOURCE_DIR "/docs/pool.md");
  ASSERT_TRUE(document.is_open());
  std::string line;
  int rows = 0;
  while (std::getline(document, line)) {
    int index = 0;
    unsigned long long block_bytes = 0;
    int batch = 0;
    double waste = 0;
    unsigned long long smallest = 0;
    if (std::sscanf(line.c_str(), "| %d | %llu | %llu | %lf%% | %d |", &index, &block_bytes, &smallest, &waste,
                    &batch) != 5) {
      continue;
    }
    ASSERT_LT(index, kSmallClassCount);
    EXPECT_EQ(class_block_bytes(index), block_bytes) << line;
    EXPECT_EQ(class_batch_blocks(index), static_cast<std::uint32_t>(batch)) << line;
    EXPECT_EQ(smallest, index == 0 ? 1 : class_block_bytes(index - 1) + 1) << line;
    ++rows;
  }
  EXPECT_EQ(rows, kSmallClassCount);
}

}  // namespace
}  // namespace osp::pool
