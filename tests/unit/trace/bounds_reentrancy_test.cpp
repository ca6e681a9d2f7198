// The frame-pointer walk fetches a thread's stack bounds with pthread_getattr_np, which
// may allocate and so re-enter a malloc that captures stacks. This test stands in for
// that malloc: it interposes pthread_getattr_np in this executable, captures a stack from
// inside it, and checks that the nested capture gives up (0 frames) instead of recursing,
// while the outer capture still succeeds.
#include <dlfcn.h>
#include <gtest/gtest.h>
#include <pthread.h>

#include <atomic>
#include <cstdint>
#include <thread>

#include "trace/stack_capture.hpp"

namespace {

std::atomic<bool> capture_inside_getattr{false};
std::atomic<int> nested_capture_depth{-1};
std::atomic<int> getattr_calls{0};

}  // namespace

// Interposes on the C library's pthread_getattr_np for this executable only.
extern "C" int pthread_getattr_np(pthread_t thread, pthread_attr_t* attributes) {
  using Getattr = int (*)(pthread_t, pthread_attr_t*);
  static const auto real_getattr =
      reinterpret_cast<Getattr>(dlsym(RTLD_NEXT, "pthread_getattr_np"));
  getattr_calls.fetch_add(1);
  if (capture_inside_getattr.load()) {
    std::uintptr_t frames[16];
    nested_capture_depth.store(osp::trace::capture_stack(
        frames, 16, 0, osp::trace::UnwindMethod::FramePointer));
  }
  return real_getattr == nullptr ? -1 : real_getattr(thread, attributes);
}

namespace osp_trace_test {
namespace {

TEST(StackBoundsReentrancy, NestedCaptureDuringBoundsFetchReturnsNothing) {
  capture_inside_getattr.store(true);
  const int calls_before = getattr_calls.load();
  int outer_depth = -1;
  int second_depth = -1;
  // A fresh thread has not fetched its bounds yet.
  std::thread worker([&] {
    std::uintptr_t frames[16];
    outer_depth = osp::trace::capture_stack(frames, 16, 0, osp::trace::UnwindMethod::FramePointer);
    second_depth = osp::trace::capture_stack(frames, 16, 0, osp::trace::UnwindMethod::FramePointer);
  });
  worker.join();
  capture_inside_getattr.store(false);

  EXPECT_EQ(nested_capture_depth.load(), 0);
  EXPECT_GE(outer_depth, 1);
  EXPECT_GE(second_depth, 1);
  // Fetched once per thread: the second capture used the cached bounds.
  EXPECT_EQ(getattr_calls.load() - calls_before, 1);
}

}  // namespace
}  // namespace osp_trace_test
