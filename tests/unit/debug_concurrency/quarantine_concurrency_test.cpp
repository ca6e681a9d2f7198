// The quarantine under concurrent frees, heap checks and thread exits (also run under
// ThreadSanitizer: label `concurrency`). Blocks are bare headers here; the quarantine
// only links and counts them. Every block pushed must come back out exactly once, and a
// visitor must only ever see fully published blocks.
#include <gtest/gtest.h>

#include <atomic>
#include <condition_variable>
#include <cstdint>
#include <memory>
#include <mutex>
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

// A freed 32-byte block as the quarantine sees it; `sequence` is what a visitor must see
// (like the freed fill).
void prepare(BlockHeader& header) {
  header.alignment_offset = static_cast<std::uint32_t>(front_offset(kMinimumUserAlignment));
  header.requested_bytes = 32;
  header.sequence = kPublished;
}

// Everything still in the quarantine, taken out by the calling thread.
std::vector<BlockHeader*> empty_quarantine() {
  std::vector<BlockHeader*> rest;
  BlockHeader last{};
  prepare(last);
  collect(quarantine::push(&last, 0), rest);
  collect(quarantine::drain(), rest);
  std::erase(rest, &last);
  return rest;
}

// Two threads that free whole chunks' worth of blocks in turns (one at a time, so the
// order of hand-overs is fixed); each records the blocks its frees gave back.
class TakingTurns {
 public:
  // `rounds[thread]`: how many turns that thread takes, `chunks[thread]` chunks a turn;
  // once a thread is done, the other takes the rest of its turns alone. The threads stay
  // alive until both are done.
  void run(const int (&rounds)[2], const int (&chunks)[2], std::vector<BlockHeader>* blocks,
           std::size_t limit) {
    std::thread threads[2];
    for (int me = 0; me < 2; ++me) {
      threads[me] = std::thread([&, me] {
        int next = 0;
        for (int round = 0; round < rounds[me]; ++round) {
          std::unique_lock<std::mutex> lock(mutex_);
          changed_.wait(lock, [&] { return turn_ == me || done_[1 - me]; });
          for (int block = 0; block < chunks[me] * quarantine::kChunkBlocks; ++block) {
            BlockHeader& header = blocks[me][next++];
            prepare(header);
            collect(quarantine::push(&header, limit), left[me]);
          }
          turn_ = 1 - me;
          changed_.notify_all();
        }
        std::unique_lock<std::mutex> lock(mutex_);
        done_[me] = true;
        changed_.notify_all();
        changed_.wait(lock, [&] { return done_[0] && done_[1]; });
      });
    }
    for (std::thread& thread : threads) thread.join();
  }
  std::vector<BlockHeader*> left[2];

 private:
  std::mutex mutex_;
  std::condition_variable changed_;
  int turn_ = 0;
  bool done_[2] = {false, false};
};

bool is_in(const BlockHeader* header, const std::vector<BlockHeader>& blocks) {
  return header >= blocks.data() && header < blocks.data() + blocks.size();
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
        prepare(*header);
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
  prepare(drain);
  collect(quarantine::push(&drain, 0), rest);  // limit 0: everything leaves the FIFO
  collect(quarantine::drain(), rest);  // and the chunk this thread gives back one per free
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

// Two threads freeing at different paces (two chunks a turn and one): each one's frees
// give back only blocks it freed itself (their lines are in its cache), none of the
// other's, oldest first. (A FIFO trimmed oldest first hands the faster thread the
// slower one's blocks.)
TEST(QuarantineConcurrency, BlocksLeaveOnTheThreadThatFreedThem) {
  constexpr int kRounds = 40;
  constexpr int kChunksInLimit = 8;  // not a multiple of a round (3 chunks): the FIFO's oldest changes owner
  const int chunks[2] = {2, 1};
  std::vector<BlockHeader> blocks[2] = {
      std::vector<BlockHeader>(kRounds * chunks[0] * quarantine::kChunkBlocks),
      std::vector<BlockHeader>(kRounds * chunks[1] * quarantine::kChunkBlocks)};
  TakingTurns turns;
  turns.run({kRounds, kRounds}, chunks, blocks, kChunksInLimit * quarantine::kChunkBlocks * block_cost());
  for (int me = 0; me < 2; ++me) {
    // All but the quarantine's worth (and the chunk being given back) came out.
    ASSERT_GE(turns.left[me].size(), blocks[me].size() - (kChunksInLimit + 2) * quarantine::kChunkBlocks);
    int foreign = 0;
    for (const BlockHeader* header : turns.left[me]) foreign += !is_in(header, blocks[me]);
    EXPECT_EQ(foreign, 0) << "blocks thread " << me << " gave back for the other";
    EXPECT_EQ(turns.left[me].front(), blocks[me].data()) << "oldest first";
  }
  const std::vector<BlockHeader*> rest = empty_quarantine();
  EXPECT_EQ(rest.size() + turns.left[0].size() + turns.left[1].size(),
            blocks[0].size() + blocks[1].size());
}

// A thread that stops freeing (but lives on) does not keep its blocks in the quarantine
// for ever: once they have waited twice as long as the other thread's, that thread's
// frees give them back.
TEST(QuarantineConcurrency, BlocksOfAThreadThatStopsFreeingLeaveThroughOthers) {
  constexpr int kRounds = 60;
  constexpr int kStoppingRounds = 4;
  constexpr int kChunksInLimit = 8;
  std::vector<BlockHeader> blocks[2] = {std::vector<BlockHeader>(kStoppingRounds * quarantine::kChunkBlocks),
                                        std::vector<BlockHeader>(kRounds * quarantine::kChunkBlocks)};
  TakingTurns turns;
  turns.run({kStoppingRounds, kRounds}, {1, 1}, blocks, kChunksInLimit * quarantine::kChunkBlocks * block_cost());
  int stopped_thread_blocks = 0;
  for (const BlockHeader* header : turns.left[1]) stopped_thread_blocks += is_in(header, blocks[0]);
  EXPECT_EQ(stopped_thread_blocks, kStoppingRounds * quarantine::kChunkBlocks)
      << "every block of the thread that stopped left through the other's frees";
  const std::vector<BlockHeader*> rest = empty_quarantine();
  EXPECT_EQ(rest.size() + turns.left[0].size() + turns.left[1].size(),
            static_cast<std::size_t>(kRounds + kStoppingRounds) * quarantine::kChunkBlocks);
}

}  // namespace
}  // namespace osp::debug
