// The live-block table (see live_blocks.hpp). A block is in exactly one shard, the
// shard of the thread that allocated it, from insert() at allocation until its free.
//
// Shards and their owners: a thread claims a shard of its own at its first insert and
// gives it back when it exits (the next thread to claim it inherits its blocks). It takes
// that shard's BiasedLock on the owner's side, with plain accesses: no locked instruction
// per allocation or local free. Visitors, the fork handler and a remote free that waits
// out a visitor take the other side, which pays a process-wide barrier. Threads beyond
// kOwnedShards at a time share the remaining shards, chosen by thread id, under their
// plain SpinLock. A header's `live_entry` names its shard (high bits) and its entry.
//
// Each shard is an array of header pointers, committed in chunks on demand, with the
// free entries chained through themselves (odd values, never a header address) and
// reused last-freed first. A block's header keeps its entry's index, so insert and remove
// touch only the table entry, never a neighbouring block's header: with a large working
// set, a linked list through the headers cost two cold cache lines per free.
//
// Frees come in two kinds:
// - A local free (the freeing thread's shard is the block's) takes the shard lock (the
//   owner's side when the thread owns it): it passes the gate, chains the entry onto the
//   shard's free list and lowers the shard's counters (atomics written only under the
//   lock: a load and a store).
// - A remote free (another shard's thread) takes no lock of the block's shard, whose line
//   would otherwise move between the two cores on every free. It passes the gate, adds
//   the block to its own remote-freed counters, marks the entry free and chains it into
//   the thread's batch for that shard. A full batch (or one for another shard, or the
//   thread's exit) is pushed onto the shard's remote list (a lock-free stack of entries,
//   push-only; the owner takes it whole). The owner splices that list in as its free list
//   when its own list runs empty, so the remote list's line moves once per batch of
//   frees, not once per free.
//
// Invariants:
// 1. The gate: `is_free` goes 0 -> 1 by one CAS (BlockHeader::try_mark_freed), local or
//    remote; of two racing frees of one block exactly one passes it.
// 2. Only the free that passed the gate writes the block's entry, and it writes a free
//    entry (odd): a visitor skips it. The entry then belongs to the shard's free list, a
//    thread's remote batch or the shard's remote list, and is handed out again only by
//    insert, under the lock.
// 3. A header whose entry still points at it but whose `is_free` is set (its free is
//    between the gate and the entry write) is skipped by every visitor: never counted as
//    live, leaked or searched.
// 4. Visitors never read a header the program may already have reused: a visitor holds
//    the shard lock and raises the shard's `visiting` flag before reading entries; a
//    remote free writes the entry before reading the flag. The two store-then-load pairs
//    follow BiasedLock's protocol (the visitor is the rare side: a process-wide barrier
//    between its store and its loads; the free only a compiler barrier; or seq_cst on
//    both sides), so one sees the other's store: either the visitor reads the free entry
//    and skips the block, or the free sees the flag and waits for the lock (so for the
//    visitor to finish) before it returns to the caller, which fills and quarantines the
//    block. A local free holds the lock itself.
// 5. Counters: a shard's live counters go up at insert and down at a local free, under
//    its lock. A remote free adds to the remote-freed counters of its thread (a slot only
//    that thread writes: a load and a release store, no locked instruction per free) or,
//    for threads numbered beyond the slots, of its shard (release read-modify-writes).
//    A total is the sum of the live counters minus the sum of the remote-freed ones, read
//    remote-freed first (acquire): a remote free seen there happens after its block's
//    insert, so that insert is seen too and no total is ever below zero. A slot is
//    counted in before its first write (release), so a free that happened before a total
//    is in it. Once the threads are quiet (joined, or stopped by the leak scan), the
//    totals are exact.
// 6. The remote list is push-only and taken whole (exchange): no ABA. Its pushes are
//    release, the taking exchange acquire, so the entries' links are seen by the owner.
// 7. Fork holds every shard lock but does not stop remote frees. A remote free that
//    another thread was in the middle of leaves, in the child, a block past the gate
//    (never visited, never reported as a leak) whose entry may be off both lists (a lost
//    table slot) and which count() may still include (it is an upper bound for the leak
//    scan's index; only MemoryTracker's count of the osp API's blocks would be one high).
//    In the child, the shards of the parent's other threads lose their owners, and the
//    entries in those threads' remote batches are lost slots: those threads do not exist
//    there.
#include "debug/live_blocks.hpp"

#include <atomic>

#include "debug/block_header.hpp"
#include "os/biased_lock.hpp"
#include "os/os_memory.hpp"
#include "os/platform.hpp"

namespace osp::debug {
namespace {

// Shards a thread can own (claimed at its first insert, given back when it exits), then
// shards shared by the threads beyond them.
constexpr std::size_t kOwnedShards = 128;
constexpr std::size_t kSharedShards = 64;
constexpr std::size_t kShardCount = kOwnedShards + kSharedShards;
constexpr std::size_t kAllocationKindCount = 4;
constexpr unsigned kChunkEntryBits = 16;  // 512 KiB of entries per chunk, mapped when needed
constexpr std::uint64_t kChunkEntries = std::uint64_t{1} << kChunkEntryBits;
constexpr std::size_t kChunksPerShard = 1024;  // 64 Mi live blocks per shard
// A header's live_entry: its shard above kEntryIndexBits, its entry's index below.
constexpr unsigned kEntryIndexBits = 48;
constexpr std::uint64_t kEntryIndexMask = (std::uint64_t{1} << kEntryIndexBits) - 1;
// The index of a header whose entry could not be stored (no memory for a new chunk):
// still a live, checked block, but the leak scan and the heap check do not see it.
constexpr std::uint64_t kNoEntry = kEntryIndexMask;

// Accessed atomically (std::atomic_ref): remote frees write entries while the owner and
// the visitors read and write others.
using Entry = std::uintptr_t;

constexpr bool is_free_entry(Entry entry) noexcept { return (entry & 1) != 0; }
// A free entry holds the index + 1 of the next free entry (0: none), shifted and tagged.
constexpr Entry free_entry(std::uint64_t next_free_plus_one) noexcept {
  return (next_free_plus_one << 1) | 1;
}

using Counters = std::atomic<std::size_t>[kAllocationKindCount];

// Blocks of other shards freed by one thread (or by the threads of one shard).
struct alignas(64) RemoteFreed {
  Counters count = {};
  Counters bytes = {};
};

struct Shard {
  // Written by the shard's own threads, under the lock.
  alignas(64) os::BiasedLock lock;
  std::uint64_t free_head = 0;  // index + 1 of the most recently freed entry; 0: none
  std::uint64_t used = 0;       // entries handed out so far (free or not)
  Counters kind_count = {};     // live blocks, less those freed by local frees
  Counters kind_bytes = {};
  // Pushed by remote frees (index + 1 of the newest entry; 0: empty), taken by the owner.
  alignas(64) std::atomic<std::uint64_t> remote_head{0};
  // Read by every remote free, so apart from the lines the owner writes.
  // Raised by a visitor while it holds the lock.
  alignas(64) std::atomic<bool> visiting{false};
  // The shard's entries: one reservation of kChunksPerShard chunks, made at the shard's
  // first insert (most shards never have one) and committed a chunk at a time, so an
  // entry is one indexed access, not a load of its chunk's address first. Set under the
  // lock before any entry is handed out; the chunks holding the first `used` entries are
  // committed.
  Entry* entries = nullptr;
  // Remote frees of the threads numbered beyond the per-thread slots, by ordinal.
  RemoteFreed remote_freed;

  std::atomic_ref<Entry> entry(std::uint64_t index) noexcept {
    return std::atomic_ref<Entry>(entries[index]);
  }
  // A fresh entry's index, reserving the table or committing its chunk when it is the
  // first; kNoEntry when full or the OS refuses.
  std::uint64_t take_fresh() noexcept {
    const std::uint64_t index = used;
    const std::uint64_t chunk = index >> kChunkEntryBits;
    if (chunk >= kChunksPerShard) return kNoEntry;
    if (entries == nullptr) {
      void* table = os::reserve(kChunksPerShard * kChunkEntries * sizeof(Entry), os::page_size());
      if (table == nullptr) return kNoEntry;
      entries = static_cast<Entry*>(table);
    }
    // A chunk's first entry commits it (a refused commit hands out nothing: retried next time).
    if ((index & (kChunkEntries - 1)) == 0 &&
        !os::commit(entries + chunk * kChunkEntries, kChunkEntries * sizeof(Entry))) {
      return kNoEntry;
    }
    ++used;
    return index;
  }
  // Under the lock: a reusable entry's index, the remote list taken over as the free list
  // when the local one is empty; kNoEntry when the table is full.
  std::uint64_t take_entry() noexcept {
    if (free_head == 0 && remote_head.load(std::memory_order_relaxed) != 0) {
      free_head = remote_head.exchange(0, std::memory_order_acquire);
    }
    if (free_head == 0) return take_fresh();
    const std::uint64_t index = free_head - 1;
    free_head = entry(index).load(std::memory_order_relaxed) >> 1;
    // A burst of frees leaves a chain through lines all over the table: start the next
    // insert's load now.
    if (free_head != 0) {
      const std::uint64_t next = free_head - 1;
      __builtin_prefetch(&entries[next]);
    }
    return index;
  }
};

Shard g_shards[kShardCount];

// Remote frees of the threads numbered below kThreadSlots, each counted in its thread's
// slot; g_thread_slots_used: one past the highest slot written.
constexpr std::size_t kThreadSlots = 256;
RemoteFreed g_remote_freed_by_thread[kThreadSlots];
std::atomic<std::size_t> g_thread_slots_used{0};

// Allocation numbers are handed to each thread in blocks, so numbering a block is a
// thread-local increment, not a read-modify-write of one cache line every allocating
// thread writes. Within a thread they are consecutive; across threads they are ordered by
// block. A checkpoint (osp_allocation_sequence) bumps the epoch, which makes every thread
// take a new block at its next allocation: numbers handed out after a checkpoint are
// above the value it returned.
constexpr std::uint64_t kSequenceBlock = 256;
std::atomic<std::uint64_t> g_sequence{0};  // numbers reserved so far
std::atomic<std::uint64_t> g_sequence_epoch{0};

struct SequenceBlock {
  std::uint64_t last;  // the number handed out last
  std::uint64_t end;   // the block's last number
  std::uint64_t epoch;
};
OSP_THREAD_LOCAL(SequenceBlock) t_sequence;

std::size_t shard_index_of(const BlockHeader* header) noexcept {
  return static_cast<std::size_t>(header->live_entry >> kEntryIndexBits);
}

// The calling thread's shard: owned (its BiasedLock's owner side is this thread's), or
// shared. Zero until the thread's first insert; `exited` once its exit gave it back.
struct ThreadShard {
  std::uint16_t index_plus_one;
  bool owned;
  bool exited;
};
OSP_THREAD_LOCAL(ThreadShard) t_shard;

// One past the highest shard whose counters were ever written: the totals, taken every
// few hundred frees for the quarantine's limit, read no further. Raised (release) before
// a shard's first counter write.
std::atomic<std::size_t> g_shards_used{0};

// Raises a high-water mark to `value` (release), never lowers it.
void raise_mark(std::atomic<std::size_t>& mark, std::size_t value) noexcept {
  std::size_t seen = mark.load(std::memory_order_relaxed);
  while (seen < value && !mark.compare_exchange_weak(seen, value, std::memory_order_release,
                                                      std::memory_order_relaxed)) {
  }
}

void count_shard_in(std::size_t index) noexcept { raise_mark(g_shards_used, index + 1); }

// A thread's remote frees of one shard, chained through their entries (each marked free
// at its free), pushed onto the shard's remote list in one exchange: the list's line then
// moves between cores once per batch. At most kRemoteBatchEntries wait, and the thread's
// exit pushes them.
constexpr int kRemoteBatchEntries = 32;
enum class BatchState : std::uint8_t { Unregistered, Batched, Unbatched };
struct RemoteBatch {
  std::uint64_t head;  // index + 1 of the newest entry, which links the next
  std::uint64_t tail;  // index of the oldest entry
  std::uint16_t shard_plus_one;
  std::uint16_t count;
  BatchState state;  // Unbatched: the exit hook could not be registered, or has run
};
OSP_THREAD_LOCAL(RemoteBatch) t_remote_batch;

// Bit i: owned shard i has an owner. Claimed by CAS, given back at thread exit.
constexpr std::size_t kClaimWords = kOwnedShards / 64;
std::atomic<std::uint64_t> g_claimed[kClaimWords];
os::SpinLock g_protocol_lock;
std::atomic<bool> g_protocol_chosen{false};

void choose_protocol_once() noexcept {
  if (g_protocol_chosen.load(std::memory_order_acquire)) return;
  g_protocol_lock.lock();
  if (!g_protocol_chosen.load(std::memory_order_relaxed)) {
    os::BiasedLock::choose_protocol();
    g_protocol_chosen.store(true, std::memory_order_release);
  }
  g_protocol_lock.unlock();
}

void release_claim(std::size_t index) noexcept {
  g_claimed[index / 64].fetch_and(~(std::uint64_t{1} << (index % 64)),
                                  std::memory_order_release);
}

// Lets the shard's owner side be taken by a thread (owned) or by none.
void set_owned(Shard& shard, bool owned) noexcept {
  shard.lock.lock();
  shard.lock.set_owned(owned);
  shard.lock.unlock();
}

void give_back_shard(void*) noexcept {
  ThreadShard& mine = t_shard;
  if (mine.owned) {
    const std::size_t index = mine.index_plus_one - 1u;
    set_owned(g_shards[index], false);
    release_claim(index);
  }
  // Frees and allocations later in this thread's exit use a shared shard.
  mine = ThreadShard{0, false, true};
}

// Claims a free owned shard for this thread; kShardCount when none is left.
std::size_t claim_owned_shard() noexcept {
  choose_protocol_once();
  for (std::size_t word = 0; word < kClaimWords; ++word) {
    std::uint64_t claimed = g_claimed[word].load(std::memory_order_relaxed);
    while (~claimed != 0) {
      const unsigned bit = static_cast<unsigned>(__builtin_ctzll(~claimed));
      if (g_claimed[word].compare_exchange_weak(claimed, claimed | (std::uint64_t{1} << bit),
                                                std::memory_order_acq_rel,
                                                std::memory_order_relaxed)) {
        return word * 64 + bit;
      }
    }
  }
  return kShardCount;
}

// The calling thread's first insert: an owned shard if one is free, else a shared one.
void choose_thread_shard(ThreadShard& mine) noexcept {
  if (!mine.exited) {
    const std::size_t index = claim_owned_shard();
    if (index < kShardCount) {
      if (os::at_thread_exit(give_back_shard, nullptr)) {
        set_owned(g_shards[index], true);
        count_shard_in(index);
        mine = ThreadShard{static_cast<std::uint16_t>(index + 1), true, false};
        return;
      }
      release_claim(index);
    }
  }
  const std::size_t index = kOwnedShards + os::current_thread_id() % kSharedShards;
  count_shard_in(index);
  mine = ThreadShard{static_cast<std::uint16_t>(index + 1), false, mine.exited};
}

// The calling thread's shard, chosen at its first call.
const ThreadShard& own_shard() noexcept {
  ThreadShard& mine = t_shard;
  if (mine.index_plus_one == 0) [[unlikely]] choose_thread_shard(mine);
  return mine;
}

// Remote frees of threads beyond the per-thread slots are counted in a shared shard, by
// ordinal.
RemoteFreed& shared_remote_freed(std::uint16_t thread) noexcept {
  const std::size_t index = kOwnedShards + thread % kSharedShards;
  count_shard_in(index);
  return g_shards[index].remote_freed;
}

// Only ever called with the shard's lock held.
void add_to(std::atomic<std::size_t>& counter, std::size_t amount) noexcept {
  counter.store(counter.load(std::memory_order_relaxed) + amount, std::memory_order_relaxed);
}

// The calling thread's own shard, on the owner's side of its lock when it owns it.
class OwnShardLock {
 public:
  OwnShardLock(Shard& shard, bool owned) noexcept
      : shard_(shard), owned_(owned), fast_(owned && shard.lock.owner_lock()) {
    if (!owned_) shard_.lock.lock();
  }
  ~OwnShardLock() {
    if (owned_) {
      shard_.lock.owner_unlock(fast_);
    } else {
      shard_.lock.unlock();
    }
  }
  OwnShardLock(const OwnShardLock&) = delete;
  OwnShardLock& operator=(const OwnShardLock&) = delete;

 private:
  Shard& shard_;
  bool owned_;
  bool fast_;
};

// A visitor's side of a shard (invariant 4; the rare side of the BiasedLock protocol
// against remote frees' entry stores): its lock, then its `visiting` flag. With barriers,
// the raised flag is visible to remote frees only after the caller's process_barrier(),
// which may cover several shards.
void enter_as_visitor(Shard& shard) noexcept {
  shard.lock.lock();
  shard.visiting.store(true, os::BiasedLock::barriers() ? std::memory_order_relaxed
                                                        : std::memory_order_seq_cst);
}

void leave_as_visitor(Shard& shard) noexcept {
  shard.visiting.store(false, std::memory_order_release);
  shard.lock.unlock();
}

// One shard held as a visitor, for the scope.
class VisitLock {
 public:
  explicit VisitLock(Shard& shard) noexcept : shard_(shard) {
    enter_as_visitor(shard_);
    if (os::BiasedLock::barriers()) os::process_barrier();
  }
  ~VisitLock() { leave_as_visitor(shard_); }
  VisitLock(const VisitLock&) = delete;
  VisitLock& operator=(const VisitLock&) = delete;

 private:
  Shard& shard_;
};

// Live blocks (or bytes) of the kinds [first, last] over all shards in use (invariant 5:
// remote-freed first; a free seen there happened after its block's insert, so after its
// shard was counted in, and the second read of g_shards_used sees that shard).
std::size_t total_of(Counters Shard::*live, Counters RemoteFreed::*remote_freed,
                     std::size_t first, std::size_t last) noexcept {
  std::size_t freed_elsewhere = 0;
  const auto add_kinds = [first, last](const Counters& counters, std::memory_order order) {
    std::size_t sum = 0;
    for (std::size_t kind = first; kind <= last; ++kind) sum += counters[kind].load(order);
    return sum;
  };
  const std::size_t slots = g_thread_slots_used.load(std::memory_order_acquire);
  for (std::size_t slot = 0; slot < slots; ++slot) {
    freed_elsewhere +=
        add_kinds(g_remote_freed_by_thread[slot].*remote_freed, std::memory_order_acquire);
  }
  const std::size_t shards_before = g_shards_used.load(std::memory_order_acquire);
  for (std::size_t index = 0; index < shards_before; ++index) {
    freed_elsewhere += add_kinds(g_shards[index].remote_freed.*remote_freed,
                                 std::memory_order_acquire);
  }
  std::size_t total = 0;
  const std::size_t shards = g_shards_used.load(std::memory_order_acquire);
  for (std::size_t index = 0; index < shards; ++index) {
    total += add_kinds(g_shards[index].*live, std::memory_order_relaxed);
  }
  return total - freed_elsewhere;
}

// Visits the shard's live headers; the caller holds a VisitLock on it. A header already
// past the gate is skipped (invariant 3).
template <typename Visit>
void for_each_in(Shard& shard, Visit visit) noexcept {
  for (std::uint64_t index = 0; index < shard.used; ++index) {
    const Entry entry = shard.entry(index).load(std::memory_order_seq_cst);
    if (is_free_entry(entry)) continue;
    auto* header = reinterpret_cast<BlockHeader*>(entry);
    if (!header->freed()) visit(header);
  }
}

// A free from the block's own shard: under its lock (invariant 1 for the gate).
bool remove_local(Shard& shard, bool owned, BlockHeader* header, std::size_t kind) noexcept {
  OwnShardLock guard(shard, owned);
  if (!header->try_mark_freed()) return false;
  const std::uint64_t index = header->live_entry & kEntryIndexMask;
  if (index != kNoEntry) {
    shard.entry(index).store(free_entry(shard.free_head), std::memory_order_relaxed);
    shard.free_head = index + 1;
  }
  add_to(shard.kind_count[kind], static_cast<std::size_t>(-1));
  add_to(shard.kind_bytes[kind], -header->requested_bytes);
  return true;
}

// Counts a block freed by `thread` from another shard (invariant 5).
void count_remote_free(std::uint16_t thread, std::size_t kind, std::size_t bytes) noexcept {
  if (thread >= kThreadSlots) {
    RemoteFreed& shared = shared_remote_freed(thread);
    shared.count[kind].fetch_add(1, std::memory_order_release);
    shared.bytes[kind].fetch_add(bytes, std::memory_order_release);
    return;
  }
  raise_mark(g_thread_slots_used, std::size_t{thread} + 1);
  RemoteFreed& own = g_remote_freed_by_thread[thread];
  own.count[kind].store(own.count[kind].load(std::memory_order_relaxed) + 1,
                        std::memory_order_release);
  own.bytes[kind].store(own.bytes[kind].load(std::memory_order_relaxed) + bytes,
                        std::memory_order_release);
}

// Pushes the thread's batch of remotely freed entries onto their shard's remote list.
void push_remote_batch(RemoteBatch& batch) noexcept {
  if (batch.count == 0) return;
  Shard& shard = g_shards[batch.shard_plus_one - 1u];
  std::atomic_ref<Entry> tail = shard.entry(batch.tail);
  std::uint64_t head = shard.remote_head.load(std::memory_order_relaxed);
  do {
    tail.store(free_entry(head), std::memory_order_relaxed);
  } while (!shard.remote_head.compare_exchange_weak(head, batch.head, std::memory_order_release,
                                                    std::memory_order_relaxed));
  batch.count = 0;
  batch.shard_plus_one = 0;
}

void push_remote_batch_at_exit(void*) noexcept {
  RemoteBatch& batch = t_remote_batch;
  push_remote_batch(batch);
  batch.state = BatchState::Unbatched;  // frees later in the exit push at once
}

// Adds a freed entry to the thread's batch for `shard_index` (pushing a batch for another
// shard first); pushes the batch when it is full.
void batch_remote_entry(RemoteBatch& batch, std::size_t shard_index,
                        std::atomic_ref<Entry> entry, std::uint64_t index) noexcept {
  if (batch.state == BatchState::Unregistered) [[unlikely]] {
    batch.state = os::at_thread_exit(push_remote_batch_at_exit, nullptr) ? BatchState::Batched
                                                                         : BatchState::Unbatched;
  }
  if (batch.count != 0 && batch.shard_plus_one != shard_index + 1) push_remote_batch(batch);
  // Invariant 4: this store against the visitor's `visiting` store (remove_remote).
  const Entry linked = free_entry(batch.count != 0 ? batch.head : 0);
  if (os::BiasedLock::barriers()) [[likely]] {
    entry.store(linked, std::memory_order_relaxed);
  } else {
    entry.store(linked, std::memory_order_seq_cst);
  }
  if (batch.count == 0) {
    batch.tail = index;
    batch.shard_plus_one = static_cast<std::uint16_t>(shard_index + 1);
  }
  batch.head = index + 1;
  ++batch.count;
}

// A free from another shard's thread: no lock of the block's shard unless a visitor is
// in it (invariants 1, 2, 4, 5, 6).
bool remove_remote(std::size_t shard_index, std::uint16_t freeing_thread, BlockHeader* header,
                   std::size_t kind) noexcept {
  if (!header->try_mark_freed()) return false;
  Shard& shard = g_shards[shard_index];
  count_remote_free(freeing_thread, kind, header->requested_bytes);
  RemoteBatch& batch = t_remote_batch;
  const std::uint64_t index = header->live_entry & kEntryIndexMask;
  if (index != kNoEntry) batch_remote_entry(batch, shard_index, shard.entry(index), index);
  bool visited;
  if (os::BiasedLock::barriers()) [[likely]] {
    std::atomic_signal_fence(std::memory_order_seq_cst);
    visited = shard.visiting.load(std::memory_order_relaxed);
  } else {
    visited = shard.visiting.load(std::memory_order_seq_cst);
  }
  if (batch.count >= kRemoteBatchEntries || batch.state != BatchState::Batched) {
    push_remote_batch(batch);
  }
  if (visited) {
    // A visitor may have read this header before its entry changed: let it finish
    // before the caller fills the block.
    shard.lock.lock();
    shard.lock.unlock();
  }
  return true;
}

}  // namespace

namespace live_blocks {

void insert(BlockHeader* header) noexcept {
  const ThreadShard& mine = own_shard();
  const std::size_t shard_index = mine.index_plus_one - 1u;
  Shard& shard = g_shards[shard_index];
  const std::size_t kind = header->kind % kAllocationKindCount;
  OwnShardLock guard(shard, mine.owned);
  const std::uint64_t index = shard.take_entry();
  header->live_entry = (std::uint64_t{shard_index} << kEntryIndexBits) | index;
  if (index != kNoEntry) {
    shard.entry(index).store(reinterpret_cast<Entry>(header), std::memory_order_relaxed);
  }
  add_to(shard.kind_count[kind], 1);
  add_to(shard.kind_bytes[kind], header->requested_bytes);
}

bool remove_as_freed(BlockHeader* header, std::uint16_t freeing_thread) noexcept {
  const std::size_t shard_index = shard_index_of(header);
  Shard& shard = g_shards[shard_index];
  const std::size_t kind = header->kind % kAllocationKindCount;
  const ThreadShard& mine = t_shard;
  if (mine.index_plus_one == shard_index + 1) return remove_local(shard, mine.owned, header, kind);
  return remove_remote(shard_index, freeing_thread, header, kind);
}

std::uint64_t entries_handed_out() noexcept {
  std::uint64_t total = 0;
  for (Shard& shard : g_shards) {
    VisitLock guard(shard);
    total += shard.used;
  }
  return total;
}

std::uint64_t next_sequence() noexcept {
  SequenceBlock& block = t_sequence;
  const std::uint64_t epoch = g_sequence_epoch.load(std::memory_order_acquire);
  if (block.last == block.end || block.epoch != epoch) [[unlikely]] {
    block.last = g_sequence.fetch_add(kSequenceBlock, std::memory_order_acq_rel);
    block.end = block.last + kSequenceBlock;
    block.epoch = epoch;
  }
  return ++block.last;
}

std::uint64_t current_sequence() noexcept {
  // This thread's last number is exact for a program with one allocating thread; with
  // several, other threads' blocks make it an estimate either way.
  const SequenceBlock& block = t_sequence;
  if (block.end != 0 && block.epoch == g_sequence_epoch.load(std::memory_order_acquire)) {
    return block.last;
  }
  return g_sequence.load(std::memory_order_acquire);
}

std::uint64_t checkpoint_sequence() noexcept {
  // Read before the bump: a block reserved after the read starts above it, and a block
  // reserved before it is dropped at its thread's next allocation.
  const std::uint64_t reserved = g_sequence.load(std::memory_order_acquire);
  g_sequence_epoch.fetch_add(1, std::memory_order_acq_rel);
  return reserved;
}

std::size_t count() noexcept {
  return total_of(&Shard::kind_count, &RemoteFreed::count, 0, kAllocationKindCount - 1);
}

std::size_t bytes() noexcept {
  return total_of(&Shard::kind_bytes, &RemoteFreed::bytes, 0, kAllocationKindCount - 1);
}

std::size_t count_of(api::AllocationKind kind) noexcept {
  const std::size_t index = static_cast<std::size_t>(kind) % kAllocationKindCount;
  return total_of(&Shard::kind_count, &RemoteFreed::count, index, index);
}

std::size_t bytes_of(api::AllocationKind kind) noexcept {
  const std::size_t index = static_cast<std::size_t>(kind) % kAllocationKindCount;
  return total_of(&Shard::kind_bytes, &RemoteFreed::bytes, index, index);
}

void for_each_header(HeaderVisitor visit, void* context) noexcept {
  for (Shard& shard : g_shards) {
    VisitLock guard(shard);
    for_each_in(shard, [&](BlockHeader* header) { visit(header, context); });
  }
}

BlockHeader* find_containing(const void* address) noexcept {
  auto target = reinterpret_cast<std::uintptr_t>(address);
  BlockHeader* found = nullptr;
  for (Shard& shard : g_shards) {
    VisitLock guard(shard);
    for_each_in(shard, [&](BlockHeader* header) {
      auto start = reinterpret_cast<std::uintptr_t>(header);
      auto end = reinterpret_cast<std::uintptr_t>(user_of(header)) + header->requested_bytes +
                 tail_guard_bytes(header->requested_bytes);
      if (found == nullptr && target >= start && target < end) found = header;
    });
    if (found != nullptr) return found;
  }
  return nullptr;
}

void hold_all_for_visit() noexcept {
  for (Shard& shard : g_shards) enter_as_visitor(shard);
  // One barrier for every shard's `visiting` store (VisitLock runs one per shard).
  if (os::BiasedLock::barriers()) os::process_barrier();
}

void for_each_header_while_held(HeaderVisitor visit, void* context) noexcept {
  for (Shard& shard : g_shards) {
    for_each_in(shard, [&](BlockHeader* header) { visit(header, context); });
  }
}

void release_all_after_visit() noexcept {
  for (Shard& shard : g_shards) leave_as_visitor(shard);
}

void lock_all() noexcept {
  for (Shard& shard : g_shards) shard.lock.lock();
}

void unlock_all() noexcept {
  for (Shard& shard : g_shards) shard.lock.unlock();
}

void after_fork_in_child() noexcept {
  // The child is a new process for the kernel: register it for the barrier again (only
  // this thread exists, and it is in no critical section).
  if (g_protocol_chosen.load(std::memory_order_relaxed)) os::BiasedLock::choose_protocol();
  const ThreadShard& mine = t_shard;
  for (std::size_t index = 0; index < kOwnedShards; ++index) {
    if (mine.owned && mine.index_plus_one == index + 1) continue;
    if (!g_shards[index].lock.owned()) continue;
    g_shards[index].lock.set_owned(false);  // its lock is held since prepare_fork
    release_claim(index);
  }
  unlock_all();
}

}  // namespace live_blocks

void for_each_live_block(LiveBlockVisitor visit, void* context) noexcept {
  struct Forward {
    LiveBlockVisitor visit;
    void* context;
  } forward{visit, context};
  live_blocks::for_each_header(
      [](BlockHeader* header, void* raw) {
        auto* target = static_cast<Forward*>(raw);
        LiveBlockInfo info{user_of(header),
                           header->requested_bytes,
                           header->origin_file,
                           header->origin_file != nullptr ? static_cast<int>(header->origin) : 0,
                           header->allocation_stack(),
                           header->allocation_thread,
                           header->sequence,
                           header->allocation_kind()};
        target->visit(info, target->context);
      },
      &forward);
}

}  // namespace osp::debug
