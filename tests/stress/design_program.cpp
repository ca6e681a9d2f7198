// A program written only against the public API of DESIGN §3: tracking on, random sizes
// 1 B–1 MiB with random alignments 2 B–64 KiB on every core, blocks up to 1 GiB, and 8 GiB
// requests that may fail. It must run clean against both libosp and libospdebug: every
// block intact, every failure reported as null/bad_alloc, nothing left live at the end.
#include <atomic>
#include <cstdint>
#include <cstdio>
#include <cstring>
#include <new>
#include <random>
#include <thread>
#include <vector>

#include "global_allocator_api.hpp"
#include "memory_tracker.hpp"
#include "safe_memory_leak_reporter.hpp"
#include "stl_allocator.hpp"

namespace {

std::atomic<int> problems{0};

void complain(const char* what) {
  std::fprintf(stderr, "design program: %s\n", what);
  problems.fetch_add(1);
}

void fuzz_small_blocks(unsigned seed) {
  std::mt19937 random(seed);
  struct Live {
    unsigned char* data;
    std::size_t bytes;
    unsigned char fill;
  };
  std::vector<Live> live;
  for (int op = 0; op < 20000; ++op) {
    if (live.size() < 64 || random() % 2 == 0) {
      const std::size_t bytes = 1 + random() % (random() % 16 == 0 ? (1u << 20) : 2048);
      const std::size_t alignment = std::size_t{2} << (random() % 16);  // 2 B … 64 KiB
      auto* data = static_cast<unsigned char*>(ALLOCATE_ALIGNED(bytes, alignment));
      if (reinterpret_cast<std::uintptr_t>(data) % alignment != 0) complain("misaligned block");
      const auto fill = static_cast<unsigned char>(random());
      data[0] = fill;
      data[bytes - 1] = fill;
      live.push_back({data, bytes, fill});
    } else {
      const std::size_t victim = random() % live.size();
      const Live& block = live[victim];
      if (block.data[0] != block.fill || block.data[block.bytes - 1] != block.fill) complain("block changed");
      DEALLOCATE(block.data);
      live[victim] = live.back();
      live.pop_back();
    }
  }
  for (const Live& block : live) DEALLOCATE(block.data);
}

void big_blocks() {
  constexpr std::size_t kGiB = std::size_t{1} << 30;
  for (std::size_t bytes : {std::size_t{3} << 20, std::size_t{300} << 20, kGiB}) {
    auto* data = static_cast<unsigned char*>(ALLOCATE(bytes));
    data[0] = 1;
    data[bytes - 1] = 2;
    if (data[0] != 1 || data[bytes - 1] != 2) complain("big block changed");
    DEALLOCATE(data);
  }
  // 8 GiB may or may not be granted on this machine; both answers must be clean.
  void* maybe = ALLOCATE_NOTHROW(std::size_t{8} << 30);
  if (maybe != nullptr) {
    static_cast<unsigned char*>(maybe)[0] = 1;
    DEALLOCATE(maybe);
  }
  try {
    void* again = ALLOCATE(std::size_t{8} << 30);
    DEALLOCATE(again);
  } catch (const std::bad_alloc&) {
  }
}

void containers() {
  std::vector<std::uint64_t, os_memory::allocator::STL_Allocator<std::uint64_t>> values;
  for (std::uint64_t i = 0; i < 200000; ++i) values.push_back(i * i);
  if (values[1000] != 1000000) complain("vector lost data");
  os_memory::allocator::STL_Allocator<char> odd;
  odd.set_alignment(3);  // invalid: falls back to the default
  char* block = odd.allocate(10);
  odd.deallocate(block, 10);
}

}  // namespace

int main() {
  os_memory::api::enable_memory_tracking(true);
  SafeMemoryLeakReporter::get().initialize(SafeMemoryLeakReporter::Manual, false);
  const std::size_t tracked_before = os_memory::tracker::MemoryTracker::get().live_block_count();

  const unsigned cores = std::thread::hardware_concurrency() == 0 ? 2 : std::thread::hardware_concurrency();
  std::vector<std::thread> threads;
  for (unsigned core = 0; core < cores; ++core) threads.emplace_back(fuzz_small_blocks, core + 1);
  big_blocks();
  containers();
  for (auto& thread : threads) thread.join();

  const std::size_t tracked_after = os_memory::tracker::MemoryTracker::get().live_block_count();
  if (tracked_after != tracked_before) {
    std::fprintf(stderr, "design program: %zu tracked blocks left live\n", tracked_after - tracked_before);
    os_memory::api::report_memory_leaks();
    problems.fetch_add(1);
  }
  std::printf("design program: %u threads, %d problem(s), peak %llu bytes\n", cores, problems.load(),
              static_cast<unsigned long long>(os_memory::api::get_peak_memory_usage()));
  return problems.load() == 0 ? 0 : 1;
}
