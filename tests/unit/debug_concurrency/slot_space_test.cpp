// Guarded slots (guarded/slot_space.hpp): placement against the inaccessible page on both
// sides, lookups by address, the address-space quarantine (fresh space first, then the
// oldest closed slot), the live-slot budget, and many threads taking and closing slots at
// once. One reservation serves the whole process, so the tests share it.
#include "guarded/slot_space.hpp"

#include <gtest/gtest.h>

#include <atomic>
#include <cstdint>
#include <cstring>
#include <thread>
#include <vector>

#include "os/os_memory.hpp"

namespace osp::guarded {
namespace {

constexpr std::size_t kReservedSpans = 8;
constexpr std::size_t kMaxLive = 256;

std::size_t page() { return os::page_size(); }
std::uintptr_t address_of(const void* pointer) { return reinterpret_cast<std::uintptr_t>(pointer); }

class SlotSpaceTest : public ::testing::Test {
 protected:
  static void SetUpTestSuite() {
    ASSERT_TRUE(configure({kReservedSpans * kSpanPages * os::page_size(), kMaxLive}));
  }
};

TEST_F(SlotSpaceTest, OverflowSideEndsAtThePageBoundary) {
  Placement placement;
  ASSERT_TRUE(acquire(40, 8, Side::Overflow, placement));
  EXPECT_EQ((address_of(placement.user) + 40) % page(), 0u);
  EXPECT_EQ(placement.open_start + placement.open_bytes, placement.user + 40);
  EXPECT_EQ(address_of(placement.open_start) % page(), 0u);
  EXPECT_EQ(address_of(placement.owner) % 16, 0u);
  std::memset(placement.user, 0x5a, 40);  // the whole block is accessible
  const SlotLookup past_end = lookup(address_of(placement.user) + 40);
  EXPECT_EQ(past_end.owner, placement.owner);
  EXPECT_TRUE(past_end.live);
  EXPECT_EQ(past_end.bytes, 40u);
  EXPECT_EQ(owner_of_user(placement.user), placement.owner);
  EXPECT_EQ(owner_of_user(placement.user + 8), nullptr);
  release(placement.owner);
  EXPECT_FALSE(lookup(address_of(placement.user)).live);
}

TEST_F(SlotSpaceTest, AlignmentLeavesSlackBeforeThePage) {
  Placement placement;
  ASSERT_TRUE(acquire(13, 16, Side::Overflow, placement));
  EXPECT_EQ(address_of(placement.user) % 16, 0u);
  const std::size_t slack = placement.open_start + placement.open_bytes - (placement.user + 13);
  EXPECT_EQ(slack, 3u);
  release(placement.owner);
}

TEST_F(SlotSpaceTest, UnderflowSideStartsAfterTheGuardPage) {
  Placement placement;
  ASSERT_TRUE(acquire(100, 16, Side::Underflow, placement));
  EXPECT_EQ(address_of(placement.user) % page(), 0u);
  EXPECT_EQ(placement.open_start, placement.user);
  const SlotLookup before = lookup(address_of(placement.user) - 1);
  EXPECT_EQ(before.owner, placement.owner);
  EXPECT_EQ(before.side, Side::Underflow);
  release(placement.owner);
}

TEST_F(SlotSpaceTest, MultiPageBlocksAndRefusals) {
  Placement placement;
  ASSERT_TRUE(acquire(3 * page() + 1, 1, Side::Overflow, placement));
  EXPECT_EQ(placement.open_bytes, 4 * page());
  std::memset(placement.user, 1, 3 * page() + 1);
  release(placement.owner);
  EXPECT_FALSE(acquire(max_block_bytes() + 1, 1, Side::Overflow, placement));
  EXPECT_FALSE(acquire(64, 2 * page(), Side::Overflow, placement));
}

TEST_F(SlotSpaceTest, AccessesPastTheBlockAndAfterReleaseFault) {
  Placement placement;
  ASSERT_TRUE(acquire(64, 16, Side::Overflow, placement));
  volatile char* user = placement.user;
  // The read itself is what kills the child: by SIGSEGV, or under a sanitizer by its
  // SEGV report and exit status.
  EXPECT_DEATH(static_cast<void>(user[64]), "");
  EXPECT_DEATH(static_cast<void>(user[-static_cast<std::ptrdiff_t>(page())]), "");
  static_cast<void>(user[63]);  // the block itself stays readable
  release(placement.owner);
  EXPECT_DEATH(static_cast<void>(user[0]), "");
}

TEST_F(SlotSpaceTest, LiveBudgetRefusesAndCounts) {
  std::vector<void*> owners;
  const SlotCounters before = counters();
  Placement placement;
  while (acquire(16, 16, Side::Overflow, placement)) owners.push_back(placement.owner);
  EXPECT_EQ(owners.size() + before.live_slots, kMaxLive);
  EXPECT_GT(counters().refused, before.refused);
  for (void* owner : owners) release(owner);
  EXPECT_EQ(counters().live_slots, before.live_slots);
}

TEST_F(SlotSpaceTest, ClosedSlotsAreReusedOldestFirstOnceSpaceRunsOut) {
  // Two-page slots until fresh address space is gone; the first reused slot must be the
  // first one closed.
  Placement placement;
  ASSERT_TRUE(acquire(page() + 1, 1, Side::Overflow, placement));
  char* first_user = placement.user;
  release(placement.owner);
  const std::size_t reused_before = counters().reused;
  std::vector<char*> users;
  for (int round = 0; round < 100000 && counters().reused == reused_before; ++round) {
    ASSERT_TRUE(acquire(page() + 1, 1, Side::Overflow, placement));
    users.push_back(placement.user);
    release(placement.owner);
  }
  ASSERT_GT(counters().reused, reused_before) << "the address space never ran out";
  EXPECT_EQ(users.back(), first_user);
}

TEST_F(SlotSpaceTest, ThreadsTakeAndCloseSlotsConcurrently) {
  constexpr int kThreads = 4;
  constexpr int kRounds = 3000;
  std::atomic<int> corrupted{0};
  auto work = [&](int self) {
    std::vector<Placement> mine;
    unsigned seed = static_cast<unsigned>(self) + 1;
    for (int round = 0; round < kRounds; ++round) {
      seed = seed * 1103515245u + 12345u;
      Placement placement;
      const std::size_t bytes = 1 + seed % (3 * page());
      if (mine.size() < 16 && acquire(bytes, 1, Side::Overflow, placement)) {
        std::memset(placement.user, self + 1, bytes);
        mine.push_back(placement);
      } else if (!mine.empty()) {
        Placement last = mine.back();
        mine.pop_back();
        const SlotLookup found = lookup(address_of(last.user));
        for (std::size_t index = 0; index < found.bytes; ++index) {
          if (last.user[index] != static_cast<char>(self + 1)) ++corrupted;
        }
        release(last.owner);
      }
    }
    for (const Placement& placement : mine) release(placement.owner);
  };
  const std::size_t live_before = counters().live_slots;
  std::vector<std::thread> threads;
  for (int index = 0; index < kThreads; ++index) threads.emplace_back(work, index);
  for (std::thread& thread : threads) thread.join();
  EXPECT_EQ(corrupted.load(), 0);
  EXPECT_EQ(counters().live_slots, live_before);
}

}  // namespace
}  // namespace osp::guarded
