// Sanitizer-style error reports, one function per error kind. Each writes
//   ==PID==ERROR: osp: <kind> on address 0x... (<block>) thread T<n>
// then what was found, the allocation / free / current stacks (symbolized now), and
//   SUMMARY: osp: <kind> <file>:<line> in <function>
// to stderr (or <log_path>.<pid>), records the error in the error log, and aborts when
// halt_on_error is set and the error is fatal. Bad request arguments (alignment, calloc
// overflow, impossible sizes) are counted as failed allocations and, unless
// allocator_may_return_null is set, reported and fatal like any other error.
// `caller` is the return address of the interposed entry point: stacks start there.
#pragma once

#include <cstddef>
#include <cstdint>

#include "api/backend.hpp"
#include "debug/block_guards.hpp"
#include "debug/block_header.hpp"

namespace osp::debug {

// Where reports go: stderr, or <log_path>.<pid> (reopened after fork).
int report_fd() noexcept;

void report_double_free(BlockHeader* header, api::AllocationKind freed_with,
                        std::uintptr_t caller) noexcept;
// `address` is not the start of a live osp block: says what it is (stack, global,
// interior pointer, unknown).
void report_invalid_free(const void* address, const char* function,
                         std::uintptr_t caller) noexcept;
// `when`: "at free", "at exit", "in a heap check", "when it left the quarantine".
void report_guard_damage(BlockHeader* header, const Damage& damage, bool front_guard,
                         const char* when, std::uintptr_t caller) noexcept;
void report_write_after_free(BlockHeader* header, const Damage& damage,
                             std::uintptr_t caller) noexcept;
void report_mismatched_deallocation(BlockHeader* header, api::AllocationKind freed_with,
                                    std::uintptr_t caller) noexcept;
void report_invalid_alignment(const char* function, std::size_t alignment,
                              std::uintptr_t caller) noexcept;
void report_calloc_overflow(const char* function, std::size_t count, std::size_t size,
                            std::uintptr_t caller) noexcept;
void report_allocation_size_too_big(std::size_t bytes, std::uintptr_t caller) noexcept;

// Report lock, for fork handlers.
void lock_reports() noexcept;
void unlock_reports() noexcept;

}  // namespace osp::debug
