// TrackingTable: libosp's record of live tracked blocks (address → size, file, line), used
// when tracking is enabled. 64 shards chosen by address hash, each an open-addressing table
// under its own lock, in OS memory (never malloc), doubling when 3/4 full.
#pragma once

#include <cstddef>

#include "memory_tracker.hpp"

namespace osp::api {

class TrackingTable {
 public:
  static void insert(const void* address, std::size_t size, const char* file, int line) noexcept;
  // Removes `address` if recorded; returns whether it was.
  static bool erase(const void* address) noexcept;
  static std::size_t count() noexcept;
  static std::size_t bytes() noexcept;
  static void for_each(os_memory::tracker::MemoryTracker::Visitor visit, void* context) noexcept;
};

}  // namespace osp::api
