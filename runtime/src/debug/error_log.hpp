// The error log: every error report is also kept here, in a fixed-size table in static
// storage (never the heap), for the JSON snapshot writer. When the table is full, later
// errors are counted but not kept.
#pragma once

#include <cstddef>
#include <cstdint>

#include "guarded/fault_context.hpp"
#include "trace/stack_depot.hpp"

namespace osp::debug {

enum class ErrorKind : std::uint8_t {
  DoubleFree,
  InvalidFree,
  HeapBufferOverflow,
  HeapBufferUnderflow,
  UseAfterFree,  // freed memory written while in quarantine
  AllocDeallocMismatch,
  InvalidAlignment,
  CallocOverflow,
  ReallocArrayOverflow,
  AllocationSizeTooBig,
  UseAfterFreeAccess,  // a read or write of a closed guarded slot, caught at the access
  Segv,                // a fault osp did not cause, reported before the program dies of it
};

// The sanitizer-style name: "double-free", "heap-buffer-overflow", ...
const char* error_kind_name(ErrorKind kind) noexcept;

struct ErrorRecord {
  static constexpr std::size_t kMessageBytes = 160;
  ErrorKind kind;
  std::uintptr_t address;        // the bad address (first damaged byte, freed pointer ...)
  std::uintptr_t block_address;  // user pointer of the block concerned, 0 if none
  std::size_t block_bytes;       // its requested size
  std::uint16_t thread;          // thread ordinal that detected the error
  guarded::Access access;        // faults caught at the access; None for the others
  trace::StackId allocation_stack;
  trace::StackId free_stack;
  trace::StackId current_stack;
  char message[kMessageBytes];   // the report's first line, without the "==pid==" prefix
};

void record_error(const ErrorRecord& record) noexcept;
// Visits the kept errors in order (a copy of each; may run while errors are added).
using ErrorVisitor = void (*)(const ErrorRecord& record, void* context);
void for_each_error(ErrorVisitor visit, void* context) noexcept;
std::size_t error_count() noexcept;  // all errors, including those not kept

void lock_error_log() noexcept;
void unlock_error_log() noexcept;

}  // namespace osp::debug
