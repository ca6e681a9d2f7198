// One malloc+free pair (and new+delete) called from ten frames deep, so a runtime that
// records the allocation stack captures a real 10-frame stack. Built three times from
// this file: against glibc (the baseline), linked with libospdebug, and with
// -fsanitize=address, so the debug runtime's cost per pair is compared with ASan's
// (ASan's published figure is 161 ns per pair) under the same loop.
#include <benchmark/benchmark.h>

#include <cstdlib>
#include <cstring>
#include <string>

#if defined(OSP_PAIR_BENCHMARK_DEBUG_RUNTIME)
#include <unistd.h>
#endif

namespace {

constexpr int kCallerFrames = 10;

struct PairLoop {
  virtual ~PairLoop() = default;
  virtual void run(benchmark::State& state) = 0;
};

// Recurses `levels` frames, then runs the loop: the allocation stack is that deep.
__attribute__((noinline)) void run_at_depth(benchmark::State& state, PairLoop& loop, int levels) {
  if (levels > 1) {
    run_at_depth(state, loop, levels - 1);
  } else {
    loop.run(state);
  }
  __asm__ __volatile__("" : : : "memory");  // keeps the recursion from becoming a loop
}

struct MallocFreeLoop : PairLoop {
  std::size_t bytes;
  explicit MallocFreeLoop(std::size_t size) : bytes(size) {}
  void run(benchmark::State& state) override {
    for (auto _ : state) {
      void* block = std::malloc(bytes);
      benchmark::DoNotOptimize(block);
      std::free(block);
    }
  }
};

struct NewDeleteLoop : PairLoop {
  void run(benchmark::State& state) override {
    for (auto _ : state) {
      auto* text = new std::string(40, 'x');
      benchmark::DoNotOptimize(text);
      delete text;
    }
  }
};

void BM_MallocFreePair(benchmark::State& state) {
  MallocFreeLoop loop(static_cast<std::size_t>(state.range(0)));
  run_at_depth(state, loop, kCallerFrames);
  state.SetItemsProcessed(state.iterations());
}
BENCHMARK(BM_MallocFreePair)->Arg(16)->Arg(64)->Arg(256)->Arg(4096);

// new std::string of 40 chars: operator new + the string's own buffer, then both freed.
void BM_NewDeleteString(benchmark::State& state) {
  NewDeleteLoop loop;
  run_at_depth(state, loop, kCallerFrames);
  state.SetItemsProcessed(state.iterations());
}
BENCHMARK(BM_NewDeleteString);

}  // namespace

int main(int argc, char** argv) {
#if defined(OSP_PAIR_BENCHMARK_DEBUG_RUNTIME)
  // The debug runtime reads OSP_OPTIONS once, at its first allocation. When it is not
  // set, run again with the stack depth this benchmark is about and the default quarantine.
  if (std::getenv("OSP_OPTIONS") == nullptr) {
    setenv("OSP_OPTIONS", "stack_depth=10", 1);
    execv("/proc/self/exe", argv);
    std::perror("execv /proc/self/exe");  // fall through: run with the defaults
  }
#endif
  benchmark::Initialize(&argc, argv);
  if (benchmark::ReportUnrecognizedArguments(argc, argv)) return 1;
  benchmark::RunSpecifiedBenchmarks();
  benchmark::Shutdown();
  return 0;
}
