// The report layer's entry points: one leak scan followed by any of the readable report
// on stderr (or log_path), the JSON snapshot, and the SUMMARY line. Used by
// SafeMemoryLeakReporter, the C API, the exit checks, the snapshot signal and the
// per-test checkpoints. One report at a time (a lock); each holds the reentrancy guard.
#pragma once

#include <cstddef>
#include <cstdint>

#include "report/caller_roots.hpp"
#include "report/snapshot_json.hpp"

namespace osp::report {

struct ReportRequest {
  bool text;                  // readable report + SUMMARY line
  bool verbose;               // list sample blocks of every site
  const char* snapshot_path;  // pattern (%p, %t) of the JSON file; null or "": none
  SnapshotTrigger trigger;
};

struct ReportOutcome {
  std::uint64_t leaked_blocks;  // of the kinds counted as leaks, suppressions applied
  std::uint64_t leaked_bytes;
  bool snapshot_written;
};

// `caller`: the roots of the thread that asked, captured by the entry point it called.
ReportOutcome run_leak_report(const ReportRequest& request, const CallerRoots& caller) noexcept;

// The leak kinds the leak_kinds option counts as leaks, as a bit per LeakKind.
unsigned counted_leak_kinds() noexcept;

// The exit path (called by the runtime's exit checks): the text report when `text`, the
// snapshot when report_path is set. Returns the leaked block count.
std::uint64_t run_exit_leak_check(bool text) noexcept;

}  // namespace osp::report
