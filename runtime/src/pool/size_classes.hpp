// Small-tier size classes: 16-byte steps up to 128 B, then four classes per doubling up to
// 1 MiB (like jemalloc's spacing). Worst-case internal waste is just under 25% (a request
// one byte above a class boundary, e.g. 129 B in the 160 B class); below 128 B it is at most
// 15 bytes per block. The full table is printed in docs/pool.md.
#pragma once

#include <cstddef>
#include <cstdint>

namespace osp::pool {

inline constexpr int kSmallClassCount = 60;
inline constexpr std::size_t kSmallMinBlockBytes = 16;
inline constexpr std::size_t kSmallMaxBlockBytes = std::size_t{1} << 20;

// Block size of class `index` (0 ≤ index < kSmallClassCount).
std::size_t class_block_bytes(int index) noexcept;
// Smallest class whose blocks hold `bytes` and whose block addresses are multiples of
// `alignment` (class regions are 64 KiB aligned, so a block of size k·alignment at
// index·size is aligned). Returns -1 when no Small class fits.
int class_for(std::size_t bytes, std::size_t alignment) noexcept;
// Blocks moved between a thread cache and the global stack at once (whole chains).
int class_batch_blocks(int index) noexcept;

}  // namespace osp::pool
