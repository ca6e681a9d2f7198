// Stack capture while the set of loaded modules changes: threads call through a module
// they load and unload themselves and capture there with the eh_frame walk, while another
// thread loads and unloads a second module as fast as it can, so the code-range table is
// rebuilt and the rule cache cleared under the captures. Every capture must find the
// module's frame (a module loaded since the table was built) and give the same whole stack
// every time; none may fault or come back cut short.
#include <dlfcn.h>
#include <sys/wait.h>
#include <unistd.h>
#include <gtest/gtest.h>

#include <atomic>
#include <cstdint>
#include <mutex>
#include <thread>
#include <vector>

#include "trace/stack_capture.hpp"
#include "trace/thread_stack_bounds.hpp"

namespace {

using osp::trace::UnwindMethod;

constexpr int kCaptureThreads = 3;
constexpr int kCapturesPerThread = 300;
constexpr int kDepth = 32;

using ModuleCall = void (*)(void (*)(void*), void*);

// dlopen and dlclose one at a time: the loader's own lock is invisible to ThreadSanitizer,
// which would otherwise report the loader's bookkeeping racing with itself. Captures still
// run while another thread is inside either.
std::mutex g_loader_calls;

void* load(const char* path) {
  std::lock_guard<std::mutex> lock(g_loader_calls);
  return dlopen(path, RTLD_NOW | RTLD_LOCAL);
}

void unload(void* module) {
  std::lock_guard<std::mutex> lock(g_loader_calls);
  dlclose(module);
}

struct Capture {
  std::uintptr_t frames[kDepth];
  int depth;
  std::uintptr_t return_into_module;
};

__attribute__((noinline)) void capture_in_callback(void* argument) {
  auto& capture = *static_cast<Capture*>(argument);
  capture.return_into_module = reinterpret_cast<std::uintptr_t>(__builtin_return_address(0));
  capture.depth = osp::trace::capture_stack(capture.frames, kDepth, 0, UnwindMethod::EhFrame);
  __asm__ __volatile__("" : : : "memory");
}

// One call site for every capture of a thread: the frames outside the module are the same
// each time.
__attribute__((noinline)) void capture_through(ModuleCall call, Capture& capture) {
  call(capture_in_callback, &capture);
  __asm__ __volatile__("" : : : "memory");
}

// Returns the number of captures that differed from the thread's first one.
int capture_repeatedly(std::atomic<int>& failures_to_load) {
  Capture first{};
  int differing = 0;
  for (int round = 0; round < kCapturesPerThread; ++round) {
    void* module = load(OSP_TEST_MODULE_PATH);
    if (module == nullptr) {
      failures_to_load.fetch_add(1);
      return kCapturesPerThread;
    }
    auto call = reinterpret_cast<ModuleCall>(dlsym(module, "osp_test_module_call"));
    Capture capture{};
    if (call != nullptr) capture_through(call, capture);
    const bool module_frame_found = capture.depth >= 4 && capture.frames[1] == capture.return_into_module;
    unload(module);
    if (round == 0) first = capture;
    bool same = module_frame_found && capture.depth == first.depth;
    // The module may come back at another address: compare the frames outside it.
    for (int index = 2; same && index < capture.depth; ++index) {
      same = capture.frames[index] == first.frames[index];
    }
    if (!same) ++differing;
  }
  return differing;
}

TEST(UnwindConcurrency, CapturesStayWholeWhileModulesComeAndGo) {
  std::atomic<bool> stop{false};
  std::atomic<int> failures_to_load{0};
  std::atomic<long> churns{0};
  std::thread churner([&] {
    while (!stop.load()) {
      void* module = load(OSP_TEST_OTHER_MODULE_PATH);
      if (module == nullptr) {
        failures_to_load.fetch_add(1);
        return;
      }
      unload(module);
      churns.fetch_add(1);
    }
  });
  std::vector<int> differing(kCaptureThreads, -1);
  std::vector<std::thread> capturers;
  for (int index = 0; index < kCaptureThreads; ++index) {
    capturers.emplace_back([&, index] { differing[index] = capture_repeatedly(failures_to_load); });
  }
  for (std::thread& thread : capturers) thread.join();
  stop.store(true);
  churner.join();
  ASSERT_EQ(failures_to_load.load(), 0) << dlerror();
  EXPECT_GT(churns.load(), 0);
  for (int index = 0; index < kCaptureThreads; ++index) {
    EXPECT_EQ(differing[index], 0) << "thread " << index;
  }
}

// The same call site in parent and child, so both must see the same depth.
__attribute__((noinline)) int capture_depth() {
  std::uintptr_t frames[kDepth];
  const int depth = osp::trace::capture_stack(frames, kDepth, 0, UnwindMethod::EhFrame);
  __asm__ __volatile__("" : : : "memory");
  return depth;
}

// A child forked while another thread loads and unloads modules captures the whole stack
// the parent captures, with a table it had to build without the loader's lock (the parent
// has not captured before the first fork).
TEST(UnwindConcurrency, ForkChildCaptures) {
  // The thread's stack bounds come from pthread_getattr_np, which allocates. A child
  // forked while the churner holds the allocator's lock (dlopen allocates) would wait for
  // it forever under an allocator without fork handlers, as the test's own allocator is
  // in the AddressSanitizer build (libospdebug's takes its locks around fork). Fetched
  // here, the bounds are inherited, as a program's thread has them after its first
  // allocation; the code-range table is still built in the children.
  osp::trace::StackBounds bounds{};
  ASSERT_TRUE(osp::trace::current_thread_stack_bounds(bounds));
  std::atomic<bool> stop{false};
  std::thread churner([&] {
    while (!stop.load()) {
      if (void* module = load(OSP_TEST_OTHER_MODULE_PATH)) unload(module);
    }
  });
  constexpr int kForks = 20;
  int child_depths[kForks] = {};
  for (int round = 0; round < kForks; ++round) {
    const pid_t child = fork();
    if (child == 0) _exit(capture_depth());
    int status = 0;
    ASSERT_EQ(waitpid(child, &status, 0), child);
    child_depths[round] = WIFEXITED(status) ? WEXITSTATUS(status) : -1;
  }
  stop.store(true);
  churner.join();
  const int parent_depth = capture_depth();
  // The test body, gtest's frames and main are below.
  ASSERT_GE(parent_depth, 5);
  for (int round = 0; round < kForks; ++round) EXPECT_EQ(child_depths[round], parent_depth) << round;
}

}  // namespace
