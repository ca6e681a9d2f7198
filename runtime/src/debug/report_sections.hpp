// The parts every error report is made of, shared by the reports of misuse found by a
// check (error_reports.cpp) and of faults at the access (fault_reports.cpp): the report
// lock, the sections (stacks, block details, damage), and closing a report (the
// SUMMARY line, the error log, halting).
#pragma once

#include <cstddef>
#include <cstdint>

#include "debug/block_guards.hpp"
#include "debug/block_header.hpp"
#include "debug/error_log.hpp"
#include "debug/report_writer.hpp"
#include "debug/runtime_thread.hpp"
#include "os/os_memory.hpp"
#include "trace/stack_depot.hpp"
#include "os/platform.hpp"

namespace osp::debug {

extern os::SpinLock g_report_lock;
// This thread is writing a report: a report raised now is recorded, not printed.
extern OSP_THREAD_LOCAL(bool) t_reporting;

// Holds the report lock for one report; inactive when this thread is already reporting.
class ReportScope {
 public:
  ReportScope() noexcept : active_(!t_reporting) {
    if (!active_) return;
    t_reporting = true;
    g_report_lock.lock();
  }
  ~ReportScope() {
    if (!active_) return;
    g_report_lock.unlock();
    t_reporting = false;
  }
  bool active() const noexcept { return active_; }

 private:
  ReentrancyGuard guard_;
  bool active_;
};

struct CurrentStack {
  std::uintptr_t frames[trace::kMaxStackDepth];
  int depth = 0;
};

struct ReportFacts {
  ErrorKind kind;
  std::uintptr_t address;
  BlockHeader* header;  // may be null
  bool fatal;
  bool show_free_stack = true;  // false when the current stack is that free
  guarded::Access access = guarded::Access::None;
};

void print_frames(ReportWriter& writer, int fd, const std::uintptr_t* frames, int depth);
void print_stored_stack(ReportWriter& writer, int fd, trace::StackId id);
void print_allocation_section(ReportWriter& writer, int fd, BlockHeader* header);
void print_free_section(ReportWriter& writer, int fd, BlockHeader* header);
// "  block: 24 bytes at 0x..., tier Small (size class 3), allocation #5 (12 allocations ago)"
void print_block_details(ReportWriter& writer, BlockHeader* header);
// "  <what>: 3 bytes changed in [+24, +26], expected fa: +24=41 +25=41 +26=41"
void print_damage(ReportWriter& writer, const char* what, const Damage& damage);
// "SUMMARY: osp: <kind> <file>:<line> in <function>" naming the first program frame.
void print_summary(ReportWriter& writer, ErrorKind kind, const CurrentStack& stack);
// Prints the opening line; the line (without the pid prefix) is kept for the error log.
void open_report(ReportWriter& writer, const ReportWriter& first_line);
// The allocation and free sections, the current stack, SUMMARY; records the error; halts
// when the error is fatal and halt_on_error is set.
void close_report(ReportWriter& writer, int fd, const ReportFacts& facts,
                  const ReportWriter& first_line, const CurrentStack& stack,
                  const char* stack_title = "current stack:");  // null: printed already
void capture_current(CurrentStack& stack, std::uintptr_t caller);
void start_line(ReportWriter& line, ErrorKind kind);
void end_line(ReportWriter& line);
// Records an error raised while this thread was already reporting, without printing.
void record_nested(ErrorKind kind, std::uintptr_t address);
// Says what a bad pointer is: part of a live block, a stack or a global address.
void describe_foreign_address(ReportWriter& writer, const void* address);

// Runs before a fatal report aborts the process: the report layer writes the snapshot
// (report_path) there, so the error reaches CI even though the process never exits.
void set_before_abort_hook(void (*hook)()) noexcept;
void run_before_abort_hook() noexcept;
// True once a report has decided to abort the process (run_before_abort_hook ran): exit
// code that still runs after abort() (a DLL's detach on Windows) must not report leaks.
bool aborting_after_report() noexcept;

}  // namespace osp::debug
