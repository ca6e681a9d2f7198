// The C allocation surface of libospdebug: malloc and friends, replaced for the whole
// process (linked with -lospdebug or preloaded with LD_PRELOAD). Each entry point notes
// its caller's return address so reported stacks start in the program.
//
// This file also owns the runtime's process lifecycle, because every program that uses
// libospdebug links it: the fork handlers (registered by a constructor; they take every
// lock of the debug layer and the pool around fork) and the exit checks (a destructor:
// guards of all blocks, then the leak report when asked for).
#include <errno.h>
#include <malloc.h>
#include <stdio.h>
#include <stdlib.h>
#include <unistd.h>

#include <cstdint>

#include "api/load_mode.hpp"
#include "api/malloc_arguments.hpp"
#include "api/malloc_entry_helpers.hpp"
#include "debug/debug_heap.hpp"
#include "debug/error_reports.hpp"
#include "debug/options.hpp"
#include "debug/report_writer.hpp"
#include "debug/runtime_thread.hpp"
#include "report/leak_report.hpp"
#include "os/os_memory.hpp"
#include "safe_memory_leak_reporter.hpp"

using osp::api::AllocationKind;

namespace {

using namespace osp::api::entry;

using osp::api::kMallocAlignmentBytes;

void report_too_big(std::size_t bytes, std::uintptr_t caller) {
  if (osp::debug::inside_runtime()) return;
  osp::debug::ReentrancyGuard guard;
  osp::debug::report_allocation_size_too_big(bytes, caller);
}

}  // namespace

extern "C" {

// Referenced from new_delete_override.cpp so a static link always pulls this file in.
int osp_debug_malloc_override_linked = 1;

// malloc and free also pass their frame record, where the stack walk starts.
void* malloc(std::size_t bytes) noexcept {
  return allocate_malloc(bytes, kMallocAlignmentBytes, as_address(__builtin_return_address(0)),
                         false, as_address(__builtin_frame_address(0)));
}

void free(void* block) noexcept {
  osp::debug::deallocate(block, AllocationKind::Malloc, as_address(__builtin_return_address(0)),
                         as_address(__builtin_frame_address(0)));
}

void* calloc(std::size_t count, std::size_t size) noexcept {
  return checked_calloc(count, size, as_address(__builtin_return_address(0)));
}

void* realloc(void* block, std::size_t bytes) noexcept {
  void* moved = osp::debug::reallocate(block, bytes, as_address(__builtin_return_address(0)));
  if (moved == nullptr && bytes != 0) errno = ENOMEM;
  return moved;
}

void* reallocarray(void* block, std::size_t count, std::size_t size) noexcept {
  auto caller = as_address(__builtin_return_address(0));
  std::size_t bytes;
  if (__builtin_mul_overflow(count, size, &bytes)) {
    report_overflow("reallocarray", count, size, caller);
    errno = ENOMEM;
    return nullptr;
  }
  void* moved = osp::debug::reallocate(block, bytes, caller);
  if (moved == nullptr && bytes != 0) errno = ENOMEM;
  return moved;
}

int posix_memalign(void** result, std::size_t alignment, std::size_t bytes) noexcept {
  auto caller = as_address(__builtin_return_address(0));
  if (!osp::api::valid_posix_memalign_alignment(alignment)) {
    report_bad_alignment("posix_memalign", alignment, caller);
    return EINVAL;
  }
  void* block = osp::debug::allocate({bytes, alignment, AllocationKind::Malloc, nullptr, 0,
                                      caller, false, 0, true});
  if (block == nullptr) return ENOMEM;
  *result = block;
  return 0;
}

void* aligned_alloc(std::size_t alignment, std::size_t bytes) noexcept {
  auto caller = as_address(__builtin_return_address(0));
  if (!osp::api::is_power_of_two(alignment)) {
    report_bad_alignment("aligned_alloc", alignment, caller);
    errno = EINVAL;
    return nullptr;
  }
  return allocate_malloc(bytes, alignment, caller, false, 0, true);
}

// Like glibc: an alignment that is not a power of two is rounded up to one.
void* memalign(std::size_t alignment, std::size_t bytes) noexcept {
  auto caller = as_address(__builtin_return_address(0));
  const std::size_t rounded = osp::api::memalign_alignment(alignment);
  if (rounded == 0) {
    report_bad_alignment("memalign", alignment, caller);
    errno = EINVAL;
    return nullptr;
  }
  return allocate_malloc(bytes, rounded, caller, false, 0, true);
}

void* valloc(std::size_t bytes) noexcept {
  return allocate_malloc(bytes, osp::os::page_size(),
                         as_address(__builtin_return_address(0)), false);
}

void* pvalloc(std::size_t bytes) noexcept {
  auto caller = as_address(__builtin_return_address(0));
  const std::size_t rounded = osp::api::pvalloc_bytes(bytes);
  if (rounded == 0) {
    report_too_big(bytes, caller);
    errno = ENOMEM;
    return nullptr;
  }
  return allocate_malloc(rounded, osp::os::page_size(), caller, false);
}

std::size_t malloc_usable_size(void* block) noexcept { return osp::debug::usable_size(block); }

}  // extern "C"

namespace {

// Runs after the program's static destructors and atexit handlers (the runtime is
// finalized after the program that links or preloads it). detect_leaks is on by default
// when linked, off when preloaded (start_runtime).
void run_exit_checks() {
  if (run_exit_checks_and_decide_exit()) {
    // exit() flushes stdio only after this destructor; _exit would drop what the program
    // printed to a pipe. Only if no thread holds stdout (one blocked in a read must not
    // hang the exit).
    if (ftrylockfile(stdout) == 0) {
      fflush_unlocked(stdout);
      funlockfile(stdout);
    }
    _exit(osp::debug::options().exitcode);
  }
}

__attribute__((constructor)) void start_runtime() {
  osp::os::register_fork_handlers(osp::debug::prepare_fork, osp::debug::parent_after_fork,
                                  osp::debug::child_after_fork);
  const bool linked = osp::api::libospdebug_load_mode() == osp::api::LoadMode::Linked;
  osp::debug::resolve_detect_leaks_default(linked);
  const osp::debug::Options& current = osp::debug::options();
  if (current.verbosity >= 1) {
    osp::debug::ReportWriter(2).process_prefix().text("osp: debug runtime active (")
        .text(linked ? "linked" : "preloaded").text(", stack_depth=")
        .decimal(static_cast<std::uint64_t>(current.stack_depth)).text(", quarantine_mb=")
        .decimal(static_cast<std::uint64_t>(current.quarantine_mb)).text(", halt_on_error=")
        .decimal(current.halt_on_error ? 1 : 0).text(", detect_leaks=")
        .decimal(current.detect_leaks ? 1 : 0).text(")\n");
  }
}

__attribute__((destructor)) void stop_runtime() { run_exit_checks(); }

}  // namespace
