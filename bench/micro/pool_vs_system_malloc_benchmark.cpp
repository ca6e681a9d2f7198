// osp's pool against the system malloc, in one binary and one process: allocate/free
// pairs per size, a batch of a million allocations then frees, frees from another
// thread (producer/consumer), realloc growth and aligned allocation.
#include <benchmark/benchmark.h>

#include <condition_variable>
#include <cstdint>
#include <mutex>
#include <thread>
#include <vector>

#include "allocator_pair.hpp"

namespace {

using osp_bench::PoolAllocator;
using osp_bench::SystemAllocator;

constexpr std::int64_t kKiB = 1024;
constexpr std::int64_t kMiB = 1024 * kKiB;

template <typename Allocator>
void BM_AllocateFreePair(benchmark::State& state) {
  const auto bytes = static_cast<std::size_t>(state.range(0));
  for (auto _ : state) {
    void* block = Allocator::allocate(bytes);
    if (block == nullptr) {
      state.SkipWithError("allocation failed");
      break;
    }
    benchmark::DoNotOptimize(block);
    Allocator::deallocate(block);
  }
  state.SetItemsProcessed(state.iterations());
}

void pair_sizes(benchmark::internal::Benchmark* benchmark) {
  for (std::int64_t bytes : {std::int64_t{16}, std::int64_t{64}, std::int64_t{256}, kKiB,
                             4 * kKiB, 64 * kKiB, kMiB, 4 * kMiB, 64 * kMiB}) {
    benchmark->Arg(bytes);
  }
}
BENCHMARK(BM_AllocateFreePair<PoolAllocator>)->Name("pair/pool")->Apply(pair_sizes);
BENCHMARK(BM_AllocateFreePair<SystemAllocator>)->Name("pair/malloc")->Apply(pair_sizes);

// Medium pairs (2 MiB) on 1, 2 and 4 threads at once: each thread's freed block waits in
// its own Medium cache, so the threads share no lock.
void medium_pair_threads(benchmark::internal::Benchmark* benchmark) {
  benchmark->Arg(2 * kMiB)->Threads(1)->Threads(2)->Threads(4)->UseRealTime();
}
BENCHMARK(BM_AllocateFreePair<PoolAllocator>)->Name("medium_pair_threads/pool")->Apply(medium_pair_threads);
BENCHMARK(BM_AllocateFreePair<SystemAllocator>)->Name("medium_pair_threads/malloc")->Apply(medium_pair_threads);

// A million 64-byte allocations, then all the frees: the per-thread cache overflows to
// the global stacks and refills from them.
constexpr std::size_t kBatchBlocks = 1000000;
constexpr std::size_t kBatchBlockBytes = 64;

template <typename Allocator>
void BM_BatchThenFree(benchmark::State& state) {
  std::vector<void*> blocks(kBatchBlocks);
  for (auto _ : state) {
    for (void*& block : blocks) block = Allocator::allocate(kBatchBlockBytes);
    benchmark::DoNotOptimize(blocks.data());
    for (void* block : blocks) Allocator::deallocate(block);
  }
  state.SetItemsProcessed(state.iterations() * static_cast<std::int64_t>(kBatchBlocks));
}
BENCHMARK(BM_BatchThenFree<PoolAllocator>)->Name("batch_1e6/pool")->Unit(benchmark::kMillisecond);
BENCHMARK(BM_BatchThenFree<SystemAllocator>)->Name("batch_1e6/malloc")->Unit(benchmark::kMillisecond);

// The benchmark thread allocates batches; a consumer thread frees them, overlapping
// with the next batch. Counts blocks per second through the pipeline.
constexpr std::size_t kHandoffBlocks = 4096;
constexpr std::size_t kHandoffBlockBytes = 128;

template <typename Allocator>
class FreeingConsumer {
 public:
  FreeingConsumer() : thread_([this] { run(); }) {}
  ~FreeingConsumer() {
    {
      std::lock_guard<std::mutex> lock(mutex_);
      stopping_ = true;
    }
    changed_.notify_all();
    thread_.join();
  }
  // Waits until the previous batch is freed, then hands over `batch`.
  void hand_over(std::vector<void*>& batch) {
    std::unique_lock<std::mutex> lock(mutex_);
    changed_.wait(lock, [&] { return pending_.empty(); });
    pending_.swap(batch);
    changed_.notify_all();
  }
  void wait_idle() {
    std::unique_lock<std::mutex> lock(mutex_);
    changed_.wait(lock, [&] { return pending_.empty() && !busy_; });
  }

 private:
  void run() {
    std::vector<void*> work;
    for (;;) {
      {
        std::unique_lock<std::mutex> lock(mutex_);
        busy_ = false;
        changed_.notify_all();
        changed_.wait(lock, [&] { return stopping_ || !pending_.empty(); });
        if (pending_.empty()) return;
        work.swap(pending_);
        busy_ = true;
        changed_.notify_all();
      }
      for (void* block : work) Allocator::deallocate(block);
      work.clear();
    }
  }

  std::mutex mutex_;
  std::condition_variable changed_;
  std::vector<void*> pending_;
  bool busy_ = false;
  bool stopping_ = false;
  std::thread thread_;
};

template <typename Allocator>
void BM_CrossThreadFree(benchmark::State& state) {
  FreeingConsumer<Allocator> consumer;
  std::vector<void*> batch;
  for (auto _ : state) {
    batch.clear();
    for (std::size_t index = 0; index < kHandoffBlocks; ++index) {
      batch.push_back(Allocator::allocate(kHandoffBlockBytes));
    }
    consumer.hand_over(batch);
  }
  consumer.wait_idle();
  state.SetItemsProcessed(state.iterations() * static_cast<std::int64_t>(kHandoffBlocks));
}
BENCHMARK(BM_CrossThreadFree<PoolAllocator>)->Name("cross_thread_free/pool")->UseRealTime();
BENCHMARK(BM_CrossThreadFree<SystemAllocator>)->Name("cross_thread_free/malloc")->UseRealTime();

// Grows one buffer by 1.5x steps from range(0) to range(1) bytes, then frees it: from
// 16 B to 1 MiB (Small classes, each step a copy for the pool) and from 2 MiB to 256 MiB
// (Medium blocks, which grow in place into free buddies; glibc moves its mmapped chunks
// with mremap).
// With `blocked`, a 4 MiB block is allocated before each series: in an empty Medium tier
// it takes an arena's start, so the buffer cannot grow in place past half an arena and
// moves to a new one (its pages move; before page moves, a 256 MiB copy).
template <typename Allocator, bool blocked = false>
void BM_ReallocGrowth(benchmark::State& state) {
  const auto first_bytes = static_cast<std::size_t>(state.range(0));
  const auto final_bytes = static_cast<std::size_t>(state.range(1));
  std::int64_t steps = 0;
  for (auto _ : state) {
    void* blocker = blocked ? Allocator::allocate(4 * kMiB) : nullptr;
    std::size_t bytes = first_bytes;
    auto* buffer = static_cast<char*>(Allocator::allocate(bytes));
    buffer[0] = 1;
    while (bytes < final_bytes) {
      std::size_t grown = bytes + bytes / 2;
      buffer = static_cast<char*>(Allocator::reallocate(buffer, bytes, grown));
      buffer[grown - 1] = 1;
      bytes = grown;
      ++steps;
    }
    benchmark::DoNotOptimize(buffer);
    Allocator::deallocate(buffer);
    if (blocker != nullptr) Allocator::deallocate(blocker);
  }
  state.SetItemsProcessed(steps);
}
void realloc_growth_ranges(benchmark::internal::Benchmark* benchmark) {
  benchmark->Args({16, kMiB})->Args({2 * kMiB, 256 * kMiB});
}
BENCHMARK(BM_ReallocGrowth<PoolAllocator>)->Name("realloc_growth/pool")->Apply(realloc_growth_ranges);
BENCHMARK(BM_ReallocGrowth<SystemAllocator>)->Name("realloc_growth/malloc")->Apply(realloc_growth_ranges);
BENCHMARK(BM_ReallocGrowth<PoolAllocator, true>)->Name("realloc_growth_past_block/pool")->Args({2 * kMiB, 256 * kMiB});
BENCHMARK(BM_ReallocGrowth<SystemAllocator, true>)->Name("realloc_growth_past_block/malloc")->Args({2 * kMiB, 256 * kMiB});

// A 256-byte block at a given alignment, allocated and freed.
template <typename Allocator>
void BM_AlignedPair(benchmark::State& state) {
  const auto alignment = static_cast<std::size_t>(state.range(0));
  for (auto _ : state) {
    void* block = Allocator::allocate_aligned(256, alignment);
    if (block == nullptr || reinterpret_cast<std::uintptr_t>(block) % alignment != 0) {
      state.SkipWithError("aligned allocation failed or misaligned");
      break;
    }
    benchmark::DoNotOptimize(block);
    Allocator::deallocate(block);
  }
  state.SetItemsProcessed(state.iterations());
}
BENCHMARK(BM_AlignedPair<PoolAllocator>)->Name("aligned_pair/pool")->Arg(64)->Arg(4096)->Arg(65536);
BENCHMARK(BM_AlignedPair<SystemAllocator>)->Name("aligned_pair/malloc")->Arg(64)->Arg(4096)->Arg(65536);

}  // namespace

BENCHMARK_MAIN();
