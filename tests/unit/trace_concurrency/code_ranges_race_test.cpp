// A lookup that misses a newly loaded module while another thread rebuilds the code-range
// table must find the module in the table that thread publishes, not call its code junk
// (which ends a stack at the module's first frame).
//
// The program interposes dl_iterate_phdr (its own definition wins over libc's for the
// code-range table compiled into it), so the test can hold one thread inside its rebuild
// and let it go on exactly when a second thread's lookup starts, 20 ms late: an
// executable of its own, so no other test runs with the interposer.
#include <gtest/gtest.h>

#include <dlfcn.h>
#include <link.h>
#include <unistd.h>

#include <atomic>
#include <chrono>
#include <thread>

#include "trace/code_ranges.hpp"

namespace {

using IterateCallback = int (*)(dl_phdr_info*, std::size_t, void*);
using IteratePhdr = int (*)(IterateCallback, void*);

// The thread whose rebuild is held (0: none), and how many walks it has made since.
std::atomic<pid_t> g_held_thread{0};
std::atomic<int> g_held_thread_walks{0};
std::atomic<bool> g_rebuild_held{false};
std::atomic<bool> g_rebuild_released{false};

constexpr auto kGiveUpAfter = std::chrono::seconds(20);
constexpr auto kPreemptedFor = std::chrono::milliseconds(20);

void wait_until(const std::atomic<bool>& flag) {
  const auto give_up = std::chrono::steady_clock::now() + kGiveUpAfter;
  while (!flag.load() && std::chrono::steady_clock::now() < give_up) std::this_thread::yield();
}

}  // namespace

// The sanitizers' runtimes walk the modules through this function before they are
// initialized: no instrumentation, no guarded static, nothing but a forward until a test
// arms it.
extern "C" __attribute__((no_sanitize("address", "thread", "undefined"))) int dl_iterate_phdr(
    IterateCallback callback, void* data) {
  static IteratePhdr real = nullptr;
  if (real == nullptr) real = reinterpret_cast<IteratePhdr>(dlsym(RTLD_NEXT, "dl_iterate_phdr"));
  const pid_t held = g_held_thread.load(std::memory_order_relaxed);
  if (held == 0) return real(callback, data);
  const pid_t self = gettid();
  if (held == self) {
    // A lookup's refresh first reads the loader's counters (walk 0); the rebuild's first
    // pass (walk 1) runs with the rebuild taken: hold it there.
    if (g_held_thread_walks.fetch_add(1) == 1) {
      g_rebuild_held.store(true);
      wait_until(g_rebuild_released);
      // Then it is off the processor for a while, as a thread a loaded machine preempted
      // in its rebuild: the other lookup must outwait that too.
      std::this_thread::sleep_for(kPreemptedFor);
    }
  } else if (g_rebuild_held.load()) {
    g_rebuild_released.store(true);  // another thread's refresh has begun
  }
  return real(callback, data);
}

namespace osp_trace_test {
namespace {

using osp::trace::CodeRange;
using osp::trace::find_code_range;

bool finds(std::uintptr_t address) {
  CodeRange range{};
  return find_code_range(address, range) && address >= range.start && address < range.end;
}

TEST(CodeRangesRace, LookupDuringAnotherThreadsRebuildFindsTheNewModule) {
  // The table was built at load; the module is new to it.
  ASSERT_NE(osp::trace::code_ranges_generation(), 0u);
  void* module = dlopen(OSP_TEST_MODULE_PATH, RTLD_NOW | RTLD_LOCAL);
  ASSERT_NE(module, nullptr) << dlerror();
  void* function = dlsym(module, "osp_test_module_call");
  ASSERT_NE(function, nullptr);
  const auto address = reinterpret_cast<std::uintptr_t>(function);

  bool rebuilder_found = false;
  std::thread rebuilder([&rebuilder_found, address] {
    g_held_thread.store(gettid());
    rebuilder_found = finds(address);
  });
  wait_until(g_rebuild_held);
  if (!g_rebuild_held.load()) {
    g_rebuild_released.store(true);
    rebuilder.join();
    FAIL() << "the lookup never reached its rebuild";
  }
  bool other_found = false;
  std::thread other([&other_found, address] { other_found = finds(address); });
  other.join();
  rebuilder.join();
  EXPECT_TRUE(g_rebuild_released.load());
  EXPECT_TRUE(rebuilder_found);
  EXPECT_TRUE(other_found) << "the lookup that found the rebuild taken did not wait for it";
  dlclose(module);
}

}  // namespace
}  // namespace osp_trace_test
