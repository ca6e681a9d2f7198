// Tests run under osp::GtestLeakListener: LeaksABlock and LeaksFromAWorkerThread must
// fail naming their allocation sites, the others must pass (gtest_listener_test.py runs
// each and checks the output).
#include <gtest/gtest.h>

#include <condition_variable>
#include <cstddef>
#include <cstdlib>
#include <memory>
#include <mutex>
#include <string>
#include <thread>
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

// A thread that allocated before the test started (so it already holds allocation
// numbers from before the test's checkpoint) leaks a block during the test.
class Worker {
 public:
  Worker() : thread_([this] { run(); }) {}
  ~Worker() {
    post(Job::Stop);
    thread_.join();
  }
  enum class Job { None, WarmUp, Leak, Stop };
  void post(Job job) {
    std::unique_lock<std::mutex> lock(mutex_);
    job_ = job;
    changed_.notify_all();
    changed_.wait(lock, [this] { return job_ == Job::None || job_ == Job::Stop; });
  }

 private:
  __attribute__((noinline)) static void forget_from_worker() {
    void* volatile block = std::malloc(72);
    (void)block;
  }
  // The worker then waits deeper in its stack than forget_from_worker ran, so a stale
  // copy of the pointer in that dead frame would sit above its stack pointer and be
  // scanned (the conservative scan's known limit): overwrite the area first.
  __attribute__((noinline)) static void scrub_stack() {
    volatile unsigned char area[8192];
    for (std::size_t index = 0; index < sizeof area; ++index) area[index] = 0;
  }
  void run() {
    std::unique_ptr<int> warm_up(new int(1));  // takes this thread's first numbers
    std::unique_lock<std::mutex> lock(mutex_);
    for (;;) {
      changed_.wait(lock, [this] { return job_ != Job::None; });
      if (job_ == Job::Stop) return;
      if (job_ == Job::Leak) {
        forget_from_worker();
        scrub_stack();
      }
      job_ = Job::None;
      changed_.notify_all();
    }
  }
  std::mutex mutex_;
  std::condition_variable changed_;
  Job job_ = Job::None;
  std::thread thread_;
};
Worker* g_worker = nullptr;

TEST(LeakListener, LeaksFromAWorkerThread) {
  g_worker->post(Worker::Job::Leak);
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
  Worker worker;
  // One round trip before the tests: a thread library that sets up a mutex or condition
  // variable lazily (winpthreads) does it now, not inside the first test's window.
  worker.post(Worker::Job::WarmUp);
  g_worker = &worker;
  return RUN_ALL_TESTS();
}
