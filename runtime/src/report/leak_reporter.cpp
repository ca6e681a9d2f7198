// SafeMemoryLeakReporter for libospdebug: Automatic mode reports at exit (through the
// runtime's exit checks, after every static destructor that may still free memory),
// Manual mode only when asked: report_now() for the readable report, write_snapshot()
// (and the C API's osp_write_snapshot) for the JSON snapshot. Both run a full
// reachability scan (report/leak_scan.hpp).
#include "safe_memory_leak_reporter.hpp"

#include "osp/osp.h"

#include "debug/options.hpp"
#include "debug/report_writer.hpp"
#include "report/leak_report.hpp"

SafeMemoryLeakReporter& SafeMemoryLeakReporter::get() noexcept {
  static SafeMemoryLeakReporter reporter;
  return reporter;
}

void SafeMemoryLeakReporter::initialize(Mode mode, bool verbose) noexcept {
  mode_ = mode;
  verbose_ = verbose;
  initialized_ = true;
}

namespace {

bool write_api_snapshot(const char* path, const osp::report::CallerRoots& caller) noexcept {
  if (path == nullptr || path[0] == '\0') path = osp::debug::options().report_path;
  if (path == nullptr || path[0] == '\0') {
    osp::debug::ReportWriter(2).process_prefix()
        .text("osp: leak snapshot not written: no path given and the report_path option is empty\n");
    return false;
  }
  osp::report::ReportRequest request{false, false, path, osp::report::SnapshotTrigger::Api};
  return osp::report::run_leak_report(request, caller).snapshot_written;
}

}  // namespace

// The entry points the program calls capture its roots first (see caller_roots.hpp).
__attribute__((noinline)) std::size_t SafeMemoryLeakReporter::report_now() noexcept {
  osp::report::CallerRoots caller;
  OSP_CAPTURE_CALLER_ROOTS(caller);
  const bool verbose = verbose_ || osp::debug::options().verbosity >= 2;
  osp::report::ReportRequest request{true, verbose, nullptr, osp::report::SnapshotTrigger::Api};
  return static_cast<std::size_t>(osp::report::run_leak_report(request, caller).leaked_blocks);
}

__attribute__((noinline)) bool SafeMemoryLeakReporter::write_snapshot(const char* path) noexcept {
  osp::report::CallerRoots caller;
  OSP_CAPTURE_CALLER_ROOTS(caller);
  return write_api_snapshot(path, caller);
}

extern "C" __attribute__((noinline)) int osp_write_snapshot(const char* path) {
  osp::report::CallerRoots caller;
  OSP_CAPTURE_CALLER_ROOTS(caller);
  return write_api_snapshot(path, caller) ? 0 : -1;
}
