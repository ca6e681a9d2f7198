// Copy and sort of the live-block list (see block_index.hpp).
#include "report/block_index.hpp"

#include <algorithm>

#include "debug/block_header.hpp"
#include "debug/live_blocks.hpp"

namespace osp::report {

const char* leak_kind_name(LeakKind kind) noexcept {
  switch (kind) {
    case LeakKind::Definite: return "definite";
    case LeakKind::Indirect: return "indirect";
    case LeakKind::Possible: return "possible";
    case LeakKind::Reachable: return "reachable";
  }
  return "definite";
}

namespace {

// Room for blocks added between count() and the walk (only the scanning thread itself
// can add any: everyone else is stopped).
constexpr std::size_t kSpareEntries = 64;

struct Collector {
  ScannedBlock* blocks;
  std::size_t capacity;
  std::size_t count;
  bool overflow;
};

void collect(debug::BlockHeader* header, void* raw) {
  auto* collector = static_cast<Collector*>(raw);
  // A block whose free already passed the double-free gate is on its way out of the
  // list: the program has let go of it.
  if (header->internal() || header->freed() || header->magic != debug::kLiveMagic) return;
  if (collector->count == collector->capacity) {
    collector->overflow = true;
    return;
  }
  ScannedBlock& block = collector->blocks[collector->count++];
  block.address = reinterpret_cast<std::uintptr_t>(debug::user_of(header));
  block.bytes = header->requested_bytes;
  block.origin_file = header->origin_file;
  block.sequence = header->sequence;
  block.origin = header->origin;
  block.alignment_offset = header->alignment_offset;
  block.thread = header->allocation_thread;
  block.allocation_kind = header->kind;
  block.state = BlockState::Unreached;
  block.interior_seed = false;
}

}  // namespace

bool BlockIndex::build(ScratchArena& arena) noexcept {
  const std::size_t capacity = debug::live_blocks::count() + kSpareEntries;
  blocks_ = arena.allocate_array<ScannedBlock>(capacity);
  if (blocks_ == nullptr) return false;
  Collector collector{blocks_, capacity, 0, false};
  debug::live_blocks::for_each_header_while_held(collect, &collector);
  if (collector.overflow) return false;
  count_ = collector.count;
  std::sort(blocks_, blocks_ + count_,
            [](const ScannedBlock& left, const ScannedBlock& right) { return left.address < right.address; });
  lowest_ = count_ != 0 ? blocks_[0].address : 0;
  highest_end_ = 0;
  for (std::size_t index = 0; index < count_; ++index) {
    std::uintptr_t end = blocks_[index].address + (blocks_[index].bytes == 0 ? 1 : blocks_[index].bytes);
    if (end > highest_end_) highest_end_ = end;
  }
  return true;
}

}  // namespace osp::report
