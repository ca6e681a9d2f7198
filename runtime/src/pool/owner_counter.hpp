// Counters written only by the thread that owns them and read by any thread summing them,
// and the sums per tier.
#pragma once

#include <cstdint>

namespace osp::pool {

// A relaxed load and store, not a read-modify-write: compiles to a plain add, and a reader
// never sees a torn value.
struct OwnerCounter {
  std::uint64_t value;
  void add(std::uint64_t amount) noexcept {
    __atomic_store_n(&value, __atomic_load_n(&value, __ATOMIC_RELAXED) + amount, __ATOMIC_RELAXED);
  }
  std::uint64_t read() const noexcept { return __atomic_load_n(&value, __ATOMIC_RELAXED); }
};

struct TierTotals {
  std::uint64_t allocations;
  std::uint64_t frees;
  std::uint64_t live_bytes;  // wraps below zero where a thread freed more than it allocated
};

}  // namespace osp::pool
