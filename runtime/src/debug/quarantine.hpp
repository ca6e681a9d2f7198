// The quarantine: freed blocks wait here, filled with kFreedFillByte, before they go
// back to the pool, so writes after free and late double frees are caught. A FIFO bounded
// in bytes (quarantine_mb), kept as a list of chunks of block pointers under one SpinLock.
// Each thread fills a chunk of its own first (no lock) and hands it to the FIFO whole, so
// most frees take no lock, and the blocks leaving are known by address up front: their
// cache misses overlap instead of following a linked list one block at a time.
// push() hands back the blocks that must leave, linked through `next`; the caller checks
// and releases them outside the lock.
#pragma once

#include <cstddef>

namespace osp::debug {

struct BlockHeader;

namespace quarantine {

// A thread hands its chunk over once it holds kChunkBlocks blocks or kStagingBytes. The
// quarantine may thus hold that much more than its limit per thread, and it trims
// whole chunks, oldest first.
inline constexpr int kChunkBlocks = 32;
inline constexpr std::size_t kStagingBytes = 256 * 1024;

// Adds `header` (its whole pool block counted against the limit) and returns the oldest
// blocks that no longer fit, linked through `next` (null when none). A block bigger than
// the whole limit leaves at once, and so does any block when the quarantine cannot get
// memory for its bookkeeping.
BlockHeader* push(BlockHeader* header, std::size_t limit_bytes) noexcept;
// Takes every block out: the FIFO's and the calling thread's own (other threads' chunks
// stay with them), linked through `next`, oldest first. For tests and benchmarks.
BlockHeader* drain() noexcept;
// Visits every quarantined block, staged ones included (under the lock: no allocation,
// no blocking).
void for_each(void (*visit)(BlockHeader* header, void* context), void* context) noexcept;
// Bytes in the FIFO (not counting the chunks threads are still filling).
std::size_t bytes() noexcept;

// Fork support: lock() before fork, unlock() in the parent, after_fork_in_child() in the
// child (hands the chunks of threads that do not exist there to the FIFO, and unlocks).
void lock() noexcept;
void unlock() noexcept;
void after_fork_in_child() noexcept;

}  // namespace quarantine
}  // namespace osp::debug
