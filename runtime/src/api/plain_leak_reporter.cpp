// libosp's SafeMemoryLeakReporter: the readable report of live tracked blocks, at exit
// (Automatic) or when asked. libosp has no reachability scan and no JSON snapshot; those
// come with libospdebug.
#include "api/tracked_block_report.hpp"
#include "memory_tracker.hpp"
#include "os/raw_writer.hpp"
#include "safe_memory_leak_reporter.hpp"

#include "osp/osp.h"

namespace {

// Priority 101 runs after every other destructor and after the exit handlers that run
// static destructors, so blocks freed there are not reported.
__attribute__((destructor(101))) void report_at_exit() {
  SafeMemoryLeakReporter& reporter = SafeMemoryLeakReporter::get();
  if (reporter.initialized() && reporter.mode() == SafeMemoryLeakReporter::Automatic) reporter.report_now();
}

}  // namespace

SafeMemoryLeakReporter& SafeMemoryLeakReporter::get() noexcept {
  static SafeMemoryLeakReporter reporter;
  return reporter;
}

void SafeMemoryLeakReporter::initialize(Mode mode, bool verbose) noexcept {
  mode_ = mode;
  verbose_ = verbose;
  initialized_ = true;
  os_memory::tracker::MemoryTracker::get().set_enabled(true);
}

std::size_t SafeMemoryLeakReporter::report_now() noexcept {
  return osp::api::write_tracked_block_report(2, os_memory::tracker::MemoryTracker::get(), verbose_);
}

bool SafeMemoryLeakReporter::write_snapshot(const char*) noexcept {
  osp::os::RawWriter(2).text(
      "osp: JSON leak snapshots need libospdebug (link with -lospdebug); libosp reports as text\n");
  return false;
}

extern "C" int osp_write_snapshot(const char* path) {
  return SafeMemoryLeakReporter::get().write_snapshot(path) ? 0 : -1;
}
