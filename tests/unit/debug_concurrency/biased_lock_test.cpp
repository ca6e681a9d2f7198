// BiasedLock (runtime/src/os/biased_lock.hpp): the owner's plain-access side and the
// other side exclude each other. Each side adds to a plain counter in read-modify-write
// steps that a second party inside the lock would break; the total must come out exact.
// Also run under ThreadSanitizer (label `concurrency`), which then checks the fence
// protocol's ordering.
#include <gtest/gtest.h>

#include <atomic>
#include <cstdint>
#include <thread>
#include <vector>

#include "os/biased_lock.hpp"

namespace osp::os {
namespace {

constexpr int kOwnerSteps = 2000000;
constexpr int kOthers = 3;

struct Guarded {
  BiasedLock lock;
  std::uint64_t count = 0;  // plain: only ever touched inside the lock
  std::uint64_t shadow = 0;
};

// Two dependent plain updates: an interleaved party leaves count != shadow.
void add_one(Guarded& guarded, std::atomic<int>& torn) {
  const std::uint64_t seen = guarded.count;
  guarded.shadow = seen + 1;
  std::atomic_signal_fence(std::memory_order_seq_cst);
  if (guarded.count != seen) torn.fetch_add(1, std::memory_order_relaxed);
  guarded.count = guarded.shadow;
}

TEST(BiasedLock, OwnerAndOthersExcludeEachOther) {
  BiasedLock::choose_protocol();
  Guarded guarded;
  guarded.lock.lock();
  guarded.lock.set_owned(true);
  guarded.lock.unlock();
  std::atomic<int> torn{0};
  std::atomic<bool> owner_done{false};
  std::atomic<std::uint64_t> other_steps{0};
  std::atomic<int> others_started{0};

  std::thread owner([&] {
    while (others_started.load(std::memory_order_acquire) < kOthers) std::this_thread::yield();
    for (int step = 0; step < kOwnerSteps; ++step) {
      const bool fast = guarded.lock.owner_lock();
      add_one(guarded, torn);
      guarded.lock.owner_unlock(fast);
    }
    owner_done.store(true, std::memory_order_release);
  });
  std::vector<std::thread> others;
  for (int other = 0; other < kOthers; ++other) {
    others.emplace_back([&] {
      others_started.fetch_add(1, std::memory_order_acq_rel);
      while (!owner_done.load(std::memory_order_acquire)) {
        guarded.lock.lock();
        add_one(guarded, torn);
        guarded.lock.unlock();
        other_steps.fetch_add(1, std::memory_order_relaxed);
        // Each of these costs the owner a process-wide barrier: a visitor, not a peer.
        std::this_thread::yield();
      }
    });
  }
  owner.join();
  for (std::thread& other : others) other.join();

  EXPECT_EQ(torn.load(), 0);
  EXPECT_GT(other_steps.load(), 0u);
  EXPECT_EQ(guarded.count, std::uint64_t{kOwnerSteps} + other_steps.load());
}

// Ownership passes from one thread to the next (a thread exits, another claims its
// shard): each owner's updates are seen by the next, and by the others throughout.
TEST(BiasedLock, OwnershipPassesBetweenThreads) {
  BiasedLock::choose_protocol();
  constexpr int kOwners = 6;
  constexpr int kStepsEach = 50000;
  Guarded guarded;
  std::atomic<int> torn{0};
  std::atomic<bool> stop{false};
  std::uint64_t other_steps = 0;
  std::thread other([&] {
    while (!stop.load(std::memory_order_acquire)) {
      guarded.lock.lock();
      add_one(guarded, torn);
      guarded.lock.unlock();
      ++other_steps;
      // Each of these costs the owners a process-wide barrier: a visitor, not a peer.
      std::this_thread::yield();
    }
  });
  for (int owner_number = 0; owner_number < kOwners; ++owner_number) {
    std::thread owner([&] {
      guarded.lock.lock();
      EXPECT_FALSE(guarded.lock.owned());
      guarded.lock.set_owned(true);
      guarded.lock.unlock();
      for (int step = 0; step < kStepsEach; ++step) {
        const bool fast = guarded.lock.owner_lock();
        add_one(guarded, torn);
        guarded.lock.owner_unlock(fast);
      }
      guarded.lock.lock();
      guarded.lock.set_owned(false);
      guarded.lock.unlock();
    });
    owner.join();
  }
  stop.store(true, std::memory_order_release);
  other.join();
  guarded.lock.lock();
  const std::uint64_t total = guarded.count;
  guarded.lock.unlock();
  EXPECT_EQ(torn.load(), 0);
  EXPECT_EQ(total, std::uint64_t{kOwners} * kStepsEach + other_steps);
}

}  // namespace
}  // namespace osp::os
