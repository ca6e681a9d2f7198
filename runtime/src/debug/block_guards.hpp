// Guard bytes and fill patterns of a block (layout in block_header.hpp): writing them when
// a block is handed out or freed, and finding which bytes changed. Large blocks are
// filled and checked only at both ends (kBoundedFillBytes) so untouched memory stays
// untouched.
#pragma once

#include <cstddef>
#include <cstdint>

#include "debug/block_header.hpp"

namespace osp::debug {

// Where a region differs from its expected byte: offsets are relative to the user
// pointer (negative: before it). Up to kSampleBytes changed bytes are kept.
struct Damage {
  static constexpr int kSampleBytes = 8;
  std::size_t changed_bytes = 0;
  std::ptrdiff_t first_offset = 0;
  std::ptrdiff_t last_offset = 0;
  std::uint8_t expected = 0;
  int sample_count = 0;
  std::ptrdiff_t sample_offsets[kSampleBytes] = {};
  std::uint8_t sample_values[kSampleBytes] = {};
  bool found() const noexcept { return changed_bytes != 0; }
};

// The tail guard: tail_guard_bytes() always, plus the pool block's slack after it (the
// size-class rounding), up to kMaxSlackGuardBytes more. write_guards measures it once and
// keeps the length in the header.
std::size_t guarded_tail_bytes(BlockHeader* header) noexcept;
// The front guard: kFrontGuardBytes, or a guarded slot's canary bytes before the block.
std::size_t front_guard_bytes(BlockHeader* header) noexcept;
void write_guards(BlockHeader* header) noexcept;
// Fills the user bytes with `byte`, bounded for large blocks.
void fill_user_bytes(BlockHeader* header, std::uint8_t byte) noexcept;

// A freed block (once its guards were checked at free) is filled with kFreedFillByte
// from the start of its front guard to the end of its tail guard: one range to write
// and, when it leaves the quarantine, one range to check, where a live block has three.
// A block over kFullFillLimitBytes gets both ends only: the front guard and its first
// kBoundedFillBytes, its last kBoundedFillBytes and the tail guard.
void fill_freed_block(BlockHeader* header) noexcept;

// The common case first: true when both guards, or the whole freed range, are intact.
// The Damage checks below say what changed.
bool guards_intact(BlockHeader* header) noexcept;
bool freed_block_intact(BlockHeader* header) noexcept;

// Checks the front guard (underflow) and the tail guard (overflow).
Damage check_front_guard(BlockHeader* header) noexcept;
Damage check_tail_guard(BlockHeader* header) noexcept;
// Checks that a freed block's range still holds kFreedFillByte (offsets from the user
// pointer: negative in the front guard, the requested size and beyond in the tail guard).
Damage check_freed_block(BlockHeader* header) noexcept;

}  // namespace osp::debug
