// Tests run under osp::GtestLeakListener: LeaksABlock must fail naming its allocation
// site, the others must pass (gtest_listener_test.py runs each and checks the output).
#include <gtest/gtest.h>

#include <cstdlib>
#include <memory>
#include <string>
#include <vector>

#include "osp/gtest_leak_listener.hpp"

namespace {

std::vector<std::string>* g_cache = nullptr;

__attribute__((noinline)) void forget_a_block() {
  void* volatile block = std::malloc(48);
  (void)block;
}

TEST(LeakListener, LeaksABlock) {
  forget_a_block();
  SUCCEED();
}

TEST(LeakListener, FreesEverything) {
  auto owned = std::make_unique<std::vector<int>>(1000, 7);
  EXPECT_EQ(owned->size(), 1000u);
  std::string text(500, 'x');
  EXPECT_EQ(text.size(), 500u);
}

// Still reachable from a global when the test ends: not a leak.
TEST(LeakListener, KeepsACache) {
  g_cache = new std::vector<std::string>(3, std::string(100, 'c'));
  EXPECT_EQ(g_cache->size(), 3u);
}

// Failures recorded by the framework allocate too; they must not be blamed.
TEST(LeakListener, FailsOnItsOwn) { EXPECT_EQ(1, 2) << std::string(300, 'm'); }

}  // namespace

int main(int argc, char** argv) {
  ::testing::InitGoogleTest(&argc, argv);
  ::testing::UnitTest::GetInstance()->listeners().Append(new osp::GtestLeakListener);
  return RUN_ALL_TESTS();
}
