// The debug heap: guarded, tracked blocks over the pool. Every malloc/new/ALLOCATE of
// libospdebug ends here. It composes the parts of this folder: headers and guards
// (block_header, block_guards), the live table, the quarantine, pointer validation and
// the error reports. Calls made while the thread is inside the runtime get internal
// blocks: same layout, flagged internal, never tracked or reported.
// `caller` is the return address of the interposed entry point (stacks start there).
#pragma once

#include <cstddef>
#include <cstdint>

#include "api/backend.hpp"

namespace osp::debug {

struct AllocationRequest {
  std::size_t bytes;
  std::size_t alignment;  // a power of two (callers validate and report bad ones)
  api::AllocationKind kind;
  const char* file;       // ALLOCATE's call site, or null: capture a stack
  int line;
  std::uintptr_t caller;
  bool zero;              // calloc: zeroed instead of the fresh-fill pattern
  // The entry point's frame record (its __builtin_frame_address(0)), where the stack
  // walk starts; 0 when unknown (the walk then searches for `caller`).
  std::uintptr_t caller_frame = 0;
  // Asked for by an aligned allocation function (memalign, aligned new ...): a guarded
  // slot honours it instead of the C rule for the size.
  bool explicit_alignment = false;
};

// Null on failure (out of memory, impossible size, alignment above 1 GiB).
void* allocate(const AllocationRequest& request) noexcept;
// Checks and frees `user`; reports double/invalid frees, mismatches and damaged guards.
void deallocate(void* user, api::AllocationKind kind, std::uintptr_t caller,
                std::uintptr_t caller_frame = 0) noexcept;
// realloc semantics (malloc family); null on failure with the old block intact.
void* reallocate(void* user, std::size_t bytes, std::uintptr_t caller) noexcept;
// Bytes the program may use in a live block (what it asked for); 0 for anything else.
std::size_t usable_size(const void* user) noexcept;
// Checks the guards of every live block and the fill of every quarantined one, reporting
// each damaged block. `when` names the occasion in reports. Returns the damaged count.
std::size_t check_heap(const char* when, std::uintptr_t caller) noexcept;

// Fork support: every lock of the debug layer, in one order (live table, quarantine,
// reports, error log, guarded slots), and the pool's.
void prepare_fork() noexcept;
void parent_after_fork() noexcept;
void child_after_fork() noexcept;

}  // namespace osp::debug
