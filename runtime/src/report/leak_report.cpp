// Scan, aggregate, then report (see leak_report.hpp).
#include "report/leak_report.hpp"

#include <cstring>
#include <new>
#include <string>

#include "debug/error_reports.hpp"
#include "debug/options.hpp"
#include "debug/report_sections.hpp"
#include "debug/report_writer.hpp"
#include "debug/runtime_thread.hpp"
#include "os/os_memory.hpp"
#include "report/leak_scan.hpp"
#include "report/site_table.hpp"
#include "report/snapshot_file.hpp"
#include "report/text_report.hpp"

namespace osp::report {
namespace {

os::SpinLock g_report_lock;

class ReportLock {
 public:
  ReportLock() noexcept { g_report_lock.lock(); }
  ~ReportLock() { g_report_lock.unlock(); }
  ReportLock(const ReportLock&) = delete;
  ReportLock& operator=(const ReportLock&) = delete;
};

bool write_snapshot_file(const LeakScan& scan, const SiteTable& sites, const ReportRequest& request) {
  try {
    const std::string path = expand_snapshot_path(request.snapshot_path);
    return write_file_atomically(path, build_snapshot_json(scan, sites, request.trigger));
  } catch (const std::exception& error) {
    debug::ReportWriter(2).process_prefix().text("osp: leak snapshot not written: ")
        .text(error.what()).text("\n");
    return false;
  }
}

}  // namespace

unsigned counted_leak_kinds() noexcept {
  const char* text = debug::options().leak_kinds;
  if (text == nullptr || text[0] == '\0') text = "definite,indirect";
  if (std::strcmp(text, "all") == 0) return 0xf;
  unsigned mask = 0;
  for (int kind = 0; kind < kLeakKindCount; ++kind) {
    const char* name = leak_kind_name(static_cast<LeakKind>(kind));
    const std::size_t length = std::strlen(name);
    for (const char* found = std::strstr(text, name); found != nullptr;
         found = std::strstr(found + 1, name)) {
      const bool starts = found == text || found[-1] == ',';
      const bool ends = found[length] == '\0' || found[length] == ',';
      if (starts && ends) mask |= 1u << kind;
    }
  }
  return mask != 0 ? mask : 0x3;
}

ReportOutcome run_leak_report(const ReportRequest& request, const CallerRoots& caller) noexcept {
  debug::ReentrancyGuard guard;
  ReportLock lock;
  ReportOutcome outcome{0, 0, false};
  LeakScan scan;
  run_leak_scan(scan, caller);
  const unsigned counted = counted_leak_kinds();
  const bool snapshot = request.snapshot_path != nullptr && request.snapshot_path[0] != '\0';
  // A snapshot lists every kind; the text report only the counted ones; the exit status
  // needs no names at all.
  const unsigned named_kinds = !debug::options().symbolize ? 0u
                               : snapshot                  ? kAllLeakKinds
                               : request.text              ? counted
                                                           : 0u;
  SiteTable sites;
  if (!sites.build(scan, scan.arena, named_kinds, nullptr, nullptr)) {
    debug::ReportWriter(2).process_prefix()
        .text("osp: warning: out of memory while aggregating leak sites; no leak report\n");
    return outcome;
  }
  for (std::size_t index = 0; index < sites.size(); ++index) {
    const LeakSite& site = sites[index];
    if (site.suppressed || (counted & (1u << static_cast<int>(site.kind))) == 0) continue;
    outcome.leaked_blocks += site.total.blocks;
    outcome.leaked_bytes += site.total.bytes;
  }
  if (snapshot) {
    outcome.snapshot_written = write_snapshot_file(scan, sites, request);
  }
  if (request.text) {
    write_text_report(debug::report_fd, scan, sites, counted, request.verbose);
  } else if (!scan.complete) {
    write_incomplete_scan_warning(debug::report_fd, scan);
  }
  return outcome;
}

namespace {

// Before a fatal error ends the process: the snapshot at report_path, so the error (and
// the leaks so far) reach the CI gate although the process never exits.
[[gnu::noinline]] void write_snapshot_before_abort() {
  CallerRoots caller;
  OSP_CAPTURE_CALLER_ROOTS(caller);
  const char* path = debug::options().report_path;
  if (path == nullptr || path[0] == '\0') return;
  run_leak_report({false, false, path, SnapshotTrigger::Error}, caller);
}

__attribute__((constructor)) void register_snapshot_before_abort() {
  debug::set_before_abort_hook(write_snapshot_before_abort);
}

}  // namespace

__attribute__((noinline)) std::uint64_t run_exit_leak_check(bool text) noexcept {
  CallerRoots caller;
  OSP_CAPTURE_CALLER_ROOTS(caller);
  const debug::Options& current = debug::options();
  ReportRequest request{text, current.verbosity >= 2, current.report_path, SnapshotTrigger::Exit};
  return run_leak_report(request, caller).leaked_blocks;
}

}  // namespace osp::report
