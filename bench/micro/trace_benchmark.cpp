// Cost of the trace layer on the allocation path: capturing a stack of a given depth with
// each method (from the bottom of a real call chain of that depth), and interning a
// stack that is already in the depot (the common case) or one that is new.
#include <benchmark/benchmark.h>

#include <cstdint>

#include "trace/stack_capture.hpp"
#include "trace/stack_depot.hpp"

namespace {

using osp::trace::capture_stack;
using osp::trace::StackDepot;
using osp::trace::UnwindMethod;

constexpr int kInternDepth = 16;

void capture_loop(benchmark::State& state, UnwindMethod method, int depth) {
  std::uintptr_t frames[osp::trace::kMaxStackDepth];
  for (auto _ : state) {
    const int captured = capture_stack(frames, depth, 0, method);
    benchmark::DoNotOptimize(captured);
    benchmark::DoNotOptimize(frames);
    if (captured != depth) {
      state.SkipWithError("captured fewer frames than asked");
      break;
    }
  }
}

// Recurses `levels` times before running the benchmark loop, so the stack above the
// capture is at least that deep.
__attribute__((noinline)) void run_below_chain(benchmark::State& state, UnwindMethod method,
                                               int levels, int depth) {
  if (levels > 0) {
    run_below_chain(state, method, levels - 1, depth);
  } else {
    capture_loop(state, method, depth);
  }
  __asm__ __volatile__("" : : : "memory");  // keeps the recursion from becoming a loop
}

void BM_CaptureFramePointer(benchmark::State& state) {
  const int depth = static_cast<int>(state.range(0));
  run_below_chain(state, UnwindMethod::FramePointer, depth, depth);
}
BENCHMARK(BM_CaptureFramePointer)->Arg(8)->Arg(16)->Arg(32);

void BM_CaptureLibunwind(benchmark::State& state) {
  const int depth = static_cast<int>(state.range(0));
  run_below_chain(state, UnwindMethod::Libunwind, depth, depth);
}
BENCHMARK(BM_CaptureLibunwind)->Arg(8)->Arg(16)->Arg(32);

// The default walk once every frame's rule is cached: the steady state of a program
// that allocates from the same paths (without the debug layer's memo in front).
void BM_CaptureEhFrame(benchmark::State& state) {
  const int depth = static_cast<int>(state.range(0));
  run_below_chain(state, UnwindMethod::EhFrame, depth, depth);
}
BENCHMARK(BM_CaptureEhFrame)->Arg(8)->Arg(16)->Arg(32);

void BM_InternHotStack(benchmark::State& state) {
  std::uintptr_t frames[kInternDepth];
  for (int i = 0; i < kInternDepth; ++i) frames[i] = 0x400000 + 0x40 * static_cast<unsigned>(i);
  StackDepot& depot = StackDepot::instance();
  depot.intern(frames, kInternDepth);
  for (auto _ : state) benchmark::DoNotOptimize(depot.intern(frames, kInternDepth));
}
BENCHMARK(BM_InternHotStack)->ThreadRange(1, 2);

void BM_InternNewStack(benchmark::State& state) {
  std::uintptr_t frames[kInternDepth];
  for (int i = 0; i < kInternDepth; ++i) frames[i] = 0x500000 + 0x40 * static_cast<unsigned>(i);
  // Distinct per thread and per iteration: every intern stores a new stack.
  std::uintptr_t counter = static_cast<std::uintptr_t>(state.thread_index()) << 40;
  StackDepot& depot = StackDepot::instance();
  for (auto _ : state) {
    frames[0] = ++counter;
    benchmark::DoNotOptimize(depot.intern(frames, kInternDepth));
  }
  // Same value seen by every thread: average, not sum.
  state.counters["depot_MiB"] = benchmark::Counter(
      static_cast<double>(depot.bytes_used()) / (1024.0 * 1024.0),
      benchmark::Counter::kAvgThreads);
}
BENCHMARK(BM_InternNewStack)->ThreadRange(1, 2)->Iterations(200000);

}  // namespace

BENCHMARK_MAIN();
