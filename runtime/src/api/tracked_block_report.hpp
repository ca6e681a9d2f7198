// Writes the readable report of live tracked blocks, grouped by origin (file:line), with
// raw writes and scratch memory from the OS — usable at exit and inside the allocator.
#pragma once

#include <cstddef>

#include "memory_tracker.hpp"

namespace osp::api {

// Returns the number of blocks reported. `verbose` lists every block under its site.
std::size_t write_tracked_block_report(int fd, const os_memory::tracker::MemoryTracker& tracker,
                                       bool verbose) noexcept;

}  // namespace osp::api
