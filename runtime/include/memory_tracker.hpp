// MemoryTracker: the table of live tracked blocks with their origin (file:line).
// In libosp tracking is off until enable_memory_tracking(true); in libospdebug every block
// is tracked. Visiting and reporting never allocate through the heap they describe.
#pragma once

#include <cstddef>

namespace os_memory::tracker {

struct TrackedBlock {
  const void* address;
  std::size_t size;   // bytes the program asked for
  const char* file;   // null when the origin is a captured stack, not a macro
  int line;
};

class MemoryTracker {
 public:
  using Visitor = void (*)(const TrackedBlock& block, void* context);

  static MemoryTracker& get() noexcept;
  bool enabled() const noexcept;
  void set_enabled(bool enabled) noexcept;
  std::size_t live_block_count() const noexcept;
  std::size_t live_bytes() const noexcept;
  // Calls `visit` for every live tracked block. `visit` must not allocate or free.
  void for_each_live_block(Visitor visit, void* context) const noexcept;
  // Writes a readable report of live tracked blocks to `fd` with raw writes.
  // Returns the number of blocks reported.
  std::size_t report(int fd) const noexcept;

 private:
  MemoryTracker() = default;
};

}  // namespace os_memory::tracker
