// Ends with 100,000 live blocks allocated from 50 distinct call sites and never freed:
// the exit-time leak snapshot of the debug runtime (and ASan's leak check) is what this
// program measures. The pointers are dropped before main returns, so every block is a
// definite leak. Just before returning, the program prints the CLOCK_MONOTONIC time;
// the harness subtracts it from the time the process was reaped to get the exit phase.
#include <time.h>

#include <array>
#include <cstdint>
#include <cstdio>
#include <cstdlib>
#include <cstring>
#include <utility>

#include "workload_args.h"

namespace {

constexpr int kSiteCount = 50;
constexpr std::uint64_t kFullBlockCount = 100000;

// One function per site: each instantiation is a distinct call site with its own stack.
template <int Site>
__attribute__((noinline)) void* allocate_at_site(std::size_t bytes) {
  void* block = check_allocation(std::malloc(bytes), bytes);
  std::memset(block, Site, bytes < 64 ? bytes : 64);
  __asm__ __volatile__("" : : "r"(block) : "memory");  // keeps each site a real call
  return block;
}

using SiteFunction = void* (*)(std::size_t);

template <int... Sites>
constexpr auto make_site_table(std::integer_sequence<int, Sites...>) {
  return std::array<SiteFunction, sizeof...(Sites)>{&allocate_at_site<Sites>...};
}

}  // namespace

int main(int argc, char** argv) {
  workload_args args = parse_workload_args(argc, argv);
  const std::uint64_t blocks = scaled_count(&args, kFullBlockCount, kSiteCount);
  static constexpr auto sites = make_site_table(std::make_integer_sequence<int, kSiteCount>{});
  random_state random{0x1EAFULL};
  // The pointer table itself is freed at the end: the blocks become unreachable.
  auto** table = static_cast<void**>(check_allocation(std::calloc(blocks, sizeof(void*)),
                                                      blocks * sizeof(void*)));
  std::uint64_t checksum = 0;
  for (std::uint64_t index = 0; index < blocks; ++index) {
    std::size_t bytes = 16 + random_below(&random, 240);
    table[index] = sites[index % kSiteCount](bytes);
    checksum += static_cast<unsigned char*>(table[index])[0];
  }
  std::memset(table, 0, blocks * sizeof(void*));
  std::free(table);
  print_checksum("live_blocks_at_exit", checksum);
  timespec now{};
  clock_gettime(CLOCK_MONOTONIC, &now);
  std::printf("main_end_ns=%lld\n",
              static_cast<long long>(now.tv_sec) * 1000000000LL + now.tv_nsec);
  std::fflush(stdout);
  return 0;
}
