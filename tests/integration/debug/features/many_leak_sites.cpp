// Leaks from 300 distinct allocation stacks, site N leaking N % 7 + 1 blocks of
// 16 * (N % 5 + 1) bytes, and 20,000 blocks from one more site: enough groups that the
// snapshot's site table grows its index several times, and far more blocks than sites.
// many_leak_sites_test.py checks every site's count and bytes in the snapshot.
#include <cstdint>
#include <cstdlib>
#include <utility>

constexpr int kSites = 300;
constexpr int kCrowdBlocks = 20000;

// The leaked pointers are only ever stored here, XOR-masked, so the scan sees no copy.
std::uintptr_t volatile g_masked;

template <int N>
__attribute__((noinline)) void leak_at_site() {
  for (int block = 0; block < N % 7 + 1; ++block) {
    g_masked = reinterpret_cast<std::uintptr_t>(std::malloc(16 * (N % 5 + 1))) ^ ~std::uintptr_t{0};
  }
}

template <int... N>
void leak_at_every_site(std::integer_sequence<int, N...>) {
  (leak_at_site<N>(), ...);
}

__attribute__((noinline)) void leak_crowd() {
  for (int block = 0; block < kCrowdBlocks; ++block) {
    g_masked = reinterpret_cast<std::uintptr_t>(std::malloc(24)) ^ ~std::uintptr_t{0};
  }
}

int main() {
  leak_at_every_site(std::make_integer_sequence<int, kSites>{});
  leak_crowd();
  g_masked = 0;
  return 0;
}
