// The leak scan leaves out only threads that ran before the runtime started (an emulator's
// own): never a thread the program started, before or after a fork.
#include <gtest/gtest.h>
#include <sys/syscall.h>
#include <sys/wait.h>
#include <unistd.h>

#include <atomic>
#include <thread>

#include "debug/threads_at_start.hpp"

namespace osp::debug {
namespace {

pid_t current_thread_id() { return static_cast<pid_t>(::syscall(SYS_gettid)); }

TEST(ThreadsAtStart, NoThreadOfTheProgramIsLeftOut) {
  EXPECT_FALSE(started_before_runtime(current_thread_id()));
  std::atomic<pid_t> other{0};
  std::thread thread([&] { other = current_thread_id(); });
  thread.join();
  ASSERT_NE(other.load(), 0);
  EXPECT_FALSE(started_before_runtime(other.load()));
}

TEST(ThreadsAtStart, AForkedChildLeavesOutNoThreadOfItsOwn) {
  const pid_t child = fork();
  ASSERT_GE(child, 0);
  if (child == 0) {
    std::atomic<pid_t> other{0};
    std::thread thread([&] { other = current_thread_id(); });
    thread.join();
    const bool ok = !started_before_runtime(current_thread_id()) && other.load() != 0 &&
                    !started_before_runtime(other.load());
    _exit(ok ? 0 : 1);
  }
  int status = 0;
  ASSERT_EQ(waitpid(child, &status, 0), child);
  ASSERT_TRUE(WIFEXITED(status));
  EXPECT_EQ(WEXITSTATUS(status), 0);
}

}  // namespace
}  // namespace osp::debug
