// BuddyAllocator: the Medium tier (1 MiB < size ≤ 512 MiB).
//
// Memory comes in 512 MiB arenas aligned to their size. A block of order n is 1 MiB·2ⁿ
// and starts at a multiple of its size inside its arena, so its buddy is at offset XOR size.
// Allocation takes the smallest non-empty order (a bitmap per arena says which are
// non-empty) and splits; free merges with free buddies right away under the tier lock, so
// merging is bounded by the 9 orders and cannot livelock. Metadata (order and free flag per
// 1 MiB unit, free lists as unit indices) lives outside the arena, so freed blocks can be
// decommitted without losing it. Up to 64 MiB of freed blocks stay backed for reuse;
// beyond that, freed blocks are decommitted at once (RSS drops). An arena that becomes
// wholly free is released to the OS, except one kept reserved to avoid map/unmap churn.
//
// Lookups take no lock: a table indexed by address / 512 MiB names each live arena's
// metadata, and metadata is never unmapped (a released arena's is reused), so a lookup of
// any address is safe. For the start of a live block its answer is exact: nothing but that
// block's own free changes its entries. A wrong pointer may get a stale answer, never a
// crash. One claim byte per block decides which of two frees of the same block wins (a
// thread cache's, or the free lists'), with a compare-and-swap instead of the lock.
#pragma once

#include <cstddef>
#include <cstdint>

namespace osp::pool {

class BuddyAllocator {
 public:
  static constexpr std::size_t kUnitBytes = std::size_t{1} << 20;
  static constexpr std::size_t kArenaBytes = std::size_t{512} << 20;
  static constexpr int kOrderCount = 10;  // 1 MiB … 512 MiB
  // Freed Medium memory kept backed so the next allocation of that size does not fault
  // every page in again (glibc's raising mmap threshold plays the same role). Beyond the
  // budget, freed blocks are decommitted at once.
  static constexpr std::size_t kRetainedBytes = std::size_t{64} << 20;

  // nullptr when `bytes` > kArenaBytes or no arena can be mapped.
  static void* allocate(std::size_t bytes) noexcept;
  // The same, placed at the start of the largest free block there is, so it can grow in
  // place as far as that block reaches: for a block that realloc moves because it grows.
  static void* allocate_with_room(std::size_t bytes) noexcept;
  // Frees a live block; returns its size, or 0 (and does nothing) when `block` is not
  // the start of a live Medium block.
  static std::size_t deallocate(void* block) noexcept;
  // Block size (1 MiB·2ⁿ) of a live block starting at `address`, or 0 when `address` is
  // not the start of a live Medium block.
  static std::size_t block_bytes(const void* address) noexcept;
  // True when `address` lies inside any Medium arena.
  static bool contains(const void* address) noexcept;

  // The order of the live block starting at `block`, now claimed by the caller (a thread
  // cache keeping it for reuse): it stays allocated to the free lists but block_bytes()
  // no longer sees it, and a second claim or free of it fails. -1 when `block` is not the
  // start of an unclaimed live block. Lock-free.
  static int claim(void* block) noexcept;
  // Ends the caller's claim on `block`: it is live again (handed out from a thread cache).
  static void end_claim(void* block) noexcept;
  // What a freed block's pages hold: data, or nothing since move_pages took them all.
  enum class Pages { Backed, MovedAway };
  // Frees a block the caller has claimed (and ends the claim). A block whose pages moved
  // away is not counted against the retained budget: it holds none.
  static void deallocate_claimed(void* block, Pages pages = Pages::Backed) noexcept;
  // Grows or shrinks the live block at `block` to the order `bytes` needs without moving
  // it: shrinking frees its upper halves; growing takes its buddies when they are free,
  // it is their lower half and no mapping edge lies inside the grown block. Returns the
  // block's new size, or 0 (nothing changed) when it cannot grow in place or is not a
  // live block.
  static std::size_t resize_in_place(void* block, std::size_t bytes) noexcept;
  // Moves the pages of the live block `from` (`bytes` of them, all of it, a multiple of
  // kUnitBytes) to the start of the live block `to`, which is at least as large, instead
  // of copying them: for a block that realloc moves. `from` then reads as zeros. Each move
  // makes its destination a kernel mapping of its own, and old kernels move only within
  // one mapping, so a block is moved in pieces at the edges earlier moves left in it
  // (at most kMaxMappingEdges per arena; beyond them, and where the OS cannot move pages,
  // nothing moves). A block in one mapping makes all of `to` one mapping (the move grows
  // it), so it can later move, or leave the Medium tier, in one piece. The result: how
  // many bytes from the start now live at `to` (the rest are still at `from`, to be
  // copied); whether `to` was lost (the OS refused a piece after unmapping its destination
  // and it could not be reserved again: `to` stays allocated and must never be used or
  // freed; its first `moved_bytes` still read right); whether `from` was lost (its pages
  // moved, but another mapping took its range before it was reserved again: the same).
  struct PageMoveResult {
    std::size_t moved_bytes = 0;
    bool destination_lost = false;
    bool source_lost = false;
  };
  static PageMoveResult move_pages(void* from, void* to, std::size_t bytes) noexcept;
  // True when the live block at `block` lies in one kernel mapping (no page move left an
  // edge inside it): its pages can then move in one piece to anywhere.
  static bool in_one_mapping(const void* block) noexcept;
  // Kernel mappings that page moves may add to one arena before it takes no more (the
  // process has a limit on mappings; an arena given back to the OS takes its own along).
  static constexpr int kMaxMappingEdges = 32;
  // The order of the block `bytes` needs.
  static int order_for(std::size_t bytes) noexcept;

  // Introspection for tests and reports.
  static int arena_count() noexcept;
  // True when every arena is wholly free and merged back into one 512 MiB block.
  static bool all_arenas_coalesced() noexcept;
  // Bytes of freed blocks still backed by pages (bounded by kRetainedBytes).
  static std::size_t retained_bytes() noexcept;

  static void prepare_fork() noexcept;
  static void after_fork() noexcept;
};

}  // namespace osp::pool
