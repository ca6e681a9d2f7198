#include <gtest/gtest.h>

#include <atomic>
#include <thread>
#include <vector>

#include "os/cpu.hpp"
#include "pool/chain_stack.hpp"

namespace {

using osp::pool::Chain;
using osp::pool::ChainStack;

TEST(ChainStack, SixteenByteCompareAndSwapIsLockFree) {
  EXPECT_TRUE(osp::cpu::kLockFree128);
  osp::cpu::Pair128 value{1, 2};
  osp::cpu::Pair128 expected{1, 2};
  EXPECT_TRUE(osp::cpu::cas128(&value, expected, osp::cpu::Pair128{3, 4}));
  EXPECT_EQ(value.low, 3u);
  EXPECT_EQ(value.high, 4u);
  expected = {1, 2};
  EXPECT_FALSE(osp::cpu::cas128(&value, expected, osp::cpu::Pair128{5, 6}));
  EXPECT_EQ(expected.low, 3u) << "a failed CAS reports the current value";
  EXPECT_EQ(expected.high, 4u);
}

struct alignas(16) Node {
  void* next;
  std::uint64_t link;
  std::uint64_t owner;
};

TEST(ChainStack, ConcurrentPushPopNeverLosesOrDuplicatesAChain) {
  constexpr int kNodes = 4096;
  constexpr int kThreads = 4;
  std::vector<Node> nodes(kNodes);
  ChainStack stack;
  for (auto& node : nodes) {
    node.next = nullptr;
    stack.push(Chain{&node, &node, 1});
  }
  std::atomic<int> duplicates{0};
  std::vector<std::thread> threads;
  for (int t = 0; t < kThreads; ++t) {
    threads.emplace_back([&, t] {
      for (int round = 0; round < 50000; ++round) {
        Chain chain = stack.pop();
        if (chain.first == nullptr) continue;
        auto* node = static_cast<Node*>(chain.first);
        if (__atomic_exchange_n(&node->owner, t + 1, __ATOMIC_ACQ_REL) != 0) duplicates.fetch_add(1);
        __atomic_store_n(&node->owner, 0, __ATOMIC_RELEASE);
        stack.push(Chain{node, node, 1});
      }
    });
  }
  for (auto& thread : threads) thread.join();
  EXPECT_EQ(duplicates.load(), 0);
  int count = 0;
  while (stack.pop().first != nullptr) ++count;
  EXPECT_EQ(count, kNodes);
}

}  // namespace
