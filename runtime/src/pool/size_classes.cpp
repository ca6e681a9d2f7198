#include "pool/size_classes.hpp"

namespace osp::pool {
namespace {

constexpr int kLinearClasses = 8;  // 16, 32, …, 128
constexpr std::size_t kLinearStepBytes = 16;
constexpr int kClassesPerDoubling = 4;
constexpr std::size_t kBatchTargetBytes = 64 * 1024;
constexpr int kMaxBatchBlocks = 64;

struct ClassTable {
  std::size_t block_bytes[kSmallClassCount];
  int batch_blocks[kSmallClassCount];
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
    table.batch_blocks[i] = blocks < 1 ? 1 : (blocks > kMaxBatchBlocks ? kMaxBatchBlocks : static_cast<int>(blocks));
  }
  return table;
}

constexpr ClassTable kTable = build_table();
static_assert(kTable.block_bytes[kSmallClassCount - 1] == kSmallMaxBlockBytes,
              "the last Small class must be exactly 1 MiB");

// Class for `bytes` ignoring alignment, in O(1).
int class_for_size(std::size_t bytes) noexcept {
  if (bytes <= kLinearClasses * kLinearStepBytes) {
    return bytes == 0 ? 0 : static_cast<int>((bytes - 1) / kLinearStepBytes);
  }
  // bytes in (base, 2·base]: base = 2^k with k ≥ 7; step = base / 4.
  const int highest_bit = 63 - __builtin_clzll(static_cast<unsigned long long>(bytes - 1));
  const std::size_t base = std::size_t{1} << highest_bit;
  const std::size_t step = base / kClassesPerDoubling;
  const int within = static_cast<int>((bytes - 1 - base) / step);  // 0..3
  return kLinearClasses + (highest_bit - 7) * kClassesPerDoubling + within;
}

}  // namespace

std::size_t class_block_bytes(int index) noexcept { return kTable.block_bytes[index]; }

int class_batch_blocks(int index) noexcept { return kTable.batch_blocks[index]; }

int class_for(std::size_t bytes, std::size_t alignment) noexcept {
  if (bytes > kSmallMaxBlockBytes) return -1;
  int index = class_for_size(bytes);
  if (alignment <= kSmallMinBlockBytes) return index;
  for (; index < kSmallClassCount; ++index) {
    if (kTable.block_bytes[index] % alignment == 0) return index;
  }
  return -1;
}

}  // namespace osp::pool
