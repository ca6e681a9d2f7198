// RawFormatBuffer: numbers at their limits, padding, and truncation without overflow.
#include <gtest/gtest.h>

#include <cstdint>
#include <limits>
#include <string>

#include "os/raw_format.hpp"

namespace osp_trace_test {
namespace {

using osp::os::RawFormatBuffer;

std::string text_of(const RawFormatBuffer& buffer) {
  return std::string(buffer.data(), buffer.size());
}

TEST(RawFormatBuffer, DecimalLimits) {
  char storage[64];
  RawFormatBuffer buffer(storage, sizeof(storage));
  buffer.append_decimal(0).append_char(' ').append_decimal(std::numeric_limits<std::uint64_t>::max());
  buffer.append_char(' ').append_signed_decimal(std::numeric_limits<std::int64_t>::min());
  buffer.append_char(' ').append_signed_decimal(42);
  EXPECT_EQ(text_of(buffer), "0 18446744073709551615 -9223372036854775808 42");
  EXPECT_FALSE(buffer.truncated());
}

TEST(RawFormatBuffer, HexWithPadding) {
  char storage[64];
  RawFormatBuffer buffer(storage, sizeof(storage));
  buffer.append_hex(0).append_char(' ').append_hex(0xdeadBEEF).append_char(' ');
  buffer.append_hex(0xa, 4).append_char(' ').append_hex(std::numeric_limits<std::uint64_t>::max());
  EXPECT_EQ(text_of(buffer), "0 deadbeef 000a ffffffffffffffff");
}

TEST(RawFormatBuffer, TruncatesWithoutOverflow) {
  char storage[8 + 1];
  storage[8] = '#';
  RawFormatBuffer buffer(storage, 8);
  buffer.append("0123456789");
  EXPECT_TRUE(buffer.truncated());
  EXPECT_EQ(text_of(buffer), "01234567");
  EXPECT_EQ(storage[8], '#');
  EXPECT_STREQ(buffer.c_str(), "0123456");
  EXPECT_EQ(storage[8], '#');
}

TEST(RawFormatBuffer, NullTextAndEmptyBuffer) {
  RawFormatBuffer empty(nullptr, 0);
  empty.append("x").append_decimal(7).append(nullptr);
  EXPECT_EQ(empty.size(), 0u);
  EXPECT_TRUE(empty.truncated());
  EXPECT_STREQ(empty.c_str(), "");
}

}  // namespace
}  // namespace osp_trace_test
