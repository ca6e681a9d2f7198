// What the malloc-family entry points of libospdebug share on every platform
// (malloc_override.cpp, malloc_override_windows.cpp): each entry point takes its own
// return address, and hands it with the request to these.
#pragma once

#include <errno.h>

#include <cstddef>
#include <cstdint>

#include "api/backend.hpp"
#include "api/malloc_arguments.hpp"
#include "debug/debug_heap.hpp"
#include "debug/error_reports.hpp"
#include "debug/options.hpp"
#include "debug/report_sections.hpp"
#include "debug/runtime_thread.hpp"
#include "report/leak_report.hpp"
#include "safe_memory_leak_reporter.hpp"

namespace osp::api::entry {

inline std::uintptr_t as_address(void* return_address) {
  return reinterpret_cast<std::uintptr_t>(return_address);
}

// `asked_alignment`: the program named the alignment (memalign and friends), which a
// guarded slot then keeps instead of the C rule for the size.
inline void* allocate_malloc(std::size_t bytes, std::size_t alignment, std::uintptr_t caller,
                             bool zero, std::uintptr_t caller_frame = 0,
                             bool asked_alignment = false) {
  void* block = osp::debug::allocate({bytes, alignment, AllocationKind::Malloc, nullptr, 0,
                                      caller, zero, caller_frame, asked_alignment});
  if (block == nullptr) errno = ENOMEM;
  return block;
}

inline void report_bad_alignment(const char* function, std::size_t alignment,
                                 std::uintptr_t caller) {
  if (osp::debug::inside_runtime()) return;
  osp::debug::ReentrancyGuard guard;
  osp::debug::report_invalid_alignment(function, alignment, caller);
}

inline void report_overflow(const char* function, std::size_t count, std::size_t size,
                            std::uintptr_t caller) {
  if (osp::debug::inside_runtime()) return;
  osp::debug::ReentrancyGuard guard;
  osp::debug::report_calloc_overflow(function, count, size, caller);
}

// calloc: the product checked for overflow (reported, ENOMEM), then a zeroed block.
inline void* checked_calloc(std::size_t count, std::size_t size, std::uintptr_t caller) {
  std::size_t bytes;
  if (__builtin_mul_overflow(count, size, &bytes)) {
    report_overflow("calloc", count, size, caller);
    errno = ENOMEM;
    return nullptr;
  }
  return allocate_malloc(bytes, kMallocAlignmentBytes, caller, true);
}

// The checks run after the program's static destructors and atexit handlers: whatever
// is still live and unreachable then is a leak. The heap check with check_on_exit; the
// text report with detect_leaks or the reporter's Automatic mode; a snapshot whenever
// report_path is set. True when leaks were found and `exitcode` should end the process.
inline bool run_exit_checks_and_decide_exit() noexcept {
  if (osp::debug::aborting_after_report()) return false;
  const osp::debug::Options& current = osp::debug::options();
  if (current.check_on_exit) osp::debug::check_heap("at exit", 0);
  SafeMemoryLeakReporter& reporter = SafeMemoryLeakReporter::get();
  const bool automatic =
      reporter.initialized() && reporter.mode() == SafeMemoryLeakReporter::Automatic;
  const bool text = current.detect_leaks || automatic;
  if (!text && current.report_path[0] == '\0') return false;
  const std::uint64_t leaked = osp::report::run_exit_leak_check(text);
  return leaked != 0 && current.detect_leaks && current.exitcode != 0;
}

}  // namespace osp::api::entry
