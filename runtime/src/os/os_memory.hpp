// The operating-system layer: virtual memory, thread-exit hooks and raw output. Every
// platform call of the runtime goes through here; linux.cpp and windows.cpp implement it.
// Nothing here calls malloc.
#pragma once

#include <cstddef>
#include <cstdint>

namespace osp::os {

std::size_t page_size() noexcept;

// Reserves `bytes` of address space aligned to `alignment` (a power of two; at least the
// page size), not yet backed by memory. Returns nullptr on failure.
void* reserve(std::size_t bytes, std::size_t alignment) noexcept;
// Makes [address, address+bytes) of a reservation readable and writable.
bool commit(void* address, std::size_t bytes) noexcept;
// Gives the physical pages of a page-aligned range back; the range stays reserved. Before
// it is used again it must be committed (Windows faults on decommitted pages; Linux reads
// them as zero).
void decommit(void* address, std::size_t bytes) noexcept;
// Releases a whole reservation made by reserve()/map(): `address` is exactly what they
// returned (Windows can only release a reservation whole, from its base).
void release(void* address, std::size_t bytes) noexcept;
// Gives a mapping from map() (without huge pages) a new size, moving its pages rather
// than copying them: the mapping's new address (perhaps the same), or null when the OS
// cannot (Windows has no such call), with the mapping left as it was.
void* remap(void* address, std::size_t old_bytes, std::size_t new_bytes) noexcept;
// Moving pages between places of a reservation, for a block that realloc moves: the
// pages of [from, from+bytes) go to [to, to+bytes), replacing what was there, without a
// copy; [from, from+bytes) stays reserved and reads as zeros. Both ranges are page-aligned
// parts of reserve()d memory, and [from, from+bytes) must lie in one kernel mapping (each
// move makes its destination a mapping of its own). Refused: nothing changed. Lost: the
// OS refused after unmapping [to, to+bytes) and could not reserve it again, so it is no
// longer the caller's ([from, from+bytes) is unchanged). After any refusal every later
// move is refused at once. can_move_pages() says whether moves are possible at all
// (Linux 5.7 and later; never on Windows).
enum class PageMove { Moved, Refused, DestinationLost, SourceLost };
bool can_move_pages() noexcept;
PageMove move_pages(void* from, void* to, std::size_t bytes) noexcept;
// The same into a larger destination, which becomes one kernel mapping whole: the pages
// of [from, from+bytes) go to the start of [to, to+to_bytes), the rest of which reads as
// zeros, so the block can be moved or grown as one mapping later. The source range is
// unmapped by the move and reserved again (reading as zeros); SourceLost: the pages moved
// but another mapping took the source range first, so it is no longer the caller's.
PageMove move_pages_growing(void* from, std::size_t bytes, void* to, std::size_t to_bytes) noexcept;
// Reserve + commit in one call: zeroed, read-write memory, or nullptr. With
// `huge_pages`, tries explicit huge pages first and falls back to transparent ones.
void* map(std::size_t bytes, std::size_t alignment, bool huge_pages) noexcept;

// Guarded slots (runtime/src/guarded): address space that faults on any access until a
// page range of it is opened; closing a range returns its physical pages and makes it
// fault again. Ranges are page-aligned.
void* reserve_inaccessible(std::size_t bytes) noexcept;
bool open_pages(void* address, std::size_t bytes) noexcept;
bool close_pages(void* address, std::size_t bytes) noexcept;
// The most memory mappings the kernel allows a process (0 where there is no such limit):
// every open guarded slot splits its reservation into more of them.
std::size_t max_memory_mappings() noexcept;

// Runs `callback(argument)` when the calling thread exits (once per registration).
// Used to give a thread's cache back; safe to call from inside malloc. False when the
// thread has no room for another callback (it will not run).
bool at_thread_exit(void (*callback)(void*), void* argument) noexcept;

// Runs `prepare` before fork() and `in_parent`/`in_child` after it, in the process that
// called fork and in the new one. A no-op where processes do not fork (Windows).
void register_fork_handlers(void (*prepare)(), void (*in_parent)(), void (*in_child)()) noexcept;

std::uint64_t current_thread_id() noexcept;
std::uint64_t process_id() noexcept;
// A monotonic clock for timeouts and durations, in nanoseconds from an arbitrary start.
std::uint64_t monotonic_nanoseconds() noexcept;
// Resident set size of this process in bytes (0 if unknown).
std::size_t resident_bytes() noexcept;

// Writes all of `bytes` to `fd` (stderr = 2), retrying short writes. No buffering.
void write_all(int fd, const char* bytes, std::size_t length) noexcept;

// Fork safety for the per-thread storage blocks (platform.hpp): taken before fork and
// released after it in parent and child, with the pool's own locks.
void lock_thread_blocks() noexcept;
void unlock_thread_blocks() noexcept;

// Gives the rest of this thread's time slice to another thread.
void yield_thread() noexcept;
// One step of a spin-wait's backoff, `spins` the steps taken so far: a pause, then, once
// the wait is long, the rest of the time slice.
void spin_backoff(int spins) noexcept;

// A process-wide memory barrier: when process_barrier() returns, every thread of the
// process has passed a full barrier, so a store it made before that point is visible to
// the caller (membarrier on Linux, FlushProcessWriteBuffers on Windows). It lets a hot
// path pair its store and load with a compiler barrier only (BiasedLock).
// enable_process_barrier() must succeed once before the first use; false where the
// kernel or a seccomp filter offers no such barrier.
bool enable_process_barrier() noexcept;
void process_barrier() noexcept;

// A minimal lock (never held across a call that may allocate). The uncontended path is
// inline: one exchange to take it, one store to release it.
class SpinLock {
 public:
  void lock() noexcept {
    if (__atomic_exchange_n(&state_, 1, __ATOMIC_ACQUIRE) != 0) lock_contended();
  }
  void unlock() noexcept { __atomic_store_n(&state_, 0, __ATOMIC_RELEASE); }
  bool try_lock() noexcept;

 private:
  void lock_contended() noexcept;
  volatile int state_ = 0;
};

}  // namespace osp::os
