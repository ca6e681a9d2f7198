// Frees from other threads than the allocating one, end to end through the debug heap:
// two threads race to free each block (a remote free and, when their shards meet, a local
// one) while another thread runs heap checks and enumerates the live blocks. Exactly one
// free of each block wins (one double-free report per block), no visitor sees a block
// filled under it (the heap check would count the freed fill over the guards as damage),
// and once the threads are joined the live counts are exact.
#include <gtest/gtest.h>

#include <atomic>
#include <thread>
#include <vector>

#include "debug/debug_heap.hpp"
#include "debug/error_log.hpp"
#include "debug/live_blocks.hpp"

namespace osp::debug {
namespace {

using api::AllocationKind;

constexpr int kProducers = 2;
constexpr int kRounds = 40;
constexpr int kBlocksPerRound = 128;
constexpr int kKeptPerRound = 4;  // freed only at the end
constexpr char kOrigin[] = "cross_thread_free";

std::size_t bytes_of_block(int line) { return 24 + static_cast<std::size_t>(line % 200); }

struct Visit {
  long stress_blocks;
  long wrong_size;
};

TEST(CrossThreadFree, RacingFreesWithConcurrentVisitorsStayExact) {
  const std::size_t live_before = live_blocks::count_of(AllocationKind::Api);
  const std::size_t bytes_before = live_blocks::bytes_of(AllocationKind::Api);
  const std::size_t errors_before = error_count();

  std::vector<std::vector<void*>> blocks(kProducers * kRounds,
                                         std::vector<void*>(kBlocksPerRound, nullptr));
  std::vector<std::atomic<int>> published(kProducers);
  for (std::atomic<int>& round : published) round.store(-1);
  // Rounds each freer has finished: a freer starts a round only when its partner has
  // finished the one before, so the losing free of a block always comes while the block is
  // still in the quarantine (a late one could free the block's next occupant instead).
  std::vector<std::atomic<int>> finished(2 * kProducers);
  for (std::atomic<int>& round : finished) round.store(-1);
  std::atomic<bool> stop{false};
  std::atomic<long> damaged{0};
  std::atomic<long> wrong_size{0};
  std::atomic<long> checks{0};

  std::vector<std::thread> threads;
  for (int producer = 0; producer < kProducers; ++producer) {
    threads.emplace_back([&, producer] {
      for (int round = 0; round < kRounds; ++round) {
        std::vector<void*>& mine = blocks[producer * kRounds + round];
        for (int index = 0; index < kBlocksPerRound; ++index) {
          const int line = round * kBlocksPerRound + index;
          mine[index] = allocate({bytes_of_block(line), 16, AllocationKind::Api, kOrigin, line,
                                  0, false});
        }
        published[producer].store(round, std::memory_order_release);
      }
    });
    for (int freer = 0; freer < 2; ++freer) {
      threads.emplace_back([&, producer, freer] {
        std::atomic<int>& partner = finished[2 * producer + (1 - freer)];
        for (int round = 0; round < kRounds; ++round) {
          while (published[producer].load(std::memory_order_acquire) < round ||
                 partner.load(std::memory_order_acquire) < round - 1) {
            std::this_thread::yield();
          }
          const std::vector<void*>& theirs = blocks[producer * kRounds + round];
          for (int index = kKeptPerRound; index < kBlocksPerRound; ++index) {
            deallocate(theirs[index], AllocationKind::Api, 0);
          }
          finished[2 * producer + freer].store(round, std::memory_order_release);
        }
      });
    }
  }
  std::thread visitor([&] {
    while (!stop.load(std::memory_order_acquire)) {
      damaged.fetch_add(static_cast<long>(check_heap("in a stress test", 0)));
      Visit visit{0, 0};
      for_each_live_block(
          [](const LiveBlockInfo& block, void* raw) {
            auto* state = static_cast<Visit*>(raw);
            if (block.origin_file != kOrigin) return;
            ++state->stress_blocks;
            if (block.requested_bytes != bytes_of_block(block.origin_line)) ++state->wrong_size;
          },
          &visit);
      wrong_size.fetch_add(visit.wrong_size);
      checks.fetch_add(1);
    }
  });
  for (std::thread& thread : threads) thread.join();
  stop.store(true, std::memory_order_release);
  visitor.join();

  const std::size_t racing_pairs =
      std::size_t{kProducers} * kRounds * (kBlocksPerRound - kKeptPerRound);
  EXPECT_EQ(error_count() - errors_before, racing_pairs) << "one double free per block";
  EXPECT_EQ(damaged.load(), 0) << "a heap check saw a block filled under it";
  EXPECT_EQ(wrong_size.load(), 0);
  EXPECT_GT(checks.load(), 0);

  const std::size_t kept = std::size_t{kProducers} * kRounds * kKeptPerRound;
  EXPECT_EQ(live_blocks::count_of(AllocationKind::Api), live_before + kept);
  Visit listed{0, 0};
  for_each_live_block(
      [](const LiveBlockInfo& block, void* raw) {
        if (block.origin_file == kOrigin) ++static_cast<Visit*>(raw)->stress_blocks;
      },
      &listed);
  EXPECT_EQ(listed.stress_blocks, static_cast<long>(kept));

  // The kept blocks, freed from another thread too: the counts come back exactly.
  std::thread last_freer([&] {
    for (const std::vector<void*>& round : blocks) {
      for (int index = 0; index < kKeptPerRound; ++index) {
        deallocate(round[index], AllocationKind::Api, 0);
      }
    }
  });
  last_freer.join();
  EXPECT_EQ(live_blocks::count_of(AllocationKind::Api), live_before);
  EXPECT_EQ(live_blocks::bytes_of(AllocationKind::Api), bytes_before);
  listed = {0, 0};
  for_each_live_block(
      [](const LiveBlockInfo& block, void* raw) {
        if (block.origin_file == kOrigin) ++static_cast<Visit*>(raw)->stress_blocks;
      },
      &listed);
  EXPECT_EQ(listed.stress_blocks, 0);
  EXPECT_EQ(error_count() - errors_before, racing_pairs);
}

}  // namespace
}  // namespace osp::debug
