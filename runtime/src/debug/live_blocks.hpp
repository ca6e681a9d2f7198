// The table of live (tracked) blocks: per shard (each thread's own, its lock biased
// towards that thread), an array of header pointers whose index each header keeps, so
// adding and removing a block touches no other block. A free from another shard's thread
// takes no lock: it queues the entry to the block's shard (live_blocks.cpp). Internal
// blocks (made while inside the runtime) are never in it. The leak reporter, the heap
// check and MemoryTracker enumerate it with for_each_live_block.
#pragma once

#include <cstddef>
#include <cstdint>

#include "api/backend.hpp"
#include "trace/stack_depot.hpp"

namespace osp::debug {

struct BlockHeader;

// A live block as the visitors see it (copied from its header).
struct LiveBlockInfo {
  const void* address;          // the user pointer
  std::size_t requested_bytes;
  const char* origin_file;      // null: the origin is allocation_stack
  int origin_line;
  trace::StackId allocation_stack;
  std::uint16_t thread;         // allocating thread ordinal
  std::uint64_t sequence;       // allocation number
  api::AllocationKind kind;
};

// Called under a shard lock: must not allocate, free or block. Blocks whose free has
// passed the double-free gate are never visited.
using LiveBlockVisitor = void (*)(const LiveBlockInfo& block, void* context);
void for_each_live_block(LiveBlockVisitor visit, void* context) noexcept;

namespace live_blocks {

void insert(BlockHeader* header) noexcept;
// The double-free gate for tracked blocks: marks the block freed (one CAS) and unlinks
// it, by `freeing_thread` (its ordinal). False, changing nothing, when it was already
// freed: of two racing frees of one block, exactly one gets true. When it returns, no
// visitor is reading the block: the caller may fill it.
bool remove_as_freed(BlockHeader* header, std::uint16_t freeing_thread) noexcept;
// Table entries handed out so far over all shards, free or not: what the table has grown
// to (tests check that freed entries are reused).
std::uint64_t entries_handed_out() noexcept;
std::size_t count() noexcept;
// Live blocks and bytes of one allocation kind (MemoryTracker counts the osp API's).
std::size_t count_of(api::AllocationKind kind) noexcept;
std::size_t bytes_of(api::AllocationKind kind) noexcept;
// Allocation sequence numbers: next_sequence() for a new block; current_sequence() to age
// one in reports (exact within one thread); checkpoint_sequence() for leak checkpoints:
// every block numbered after it returns was allocated after it was called (or during).
std::uint64_t next_sequence() noexcept;
std::uint64_t current_sequence() noexcept;
std::uint64_t checkpoint_sequence() noexcept;
std::size_t bytes() noexcept;
// Visits headers directly (runtime-internal: the heap check). Same rules as above.
using HeaderVisitor = void (*)(BlockHeader* header, void* context);
void for_each_header(HeaderVisitor visit, void* context) noexcept;
// The live block whose user bytes or guards contain `address`, or null. O(live blocks):
// only for describing a bad pointer in a report.
BlockHeader* find_containing(const void* address) noexcept;

// The leak scan's side: every shard held as a visitor holds it, for the whole time the
// other threads stop and the table is walked. A thread can stop on the owner's side of
// its shard's lock, its `busy` flag raised: between raising it and reading `wants`, or
// while it backs off from the held shard. It is outside the critical section, but a
// visitor that then waited for `busy` to fall would wait forever; so the scan takes the
// shards once, before the stop, and walks them with for_each_header_while_held, which
// takes no lock.
void hold_all_for_visit() noexcept;
void for_each_header_while_held(HeaderVisitor visit, void* context) noexcept;
void release_all_after_visit() noexcept;

// Fork support: take every shard lock before fork, release them after (in the child,
// after_fork_in_child, which also frees the shards of the threads the child lacks).
void lock_all() noexcept;
void unlock_all() noexcept;
void after_fork_in_child() noexcept;

}  // namespace live_blocks
}  // namespace osp::debug
