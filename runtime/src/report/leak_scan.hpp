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

// `caller_stack`: where the calling thread's stack roots begin, the canonical frame
// address of the runtime's entry point (see OSP_CALLER_STACK). The runtime's own frames
// below it are not roots: they hold copies of block pointers and stale slots.
void run_leak_scan(LeakScan& scan, std::uintptr_t caller_stack) noexcept;

}  // namespace osp::report

// Entry points into the scan are two functions: an outer one that only does
// __builtin_unwind_init() (its prologue then saves every callee-saved register, so
// pointers the program kept in registers are in its frame) and calls the inner one, which
// passes OSP_CALLER_STACK, its own canonical frame address: the outer frame with those
// registers and everything above it is scanned, the runtime's frames below are not.
#define OSP_CALLER_STACK (reinterpret_cast<std::uintptr_t>(__builtin_dwarf_cfa()))
