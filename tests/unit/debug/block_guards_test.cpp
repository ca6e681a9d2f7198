// Guard and fill checks on a block laid out in a plain buffer.
#include <gtest/gtest.h>

#include <cstring>

#include "debug/block_guards.hpp"

namespace osp::debug {
namespace {

struct FakeBlock {
  alignas(64) unsigned char bytes[256 * 1024];
  BlockHeader* header(std::size_t requested) {
    auto* result = reinterpret_cast<BlockHeader*>(bytes + kPoolLinkBytes + 8);
    std::memset(result, 0, sizeof *result);
    result->requested_bytes = requested;
    result->alignment_offset = static_cast<std::uint32_t>(front_offset(16));
    return result;
  }
};

TEST(BlockGuards, LayoutKeepsThePoolLinkFreeAndAligns) {
  static_assert(front_offset(16) % 16 == 0);
  static_assert(front_offset(16) >= kPoolLinkBytes + sizeof(BlockHeader) + kFrontGuardBytes);
  EXPECT_EQ(front_offset(4096), 4096u);
  EXPECT_EQ(tail_guard_bytes(24), 8u + kTailGuardBytes);
  EXPECT_EQ(tail_guard_bytes(32), kTailGuardBytes);
}

TEST(BlockGuards, IntactGuardsReportNothing) {
  static FakeBlock block;
  BlockHeader* header = block.header(24);
  write_guards(header);
  EXPECT_FALSE(check_front_guard(header).found());
  EXPECT_FALSE(check_tail_guard(header).found());
}

TEST(BlockGuards, OverflowNamesOffsetsAndValues) {
  static FakeBlock block;
  BlockHeader* header = block.header(24);
  write_guards(header);
  std::memset(user_of(header) + 24, 'A', 3);
  Damage damage = check_tail_guard(header);
  ASSERT_TRUE(damage.found());
  EXPECT_EQ(damage.changed_bytes, 3u);
  EXPECT_EQ(damage.first_offset, 24);
  EXPECT_EQ(damage.last_offset, 26);
  EXPECT_EQ(damage.expected, kGuardByte);
  ASSERT_EQ(damage.sample_count, 3);
  EXPECT_EQ(damage.sample_values[0], 'A');
}

TEST(BlockGuards, UnderflowHasNegativeOffsets) {
  static FakeBlock block;
  BlockHeader* header = block.header(40);
  write_guards(header);
  user_of(header)[-2] = 'U';
  Damage damage = check_front_guard(header);
  ASSERT_TRUE(damage.found());
  EXPECT_EQ(damage.first_offset, -2);
  EXPECT_EQ(damage.changed_bytes, 1u);
}

TEST(BlockGuards, AFreedBlockIsFilledFromItsFrontGuardToTheEndOfItsTailGuard) {
  static FakeBlock block;
  const std::size_t requested = 40;
  BlockHeader* header = block.header(requested);
  write_guards(header);
  const std::size_t tail = guarded_tail_bytes(header);
  char* user = user_of(header);
  user[-kFrontGuardBytes - 1] = 0x11;  // the header's last byte: never filled
  fill_freed_block(header);
  for (std::ptrdiff_t offset = -static_cast<std::ptrdiff_t>(kFrontGuardBytes);
       offset < static_cast<std::ptrdiff_t>(requested + tail); ++offset) {
    ASSERT_EQ(static_cast<unsigned char>(user[offset]), kFreedFillByte) << offset;
  }
  EXPECT_EQ(user[-kFrontGuardBytes - 1], 0x11);
  EXPECT_TRUE(freed_block_intact(header));
  EXPECT_FALSE(check_freed_block(header).found());
  // A write after free into the front guard, the user bytes and the tail guard.
  user[-3] = 1;
  user[7] = 2;
  user[requested + tail - 1] = 3;
  EXPECT_FALSE(freed_block_intact(header));
  Damage damage = check_freed_block(header);
  ASSERT_TRUE(damage.found());
  EXPECT_EQ(damage.changed_bytes, 3u);
  EXPECT_EQ(damage.first_offset, -3);
  EXPECT_EQ(damage.last_offset, static_cast<std::ptrdiff_t>(requested + tail - 1));
  EXPECT_EQ(damage.expected, kFreedFillByte);
}

// Every length the inline 8- and 16-byte operations handle (and the memset/memcmp ones
// beyond): exactly the range is written, and a change to any one byte of it is seen.
TEST(BlockGuards, EveryByteOfEveryRangeLengthIsWrittenAndChecked) {
  static FakeBlock block;
  for (std::size_t requested = 1; requested <= 300; ++requested) {
    BlockHeader* header = block.header(requested);
    unsigned char* user = reinterpret_cast<unsigned char*>(user_of(header));
    std::memset(user - kFrontGuardBytes, 0, kFrontGuardBytes + requested + kMaxTailGuardBytes + 16);
    write_guards(header);
    const std::size_t tail = guarded_tail_bytes(header);
    fill_user_bytes(header, kFreshFillByte);
    for (std::size_t offset = 0; offset < requested; ++offset) {
      ASSERT_EQ(user[offset], kFreshFillByte) << requested << " " << offset;
    }
    ASSERT_EQ(user[requested + tail], 0) << requested << ": written past the tail guard";
    ASSERT_TRUE(guards_intact(header)) << requested;
    for (std::size_t offset = 0; offset < tail; ++offset) {
      user[requested + offset] ^= 0x40;
      ASSERT_FALSE(guards_intact(header)) << requested << " tail byte " << offset;
      user[requested + offset] ^= 0x40;
    }
    fill_freed_block(header);
    ASSERT_EQ(user[requested + tail], 0) << requested << ": freed fill past the tail guard";
    for (std::ptrdiff_t offset = -static_cast<std::ptrdiff_t>(kFrontGuardBytes);
         offset < static_cast<std::ptrdiff_t>(requested + tail); ++offset) {
      ASSERT_EQ(user[offset], kFreedFillByte) << requested << " " << offset;
      user[offset] ^= 0x01;
      ASSERT_FALSE(freed_block_intact(header)) << requested << " freed byte " << offset;
      user[offset] ^= 0x01;
    }
    ASSERT_TRUE(freed_block_intact(header)) << requested;
  }
}

TEST(BlockGuards, FreedFillOfLargeBlocksIsBoundedToBothEnds) {
  static FakeBlock block;
  const std::size_t requested = 200 * 1024;
  BlockHeader* header = block.header(requested);
  write_guards(header);
  std::memset(user_of(header), 0, requested);
  fill_freed_block(header);
  EXPECT_EQ(static_cast<unsigned char>(user_of(header)[-1]), kFreedFillByte);
  EXPECT_EQ(static_cast<unsigned char>(user_of(header)[0]), kFreedFillByte);
  EXPECT_EQ(static_cast<unsigned char>(user_of(header)[requested - 1]), kFreedFillByte);
  EXPECT_EQ(static_cast<unsigned char>(user_of(header)[requested]), kFreedFillByte);
  EXPECT_EQ(user_of(header)[requested / 2], 0);  // the middle is never touched
  EXPECT_FALSE(check_freed_block(header).found());
  user_of(header)[requested - 10] = 1;
  Damage damage = check_freed_block(header);
  ASSERT_TRUE(damage.found());
  EXPECT_EQ(damage.first_offset, static_cast<std::ptrdiff_t>(requested - 10));
}

}  // namespace
}  // namespace osp::debug
