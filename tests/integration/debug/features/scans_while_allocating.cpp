// Leak scans, back to back for a few seconds, while other threads allocate and free
// without pause. A scan stops each thread wherever it is, sometimes while it backs off
// from its own shard of the live table (its `busy` flag still raised because the scan
// holds the shard). Every scan must still return, and decide: the threads all pause.
// The window is a few instructions wide: this is a stress test, likeliest to hit it
// under an emulator, which delivers signals only at the start of a translated block.
#include <osp/leak_checkpoint.hpp>

#include <atomic>
#include <chrono>
#include <cstdio>
#include <cstdlib>
#include <string>
#include <thread>
#include <unistd.h>
#include <vector>

namespace {

std::atomic<bool> g_stop{false};
std::atomic<long> g_pairs{0};

void allocate_and_free(int seed) {
  long pairs = 0;
  while (!g_stop.load(std::memory_order_relaxed)) {
    auto* numbers = new int[static_cast<std::size_t>(8 + (seed + pairs) % 64)];
    numbers[0] = seed;
    std::string text(static_cast<std::size_t>(24 + pairs % 200), 'x');
    delete[] numbers;
    ++pairs;
  }
  g_pairs.fetch_add(pairs);
}

}  // namespace

int main(int argc, char** argv) {
  const double seconds = argc > 1 ? std::atof(argv[1]) : 4.0;
  // A scan that never returns ends the run here instead of at the test's timeout. The
  // default action ends the process whatever the stopped threads' signal masks are.
  alarm(240);
  std::vector<std::thread> threads;
  for (int index = 0; index < 4; ++index) threads.emplace_back(allocate_and_free, index);
  const auto end = std::chrono::steady_clock::now() + std::chrono::duration<double>(seconds);
  int scans = 0;
  int undecided = 0;
  // At least kMinScans however slow a scan is (under an emulator on a loaded machine, a
  // second or more).
  constexpr int kMinScans = 20;
  do {
    if (osp_leaks_between(0, UINT64_MAX, [](const osp_leak_site*, void*) {}, nullptr) < 0) {
      ++undecided;
    }
    ++scans;
  } while (scans < kMinScans || std::chrono::steady_clock::now() < end);
  g_stop = true;
  for (auto& thread : threads) thread.join();
  std::printf("undecided=%d pairs>0=%d (%d scans)\n", undecided, g_pairs.load() > 0, scans);
  return undecided == 0 ? 0 : 1;
}
