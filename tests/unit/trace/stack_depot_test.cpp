// StackDepot: identity of ids, round trips through get(), limits, and agreement between
// many threads interning overlapping sets of stacks at the same time. Stacks are random
// addresses from a per-test seed so tests never share stacks with each other.
#include <gtest/gtest.h>

#include <algorithm>
#include <cstdint>
#include <random>
#include <set>
#include <thread>
#include <vector>

#include "trace/stack_depot.hpp"

namespace osp_trace_test {
namespace {

using osp::trace::kMaxStackDepth;
using osp::trace::kNoStack;
using osp::trace::StackDepot;
using osp::trace::StackId;
using osp::trace::StackView;
using Stack = std::vector<std::uintptr_t>;

std::vector<Stack> random_stacks(std::uint64_t seed, int count, int min_depth, int max_depth) {
  std::mt19937_64 generator(seed);
  std::uniform_int_distribution<int> depth_of(min_depth, max_depth);
  std::vector<Stack> stacks(static_cast<std::size_t>(count));
  for (Stack& stack : stacks) {
    stack.resize(static_cast<std::size_t>(depth_of(generator)));
    for (auto& frame : stack) frame = generator() | 1;  // never zero
  }
  return stacks;
}

StackId intern(const Stack& stack) {
  return StackDepot::instance().intern(stack.data(), static_cast<int>(stack.size()));
}

Stack stored(StackId id) {
  const StackView view = StackDepot::instance().get(id);
  return Stack(view.frames, view.frames + view.depth);
}

TEST(StackDepot, SameStackGetsSameIdAndRoundTrips) {
  const std::vector<Stack> stacks = random_stacks(1, 3, 1, kMaxStackDepth);
  const StackId first = intern(stacks[0]);
  ASSERT_NE(first, kNoStack);
  EXPECT_EQ(intern(stacks[0]), first);
  EXPECT_EQ(stored(first), stacks[0]);
  const StackId second = intern(stacks[1]);
  EXPECT_NE(second, first);
  EXPECT_EQ(stored(second), stacks[1]);
}

TEST(StackDepot, PrefixAndPermutationAreDistinctStacks) {
  Stack stack = random_stacks(2, 1, 8, 8)[0];
  const StackId whole = intern(stack);
  const StackId prefix = intern(Stack(stack.begin(), stack.begin() + 4));
  std::swap(stack[0], stack[1]);
  const StackId swapped = intern(stack);
  EXPECT_NE(whole, prefix);
  EXPECT_NE(whole, swapped);
  EXPECT_NE(prefix, swapped);
}

TEST(StackDepot, CountsOnlyNewStacks) {
  const std::vector<Stack> stacks = random_stacks(3, 50, 1, 20);
  const std::size_t before = StackDepot::instance().unique_stacks();
  for (const Stack& stack : stacks) intern(stack);
  for (const Stack& stack : stacks) intern(stack);
  EXPECT_EQ(StackDepot::instance().unique_stacks() - before, stacks.size());
  EXPECT_GT(StackDepot::instance().bytes_used(), 0u);
}

TEST(StackDepot, EmptyAndUnknownInputs) {
  std::uintptr_t frame = 0x1234;
  EXPECT_EQ(StackDepot::instance().intern(&frame, 0), kNoStack);
  EXPECT_EQ(StackDepot::instance().intern(&frame, -1), kNoStack);
  EXPECT_EQ(StackDepot::instance().intern(nullptr, 3), kNoStack);
  EXPECT_EQ(StackDepot::instance().get(kNoStack).depth, 0);
  EXPECT_EQ(StackDepot::instance().get(0xfffffff0u).depth, 0);
  EXPECT_EQ(StackDepot::instance().get(0x7ffffffu).depth, 0);
}

TEST(StackDepot, DeepStacksAreTruncatedToMaxDepth) {
  const Stack deep = random_stacks(4, 1, kMaxStackDepth + 10, kMaxStackDepth + 10)[0];
  const StackId id = intern(deep);
  ASSERT_NE(id, kNoStack);
  const Stack truncated(deep.begin(), deep.begin() + kMaxStackDepth);
  EXPECT_EQ(stored(id), truncated);
  EXPECT_EQ(intern(truncated), id);
}

TEST(StackDepot, ConcurrentInternAgreesAcrossThreads) {
  constexpr int kThreads = 8;
  constexpr int kSharedStacks = 3000;
  constexpr int kOwnStacksPerThread = 1000;
  const std::vector<Stack> shared = random_stacks(5, kSharedStacks, 1, 32);
  std::vector<std::vector<Stack>> own(kThreads);
  for (int t = 0; t < kThreads; ++t) own[t] = random_stacks(100 + t, kOwnStacksPerThread, 1, 32);

  std::vector<std::vector<StackId>> shared_ids(kThreads, std::vector<StackId>(kSharedStacks));
  std::vector<std::vector<StackId>> own_ids(kThreads, std::vector<StackId>(kOwnStacksPerThread));
  const std::size_t before = StackDepot::instance().unique_stacks();
  std::vector<std::thread> threads;
  for (int t = 0; t < kThreads; ++t) {
    threads.emplace_back([&, t] {
      // Each thread walks the shared stacks from a different starting point so the
      // threads collide on new stacks, and mixes in stacks only it interns.
      for (int i = 0; i < kSharedStacks; ++i) {
        const int index = (i + t * (kSharedStacks / kThreads)) % kSharedStacks;
        shared_ids[t][index] = intern(shared[index]);
        if (i < kOwnStacksPerThread) own_ids[t][i] = intern(own[t][i]);
      }
    });
  }
  for (auto& thread : threads) thread.join();

  std::set<StackId> distinct;
  for (int i = 0; i < kSharedStacks; ++i) {
    ASSERT_NE(shared_ids[0][i], kNoStack);
    for (int t = 1; t < kThreads; ++t) ASSERT_EQ(shared_ids[t][i], shared_ids[0][i]) << i;
    EXPECT_EQ(stored(shared_ids[0][i]), shared[i]);
    distinct.insert(shared_ids[0][i]);
  }
  for (int t = 0; t < kThreads; ++t) {
    for (int i = 0; i < kOwnStacksPerThread; ++i) {
      ASSERT_NE(own_ids[t][i], kNoStack);
      EXPECT_EQ(stored(own_ids[t][i]), own[t][i]);
      distinct.insert(own_ids[t][i]);
    }
  }
  const std::size_t expected_unique = kSharedStacks + kThreads * kOwnStacksPerThread;
  EXPECT_EQ(distinct.size(), expected_unique);
  EXPECT_EQ(StackDepot::instance().unique_stacks() - before, expected_unique);
}

}  // namespace
}  // namespace osp_trace_test
