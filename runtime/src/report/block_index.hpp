// BlockIndex: a copy of every live block taken while the world is stopped, sorted by
// address so a scanned word can be matched to the block it points into (binary search).
// Only the user bytes [address, address + bytes) belong to a block: the header in front
// (whose links point at other headers) is never scanned and never a target, so the
// runtime's own bookkeeping cannot make a block look reachable.
#pragma once

#include <cstddef>
#include <cstdint>

#include "report/scratch_arena.hpp"

namespace osp::report {

enum class LeakKind : std::uint8_t { Definite = 0, Indirect = 1, Possible = 2, Reachable = 3 };
inline constexpr int kLeakKindCount = 4;
const char* leak_kind_name(LeakKind kind) noexcept;

// Scan state of a block; after classification one of the LeakKind values.
enum class BlockState : std::uint8_t {
  Unreached = 0xff,
  Definite = static_cast<std::uint8_t>(LeakKind::Definite),
  Indirect = static_cast<std::uint8_t>(LeakKind::Indirect),
  Possible = static_cast<std::uint8_t>(LeakKind::Possible),
  Reachable = static_cast<std::uint8_t>(LeakKind::Reachable),
};

struct ScannedBlock {
  std::uintptr_t address;  // user pointer
  std::uint64_t bytes;     // requested bytes
  const char* origin_file; // ALLOCATE's file, or null (origin is then a stack id)
  std::uint64_t sequence;
  std::uint32_t origin;    // line, or allocation stack id
  std::uint32_t alignment_offset;  // user pointer - pool block start
  std::uint16_t thread;
  std::uint8_t allocation_kind;    // api::AllocationKind
  BlockState state;
  bool interior_seed;      // queued once as a "possible" candidate

  LeakKind kind() const noexcept { return static_cast<LeakKind>(state); }
  std::uintptr_t pool_block() const noexcept { return address - alignment_offset; }
};

class BlockIndex {
 public:
  // Copies the live blocks; call with the live table held for the scan
  // (debug::live_blocks::hold_all_for_visit). False when scratch memory ran out.
  bool build(ScratchArena& arena) noexcept;
  std::size_t size() const noexcept { return count_; }
  ScannedBlock& operator[](std::size_t index) noexcept { return blocks_[index]; }
  const ScannedBlock& operator[](std::size_t index) const noexcept { return blocks_[index]; }

  // Index of the block whose user bytes contain `address` (a zero-byte block counts its
  // start), or -1. `exact` tells whether `address` is the block's start.
  long find(std::uintptr_t address, bool& exact) const noexcept {
    if (address < lowest_ || address >= highest_end_) return -1;
    std::size_t low = 0;
    std::size_t high = count_;
    while (high - low > 1) {
      std::size_t middle = low + (high - low) / 2;
      if (blocks_[middle].address <= address) low = middle;
      else high = middle;
    }
    const ScannedBlock& block = blocks_[low];
    const std::uint64_t span = block.bytes == 0 ? 1 : block.bytes;
    if (address < block.address || address - block.address >= span) return -1;
    exact = address == block.address;
    return static_cast<long>(low);
  }

 private:
  ScannedBlock* blocks_ = nullptr;
  std::size_t count_ = 0;
  std::uintptr_t lowest_ = 0;
  std::uintptr_t highest_end_ = 0;
};

}  // namespace osp::report
