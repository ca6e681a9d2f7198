// The pieces of libospdebug's allocation path, each alone: checking a block's canaries
// (front and tail guards), pushing a freed block through the quarantine, and interning
// an already-known 16-frame stack in the stack depot. Linked with libospdebug, so the
// process's own malloc is the debug runtime's too.
#include <benchmark/benchmark.h>

#include <cstdint>
#include <cstdlib>
#include <vector>

#include "debug/block_guards.hpp"
#include "debug/block_header.hpp"
#include "debug/quarantine.hpp"
#include "trace/stack_depot.hpp"

namespace {

using osp::debug::BlockHeader;

// Both guards of a live block from malloc: what every free and every heap check does.
void BM_CanaryCheck(benchmark::State& state) {
  const auto bytes = static_cast<std::size_t>(state.range(0));
  void* block = std::malloc(bytes);
  // Hides the pointer's origin from the optimizer: the header lies before what malloc
  // returned, which the compiler would otherwise flag as out of bounds.
  __asm__("" : "+r"(block));
  BlockHeader* header = osp::debug::header_of(block);
  if (header->magic != osp::debug::kLiveMagic) {
    state.SkipWithError("malloc did not come from libospdebug (is it linked first?)");
    std::free(block);
    return;
  }
  for (auto _ : state) {
    osp::debug::Damage front = osp::debug::check_front_guard(header);
    osp::debug::Damage tail = osp::debug::check_tail_guard(header);
    if (front.found() || tail.found()) {
      state.SkipWithError("guards reported damage on an intact block");
      break;
    }
    benchmark::DoNotOptimize(front);
    benchmark::DoNotOptimize(tail);
  }
  std::free(block);
  state.SetItemsProcessed(state.iterations());
}
BENCHMARK(BM_CanaryCheck)->Arg(64)->Arg(4096);

// Takes the runtime's own quarantined blocks out and gives them back afterwards, so the
// benchmark's stand-in headers never reach the pool and the runtime's blocks are kept.
class QuarantineStash {
 public:
  QuarantineStash() : saved_(osp::debug::quarantine::drain()) {}
  ~QuarantineStash() {
    // Take the stand-ins out, then put back the saved blocks (and any this thread freed
    // meanwhile) with no limit, so none of them leaves.
    BlockHeader* since = osp::debug::quarantine::drain();
    for (BlockHeader* chain : {saved_, since}) {
      for (BlockHeader* header = chain; header != nullptr;) {
        BlockHeader* next = header->next;
        if (header->magic == osp::debug::kLiveMagic) {
          osp::debug::quarantine::push(header, SIZE_MAX);
        }
        header = next;
      }
    }
  }

 private:
  BlockHeader* saved_;
};

// Steady state of a full quarantine: each free stages its block and gives back one
// that was freed long ago (the thread's chunk goes to the FIFO, and a chunk comes out,
// once every kChunkBlocks frees).
void BM_QuarantinePush(benchmark::State& state) {
  constexpr std::size_t kQueuedBlocks = 1024;
  constexpr std::size_t kUserBytes = 64;
  // Room for the queue, the thread's chunk and the chunk being given back.
  std::vector<BlockHeader> headers(kQueuedBlocks + 4 * osp::debug::quarantine::kChunkBlocks);
  for (BlockHeader& header : headers) {
    header = BlockHeader{};  // magic 0: a stand-in, never a runtime block
    header.requested_bytes = kUserBytes;
    header.alignment_offset = static_cast<std::uint32_t>(osp::debug::front_offset(16));
  }
  const std::size_t cost_bytes =
      headers[0].alignment_offset + kUserBytes + osp::debug::tail_guard_bytes(kUserBytes);
  const std::size_t limit_bytes = kQueuedBlocks * cost_bytes;
  // Allocated before the stash and freed after it: no free of this thread may meet a
  // stand-in.
  std::vector<BlockHeader*> ready;
  ready.reserve(headers.size());
  for (BlockHeader& header : headers) ready.push_back(&header);
  QuarantineStash stash;
  auto push = [&](BlockHeader* header) {
    for (BlockHeader* out = osp::debug::quarantine::push(header, limit_bytes); out != nullptr;) {
      BlockHeader* next = out->next;
      ready.push_back(out);
      out = next;
    }
  };
  for (std::size_t index = 0; index < kQueuedBlocks; ++index) {
    BlockHeader* header = ready.back();
    ready.pop_back();
    push(header);
  }
  for (auto _ : state) {
    if (ready.empty()) {
      state.SkipWithError("the quarantine kept more than its limit and one chunk");
      break;
    }
    BlockHeader* header = ready.back();
    ready.pop_back();
    push(header);
  }
  state.SetItemsProcessed(state.iterations());
}
BENCHMARK(BM_QuarantinePush);

// A stack the depot already holds: the lookup every allocation from a known site does.
void BM_StackDepotInternKnown(benchmark::State& state) {
  constexpr int kDepth = 16;
  std::uintptr_t frames[kDepth];
  for (int index = 0; index < kDepth; ++index) {
    frames[index] = 0x7f0000001000 + 0x97 * static_cast<std::uintptr_t>(index);
  }
  osp::trace::StackDepot& depot = osp::trace::StackDepot::instance();
  const osp::trace::StackId first = depot.intern(frames, kDepth);
  for (auto _ : state) {
    osp::trace::StackId id = depot.intern(frames, kDepth);
    if (id != first) {
      state.SkipWithError("the same stack got a different id");
      break;
    }
    benchmark::DoNotOptimize(id);
  }
  state.SetItemsProcessed(state.iterations());
}
BENCHMARK(BM_StackDepotInternKnown);

}  // namespace

BENCHMARK_MAIN();
