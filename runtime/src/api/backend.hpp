// The seam between the public API (global_allocator_api.cpp, c_api.cpp) and the library it
// is linked into: libosp implements it over the pool plus an optional tracking table
// (pool_backend.cpp); libospdebug over guarded, always-tracked blocks (debug_backend.cpp).
// MemoryTracker's and SafeMemoryLeakReporter's member functions are also defined by the
// backend, so each library reports what it knows.
#pragma once

#include <cstddef>
#include <cstdint>

namespace osp::api {

// How a block was allocated; libospdebug reports a free through the wrong family as a
// mismatch (malloc→delete, new→free, new[]→delete, ALLOCATE→free …).
enum class AllocationKind : std::uint8_t { Malloc = 0, New = 1, NewArray = 2, Api = 3 };

// Returns nullptr on failure (bad alignment, impossible size, out of memory); never throws.
void* backend_allocate(std::size_t bytes, std::size_t alignment, const char* file, int line,
                       AllocationKind kind) noexcept;
void backend_deallocate(void* block, AllocationKind kind) noexcept;
// Checks every live block's guards; returns how many are corrupt (0 without guards).
std::size_t backend_check_heap() noexcept;

}  // namespace osp::api
