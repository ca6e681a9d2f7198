// The C allocation surface of libospdebug on Windows: malloc, free, calloc, realloc,
// _msize, _aligned_malloc, _aligned_realloc and _aligned_free for the code linked against
// it. Windows has no LD_PRELOAD and no symbol interposition across DLLs: these
// definitions win because the program links libospdebug (its import library or the
// archive) ahead of the C runtime's import library, so every reference in the program
// and in the static libraries linked into it (libstdc++, libgcc, winpthreads) binds here.
// DLLs that import malloc from the C runtime keep theirs; their blocks reach free() here
// only when the program frees what a DLL handed it, and go back to their owner
// (c_runtime_windows.hpp).
//
// Like malloc_override.cpp on Linux, this file owns the process lifecycle: the exit
// checks run after the program's static destructors and atexit handlers.
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>

#include <cstdint>

#include "api/c_runtime_windows.hpp"
#include "api/load_mode.hpp"
#include "api/malloc_arguments.hpp"
#include "api/malloc_entry_helpers.hpp"
#include "debug/debug_heap.hpp"
#include "debug/error_reports.hpp"
#include "debug/options.hpp"
#include "debug/pointer_validation.hpp"
#include "debug/report_sections.hpp"
#include "debug/report_writer.hpp"
#include "debug/runtime_thread.hpp"
#include "report/leak_report.hpp"
#include "safe_memory_leak_reporter.hpp"

using osp::api::AllocationKind;

namespace {

using namespace osp::api::entry;

using osp::api::kMallocAlignmentBytes;

// A block osp does not know, that the C runtime's heap does: the C runtime's own.
bool foreign_block(void* block) {
  return osp::debug::find_header(block) == nullptr && osp::api::crt_heap_owns(block);
}

}  // namespace

// <stdlib.h> and <malloc.h> declare these as imports from the C runtime DLL; defining
// them here is the point (the definitions replace the imports in this link).
#pragma GCC diagnostic ignored "-Wattributes"

extern "C" {

// Referenced from new_delete_override.cpp so a static link always pulls this file in.
int osp_debug_malloc_override_linked = 1;

void* malloc(std::size_t bytes) noexcept {
  return allocate_malloc(bytes, kMallocAlignmentBytes, as_address(__builtin_return_address(0)), false);
}

void free(void* block) noexcept {
  if (block == nullptr) return;
  if (foreign_block(block)) {
    osp::api::crt_free(block);
    return;
  }
  osp::debug::deallocate(block, AllocationKind::Malloc, as_address(__builtin_return_address(0)));
}

void* calloc(std::size_t count, std::size_t size) noexcept {
  return checked_calloc(count, size, as_address(__builtin_return_address(0)));
}

void* realloc(void* block, std::size_t bytes) noexcept {
  if (block != nullptr && foreign_block(block)) return osp::api::crt_realloc(block, bytes);
  void* moved = osp::debug::reallocate(block, bytes, as_address(__builtin_return_address(0)));
  if (moved == nullptr && bytes != 0) errno = ENOMEM;
  return moved;
}

std::size_t _msize(void* block) noexcept {
  if (block != nullptr && foreign_block(block)) return osp::api::crt_msize(block);
  return osp::debug::usable_size(block);
}

// _aligned_malloc's alignment must be a power of two; the C runtime fails with EINVAL.
void* _aligned_malloc(std::size_t bytes, std::size_t alignment) noexcept {
  auto caller = as_address(__builtin_return_address(0));
  if (!osp::api::is_power_of_two(alignment)) {
    report_bad_alignment("_aligned_malloc", alignment, caller);
    errno = EINVAL;
    return nullptr;
  }
  if (alignment < kMallocAlignmentBytes) alignment = kMallocAlignmentBytes;
  return allocate_malloc(bytes, alignment, caller, false, 0, true);
}

void* _aligned_realloc(void* block, std::size_t bytes, std::size_t alignment) noexcept {
  auto caller = as_address(__builtin_return_address(0));
  if (!osp::api::is_power_of_two(alignment)) {
    report_bad_alignment("_aligned_realloc", alignment, caller);
    errno = EINVAL;
    return nullptr;
  }
  if (block == nullptr) return _aligned_malloc(bytes, alignment);
  if (bytes == 0) {
    osp::debug::deallocate(block, AllocationKind::Malloc, caller);
    return nullptr;
  }
  if (alignment < kMallocAlignmentBytes) alignment = kMallocAlignmentBytes;
  void* moved = allocate_malloc(bytes, alignment, caller, false, 0, true);
  if (moved == nullptr) return nullptr;
  const std::size_t old_bytes = osp::debug::usable_size(block);
  __builtin_memcpy(moved, block, old_bytes < bytes ? old_bytes : bytes);
  osp::debug::deallocate(block, AllocationKind::Malloc, caller);
  return moved;
}

// A block osp did not make came from the C runtime's _aligned_malloc (its blocks are not
// heap block starts, so they cannot be recognised): it goes back there.
void _aligned_free(void* block) noexcept {
  if (block == nullptr) return;
  if (osp::debug::find_header(block) == nullptr) {
    osp::api::crt_aligned_free(block);
    return;
  }
  osp::debug::deallocate(block, AllocationKind::Malloc, as_address(__builtin_return_address(0)));
}

}  // extern "C"

namespace {

// After the program's static destructors and atexit handlers (register_exit_checks):
// whatever is still live and unreachable now is a leak (see malloc_override.cpp).
void run_exit_checks() {
  if (run_exit_checks_and_decide_exit()) {
    fflush(stdout);
    _exit(osp::debug::options().exitcode);
  }
}

int run_exit_checks_at_exit() {
  run_exit_checks();
  return 0;
}

// The program's static destructors and atexit handlers are entries of the C runtime's exit
// table (mingw-w64 runs destructor functions earlier, right after the first of them); an
// entry registered before the program's constructors runs after all of them, and before
// ExitProcess ends the other threads, whose stacks and registers are then still roots.
// From the DLL too (c_runtime_windows.hpp); without the table, at DLL detach or with the
// executable's destructors.
__attribute__((constructor(101))) void register_exit_checks() {
  if (!osp::api::crt_onexit(run_exit_checks_at_exit)) atexit(run_exit_checks);
}

__attribute__((constructor)) void start_runtime() {
  osp::debug::resolve_detect_leaks_default(true);
  const osp::debug::Options& current = osp::debug::options();
  if (current.verbosity >= 1) {
    osp::debug::ReportWriter(2).process_prefix().text("osp: debug runtime active (linked, stack_depth=")
        .decimal(static_cast<std::uint64_t>(current.stack_depth)).text(", quarantine_mb=")
        .decimal(static_cast<std::uint64_t>(current.quarantine_mb)).text(", halt_on_error=")
        .decimal(current.halt_on_error ? 1 : 0).text(", detect_leaks=")
        .decimal(current.detect_leaks ? 1 : 0).text(")\n");
  }
}


}  // namespace
