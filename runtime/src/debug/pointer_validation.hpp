// Finds the header of a pointer handed to free/delete/realloc without ever reading memory
// that might not be mapped: the pool is asked whether each possible block start is one of
// its blocks (MemoryPool::owns) and large enough before the header is read, so a stack,
// global or foreign pointer cannot make the runtime fault.
#pragma once

namespace osp::debug {

struct BlockHeader;

// The header of the osp block whose user pointer is `user` (live, quarantined, or
// retired to the pool but not yet reused), or null when `user` is no such pointer.
BlockHeader* find_header(const void* user) noexcept;

}  // namespace osp::debug
