// The quarantine: freed blocks wait here, filled with kFreedFillByte, before they go
// back to the pool, so writes after free and late double frees are caught. A FIFO bounded
// in bytes (quarantine_mb), linked through the headers' `next` field, under one SpinLock.
// push() hands back the chain of blocks that must leave; the caller checks and releases
// them outside the lock.
#pragma once

#include <cstddef>

namespace osp::debug {

struct BlockHeader;

namespace quarantine {

// Adds `header` (its whole pool block counted against the limit) and returns the oldest blocks that
// no longer fit, linked through `next` (null when none). A block bigger than the whole
// limit leaves at once.
BlockHeader* push(BlockHeader* header, std::size_t limit_bytes) noexcept;
// Visits every quarantined block (under the lock: no allocation, no blocking).
void for_each(void (*visit)(BlockHeader* header, void* context), void* context) noexcept;
std::size_t bytes() noexcept;

void lock() noexcept;
void unlock() noexcept;

}  // namespace quarantine
}  // namespace osp::debug
