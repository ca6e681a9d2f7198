// SmallManager: the Small tier (blocks up to 1 MiB).
//
// Address space: one reservation split into one region per size class, so a block's class
// is (address - base) / kClassRegionBytes and needs no header. Each thread owns a cache
// per class: a free list plus a bump range carved from the class region. The fast paths
// (pop/push on the calling thread's cache) use no locks and no atomic read-modify-write;
// they touch only the thread's own storage (initial-exec TLS on Linux; os/platform.hpp).
// A class caches at most two batches: the free list (at most one batch, ending in null, so
// it is a chain as it stands) and one spare chain of exactly one batch. A free that finds
// the list full turns it into the spare and sends the old spare to the class's global
// ChainStack; an allocation that finds the list empty takes the spare, then a chain from
// the stack. No path walks a list, so moving a batch costs the same for any batch size.
//
// Counters are per thread and class (written only by their owner) and summed over a
// registry of live caches plus the totals of exited threads, so no counter line is shared
// on the fast path. The fast paths are inline here so MemoryPool compiles them straight
// into malloc and free; refills, flushes and first use are out of line.
#pragma once

#include <cstddef>
#include <cstdint>

#include "os/platform.hpp"
#include "pool/medium_cache.hpp"
#include "pool/owner_counter.hpp"
#include "pool/size_classes.hpp"

namespace osp::pool {

// One class of a thread's cache: 64 bytes, so each class's fields share one cache line
// (the thread's cache starts on a page).
struct ClassCache {
  void* free_head;  // word 0 of each free block links to the next; the last links to null
  std::uint32_t free_count;
  // Frees beyond this many blocks on the list (one batch) take the slow path, which moves
  // the list to `spare_chain`. Zero until the cache is registered and again after the
  // thread's exit, so one compare on the fast path also sends a new or exited thread's
  // frees the slow way.
  std::uint32_t free_limit;
  std::uintptr_t bump_cursor;  // fresh blocks not yet handed out: [cursor, end)
  std::uintptr_t bump_end;
  OwnerCounter allocations;
  OwnerCounter frees;
  std::uint64_t published_live_blocks;  // allocations - frees at the last publish
  void* spare_chain;  // null, or exactly one batch of free blocks linked like the list
};
static_assert(sizeof(ClassCache) == 64);

enum class CacheState : std::uint8_t { Uninitialized = 0, Active = 1, Exited = 2 };

// The thread's pool cache: its Small classes and, beside them, its Medium blocks (which
// share the cache's life: registration, flush, exit and fork).
struct ThreadCache {
  ClassCache classes[kSmallClassCount];
  ThreadCache* registry_previous;
  ThreadCache* registry_next;
  CacheState state;
  MediumCache medium;
};

OSP_THREAD_STORAGE_DECLARE(ThreadCache, thread_cache)

// Start of the Small reservation; 0 until the first Small allocation. Written once.
extern std::uintptr_t small_region_base;

// What the thread caches counted: Small blocks, and Medium blocks of threads with a cache.
struct ThreadCacheTotals {
  TierTotals small;
  TierTotals medium;
};

class SmallManager {
 public:
  // Bytes of address space each class may use; beyond it the class is exhausted and
  // requests fall through to the Medium tier.
  static constexpr std::size_t kClassRegionBytes = std::size_t{1} << 30;

  // A block from the calling thread's cache, or null when that needs more than a pop or
  // a bump (a refill, the thread's first use): no call on any path, so a caller that
  // hands the null case to an out-of-line function compiles to straight-line code.
  static void* try_allocate(int class_index) noexcept {
    ThreadCache* cache = thread_cache_if_ready();
    if (__builtin_expect(cache == nullptr, 0)) return nullptr;
    ClassCache& slot = cache->classes[class_index];
    void* block = slot.free_head;
    if (__builtin_expect(block != nullptr, 1)) {
      void* next = *static_cast<void**>(block);
      slot.free_head = next;
      // The next allocation of this class reads `next`'s link: start that load now, so
      // a free list of blocks that left the cache does not stall every allocation on it.
      __builtin_prefetch(next);
      --slot.free_count;
    } else if (slot.bump_cursor < slot.bump_end) {
      block = reinterpret_cast<void*>(slot.bump_cursor);
      slot.bump_cursor += class_block_bytes(class_index);
    } else {
      return nullptr;
    }
    slot.allocations.add(1);
    return block;
  }

  static void* allocate(int class_index) noexcept {
    if (void* block = try_allocate(class_index)) return block;
    return allocate_slow(class_index);
  }

  // Frees `block` into the calling thread's cache; false (nothing done) when that needs
  // the slow path: a full list, or a thread that has not used its cache yet.
  static bool try_deallocate(void* block, int class_index) noexcept {
    ThreadCache* cache = thread_cache_if_ready();
    if (__builtin_expect(cache == nullptr, 0)) return false;
    ClassCache& slot = cache->classes[class_index];
    if (__builtin_expect(slot.free_count >= slot.free_limit, 0)) return false;
    *static_cast<void**>(block) = slot.free_head;
    slot.free_head = block;
    ++slot.free_count;
    slot.frees.add(1);
    return true;
  }

  static void deallocate(void* block, int class_index) noexcept {
    if (!try_deallocate(block, class_index)) deallocate_slow(block, class_index);
  }
  // The class of a block inside the Small region, or -1 when `address` is not in it.
  static int class_of(const void* address) noexcept {
    const std::uintptr_t base = __atomic_load_n(&small_region_base, __ATOMIC_ACQUIRE);
    const std::uintptr_t offset = reinterpret_cast<std::uintptr_t>(address) - base;
    // One unsigned compare covers both "below the region" and "above it".
    if (base == 0 || offset >= kClassRegionBytes * kSmallClassCount) return -1;
    return static_cast<int>(offset / kClassRegionBytes);
  }
  // The class's block bytes when `address` is in the Small region at a block boundary of
  // its class (a block handed out at some point), else 0.
  static std::size_t block_bytes_if_start(const void* address) noexcept;
  static void flush_thread_cache() noexcept;
  // The calling thread's cache, registered on first use; null after the thread's exit.
  static ThreadCache* active_thread_cache() noexcept;
  static ThreadCacheTotals totals() noexcept;
  // Counts a Medium allocation (`bytes` > 0) or free (< 0) by a thread without a cache.
  static void count_medium_without_cache(std::int64_t bytes) noexcept;

  // Out of line: refill or first use; flush, or a thread whose cache is gone.
  static void* allocate_slow(int class_index) noexcept;
  static void deallocate_slow(void* block, int class_index) noexcept;

  static void prepare_fork() noexcept;
  static void after_fork_in_parent() noexcept;
  static void after_fork_in_child() noexcept;
};

}  // namespace osp::pool
