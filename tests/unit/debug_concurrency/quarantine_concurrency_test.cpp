// The quarantine under concurrent frees, heap checks and thread exits (also run under
// ThreadSanitizer: label `concurrency`). Blocks are bare headers here; the quarantine
// only links and counts them. Every block pushed must come back out exactly once, and a
// visitor must only ever see fully published blocks.
#include <gtest/gtest.h>

#include <atomic>
#include <cstdint>
#include <memory>
#include <thread>
#include <vector>

#include "debug/block_header.hpp"
#include "debug/quarantine.hpp"

namespace osp::debug {
namespace {

constexpr int kThreads = 4;
constexpr int kBlocksPerThread = 20000;
constexpr std::uint64_t kPublished = 0x600dULL;

std::size_t block_cost() {
  return front_offset(kMinimumUserAlignment) + 32 + tail_guard_bytes(32);
}

void collect(BlockHeader* chain, std::vector<BlockHeader*>& out) {
  for (; chain != nullptr; chain = chain->next) out.push_back(chain);
}

TEST(QuarantineConcurrency, EveryBlockLeavesOnceAndVisitorsSeeOnlyPublishedBlocks) {
  std::vector<std::unique_ptr<BlockHeader[]>> blocks;
  for (int thread = 0; thread < kThreads; ++thread) {
    blocks.emplace_back(new BlockHeader[kBlocksPerThread]());
  }
  const std::size_t limit = 200 * block_cost();
  std::vector<std::vector<BlockHeader*>> left(kThreads);
  std::atomic<bool> stop{false};
  std::atomic<long> bad_visits{0};
  std::atomic<long> visits{0};
  // Halfway through, every freeing thread waits until the checker has visited blocks,
  // so the visits overlap the frees however the threads are scheduled.
  std::atomic<int> halfway{0};
  std::atomic<bool> resume{false};

  std::thread checker([&] {
    struct Counts {
      long bad;
      long seen;
    };
    while (!stop.load()) {
      Counts counts{0, 0};
      quarantine::for_each(
          [](BlockHeader* header, void* raw) {
            auto* state = static_cast<Counts*>(raw);
            ++state->seen;
            if (header->sequence != kPublished) ++state->bad;
          },
          &counts);
      bad_visits += counts.bad;
      visits += counts.seen;
    }
  });
  std::vector<std::thread> freeing;
  for (int thread = 0; thread < kThreads; ++thread) {
    freeing.emplace_back([&, thread] {
      for (int index = 0; index < kBlocksPerThread; ++index) {
        if (index == kBlocksPerThread / 2) {
          ++halfway;
          while (!resume.load()) std::this_thread::yield();
        }
        BlockHeader* header = &blocks[thread][index];
        header->alignment_offset = static_cast<std::uint32_t>(front_offset(kMinimumUserAlignment));
        header->requested_bytes = 32;
        header->sequence = kPublished;  // what a visitor must see, like the freed fill
        collect(quarantine::push(header, limit), left[thread]);
      }
    });  // the thread's staged blocks join the FIFO as it exits
  }
  while (halfway.load() < kThreads) std::this_thread::yield();
  const long seen_before = visits.load();
  while (visits.load() == seen_before) std::this_thread::yield();  // blocks are queued now
  resume = true;
  for (std::thread& thread : freeing) thread.join();
  stop = true;
  checker.join();

  std::vector<BlockHeader*> rest;
  BlockHeader drain{};
  drain.alignment_offset = static_cast<std::uint32_t>(front_offset(kMinimumUserAlignment));
  drain.requested_bytes = 32;
  drain.sequence = kPublished;
  collect(quarantine::push(&drain, 0), rest);  // limit 0: everything leaves
  EXPECT_EQ(quarantine::bytes(), 0u);

  std::vector<int> seen(kThreads * kBlocksPerThread, 0);
  int drained = 0;
  auto count = [&](BlockHeader* header) {
    if (header == &drain) {
      ++drained;
      return;
    }
    for (int thread = 0; thread < kThreads; ++thread) {
      const BlockHeader* first = &blocks[thread][0];
      if (header >= first && header < first + kBlocksPerThread) {
        ++seen[thread * kBlocksPerThread + (header - first)];
        return;
      }
    }
    ADD_FAILURE() << "a block that was never pushed came out";
  };
  for (const auto& chain : left) {
    for (BlockHeader* header : chain) count(header);
  }
  for (BlockHeader* header : rest) count(header);
  EXPECT_EQ(drained, 1);
  int missing = 0;
  int repeated = 0;
  for (int times : seen) {
    missing += times == 0;
    repeated += times > 1;
  }
  EXPECT_EQ(missing, 0);
  EXPECT_EQ(repeated, 0);
  EXPECT_EQ(bad_visits.load(), 0);
  EXPECT_GT(visits.load(), 0);
}

}  // namespace
}  // namespace osp::debug
