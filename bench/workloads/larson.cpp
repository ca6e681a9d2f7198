// Larson-style server simulation: each thread owns a table of slots and replaces random
// blocks in it; after every round the tables rotate between threads, so most frees are
// of blocks another thread allocated (cross-thread frees). The total work is fixed and
// split between the threads, so on an ideal allocator and enough cores the wall time
// falls as threads are added.
#include <cstdint>
#include <cstdlib>
#include <thread>
#include <vector>

#include "workload_args.h"

namespace {

constexpr std::size_t kSlotsPerThread = 4000;
constexpr std::size_t kMinObjectBytes = 16;
constexpr std::size_t kMaxObjectBytes = 256;
constexpr int kRounds = 40;

struct Table {
  std::vector<unsigned char*> slots;
};

std::uint64_t run_round(Table& table, std::uint64_t steps, std::uint64_t seed) {
  random_state random{seed | 1};
  std::uint64_t checksum = 0;
  for (std::uint64_t step = 0; step < steps; ++step) {
    std::size_t slot = random_below(&random, table.slots.size());
    unsigned char*& block = table.slots[slot];
    if (block != nullptr) checksum += block[0];
    std::free(block);
    std::size_t bytes = kMinObjectBytes + random_below(&random, kMaxObjectBytes - kMinObjectBytes);
    block = static_cast<unsigned char*>(check_allocation(std::malloc(bytes), bytes));
    block[0] = static_cast<unsigned char>(step);
  }
  return checksum;
}

}  // namespace

int main(int argc, char** argv) {
  workload_args args = parse_workload_args(argc, argv);
  const int threads = args.threads;
  const std::uint64_t total_steps = scaled_count(&args, 8e6, 1000);
  const std::uint64_t steps_per_round = total_steps / (static_cast<std::uint64_t>(kRounds) * threads) + 1;

  std::vector<Table> tables(threads);
  for (Table& table : tables) table.slots.assign(kSlotsPerThread, nullptr);
  std::vector<std::uint64_t> checksums(threads, 0);

  for (int round = 0; round < kRounds; ++round) {
    std::vector<std::thread> workers;
    workers.reserve(threads);
    for (int index = 0; index < threads; ++index) {
      // Thread `index` works on the table another thread filled in the previous round.
      Table& table = tables[(index + round) % threads];
      std::uint64_t seed = 0x1234567ULL * (round + 1) + index;
      workers.emplace_back([&, seed, index] {
        checksums[index] += run_round(table, steps_per_round, seed);
      });
    }
    for (std::thread& worker : workers) worker.join();
  }
  std::uint64_t checksum = 0;
  for (std::uint64_t part : checksums) checksum += part;
  for (Table& table : tables) {
    for (unsigned char* block : table.slots) std::free(block);
  }
  print_checksum("larson", checksum);
  return 0;
}
