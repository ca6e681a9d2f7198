// The speed measurement: 100,000 leaked blocks from 50 allocation sites, then one
// symbolized snapshot through SafeMemoryLeakReporter::write_snapshot, timed.
// Prints "snapshot_seconds=<s> blocks=<n>".   many_leaks PATH
#include <chrono>
#include <cstdio>
#include <cstdlib>
#include <utility>

#include "safe_memory_leak_reporter.hpp"

constexpr int kSites = 50;
constexpr int kBlocksPerSite = 2000;

template <int Site>
__attribute__((noinline)) void leak_from_site() {
  for (int block = 0; block < kBlocksPerSite; ++block) {
    void* volatile leaked = std::malloc(32 + Site);
    (void)leaked;
  }
}

template <int... Sites>
void leak_from_every_site(std::integer_sequence<int, Sites...>) {
  (leak_from_site<Sites>(), ...);
}

int main(int argc, char** argv) {
  if (argc != 2) return 2;
  leak_from_every_site(std::make_integer_sequence<int, kSites>());
  const auto start = std::chrono::steady_clock::now();
  const bool written = SafeMemoryLeakReporter::get().write_snapshot(argv[1]);
  const std::chrono::duration<double> elapsed = std::chrono::steady_clock::now() - start;
  std::printf("snapshot_seconds=%.3f blocks=%d\n", elapsed.count(), kSites * kBlocksPerSite);
  return written ? 0 : 1;
}
