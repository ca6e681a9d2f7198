// Medium blocks that realloc moves: their pages move to the new block instead of being
// copied (BuddyAllocator::move_pages), in pieces where earlier moves split the arena into
// several kernel mappings, and within a bound on the mappings they add.
#include <gtest/gtest.h>

#include <cstdint>
#include <fstream>
#include <string>
#include <vector>

#include "memory_pool.hpp"
#include "os/os_memory.hpp"
#include "page_marks.hpp"
#include "pool/buddy_allocator.hpp"

namespace {

using os_memory::Tier;
using os_memory::pool::MemoryPool;
using osp::pool::BuddyAllocator;
using osp::test::mark_pages;
using osp::test::pages_marked;
constexpr std::size_t kMiB = std::size_t{1} << 20;

std::uint64_t medium_live_bytes() {
  return MemoryPool::counters().tiers[static_cast<int>(Tier::Medium)].live_bytes;
}

bool reads_zero(const unsigned char* block, std::size_t bytes) {
  for (std::size_t offset = 0; offset < bytes; offset += osp::test::kMarkStrideBytes) {
    if (block[offset] != 0) return false;
  }
  return true;
}

#if defined(__linux__)
// The kernel mappings that overlap [address, address + bytes) (/proc/self/maps).
int mappings_overlapping(const void* address, std::size_t bytes) {
  const auto first = reinterpret_cast<std::uintptr_t>(address);
  std::ifstream maps("/proc/self/maps");
  int count = 0;
  for (std::string line; std::getline(maps, line);) {
    const std::size_t dash = line.find('-');
    const std::uintptr_t start = std::stoull(line.substr(0, dash), nullptr, 16);
    const std::uintptr_t end = std::stoull(line.substr(dash + 1), nullptr, 16);
    count += start < first + bytes && end > first;
  }
  return count;
}

// The kernel mappings that overlap the arena holding `address`.
int mappings_in_arena_of(const void* address) {
  const auto arena = reinterpret_cast<std::uintptr_t>(address) / BuddyAllocator::kArenaBytes *
                     BuddyAllocator::kArenaBytes;
  return mappings_overlapping(reinterpret_cast<const void*>(arena), BuddyAllocator::kArenaBytes);
}
#endif

// A live block of `bytes` (a multiple of 4 MiB) over the edges an earlier move left (its
// source and destination, a quarter of `bytes` each, freed again): it spans several
// mappings. The caller keeps the arena with a live block (an arena that empties with
// edges goes back to the OS). Null when the layout did not come out that way.
unsigned char* block_over_edges(std::size_t bytes) {
  void* source = MemoryPool::allocate(bytes / 4);
  void* destination = MemoryPool::allocate(bytes / 4);
  if (source == nullptr || destination == nullptr) return nullptr;
  const bool moved = BuddyAllocator::move_pages(source, destination, bytes / 4).moved_bytes == bytes / 4;
  MemoryPool::deallocate(source);
  MemoryPool::deallocate(destination);
  MemoryPool::flush_thread_cache();  // both back to the buddy allocator, merged
  auto* block = static_cast<unsigned char*>(MemoryPool::allocate(bytes));
  if (block != nullptr && (!moved || BuddyAllocator::in_one_mapping(block))) {
    MemoryPool::deallocate(block);
    return nullptr;
  }
  return block;
}

class PageMoves : public ::testing::Test {
 protected:
  void SetUp() override {
    if (!osp::os::can_move_pages()) GTEST_SKIP() << "the OS cannot move pages: realloc copies";
    MemoryPool::flush_thread_cache();
    ASSERT_TRUE(BuddyAllocator::all_arenas_coalesced()) << "precondition: no live Medium block";
  }
  void TearDown() override {
    MemoryPool::flush_thread_cache();
    EXPECT_TRUE(BuddyAllocator::all_arenas_coalesced());
  }
};

TEST_F(PageMoves, AMovedBlockKeepsItsPagesAndItsOldPlaceReadsZeros) {
  auto* from = static_cast<unsigned char*>(MemoryPool::allocate(8 * kMiB));
  auto* to = static_cast<unsigned char*>(MemoryPool::allocate(16 * kMiB));
  ASSERT_NE(from, nullptr);
  ASSERT_NE(to, nullptr);
  mark_pages(from, 8 * kMiB);
  const BuddyAllocator::PageMoveResult moved = BuddyAllocator::move_pages(from, to, 8 * kMiB);
  EXPECT_EQ(moved.moved_bytes, 8 * kMiB);
  EXPECT_FALSE(moved.destination_lost);
  EXPECT_TRUE(pages_marked(to, 8 * kMiB));
  EXPECT_TRUE(reads_zero(from, 8 * kMiB));
  EXPECT_TRUE(osp::os::can_move_pages()) << "no move was refused";
  MemoryPool::deallocate(from);
  MemoryPool::deallocate(to);
}

// A block moved into a larger one makes all of it one mapping (the move grows it): its
// pages, then zeros. So it can move again, or leave the Medium tier, in one piece.
TEST_F(PageMoves, ABlockMovedIntoALargerOneMakesItOneMappingWhole) {
  auto* from = static_cast<unsigned char*>(MemoryPool::allocate(4 * kMiB));
  auto* to = static_cast<unsigned char*>(MemoryPool::allocate(16 * kMiB));
  ASSERT_TRUE(from != nullptr && to != nullptr);
  mark_pages(from, 4 * kMiB);
  const BuddyAllocator::PageMoveResult moved = BuddyAllocator::move_pages(from, to, 4 * kMiB);
  EXPECT_EQ(moved.moved_bytes, 4 * kMiB);
  EXPECT_FALSE(moved.source_lost);
  EXPECT_TRUE(pages_marked(to, 4 * kMiB));
  EXPECT_TRUE(reads_zero(to + 4 * kMiB, 12 * kMiB));
  EXPECT_TRUE(reads_zero(from, 4 * kMiB));
  EXPECT_TRUE(BuddyAllocator::in_one_mapping(to));
#if defined(__linux__)
  EXPECT_EQ(mappings_overlapping(to, 16 * kMiB), 1);
#endif
  EXPECT_TRUE(osp::os::can_move_pages()) << "no move was refused";
  MemoryPool::deallocate(from);
  MemoryPool::deallocate(to);
}

// The growth series of the micro-benchmark: a 4 MiB block first (at the arena's start),
// then a buffer grown by realloc in 1.5× steps from 2 MiB until it holds `until` bytes,
// its contents checked at every step and `each_step` called after each.
struct GrowthSeries {
  void* blocker = nullptr;
  unsigned char* buffer = nullptr;
  std::size_t size = 0;
  int moves = 0;
};

template <typename EachStep>
void grow_past_a_blocker(std::size_t until, GrowthSeries& series, EachStep each_step) {
  series.blocker = MemoryPool::allocate(4 * kMiB);
  ASSERT_NE(series.blocker, nullptr);
  series.buffer = static_cast<unsigned char*>(MemoryPool::allocate(2 * kMiB));
  ASSERT_NE(series.buffer, nullptr);
  series.size = 2 * kMiB;
  mark_pages(series.buffer, series.size);
  for (std::size_t bytes = 3 * kMiB; series.size < until; bytes += bytes / 2) {
    auto* grown = static_cast<unsigned char*>(MemoryPool::reallocate(series.buffer, bytes));
    ASSERT_NE(grown, nullptr);
    series.moves += grown != series.buffer;
    series.buffer = grown;
    ASSERT_TRUE(pages_marked(grown, series.size)) << "contents kept growing to " << bytes << " bytes";
    series.size = bytes;
    mark_pages(grown, bytes);
    each_step(series);
  }
}

// The blocker keeps the buffer from ever reaching a whole arena in place, so the last
// step (to 384 MiB) moves it to a new arena. Every move keeps the contents and the
// counters stay exact.
TEST_F(PageMoves, ABufferGrowingPastABlockAtTheArenaStartKeepsItsPages) {
  GrowthSeries series;
  grow_past_a_blocker(256 * kMiB, series, [](const GrowthSeries& now) {
    EXPECT_EQ(medium_live_bytes(), BuddyAllocator::block_bytes(now.blocker) +
                                       BuddyAllocator::block_bytes(now.buffer));
  });
  ASSERT_FALSE(HasFatalFailure());
  EXPECT_GE(series.moves, 2) << "out of the blocker's way, then to a whole arena";
  EXPECT_TRUE(osp::os::can_move_pages()) << "no move was refused";
  MemoryPool::deallocate(series.buffer);
  MemoryPool::deallocate(series.blocker);
}

// The same buffer growing on past the Medium tier, as a Python bytearray does: every step
// keeps it one mapping (moves grow their destination whole, and growth in place does not
// cross an edge), so it leaves the tier by moving its pages, not by a copy, and ends as
// one Large mapping.
TEST_F(PageMoves, ABufferGrowingPastTheTierAfterMovesStaysOneMapping) {
  GrowthSeries series;
  grow_past_a_blocker(700 * kMiB, series, [](const GrowthSeries& now) {
    if (MemoryPool::tier_of(now.buffer) == Tier::Medium) {
      EXPECT_TRUE(BuddyAllocator::in_one_mapping(now.buffer)) << "at " << now.size << " bytes";
    }
  });
  ASSERT_FALSE(HasFatalFailure());
  EXPECT_EQ(MemoryPool::tier_of(series.buffer), Tier::Large);
#if defined(__linux__)
  EXPECT_EQ(mappings_overlapping(series.buffer, series.size), 1);
#endif
  EXPECT_TRUE(osp::os::can_move_pages()) << "no move was refused";
  EXPECT_EQ(medium_live_bytes(), BuddyAllocator::block_bytes(series.blocker));
  MemoryPool::deallocate(series.buffer);
  MemoryPool::deallocate(series.blocker);
}

// A block realloc moved by its pages holds none once freed: it is not retained (the budget
// keeps other freed blocks' pages) and not cached as a warm block, which the cache's flush
// would retain.
TEST_F(PageMoves, ABlockWhosePagesMovedIsNotRetainedWhenFreed) {
  void* blocker = MemoryPool::allocate(8 * kMiB);  // right after the buffer: no growth in place
  auto* buffer = static_cast<unsigned char*>(MemoryPool::allocate(8 * kMiB));
  ASSERT_TRUE(blocker != nullptr && buffer != nullptr);
  void* neighbour = MemoryPool::allocate(8 * kMiB);
  ASSERT_NE(neighbour, nullptr);
  mark_pages(buffer, 8 * kMiB);
  const std::size_t retained_before = BuddyAllocator::retained_bytes();
  auto* grown = static_cast<unsigned char*>(MemoryPool::reallocate(buffer, 24 * kMiB));
  ASSERT_NE(grown, nullptr);
  ASSERT_NE(grown, buffer) << "the neighbour keeps it from growing in place";
  EXPECT_TRUE(pages_marked(grown, 8 * kMiB));
  MemoryPool::flush_thread_cache();
  EXPECT_EQ(BuddyAllocator::retained_bytes(), retained_before) << "the moved-away block holds no pages";
  EXPECT_EQ(medium_live_bytes(), 8 * kMiB + 8 * kMiB + BuddyAllocator::block_bytes(grown));
  EXPECT_TRUE(osp::os::can_move_pages()) << "no move was refused";
  for (void* block : {blocker, neighbour, static_cast<void*>(grown)}) MemoryPool::deallocate(block);
}

// A block placed over the edges earlier moves left spans several mappings; moving it
// takes one piece per mapping, in order.
TEST_F(PageMoves, ABlockOverSeveralMappingsMovesInPiecesAtTheirEdges) {
  void* blocker = MemoryPool::allocate(64 * kMiB);  // keeps the arena from being released
  ASSERT_NE(blocker, nullptr);
  unsigned char* spanning = block_over_edges(32 * kMiB);
  ASSERT_NE(spanning, nullptr) << "precondition: a block over several mappings";
  auto* third = static_cast<unsigned char*>(MemoryPool::allocate(64 * kMiB));
  ASSERT_NE(third, nullptr);
  mark_pages(spanning, 32 * kMiB);
  std::vector<unsigned char> expected(spanning, spanning + 32 * kMiB);
  const BuddyAllocator::PageMoveResult moved = BuddyAllocator::move_pages(spanning, third, 32 * kMiB);
  EXPECT_EQ(moved.moved_bytes, 32 * kMiB);
  EXPECT_TRUE(std::equal(expected.begin(), expected.end(), third)) << "every piece in order";
  EXPECT_TRUE(reads_zero(spanning, 32 * kMiB));
  EXPECT_TRUE(osp::os::can_move_pages()) << "no move was refused";
  for (void* block : {blocker, static_cast<void*>(spanning), static_cast<void*>(third)}) {
    MemoryPool::deallocate(block);
  }
}

// A Medium buffer that grows past the Medium tier becomes one mapping of its own with its
// pages, so the Large tier can move it again as it grows further.
TEST_F(PageMoves, AMediumBlockGrowingPastTheTierBecomesOneMappingWithItsPages) {
  const std::uint64_t large_before =
      MemoryPool::counters().tiers[static_cast<int>(Tier::Large)].live_bytes;
  auto* buffer = static_cast<unsigned char*>(MemoryPool::allocate(300 * kMiB));
  ASSERT_NE(buffer, nullptr);
  ASSERT_EQ(MemoryPool::tier_of(buffer), Tier::Medium);
  mark_pages(buffer, 300 * kMiB);
  auto* large = static_cast<unsigned char*>(MemoryPool::reallocate(buffer, 700 * kMiB));
  ASSERT_NE(large, nullptr);
  EXPECT_EQ(MemoryPool::tier_of(large), Tier::Large);
  EXPECT_TRUE(pages_marked(large, 300 * kMiB));
  EXPECT_EQ(medium_live_bytes(), 0u) << "the Medium block was freed";
  EXPECT_EQ(MemoryPool::counters().tiers[static_cast<int>(Tier::Large)].live_bytes,
            large_before + 700 * kMiB);
#if defined(__linux__)
  EXPECT_EQ(mappings_overlapping(large, 700 * kMiB), 1) << "one mapping, pages and all";
#endif
  EXPECT_TRUE(osp::os::can_move_pages()) << "no move was refused";
  mark_pages(large, 700 * kMiB);
  auto* huge = static_cast<unsigned char*>(MemoryPool::reallocate(large, 1200 * kMiB));
  ASSERT_NE(huge, nullptr);
  EXPECT_EQ(MemoryPool::tier_of(huge), Tier::Huge);
  EXPECT_TRUE(pages_marked(huge, 700 * kMiB));
  MemoryPool::deallocate(huge);
  EXPECT_EQ(MemoryPool::counters().tiers[static_cast<int>(Tier::Large)].live_bytes, large_before);
}

// A block over several mappings growing past the Medium tier is copied (pages from
// several mappings would make a Large block the Large tier could not move again), and
// refuses no page move on the way.
TEST_F(PageMoves, AMediumBlockOfSeveralMappingsGrowingPastTheTierIsCopied) {
  void* blocker = MemoryPool::allocate(64 * kMiB);  // keeps the arena from being released
  ASSERT_NE(blocker, nullptr);
  unsigned char* spanning = block_over_edges(8 * kMiB);
  ASSERT_NE(spanning, nullptr) << "precondition: a block over several mappings";
  mark_pages(spanning, 8 * kMiB);
  auto* large = static_cast<unsigned char*>(MemoryPool::reallocate(spanning, 700 * kMiB));
  ASSERT_NE(large, nullptr);
  EXPECT_EQ(MemoryPool::tier_of(large), Tier::Large);
  EXPECT_TRUE(pages_marked(large, 8 * kMiB));
  EXPECT_TRUE(osp::os::can_move_pages()) << "no move was refused";
#if defined(__linux__)
  EXPECT_EQ(mappings_overlapping(large, 700 * kMiB), 1);
#endif
  MemoryPool::deallocate(large);
  MemoryPool::deallocate(blocker);
}

// Moves into one arena stop at its budget of mappings; blocks are then copied, and an
// arena that empties gives its mappings back to the OS.
TEST_F(PageMoves, AnArenaTakesNoMoreMappingsThanItsBudget) {
  void* blocker = MemoryPool::allocate(4 * kMiB);  // keeps the arena from being released
  ASSERT_NE(blocker, nullptr);
#if defined(__linux__)
  const int mappings_before = mappings_in_arena_of(blocker);
#endif
  // Each destination stays live, so each move lands somewhere new: two more edges.
  std::vector<void*> destinations;
  int moved = 0;
  int refused = 0;
  for (int round = 0; round < BuddyAllocator::kMaxMappingEdges + 8; ++round) {
    auto* from = static_cast<unsigned char*>(MemoryPool::allocate(4 * kMiB));
    auto* to = static_cast<unsigned char*>(MemoryPool::allocate(8 * kMiB));
    ASSERT_TRUE(from != nullptr && to != nullptr);
    destinations.push_back(to);
    mark_pages(from, 4 * kMiB);
    const BuddyAllocator::PageMoveResult result = BuddyAllocator::move_pages(from, to, 4 * kMiB);
    EXPECT_FALSE(result.destination_lost);
    if (result.moved_bytes == 4 * kMiB) {
      ++moved;
      EXPECT_TRUE(pages_marked(to, 4 * kMiB));
    } else {
      EXPECT_EQ(result.moved_bytes, 0u) << "a move is whole or not at all";
      ++refused;
      EXPECT_TRUE(pages_marked(from, 4 * kMiB)) << "a refused move changes nothing";
    }
    MemoryPool::deallocate(from);
  }
  EXPECT_GT(moved, 0);
  EXPECT_GT(refused, 0) << "the budget ran out";
  EXPECT_TRUE(osp::os::can_move_pages()) << "refusals came from the budget, not the OS";
#if defined(__linux__)
  EXPECT_LE(mappings_in_arena_of(blocker), mappings_before + BuddyAllocator::kMaxMappingEdges);
#endif
  for (void* block : destinations) MemoryPool::deallocate(block);
  MemoryPool::deallocate(blocker);
  MemoryPool::flush_thread_cache();
  void* fresh = MemoryPool::allocate(4 * kMiB);
  ASSERT_NE(fresh, nullptr);
#if defined(__linux__)
  EXPECT_EQ(mappings_in_arena_of(fresh), 1) << "the split arena went back to the OS";
#endif
  MemoryPool::deallocate(fresh);
}

}  // namespace
