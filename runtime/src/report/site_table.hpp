// SiteTable: the classified blocks of a scan aggregated by allocation site and kind, with
// no cap on the number of sites. Blocks are first grouped by their exact origin (the
// ALLOCATE file:line or the stack id); groups whose site keys are equal (same first user
// frames) are then merged, so every key appears once. Sites come out sorted by bytes
// descending, then key ascending: the order of the snapshot's `leaks`.
//
// Memory follows the number of groups, not of blocks: groups sit in a dense array and a
// hash index of their positions doubles as they come, so 100,000 blocks from 50 sites
// take a few pages of scratch, not a table sized for 100,000 sites.
//
// Runs after the world has resumed, with the reentrancy guard held (it symbolizes).
// Only leaked blocks (definite, indirect) cannot be freed meanwhile; the table never reads
// a block's memory, only the copies the scan made.
#pragma once

#include <cstddef>
#include <cstdint>

#include "memory_allocators.hpp"
#include "report/leak_scan.hpp"
#include "report/site_frames.hpp"

namespace osp::report {

inline constexpr int kMaxSamples = 8;
inline constexpr unsigned kAllLeakKinds = (1u << kLeakKindCount) - 1;

struct BlockCount {
  std::uint64_t blocks = 0;
  std::uint64_t bytes = 0;
  void add(std::uint64_t size) noexcept {
    ++blocks;
    bytes += size;
  }
};

struct LeakSite {
  const char* origin_file;   // ALLOCATE origin, or null
  std::uint32_t origin;      // line, or allocation stack id
  LeakKind kind;
  std::uint8_t allocation_kind;
  std::uint16_t thread;      // allocating thread of the first block seen
  BlockCount total;
  std::uintptr_t sample_address[kMaxSamples];
  std::uint64_t sample_bytes[kMaxSamples];
  int sample_count;
  BlockCount tiers[os_memory::kTierCount];
  std::uint64_t key;
  long merged_into;          // -1 for a site that stands for itself
  bool suppressed;

  trace::StackId stack() const noexcept { return origin_file == nullptr ? origin : trace::kNoStack; }
};

struct SizeClassCount {
  std::size_t site;
  int size_class;
  std::uint64_t blocks;
};

class SiteTable {
 public:
  // Which blocks to aggregate (all of them for a snapshot; a sequence window for a
  // checkpoint).
  using BlockFilter = bool (*)(const ScannedBlock& block, void* context);

  // Sites of the kinds in `symbolized_kinds` (bit n: LeakKind n) get their frames named
  // for their keys; the others keep module+offset frames. A report that shows only some
  // kinds names only those: naming one frame of a module with debug information loads
  // the debug information of every module (libbacktrace), a tenth of a second at an exit
  // that reports nothing when the C library's is installed.
  // False when scratch memory ran out.
  bool build(const LeakScan& scan, ScratchArena& arena, unsigned symbolized_kinds,
             BlockFilter filter, void* context) noexcept;

  // The merged sites, sorted; suppressed ones included (check `suppressed`).
  std::size_t size() const noexcept { return sorted_count_; }
  const LeakSite& operator[](std::size_t index) const noexcept { return groups_[sorted_[index]]; }
  // Small-tier size classes of sorted site `index`, ascending: visit(class, blocks).
  template <typename Visitor>
  void for_each_size_class(std::size_t index, Visitor&& visit) const {
    const std::size_t site = sorted_[index];
    std::size_t entry = first_class_entry(site);
    while (entry < class_count_ && class_counts_[entry].site == site) {
      const int size_class = class_counts_[entry].size_class;
      std::uint64_t blocks = 0;
      for (; entry < class_count_ && class_counts_[entry].site == site &&
             class_counts_[entry].size_class == size_class;
           ++entry) {
        blocks += class_counts_[entry].blocks;
      }
      visit(size_class, blocks);
    }
  }

  const BlockCount& by_kind(LeakKind kind) const noexcept { return by_kind_[static_cast<int>(kind)]; }
  const BlockCount& suppressed() const noexcept { return suppressed_; }
  const BlockCount& live() const noexcept { return live_; }

 private:
  // The group's position in groups_, or -1 when scratch memory ran out.
  long find_or_add_group(const ScannedBlock& block, ScratchArena& arena) noexcept;
  bool grow_index(ScratchArena& arena) noexcept;
  void add_size_class(std::size_t group, int size_class) noexcept;
  bool merge_by_key(ScratchArena& arena, const LeakScan& scan, unsigned symbolized_kinds) noexcept;
  void sort_size_classes() noexcept;
  std::size_t first_class_entry(std::size_t site) const noexcept;

  LeakSite* groups_ = nullptr;  // dense, in the order the groups were first seen
  std::size_t group_count_ = 0;
  std::size_t group_capacity_ = 0;
  long* index_ = nullptr;  // open addressing: a position in groups_, or -1
  std::size_t index_capacity_ = 0;  // a power of two, at least twice group_count_
  std::size_t* sorted_ = nullptr;
  std::size_t sorted_count_ = 0;
  SizeClassCount* class_counts_ = nullptr;
  std::size_t class_count_ = 0;
  std::size_t class_capacity_ = 0;
  BlockCount by_kind_[kLeakKindCount];
  BlockCount suppressed_;
  BlockCount live_;
};

}  // namespace osp::report
