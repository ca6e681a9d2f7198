// The flood fills of the reachability scan (see reachability.hpp). Each phase pushes a
// block at most once (on its state change), so one work stack of size() entries serves
// every phase.
#include "report/reachability.hpp"

#include <cstring>

#include "trace/stack_depot.hpp"

namespace osp::report {
namespace {

using Word = std::uintptr_t;
typedef Word __attribute__((may_alias)) AliasedWord;

enum class ScanMode { FromRoots, Possible, Indirect };

class Marker {
 public:
  Marker(BlockIndex& blocks, const MemoryMap& map, long* work, long* seeds) noexcept
      : blocks_(blocks), map_(map), work_(work), seeds_(seeds) {}

  void scan_range(std::uintptr_t start, std::uintptr_t end, ScanMode mode, long origin) noexcept {
    start = (start + sizeof(Word) - 1) & ~(std::uintptr_t{sizeof(Word)} - 1);
    for (std::uintptr_t cursor = start; cursor + sizeof(Word) <= end; cursor += sizeof(Word)) {
      const Word value = *reinterpret_cast<const AliasedWord*>(cursor);
      bool exact = false;
      const long target = blocks_.find(value, exact);
      if (target < 0 || target == origin) continue;
      ScannedBlock& block = blocks_[static_cast<std::size_t>(target)];
      if (block.state != BlockState::Unreached) continue;
      switch (mode) {
        case ScanMode::FromRoots:
          if (exact) {
            mark(target, BlockState::Reachable);
          } else if (!block.interior_seed) {
            block.interior_seed = true;
            seeds_[seed_count_++] = target;
          }
          break;
        case ScanMode::Possible: mark(target, BlockState::Possible); break;
        case ScanMode::Indirect: mark(target, BlockState::Indirect); break;
      }
    }
  }

  // Scans a block's user bytes, only where they are readable (a program may protect
  // pages of its own blocks).
  void scan_block(long index, ScanMode mode, long origin) noexcept {
    const ScannedBlock& block = blocks_[static_cast<std::size_t>(index)];
    const std::uintptr_t start = block.address;
    const std::uintptr_t end = block.address + block.bytes;
    if (cached_ == nullptr || start < cached_->start || end > cached_->end) {
      cached_ = map_.find(start);
    }
    if (cached_ != nullptr && cached_->readable && end <= cached_->end) {
      scan_range(start, end, mode, origin);
      return;
    }
    map_.for_each_readable_piece(start, end, [&](std::uintptr_t piece_start, std::uintptr_t piece_end) {
      scan_range(piece_start, piece_end, mode, origin);
    });
  }

  void mark(long index, BlockState state) noexcept {
    blocks_[static_cast<std::size_t>(index)].state = state;
    work_[work_count_++] = index;
  }

  void flood(ScanMode mode, long origin) noexcept {
    while (work_count_ != 0) scan_block(work_[--work_count_], mode, origin);
  }

  std::size_t seed_count() const noexcept { return seed_count_; }
  long seed(std::size_t index) const noexcept { return seeds_[index]; }

 private:
  BlockIndex& blocks_;
  const MemoryMap& map_;
  long* work_;
  long* seeds_;
  std::size_t work_count_ = 0;
  std::size_t seed_count_ = 0;
  const MemoryRegion* cached_ = nullptr;
};

bool allocated_by_dynamic_linker(const ScannedBlock& block, const ModuleTable& modules) {
  if (block.origin_file != nullptr) return false;
  trace::StackView stack = trace::StackDepot::instance().get(block.origin);
  return stack.depth > 0 && modules.in_dynamic_linker(stack.frames[0]);
}

void mark_from_roots(Marker& marker, BlockIndex& blocks, const RootSet& roots,
                     const ModuleTable& modules) {
  for (std::size_t index = 0; index < blocks.size(); ++index) {
    if (allocated_by_dynamic_linker(blocks[index], modules)) {
      marker.mark(static_cast<long>(index), BlockState::Reachable);
    }
  }
  for (std::size_t index = 0; index < roots.size(); ++index) {
    marker.scan_range(roots[index].start, roots[index].end, ScanMode::FromRoots, -1);
    marker.flood(ScanMode::FromRoots, -1);
  }
  marker.flood(ScanMode::FromRoots, -1);
}

void mark_possible(Marker& marker, BlockIndex& blocks) {
  for (std::size_t index = 0; index < marker.seed_count(); ++index) {
    const long seed = marker.seed(index);
    if (blocks[static_cast<std::size_t>(seed)].state != BlockState::Unreached) continue;
    marker.mark(seed, BlockState::Possible);
    marker.flood(ScanMode::Possible, -1);
  }
}

void mark_indirect(Marker& marker, BlockIndex& blocks) {
  for (std::size_t index = 0; index < blocks.size(); ++index) {
    if (blocks[index].state != BlockState::Unreached) continue;
    const long origin = static_cast<long>(index);
    marker.scan_block(origin, ScanMode::Indirect, origin);
    marker.flood(ScanMode::Indirect, origin);
  }
  for (std::size_t index = 0; index < blocks.size(); ++index) {
    if (blocks[index].state == BlockState::Unreached) blocks[index].state = BlockState::Definite;
  }
}

}  // namespace

bool classify_blocks(BlockIndex& blocks, const RootSet& roots, const MemoryMap& map,
                     const ModuleTable& modules, ScratchArena& arena) noexcept {
  const std::size_t count = blocks.size();
  long* work = arena.allocate_array<long>(count + 1);
  long* seeds = arena.allocate_array<long>(count + 1);
  if (work == nullptr || seeds == nullptr) {
    for (std::size_t index = 0; index < count; ++index) blocks[index].state = BlockState::Reachable;
    return false;
  }
  Marker marker(blocks, map, work, seeds);
  mark_from_roots(marker, blocks, roots, modules);
  mark_possible(marker, blocks);
  mark_indirect(marker, blocks);
  return true;
}

}  // namespace osp::report
