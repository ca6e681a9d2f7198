// The debug heap end to end: live-block list, error log entries for each provoked error,
// and the on-demand heap check. Runs with halt_on_error=0 (see CMakeLists.txt); reports
// go to a log file so the test output stays readable.
#include <gtest/gtest.h>

#include <cstdint>
#include <atomic>
#include <cstring>
#include <thread>
#include <vector>

#include "debug/block_guards.hpp"
#include "debug/debug_heap.hpp"
#include "debug/error_log.hpp"
#include "debug/live_blocks.hpp"
#include "debug/options.hpp"
#include "memory_pool.hpp"
#include "logged_errors.hpp"

namespace osp::debug {
namespace {

using api::AllocationKind;


void* allocate_at(std::size_t bytes, const char* file, int line, AllocationKind kind) {
  return allocate({bytes, 16, kind, file, line, 0, false});
}

TEST(DebugHeap, RunsWithTheTestOptions) {
  ASSERT_FALSE(options().halt_on_error) << "run through ctest (OSP_OPTIONS is set there)";
}

TEST(DebugHeap, LiveBlocksCarryTheirOrigin) {
  void* block = allocate_at(48, "origin.cpp", 77, AllocationKind::Api);
  ASSERT_NE(block, nullptr);
  struct Search {
    const void* wanted;
    LiveBlockInfo found;
    int hits;
  } search{block, {}, 0};
  for_each_live_block([](const LiveBlockInfo& info, void* raw) {
    auto* state = static_cast<Search*>(raw);
    if (info.address == state->wanted) {
      state->found = info;
      ++state->hits;
    }
  }, &search);
  ASSERT_EQ(search.hits, 1);
  EXPECT_EQ(search.found.requested_bytes, 48u);
  EXPECT_STREQ(search.found.origin_file, "origin.cpp");
  EXPECT_EQ(search.found.origin_line, 77);
  EXPECT_EQ(search.found.kind, AllocationKind::Api);
  deallocate(block, AllocationKind::Api, 0);
  search.hits = 0;
  for_each_live_block([](const LiveBlockInfo& info, void* raw) {
    auto* state = static_cast<Search*>(raw);
    if (info.address == state->wanted) ++state->hits;
  }, &search);
  EXPECT_EQ(search.hits, 0);
}

// The live table grows in chunks of 65,536 entries and reuses freed entries: every live
// block is visited exactly once across chunk boundaries, and no freed one is.
TEST(DebugHeap, LiveTableVisitsEveryLiveBlockOnceAcrossChunks) {
  constexpr std::size_t kBlocks = 150000;  // more than two chunks on this thread's shard
  const std::size_t live_before = live_blocks::count_of(AllocationKind::Api);
  std::vector<void*> blocks(kBlocks);
  for (void*& block : blocks) {
    block = allocate_at(24, "table.cpp", 1, AllocationKind::Api);
    ASSERT_NE(block, nullptr);
  }
  EXPECT_EQ(live_blocks::count_of(AllocationKind::Api), live_before + kBlocks);
  // Free every third block, then allocate as many again: they take the freed entries.
  std::size_t freed = 0;
  for (std::size_t index = 0; index < kBlocks; index += 3, ++freed) {
    deallocate(blocks[index], AllocationKind::Api, 0);
    blocks[index] = nullptr;
  }
  std::vector<void*> refills;
  for (std::size_t index = 0; index < freed; ++index) {
    refills.push_back(allocate_at(40, "table.cpp", 2, AllocationKind::Api));
  }
  struct Tally {
    std::size_t first_line, second_line, other_table_lines;
  } tally{0, 0, 0};
  for_each_live_block([](const LiveBlockInfo& info, void* raw) {
    auto* state = static_cast<Tally*>(raw);
    if (info.origin_file == nullptr || std::strcmp(info.origin_file, "table.cpp") != 0) return;
    if (info.origin_line == 1 && info.requested_bytes == 24) ++state->first_line;
    else if (info.origin_line == 2 && info.requested_bytes == 40) ++state->second_line;
    else ++state->other_table_lines;
  }, &tally);
  EXPECT_EQ(tally.first_line, kBlocks - freed);
  EXPECT_EQ(tally.second_line, freed);
  EXPECT_EQ(tally.other_table_lines, 0u);
  EXPECT_EQ(live_blocks::count_of(AllocationKind::Api), live_before + kBlocks);
  for (void* block : blocks) {
    if (block != nullptr) deallocate(block, AllocationKind::Api, 0);
  }
  for (void* block : refills) deallocate(block, AllocationKind::Api, 0);
  EXPECT_EQ(live_blocks::count_of(AllocationKind::Api), live_before);
}

TEST(DebugHeap, FreshBlocksAreFilledAndAligned) {
  auto* block = static_cast<unsigned char*>(allocate({100, 256, AllocationKind::Malloc, nullptr, 0, 0, false}));
  ASSERT_NE(block, nullptr);
  EXPECT_EQ(reinterpret_cast<std::uintptr_t>(block) % 256, 0u);
  EXPECT_EQ(block[0], 0xbe);
  EXPECT_EQ(block[99], 0xbe);
  EXPECT_EQ(usable_size(block), 100u);
  deallocate(block, AllocationKind::Malloc, 0);
  EXPECT_EQ(usable_size(block), 0u);
}

TEST(DebugHeap, EachErrorIsLoggedWithItsKindAndAddress) {
  std::size_t before = logged_errors().size();

  void* twice = allocate_at(32, "test", 1, AllocationKind::Malloc);
  deallocate(twice, AllocationKind::Malloc, 0);
  deallocate(twice, AllocationKind::Malloc, 0);

  void* mismatched = allocate_at(32, "test", 2, AllocationKind::NewArray);
  deallocate(mismatched, AllocationKind::New, 0);

  alignas(16) static char not_heap[64];
  deallocate(not_heap, AllocationKind::Malloc, 0);

  auto* overflowing = static_cast<char*>(allocate_at(20, "test", 3, AllocationKind::Malloc));
  overflowing[21] = 0;
  deallocate(overflowing, AllocationKind::Malloc, 0);

  std::vector<ErrorRecord> log = logged_errors();
  ASSERT_EQ(log.size(), before + 4);
  EXPECT_EQ(log[before].kind, ErrorKind::DoubleFree);
  EXPECT_EQ(log[before].address, reinterpret_cast<std::uintptr_t>(twice));
  EXPECT_EQ(log[before + 1].kind, ErrorKind::AllocDeallocMismatch);
  EXPECT_EQ(log[before + 1].block_bytes, 32u);
  EXPECT_EQ(log[before + 2].kind, ErrorKind::InvalidFree);
  EXPECT_EQ(log[before + 2].address, reinterpret_cast<std::uintptr_t>(not_heap));
  EXPECT_EQ(log[before + 3].kind, ErrorKind::HeapBufferOverflow);
  EXPECT_EQ(log[before + 3].address, reinterpret_cast<std::uintptr_t>(overflowing + 21));
  EXPECT_NE(std::strstr(log[before + 3].message, "heap-buffer-overflow"), nullptr);
}

// Two threads free the same block at once, many times: the free gate lets exactly one
// of each pair through, so every round adds exactly one double-free report.
TEST(DebugHeap, RacingFreesGiveExactlyOneDoubleFree) {
  constexpr int kRounds = 200;
  std::size_t before = logged_errors().size();
  for (int round = 0; round < kRounds; ++round) {
    void* block = allocate_at(24, "race", round, AllocationKind::Malloc);
    std::atomic<int> ready{0};
    auto free_it = [&] {
      ready.fetch_add(1);
      while (ready.load() < 2) {
      }
      deallocate(block, AllocationKind::Malloc, 0);
    };
    std::thread first(free_it);
    std::thread second(free_it);
    first.join();
    second.join();
  }
  std::vector<ErrorRecord> log = logged_errors();
  ASSERT_EQ(log.size(), before + kRounds);
  for (std::size_t index = before; index < log.size(); ++index) {
    EXPECT_EQ(log[index].kind, ErrorKind::DoubleFree);
  }
}

// The pool block's slack after the tail guard is guarded too, so a write that skips the
// guard itself is still found.
TEST(DebugHeap, SlackAfterTheTailGuardIsGuarded) {
  int blocks_with_slack = 0;
  for (std::size_t requested : {1u, 24u, 100u, 1000u, 5000u}) {
    auto* user = static_cast<char*>(allocate_at(requested, "slack", 1, AllocationKind::Malloc));
    BlockHeader* header = header_of(user);
    std::size_t used = header->alignment_offset + requested + tail_guard_bytes(requested);
    std::size_t usable = os_memory::pool::MemoryPool::usable_size(pool_block_of(header));
    ASSERT_GE(usable, used);
    std::size_t slack = usable - used < kMaxSlackGuardBytes ? usable - used : kMaxSlackGuardBytes;
    if (slack != 0) ++blocks_with_slack;
    std::size_t guarded = guarded_tail_bytes(header);
    EXPECT_EQ(guarded, tail_guard_bytes(requested) + slack);
    std::size_t last = requested + guarded - 1;
    user[last] = 0;
    Damage damage = check_tail_guard(header);
    EXPECT_TRUE(damage.found());
    EXPECT_EQ(damage.first_offset, static_cast<std::ptrdiff_t>(last));
    user[last] = static_cast<char>(kGuardByte);
    deallocate(user, AllocationKind::Malloc, 0);
  }
  EXPECT_GT(blocks_with_slack, 0) << "size-class rounding should leave slack somewhere";
}

TEST(DebugHeap, HeapCheckCountsDamagedBlocksOnly) {
  auto* intact = static_cast<char*>(allocate_at(64, "test", 4, AllocationKind::Malloc));
  auto* damaged = static_cast<char*>(allocate_at(64, "test", 5, AllocationKind::Malloc));
  EXPECT_EQ(check_heap("in a test", 0), 0u);
  damaged[-1] = 0;
  EXPECT_EQ(check_heap("in a test", 0), 1u);
  damaged[-1] = static_cast<char>(0xfa);  // repaired: no report at free
  EXPECT_EQ(check_heap("in a test", 0), 0u);
  deallocate(intact, AllocationKind::Malloc, 0);
  deallocate(damaged, AllocationKind::Malloc, 0);
}

TEST(DebugHeap, ImpossibleRequestsFailCleanly) {
  EXPECT_EQ(allocate({std::size_t{1} << 62, 16, AllocationKind::Malloc, nullptr, 0, 0, false}),
            nullptr);
  EXPECT_EQ(allocate({64, std::size_t{1} << 31, AllocationKind::Malloc, nullptr, 0, 0, false}),
            nullptr);
}

}  // namespace
}  // namespace osp::debug
