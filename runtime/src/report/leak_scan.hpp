// One leak scan, start to end: list the modules, take every live-block shard lock, stop
// the other threads, release the shard locks (no stopped thread can be inside one), copy
// and classify the live blocks, resume the threads. Everything the later stages need
// (blocks with their kinds, the module table) stays in the scan's scratch memory.
//
// Callers hold the reentrancy guard and the reporter lock (one scan at a time).
#pragma once

#include <cstddef>
#include <cstdint>

#include "report/block_index.hpp"
#include "report/caller_roots.hpp"
#include "report/module_table.hpp"
#include "report/scratch_arena.hpp"

namespace osp::report {

struct LeakScan {
  ScratchArena arena;
  BlockIndex blocks;
  ModuleTable modules;
  bool succeeded = false;       // false: blocks is empty or all Reachable (no verdict)
  bool complete = true;         // false: a thread did not answer; nothing is called a leak
  std::size_t threads = 1;      // threads seen, the scanning one included
  std::size_t unanswered_threads = 0;
  std::uint64_t root_bytes = 0;
  std::uint64_t duration_microseconds = 0;
};

// `caller`: the calling thread's roots as the program's call into the runtime left them
// (see OSP_CAPTURE_CALLER_ROOTS).
void run_leak_scan(LeakScan& scan, const CallerRoots& caller) noexcept;

}  // namespace osp::report
