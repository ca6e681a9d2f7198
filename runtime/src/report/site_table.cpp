// Aggregation of scanned blocks into sites (see site_table.hpp).
#include "report/site_table.hpp"

#include <algorithm>

#include "debug/suppressions.hpp"
#include "memory_pool.hpp"

namespace osp::report {
namespace {

std::size_t next_power_of_two(std::size_t value) {
  std::size_t result = 16;
  while (result < value) result <<= 1;
  return result;
}

std::size_t group_hash(const char* file, std::uint32_t origin, LeakKind kind) {
  std::uint64_t bits = reinterpret_cast<std::uintptr_t>(file) * 0x9e3779b97f4a7c15ull;
  bits ^= (static_cast<std::uint64_t>(origin) << 8 | static_cast<std::uint64_t>(kind)) * 0xff51afd7ed558ccdull;
  return static_cast<std::size_t>(bits ^ (bits >> 29));
}

}  // namespace

long SiteTable::find_or_add_group(const ScannedBlock& block, ScratchArena& arena) noexcept {
  const LeakKind kind = block.kind();
  if ((group_count_ + 1) * 2 > index_capacity_ && !grow_index(arena)) return -1;
  const std::size_t mask = index_capacity_ - 1;
  std::size_t slot = group_hash(block.origin_file, block.origin, kind) & mask;
  for (;; slot = (slot + 1) & mask) {
    const long position = index_[slot];
    if (position < 0) break;
    const LeakSite& group = groups_[position];
    if (group.origin_file == block.origin_file && group.origin == block.origin && group.kind == kind) {
      return position;
    }
  }
  if (!arena.make_room(groups_, group_count_, group_capacity_)) return -1;
  LeakSite& group = groups_[group_count_];
  group = LeakSite{};
  group.origin_file = block.origin_file;
  group.origin = block.origin;
  group.kind = kind;
  group.allocation_kind = block.allocation_kind;
  group.thread = block.thread;
  group.merged_into = -1;
  index_[slot] = static_cast<long>(group_count_);
  return static_cast<long>(group_count_++);
}

// Doubles the hash index (starting at 64 slots) and puts every group back into it. The
// old index stays in the arena until the scan ends: a few pages at most.
bool SiteTable::grow_index(ScratchArena& arena) noexcept {
  const std::size_t capacity = index_capacity_ == 0 ? 64 : index_capacity_ * 2;
  long* grown = arena.allocate_array<long>(capacity);
  if (grown == nullptr) return false;
  for (std::size_t slot = 0; slot < capacity; ++slot) grown[slot] = -1;
  const std::size_t mask = capacity - 1;
  for (std::size_t position = 0; position < group_count_; ++position) {
    const LeakSite& group = groups_[position];
    std::size_t slot = group_hash(group.origin_file, group.origin, group.kind) & mask;
    while (grown[slot] >= 0) slot = (slot + 1) & mask;
    grown[slot] = static_cast<long>(position);
  }
  index_ = grown;
  index_capacity_ = capacity;
  return true;
}

void SiteTable::add_size_class(std::size_t group, int size_class) noexcept {
  // Consecutive blocks of a site usually share a class: extend the last entry if so.
  if (class_count_ != 0) {
    SizeClassCount& last = class_counts_[class_count_ - 1];
    if (last.site == group && last.size_class == size_class) {
      ++last.blocks;
      return;
    }
  }
  if (class_count_ == class_capacity_) return;  // capacity is one entry per block
  class_counts_[class_count_++] = {group, size_class, 1};
}

bool SiteTable::build(const LeakScan& scan, ScratchArena& arena, unsigned symbolized_kinds,
                      BlockFilter filter, void* context) noexcept {
  const BlockIndex& blocks = scan.blocks;
  class_capacity_ = blocks.size() + 1;
  class_counts_ = arena.allocate_array<SizeClassCount>(class_capacity_);
  if (class_counts_ == nullptr) return false;

  for (std::size_t index = 0; index < blocks.size(); ++index) {
    const ScannedBlock& block = blocks[index];
    if (filter != nullptr && !filter(block, context)) continue;
    live_.add(block.bytes);
    by_kind_[static_cast<int>(block.kind())].add(block.bytes);
    const long found = find_or_add_group(block, arena);
    if (found < 0) return false;
    const auto group_index = static_cast<std::size_t>(found);
    LeakSite& group = groups_[group_index];
    group.total.add(block.bytes);
    if (group.sample_count < kMaxSamples) {
      group.sample_address[group.sample_count] = block.address;
      group.sample_bytes[group.sample_count] = block.bytes;
      ++group.sample_count;
    }
    // Address lookups only: the pool block may already be free again if it was not a leak.
    const void* pool_block = reinterpret_cast<const void*>(block.pool_block());
    const os_memory::Tier tier = os_memory::pool::MemoryPool::tier_of(pool_block);
    group.tiers[static_cast<int>(tier)].add(block.bytes);
    if (tier == os_memory::Tier::Small) {
      add_size_class(group_index, os_memory::pool::MemoryPool::size_class_of(pool_block));
    }
  }
  return merge_by_key(arena, scan, symbolized_kinds);
}

bool SiteTable::merge_by_key(ScratchArena& arena, const LeakScan& scan, unsigned symbolized_kinds) noexcept {
  sorted_ = arena.allocate_array<std::size_t>(group_count_ + 1);
  const std::size_t key_capacity = next_power_of_two(group_count_ * 2 + 1);
  auto* key_slots = arena.allocate_array<long>(key_capacity);
  auto* frames = arena.allocate_array<SiteFrame>(trace::kMaxStackDepth);
  if (sorted_ == nullptr || key_slots == nullptr || frames == nullptr) return false;
  for (std::size_t slot = 0; slot < key_capacity; ++slot) key_slots[slot] = -1;

  for (std::size_t slot = 0; slot < group_count_; ++slot) {
    LeakSite& group = groups_[slot];
    const bool symbolize = (symbolized_kinds & (1u << static_cast<int>(group.kind))) != 0;
    const int depth = resolve_frames(group.stack(), scan.modules, symbolize, frames);
    group.key = site_key(leak_kind_name(group.kind), group.origin_file, frames, depth);
    group.suppressed = debug::leak_suppressed(group.origin_file, group.stack());
    if (group.suppressed) {
      suppressed_.blocks += group.total.blocks;
      suppressed_.bytes += group.total.bytes;
    }
    // Same key: fold into the first group that had it.
    std::size_t probe = static_cast<std::size_t>(group.key ^ (group.key >> 31)) & (key_capacity - 1);
    while (key_slots[probe] >= 0 && groups_[key_slots[probe]].key != group.key) {
      probe = (probe + 1) & (key_capacity - 1);
    }
    if (key_slots[probe] < 0) {
      key_slots[probe] = static_cast<long>(slot);
      sorted_[sorted_count_++] = slot;
      continue;
    }
    LeakSite& target = groups_[key_slots[probe]];
    group.merged_into = key_slots[probe];
    target.total.blocks += group.total.blocks;
    target.total.bytes += group.total.bytes;
    for (int sample = 0; sample < group.sample_count && target.sample_count < kMaxSamples; ++sample) {
      target.sample_address[target.sample_count] = group.sample_address[sample];
      target.sample_bytes[target.sample_count++] = group.sample_bytes[sample];
    }
    for (int tier = 0; tier < os_memory::kTierCount; ++tier) {
      target.tiers[tier].blocks += group.tiers[tier].blocks;
      target.tiers[tier].bytes += group.tiers[tier].bytes;
    }
    target.suppressed = target.suppressed && group.suppressed;
  }
  sort_size_classes();
  std::sort(sorted_, sorted_ + sorted_count_, [this](std::size_t left, std::size_t right) {
    const LeakSite& a = groups_[left];
    const LeakSite& b = groups_[right];
    if (a.total.bytes != b.total.bytes) return a.total.bytes > b.total.bytes;
    return a.key < b.key;
  });
  return true;
}

void SiteTable::sort_size_classes() noexcept {
  for (std::size_t entry = 0; entry < class_count_; ++entry) {
    const long merged_into = groups_[class_counts_[entry].site].merged_into;
    if (merged_into >= 0) class_counts_[entry].site = static_cast<std::size_t>(merged_into);
  }
  std::sort(class_counts_, class_counts_ + class_count_,
            [](const SizeClassCount& left, const SizeClassCount& right) {
              if (left.site != right.site) return left.site < right.site;
              return left.size_class < right.size_class;
            });
}

std::size_t SiteTable::first_class_entry(std::size_t site) const noexcept {
  return static_cast<std::size_t>(
      std::lower_bound(class_counts_, class_counts_ + class_count_, site,
                       [](const SizeClassCount& entry, std::size_t wanted) { return entry.site < wanted; }) -
      class_counts_);
}

}  // namespace osp::report
