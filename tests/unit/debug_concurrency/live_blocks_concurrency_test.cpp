// The live-block table under cross-thread frees (also run under ThreadSanitizer: label
// `concurrency`). Blocks are bare headers here. Owner threads insert blocks and hand each
// to two freeing threads of other shards, which free it at the same time; meanwhile a
// visitor enumerates the table and sums its counters. Exactly one free of each block must
// win, no visitor may read a header after its free returned (the winner then "fills" it,
// a plain write that ThreadSanitizer would report against the visitor's plain reads), and
// once the threads are joined the counters and the enumeration must be exact.
#include <gtest/gtest.h>

#include <atomic>
#include <cstdint>
#include <memory>
#include <thread>
#include <vector>

#include "debug/block_header.hpp"
#include "debug/live_blocks.hpp"

namespace osp::debug {
namespace {

constexpr int kOwners = 2;
constexpr int kRounds = 200;
constexpr int kBlocksPerRound = 250;
constexpr int kKeptPerRound = 10;  // never freed: still live at the end
constexpr std::uint16_t kFirstOwnerThread = 3;
constexpr std::uint16_t kFirstFreeingThread = 20;
constexpr std::uint16_t kThreadBeyondTheSlots = 1000;
constexpr std::uint32_t kLiveOrigin = 0x11fe;
constexpr std::uint32_t kFilledOrigin = 0xdead;
constexpr char kTestFile[] = "live_blocks_concurrency";

struct Handoff {
  std::atomic<int> round{-1};  // the last round the owner published
};

void prepare(BlockHeader& header, std::uint16_t owner, std::size_t bytes) {
  header = BlockHeader{};
  header.origin_file = kTestFile;
  header.origin = kLiveOrigin;
  header.requested_bytes = bytes;
  header.allocation_thread = owner;
  header.kind = static_cast<std::uint8_t>(api::AllocationKind::Api);
  header.magic = kLiveMagic;
}

// The blocks of these tests that the table lists.
std::size_t listed_test_blocks() {
  std::size_t listed = 0;
  live_blocks::for_each_header(
      [](BlockHeader* header, void* raw) {
        if (header->origin_file == kTestFile) ++*static_cast<std::size_t*>(raw);
      },
      &listed);
  return listed;
}

TEST(LiveBlocksConcurrency, OneFreeWinsVisitorsNeverSeeFreedBlocksCountsStayExact) {
  const std::size_t count_before = live_blocks::count_of(api::AllocationKind::Api);
  const std::size_t bytes_before = live_blocks::bytes_of(api::AllocationKind::Api);
  // Per owner, one header array per round: a freed header is never reused here (the
  // runtime's quarantine holds it back too).
  std::vector<std::unique_ptr<BlockHeader[]>> headers;
  for (int index = 0; index < kOwners * kRounds; ++index) {
    headers.emplace_back(new BlockHeader[kBlocksPerRound]());
  }
  std::vector<Handoff> handoffs(kOwners);
  std::atomic<long> wins{0};
  std::atomic<long> losses{0};
  std::atomic<bool> stop{false};
  std::atomic<long> bad_visits{0};
  std::atomic<long> visits{0};
  std::atomic<long> passes{0};  // the visitor's completed enumerations

  // Owners stay alive to the end: their own shards are theirs only while they live.
  std::atomic<bool> free_kept{false};
  std::atomic<int> owners_done{0};
  std::vector<std::thread> owners;
  std::vector<std::thread> threads;
  for (int owner = 0; owner < kOwners; ++owner) {
    owners.emplace_back([&, owner] {
      const auto thread = static_cast<std::uint16_t>(kFirstOwnerThread + owner);
      for (int round = 0; round < kRounds; ++round) {
        BlockHeader* blocks = headers[owner * kRounds + round].get();
        for (int index = 0; index < kBlocksPerRound; ++index) {
          prepare(blocks[index], thread, 16 + static_cast<std::size_t>(index));
          live_blocks::insert(&blocks[index]);
        }
        // The owner goes on inserting while the freers free this round, so it takes
        // their entries back from its remote list.
        handoffs[owner].round.store(round, std::memory_order_release);
      }
      owners_done.fetch_add(1, std::memory_order_release);
      while (!free_kept.load(std::memory_order_acquire)) std::this_thread::yield();
      // A third of the kept blocks freed by their owner: local frees.
      for (int round = 0; round < kRounds; ++round) {
        BlockHeader* blocks = headers[owner * kRounds + round].get();
        for (int index = 0; index < kKeptPerRound; index += 3) {
          EXPECT_TRUE(live_blocks::remove_as_freed(&blocks[index], thread));
          EXPECT_FALSE(live_blocks::remove_as_freed(&blocks[index], thread));
        }
      }
    });
    for (int freer = 0; freer < 2; ++freer) {
      threads.emplace_back([&, owner, freer] {
        const auto thread = static_cast<std::uint16_t>(kFirstFreeingThread + 2 * owner + freer);
        // Frees start once the visitor is running, so they race its enumerations.
        while (passes.load(std::memory_order_acquire) < 1) std::this_thread::yield();
        for (int round = 0; round < kRounds; ++round) {
          while (handoffs[owner].round.load(std::memory_order_acquire) < round) {
            std::this_thread::yield();
          }
          BlockHeader* blocks = headers[owner * kRounds + round].get();
          for (int index = kKeptPerRound; index < kBlocksPerRound; ++index) {
            // Both freers walk the blocks in the same order, so most frees race.
            if (live_blocks::remove_as_freed(&blocks[index], thread)) {
              wins.fetch_add(1, std::memory_order_relaxed);
              blocks[index].origin = kFilledOrigin;  // what the runtime's fill would do
            } else {
              losses.fetch_add(1, std::memory_order_relaxed);
            }
          }
        }
      });
    }
  }
  std::thread visitor([&] {
    while (!stop.load(std::memory_order_acquire)) {
      struct Tally {
        long bad;
        long seen;
      } tally{0, 0};
      live_blocks::for_each_header(
          [](BlockHeader* header, void* raw) {
            auto* state = static_cast<Tally*>(raw);
            if (header->origin_file != kTestFile) return;
            ++state->seen;
            if (header->origin != kLiveOrigin || header->freed()) ++state->bad;
          },
          &tally);
      bad_visits.fetch_add(tally.bad, std::memory_order_relaxed);
      visits.fetch_add(tally.seen, std::memory_order_relaxed);
      passes.fetch_add(1, std::memory_order_release);
      // Sums taken while blocks come and go are never below zero.
      const std::size_t count = live_blocks::count_of(api::AllocationKind::Api);
      if (count > count_before + std::size_t{kOwners} * kRounds * kBlocksPerRound) {
        bad_visits.fetch_add(1, std::memory_order_relaxed);
      }
    }
  });
  for (std::thread& thread : threads) thread.join();
  while (owners_done.load(std::memory_order_acquire) < kOwners) std::this_thread::yield();
  // At least one whole enumeration after the owners are done, whose kept blocks it must
  // see, however fast the rest ran.
  const long passes_now = passes.load(std::memory_order_acquire);
  while (passes.load(std::memory_order_acquire) < passes_now + 2) std::this_thread::yield();
  stop.store(true, std::memory_order_release);
  visitor.join();

  const long freed_per_owner = static_cast<long>(kRounds) * (kBlocksPerRound - kKeptPerRound);
  EXPECT_EQ(wins.load(), kOwners * freed_per_owner);
  EXPECT_EQ(losses.load(), kOwners * freed_per_owner);
  EXPECT_EQ(bad_visits.load(), 0);
  EXPECT_GT(visits.load(), 0);

  // Exact afterwards: only the kept blocks are live, each visited once.
  std::size_t kept_bytes = 0;
  for (int index = 0; index < kKeptPerRound; ++index) kept_bytes += 16 + index;
  const std::size_t kept = std::size_t{kOwners} * kRounds * kKeptPerRound;
  EXPECT_EQ(live_blocks::count_of(api::AllocationKind::Api), count_before + kept);
  EXPECT_EQ(live_blocks::bytes_of(api::AllocationKind::Api),
            bytes_before + std::size_t{kOwners} * kRounds * kept_bytes);
  EXPECT_EQ(listed_test_blocks(), kept);

  // The kept blocks freed by their owners (local frees, above) and by this thread
  // (remote, counted in a thread's slot or in a shard): all gone.
  free_kept.store(true, std::memory_order_release);
  for (std::thread& owner : owners) owner.join();
  for (int owner = 0; owner < kOwners; ++owner) {
    for (int round = 0; round < kRounds; ++round) {
      BlockHeader* blocks = headers[owner * kRounds + round].get();
      for (int index = 0; index < kKeptPerRound; ++index) {
        if (index % 3 == 0) continue;
        const std::uint16_t thread = index % 3 == 1 ? kFirstFreeingThread : kThreadBeyondTheSlots;
        EXPECT_TRUE(live_blocks::remove_as_freed(&blocks[index], thread));
        EXPECT_FALSE(live_blocks::remove_as_freed(&blocks[index], thread));
      }
    }
  }
  EXPECT_EQ(live_blocks::count_of(api::AllocationKind::Api), count_before);
  EXPECT_EQ(live_blocks::bytes_of(api::AllocationKind::Api), bytes_before);
  EXPECT_EQ(listed_test_blocks(), 0u);
}

// Entries freed by other threads are reused: a long run of remote frees does not grow
// the owner's table (find_containing walks every entry ever handed out). The owner may
// have inherited a shard from an exited thread of an earlier test, free entries and all.
TEST(LiveBlocksConcurrency, RemotelyFreedEntriesAreReused) {
  constexpr int kBlocks = 40;  // not a whole number of remote batches: the exit pushes the rest
  constexpr std::uint16_t kOwner = 7;
  constexpr std::uint16_t kFreer = 8;
  std::unique_ptr<BlockHeader[]> blocks(new BlockHeader[kBlocks]());
  const std::uint64_t entries_before = live_blocks::entries_handed_out();
  for (int round = 0; round < 1000; ++round) {
    for (int index = 0; index < kBlocks; ++index) {
      prepare(blocks[index], kOwner, 8);
      live_blocks::insert(&blocks[index]);
    }
    std::thread freer([&] {
      for (int index = 0; index < kBlocks; ++index) {
        ASSERT_TRUE(live_blocks::remove_as_freed(&blocks[index], kFreer));
      }
    });
    freer.join();
  }
  EXPECT_LT(live_blocks::entries_handed_out() - entries_before, std::uint64_t{2} * kBlocks);
}

// More threads at once than there are shards to own: the rest share shards under their
// plain locks. Each thread frees half its blocks itself and hands the rest to the next
// thread; the counts come out exact.
TEST(LiveBlocksConcurrency, MoreThreadsThanOwnedShardsShareShards) {
  constexpr int kThreads = 200;
  constexpr int kBlocks = 40;
  const std::size_t count_before = live_blocks::count_of(api::AllocationKind::Api);
  std::vector<std::unique_ptr<BlockHeader[]>> headers;
  for (int index = 0; index < kThreads; ++index) {
    headers.emplace_back(new BlockHeader[kBlocks]());
  }
  std::atomic<int> inserted{0};
  std::atomic<int> failures{0};
  std::vector<std::thread> threads;
  for (int number = 0; number < kThreads; ++number) {
    threads.emplace_back([&, number] {
      const auto thread = static_cast<std::uint16_t>(100 + number);
      BlockHeader* mine = headers[number].get();
      for (int index = 0; index < kBlocks; ++index) {
        prepare(mine[index], thread, 8);
        live_blocks::insert(&mine[index]);
      }
      // Every thread alive and holding its shard before any frees.
      inserted.fetch_add(1, std::memory_order_acq_rel);
      while (inserted.load(std::memory_order_acquire) < kThreads) std::this_thread::yield();
      BlockHeader* next = headers[(number + 1) % kThreads].get();
      for (int index = 0; index < kBlocks; ++index) {
        BlockHeader* block = index % 2 == 0 ? &mine[index] : &next[index];
        if (!live_blocks::remove_as_freed(block, thread)) failures.fetch_add(1);
      }
    });
  }
  for (std::thread& thread : threads) thread.join();
  EXPECT_EQ(failures.load(), 0);
  EXPECT_EQ(live_blocks::count_of(api::AllocationKind::Api), count_before);
}

// A thread's shard outlives it: its blocks stay listed after it exits, the next thread
// may own the shard, and frees from anywhere still find their entries.
TEST(LiveBlocksConcurrency, BlocksOfExitedThreadsStayListedAndFreeable) {
  constexpr int kGenerations = 300;  // more threads, one after another, than shards
  constexpr int kBlocks = 8;
  const std::size_t count_before = live_blocks::count_of(api::AllocationKind::Api);
  std::vector<std::unique_ptr<BlockHeader[]>> headers;
  for (int index = 0; index < kGenerations; ++index) {
    headers.emplace_back(new BlockHeader[kBlocks]());
  }
  for (int generation = 0; generation < kGenerations; ++generation) {
    std::thread([&, generation] {
      const auto thread = static_cast<std::uint16_t>(400 + generation);
      BlockHeader* mine = headers[generation].get();
      for (int index = 0; index < kBlocks; ++index) {
        prepare(mine[index], thread, 8);
        live_blocks::insert(&mine[index]);
      }
      // Half of the previous generation's blocks, freed by this thread.
      if (generation > 0) {
        BlockHeader* previous = headers[generation - 1].get();
        for (int index = 0; index < kBlocks; index += 2) {
          EXPECT_TRUE(live_blocks::remove_as_freed(&previous[index], thread));
        }
      }
    }).join();
  }
  const std::size_t left = kGenerations * (kBlocks / 2) + kBlocks / 2;
  EXPECT_EQ(live_blocks::count_of(api::AllocationKind::Api), count_before + left);
  EXPECT_EQ(listed_test_blocks(), left);
  for (int generation = 0; generation < kGenerations; ++generation) {
    BlockHeader* blocks = headers[generation].get();
    for (int index = 0; index < kBlocks; ++index) {
      if (generation < kGenerations - 1 && index % 2 == 0) continue;
      EXPECT_TRUE(live_blocks::remove_as_freed(&blocks[index], 7));
    }
  }
  EXPECT_EQ(live_blocks::count_of(api::AllocationKind::Api), count_before);
}

}  // namespace
}  // namespace osp::debug
