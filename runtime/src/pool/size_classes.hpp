// Small-tier size classes: 16-byte steps up to 128 B, then four classes per doubling up to
// 1 MiB (like jemalloc's spacing). Worst-case internal waste is just under 25% (a request
// one byte above a class boundary, e.g. 129 B in the 160 B class); below 128 B it is at most
// 15 bytes per block. The full table is in docs/pool.md (checked by a test).
// Everything here is constexpr and inline: it sits on the allocation fast path.
#pragma once

#include <cstddef>
#include <cstdint>

namespace osp::pool {

inline constexpr int kSmallClassCount = 60;
inline constexpr std::size_t kSmallMinBlockBytes = 16;
inline constexpr std::size_t kSmallMaxBlockBytes = std::size_t{1} << 20;

namespace size_class_detail {

inline constexpr int kLinearClasses = 8;  // 16, 32, …, 128
inline constexpr std::size_t kLinearStepBytes = 16;
inline constexpr int kClassesPerDoubling = 4;
inline constexpr std::size_t kBatchTargetBytes = 64 * 1024;
inline constexpr int kMaxBatchBlocks = 64;

struct ClassTable {
  std::size_t block_bytes[kSmallClassCount];
  std::uint32_t batch_blocks[kSmallClassCount];
};

constexpr ClassTable build_table() {
  ClassTable table{};
  int index = 0;
  for (; index < kLinearClasses; ++index) table.block_bytes[index] = (index + 1) * kLinearStepBytes;
  std::size_t base = kLinearClasses * kLinearStepBytes;
  while (index < kSmallClassCount) {
    for (int step = 1; step <= kClassesPerDoubling && index < kSmallClassCount; ++step) {
      table.block_bytes[index++] = base + base * step / kClassesPerDoubling;
    }
    base *= 2;
  }
  for (int i = 0; i < kSmallClassCount; ++i) {
    const std::size_t blocks = kBatchTargetBytes / table.block_bytes[i];
    table.batch_blocks[i] = blocks < 1 ? 1 : (blocks > kMaxBatchBlocks ? kMaxBatchBlocks : static_cast<std::uint32_t>(blocks));
  }
  return table;
}

inline constexpr ClassTable kTable = build_table();
static_assert(kTable.block_bytes[kSmallClassCount - 1] == kSmallMaxBlockBytes,
              "the last Small class must be exactly 1 MiB");

}  // namespace size_class_detail

// Block size of class `index` (0 ≤ index < kSmallClassCount).
inline constexpr std::size_t class_block_bytes(int index) noexcept {
  return size_class_detail::kTable.block_bytes[index];
}

// Blocks moved between a thread cache and the global stack at once (whole chains).
inline constexpr std::uint32_t class_batch_blocks(int index) noexcept {
  return size_class_detail::kTable.batch_blocks[index];
}

namespace size_class_detail {

// The class by arithmetic (a bit scan and shifts), for any Small size.
inline constexpr int computed_class_for_size(std::size_t bytes) noexcept {
  if (bytes <= kLinearClasses * kLinearStepBytes) {
    return bytes == 0 ? 0 : static_cast<int>((bytes - 1) / kLinearStepBytes);
  }
  // bytes in (base, 2·base]: base = 2^k with k ≥ 7; step = base / 4.
  const int highest_bit = 63 - __builtin_clzll(static_cast<unsigned long long>(bytes - 1));
  const std::size_t base = std::size_t{1} << highest_bit;
  // step = base / kClassesPerDoubling (4), a power of two: a shift, not a division.
  static_assert(kClassesPerDoubling == 4, "the shift below divides by 4");
  const int within = static_cast<int>((bytes - 1 - base) >> (highest_bit - 2));  // 0..3
  return kLinearClasses + (highest_bit - 7) * kClassesPerDoubling + within;
}

// Up to 1 KiB every class boundary is a multiple of 16, so the class of `bytes` is a
// table entry indexed by ceil(bytes / 16): one load instead of the bit arithmetic, for
// the sizes most programs ask for most often.
inline constexpr std::size_t kTabulatedMaxBytes = 1024;
struct SmallSizeTable {
  std::uint8_t classes[kTabulatedMaxBytes / kLinearStepBytes + 1];
};
constexpr SmallSizeTable build_small_size_table() {
  SmallSizeTable table{};
  for (std::size_t step = 0; step <= kTabulatedMaxBytes / kLinearStepBytes; ++step) {
    table.classes[step] = static_cast<std::uint8_t>(computed_class_for_size(step * kLinearStepBytes));
  }
  return table;
}
inline constexpr SmallSizeTable kSmallSizeTable = build_small_size_table();

constexpr bool small_size_table_matches_arithmetic() {
  for (std::size_t bytes = 0; bytes <= kTabulatedMaxBytes; ++bytes) {
    if (kSmallSizeTable.classes[(bytes + kLinearStepBytes - 1) / kLinearStepBytes] !=
        computed_class_for_size(bytes)) {
      return false;
    }
  }
  return true;
}
static_assert(small_size_table_matches_arithmetic(), "a class boundary below 1 KiB is not a multiple of 16");

}  // namespace size_class_detail

// Class for `bytes` ≤ kSmallMaxBlockBytes, ignoring alignment, in O(1).
inline constexpr int class_for_size(std::size_t bytes) noexcept {
  using namespace size_class_detail;
  if (bytes <= kTabulatedMaxBytes) return kSmallSizeTable.classes[(bytes + kLinearStepBytes - 1) / kLinearStepBytes];
  return computed_class_for_size(bytes);
}

// Smallest class whose blocks hold `bytes` and whose block addresses are multiples of
// `alignment` (class regions are 64 KiB aligned, so a block of size k·alignment at
// index·size is aligned). Returns -1 when no Small class fits.
inline constexpr int class_for(std::size_t bytes, std::size_t alignment) noexcept {
  if (bytes > kSmallMaxBlockBytes) return -1;
  int index = class_for_size(bytes);
  if (alignment <= kSmallMinBlockBytes) return index;
  for (; index < kSmallClassCount; ++index) {
    if (class_block_bytes(index) % alignment == 0) return index;
  }
  return -1;
}

}  // namespace osp::pool
