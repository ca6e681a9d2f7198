// Byte-bounded FIFO of freed blocks in chunks, with per-thread staging (see
// quarantine.hpp). Chunks come from the OS layer in slabs and are recycled through a
// free list, never through the heap the runtime watches.
//
// A thread's staging chunk belongs to it: only the owner writes its slots, and it
// publishes each slot with a release store of `count`. Handing the chunk over (when full,
// at the thread's exit, in a fork child) happens under the FIFO lock, so a visitor
// holding that lock reads slots [0, count) without racing: they cannot change until it
// unlocks.
//
// A thread that hands a chunk over trims its own oldest chunk first, not the FIFO's
// oldest, as long as its own has waited at least half as long: the blocks then leave on
// the thread that freed (and filled) them, whose cache holds their lines, instead of on
// whichever thread hands a chunk over next. A thread that stops freeing has its chunks
// grow old, and then any thread trims them. So a block leaves having waited at least half
// as long as the oldest one then in the FIFO, and the byte bound is unchanged.
#include "debug/quarantine.hpp"

#include <cstdint>

#include "debug/block_header.hpp"
#include "os/os_memory.hpp"
#include "os/platform.hpp"

namespace osp::debug::quarantine {
namespace {

struct Staging;

struct Chunk {
  Chunk* next;        // FIFO order, oldest to newest; or the free list
  Chunk* previous;    // FIFO order, newest to oldest
  Chunk* owner_next;  // the owner's chunks in the FIFO, oldest to newest
  Staging* owner;     // the thread that handed it over; null once that thread is gone
  std::uint64_t handed_over;  // hand-overs before this one (its age in the FIFO)
  std::size_t bytes;  // what its blocks cost
  int count;          // accessed atomically while it is a staging chunk
  BlockHeader* slots[kChunkBlocks];
};

constexpr std::size_t kSlabBytes = 64 * 1024;

enum class StagingState : unsigned char { Unused, Registered, Gone };

struct Staging {
  Chunk* chunk;  // being filled; null when none could be had
  // Taken out of the FIFO and given back one block per free (see push); owner only.
  Chunk* leaving;
  int leaving_next;  // the next of leaving's slots to give back
  StagingState state;
  Staging* registry_previous;
  Staging* registry_next;
  Chunk* own_oldest;  // its chunks in the FIFO (under g_lock), linked through owner_next
  Chunk* own_newest;
};

os::SpinLock g_lock;
Chunk* g_oldest = nullptr;
Chunk* g_newest = nullptr;
std::size_t g_bytes = 0;
std::uint64_t g_hand_overs = 0;
Chunk* g_free_chunks = nullptr;
Staging* g_registry = nullptr;  // every Registered staging, under g_lock

OSP_THREAD_LOCAL(Staging) t_staging;

std::size_t cost_of(const BlockHeader* header) noexcept {
  return header->alignment_offset + header->requested_bytes +
         tail_guard_bytes(header->requested_bytes);
}

int published_count(const Chunk* chunk) noexcept {
  return __atomic_load_n(&chunk->count, __ATOMIC_ACQUIRE);
}

// Under g_lock. An empty chunk, or null when the OS refuses a slab.
Chunk* take_chunk() noexcept {
  if (g_free_chunks == nullptr) {
    auto* slab = static_cast<Chunk*>(os::map(kSlabBytes, alignof(Chunk), false));
    if (slab == nullptr) return nullptr;
    for (std::size_t index = 0; index < kSlabBytes / sizeof(Chunk); ++index) {
      slab[index].next = g_free_chunks;
      g_free_chunks = &slab[index];
    }
  }
  Chunk* chunk = g_free_chunks;
  g_free_chunks = chunk->next;
  chunk->next = nullptr;
  chunk->previous = nullptr;
  chunk->owner_next = nullptr;
  chunk->owner = nullptr;
  chunk->bytes = 0;
  __atomic_store_n(&chunk->count, 0, __ATOMIC_RELAXED);
  return chunk;
}

// Under g_lock.
void recycle(Chunk* chunk) noexcept {
  chunk->next = g_free_chunks;
  g_free_chunks = chunk;
}

// Under g_lock: a filled chunk joins the FIFO as its newest (an empty one is recycled),
// and its owner's chunks as theirs (`owner` null: no thread trims it first).
void append_chunk(Chunk* chunk, Staging* owner) noexcept {
  if (__atomic_load_n(&chunk->count, __ATOMIC_RELAXED) == 0) {
    recycle(chunk);
    return;
  }
  chunk->next = nullptr;
  chunk->previous = g_newest;
  if (g_newest != nullptr) g_newest->next = chunk;
  else g_oldest = chunk;
  g_newest = chunk;
  g_bytes += chunk->bytes;
  chunk->handed_over = g_hand_overs++;
  chunk->owner = owner;
  chunk->owner_next = nullptr;
  if (owner == nullptr) return;
  if (owner->own_newest != nullptr) owner->own_newest->owner_next = chunk;
  else owner->own_oldest = chunk;
  owner->own_newest = chunk;
}

// Under g_lock: `chunk` leaves the FIFO. It is its owner's oldest: both orders are the
// order of hand-over.
void unlink_chunk(Chunk* chunk) noexcept {
  if (chunk->previous != nullptr) chunk->previous->next = chunk->next;
  else g_oldest = chunk->next;
  if (chunk->next != nullptr) chunk->next->previous = chunk->previous;
  else g_newest = chunk->previous;
  g_bytes -= chunk->bytes;
  if (Staging* owner = chunk->owner; owner != nullptr) {
    owner->own_oldest = chunk->owner_next;
    if (owner->own_oldest == nullptr) owner->own_newest = nullptr;
  }
  chunk->next = chunk->previous = chunk->owner_next = nullptr;
  chunk->owner = nullptr;
}

// Under g_lock: the chunk to trim next for `trimming` (null: no thread's own first): its
// own oldest while that has waited at least half as long as the FIFO's oldest.
Chunk* next_to_trim(const Staging* trimming) noexcept {
  Chunk* own = trimming != nullptr ? trimming->own_oldest : nullptr;
  if (own == nullptr) return g_oldest;
  const std::uint64_t own_age = g_hand_overs - own->handed_over;
  const std::uint64_t oldest_age = g_hand_overs - g_oldest->handed_over;
  return own_age * 2 >= oldest_age ? own : g_oldest;
}

// Under g_lock: one block joins the FIFO without a staging chunk (a thread that has
// exited, or one without a chunk). False when no chunk could be had.
bool append_block(BlockHeader* header) noexcept {
  Chunk* chunk = g_newest;
  const bool newest_has_room = chunk != nullptr && chunk->count < kChunkBlocks;
  if (!newest_has_room) {
    chunk = take_chunk();
    if (chunk == nullptr) return false;
  }
  chunk->slots[chunk->count++] = header;  // a FIFO chunk: only touched under g_lock
  chunk->bytes += cost_of(header);
  if (newest_has_room) g_bytes += cost_of(header);
  else append_chunk(chunk, nullptr);
  return true;
}

// Under g_lock: whole chunks leave until the rest fits (linked through `next`, in the
// order they left): `trimming`'s own first (see the top of this file), else the oldest.
Chunk* trim_chunks(std::size_t limit_bytes, const Staging* trimming = nullptr) noexcept {
  Chunk* first = nullptr;
  Chunk* last = nullptr;
  while (g_bytes > limit_bytes && g_oldest != nullptr) {
    Chunk* chunk = next_to_trim(trimming);
    unlink_chunk(chunk);
    if (last != nullptr) last->next = chunk;
    else first = chunk;
    last = chunk;
  }
  return first;
}

// Blocks leaving, linked through `next`, oldest first.
struct Chain {
  BlockHeader* first = nullptr;
  BlockHeader* last = nullptr;

  void add(BlockHeader* header) noexcept {
    header->next = nullptr;
    if (last != nullptr) last->next = header;
    else first = header;
    last = header;
  }
  void add_slots(const Chunk* chunk, int from) noexcept {
    for (int index = from; index < chunk->count; ++index) add(chunk->slots[index]);
  }
  // Under g_lock: the blocks of every chunk of `chunks`; the chunks are recycled.
  void add_and_recycle(Chunk* chunks) noexcept {
    while (chunks != nullptr) {
      Chunk* chunk = chunks;
      chunks = chunk->next;
      add_slots(chunk, 0);
      recycle(chunk);
    }
  }
};

// Under g_lock: blocks a thread took out but has not given back yet return to the front
// of the FIFO (its thread is exiting, or gone in a fork child).
void return_leaving(Staging& staging) noexcept {
  Chunk* chunk = staging.leaving;
  staging.leaving = nullptr;
  if (chunk == nullptr) return;
  int kept = 0;
  chunk->bytes = 0;
  for (int index = staging.leaving_next; index < chunk->count; ++index) {
    chunk->slots[kept++] = chunk->slots[index];
    chunk->bytes += cost_of(chunk->slots[index]);
  }
  chunk->count = kept;
  if (kept == 0) {
    recycle(chunk);
    return;
  }
  // The oldest again, trimmed first by any thread.
  chunk->next = g_oldest;
  chunk->previous = nullptr;
  chunk->owner = nullptr;
  chunk->owner_next = nullptr;
  chunk->handed_over = g_oldest != nullptr ? g_oldest->handed_over : g_hand_overs;
  if (g_oldest != nullptr) g_oldest->previous = chunk;
  g_oldest = chunk;
  if (g_newest == nullptr) g_newest = chunk;
  g_bytes += chunk->bytes;
}

// Under g_lock.
void register_staging(Staging& staging) noexcept {
  staging.registry_previous = nullptr;
  staging.own_oldest = staging.own_newest = nullptr;
  staging.registry_next = g_registry;
  if (g_registry != nullptr) g_registry->registry_previous = &staging;
  g_registry = &staging;
  staging.state = StagingState::Registered;
}

// Under g_lock: the staging's chunk joins the FIFO and the staging is forgotten; its
// chunks stay, owned by no thread.
void retire_staging(Staging& staging) noexcept {
  return_leaving(staging);
  if (staging.chunk != nullptr) append_chunk(staging.chunk, nullptr);
  staging.chunk = nullptr;
  for (Chunk* chunk = staging.own_oldest; chunk != nullptr;) {
    Chunk* next = chunk->owner_next;
    chunk->owner = nullptr;
    chunk->owner_next = nullptr;
    chunk = next;
  }
  staging.own_oldest = staging.own_newest = nullptr;
  if (staging.registry_previous != nullptr) {
    staging.registry_previous->registry_next = staging.registry_next;
  } else {
    g_registry = staging.registry_next;
  }
  if (staging.registry_next != nullptr) {
    staging.registry_next->registry_previous = staging.registry_previous;
  }
  staging.registry_previous = staging.registry_next = nullptr;
  staging.state = StagingState::Gone;
}

void on_thread_exit(void* raw) {
  g_lock.lock();
  retire_staging(*static_cast<Staging*>(raw));
  g_lock.unlock();
}

// Under g_lock: `header` joins the FIFO directly (a thread that has exited, or one
// that could get no chunk), and the oldest blocks leave.
BlockHeader* append_and_trim(BlockHeader* header, std::size_t limit_bytes) noexcept {
  const bool appended = append_block(header);
  Chain leaving;
  leaving.add_and_recycle(trim_chunks(limit_bytes));
  if (!appended) leaving.add(header);  // no memory for bookkeeping: it leaves at once
  return leaving.first;
}

// Blocks given back are loaded this many frees ahead: far enough for memory latency
// (a freed block has usually left the caches by the time it leaves the quarantine).
constexpr int kPrefetchAhead = 4;
constexpr int kSlotsPerLine = 64 / sizeof(BlockHeader*);

void prefetch_block(const BlockHeader* header) noexcept {
  const char* start = reinterpret_cast<const char*>(header);
  __builtin_prefetch(start, 1);  // the header (written as the block leaves)
  __builtin_prefetch(start + 64);  // front guard and the first user bytes
  __builtin_prefetch(start + 128);
}

// Under g_lock: the blocks the thread has not given back yet join `chain`; its leaving
// chunk is recycled.
void chain_rest_of_leaving(Staging& staging, Chain& chain) noexcept {
  if (staging.leaving == nullptr) return;
  chain.add_slots(staging.leaving, staging.leaving_next);
  recycle(staging.leaving);
  staging.leaving = nullptr;
}

// Under g_lock, when the thread hands its full chunk over: what is left of its previous
// leaving chunk and every chunk trimmed but the last leave now (into `chain`); the last
// becomes the thread's leaving chunk, given back one block per free.
void hand_over(Staging& staging, Chunk* full, std::size_t limit_bytes, Chain& chain) noexcept {
  append_chunk(full, &staging);  // a thread has a chunk only while registered
  staging.chunk = take_chunk();
  chain_rest_of_leaving(staging, chain);
  Chunk* trimmed = trim_chunks(limit_bytes, &staging);
  while (trimmed != nullptr && trimmed->next != nullptr) {  // all but the last leave now
    Chunk* chunk = trimmed;
    trimmed = chunk->next;
    chain.add_slots(chunk, 0);
    recycle(chunk);
  }
  staging.leaving = trimmed;
  staging.leaving_next = 0;
  if (trimmed != nullptr) {
    for (int index = 0; index < kPrefetchAhead - 1 && index < trimmed->count; ++index) {
      prefetch_block(trimmed->slots[index]);
    }
  }
}

// The next block of the thread's leaving chunk (null when none). Giving blocks back one
// per free spreads their cache misses out, and with the prefetch each is in cache by
// the time it is checked.
BlockHeader* next_leaving(Staging& staging) noexcept {
  Chunk* chunk = staging.leaving;
  if (chunk == nullptr || staging.leaving_next >= chunk->count) return nullptr;
  BlockHeader* header = chunk->slots[staging.leaving_next++];
  header->next = nullptr;  // a chain of one
  const int ahead = staging.leaving_next + kPrefetchAhead - 1;
  if (ahead < chunk->count) prefetch_block(chunk->slots[ahead]);
  // The slots themselves were written when their blocks came in, long ago: load the
  // line of those needed a few frees from now, so prefetch_block's address is at hand.
  if (ahead + kSlotsPerLine < kChunkBlocks) __builtin_prefetch(&chunk->slots[ahead + kSlotsPerLine]);
  return header;
}

}  // namespace

BlockHeader* push(BlockHeader* header, std::size_t limit_bytes) noexcept {
  Staging& staging = t_staging;
  if (Chunk* chunk = staging.chunk; chunk != nullptr) [[likely]] {
    const int count = chunk->count;
    chunk->slots[count] = header;
    __atomic_store_n(&chunk->count, count + 1, __ATOMIC_RELEASE);
    chunk->bytes += cost_of(header);
    if (count + 1 < kChunkBlocks && chunk->bytes < kStagingBytes &&
        chunk->bytes <= limit_bytes) {
      return next_leaving(staging);
    }
    Chain leaving;
    g_lock.lock();
    hand_over(staging, chunk, limit_bytes, leaving);
    g_lock.unlock();
    if (BlockHeader* one = next_leaving(staging)) leaving.add(one);
    return leaving.first;
  }
  g_lock.lock();
  if (staging.state == StagingState::Unused) {
    register_staging(staging);
    os::at_thread_exit(on_thread_exit, &staging);
  }
  if (staging.state == StagingState::Registered) staging.chunk = take_chunk();
  if (staging.chunk != nullptr) {
    g_lock.unlock();
    return push(header, limit_bytes);  // the thread has a chunk now: staged
  }
  BlockHeader* leaving = append_and_trim(header, limit_bytes);
  g_lock.unlock();
  return leaving;
}

BlockHeader* drain() noexcept {
  Staging& staging = t_staging;
  Chain drained;
  g_lock.lock();
  chain_rest_of_leaving(staging, drained);
  if (staging.chunk != nullptr) {
    append_chunk(staging.chunk, nullptr);
    staging.chunk = take_chunk();
  }
  drained.add_and_recycle(trim_chunks(0));
  g_lock.unlock();
  return drained.first;
}

void for_each(void (*visit)(BlockHeader* header, void* context), void* context) noexcept {
  g_lock.lock();
  for (Chunk* chunk = g_oldest; chunk != nullptr; chunk = chunk->next) {
    for (int index = 0; index < chunk->count; ++index) visit(chunk->slots[index], context);
  }
  for (Staging* staging = g_registry; staging != nullptr; staging = staging->registry_next) {
    const Chunk* chunk = staging->chunk;
    if (chunk == nullptr) continue;
    const int count = published_count(chunk);
    for (int index = 0; index < count; ++index) visit(chunk->slots[index], context);
  }
  // Blocks already taken out are only the caller's own to look at: another thread may
  // be giving its own back to the pool right now.
  const Staging& own = t_staging;
  if (const Chunk* leaving = own.leaving; leaving != nullptr) {
    for (int index = own.leaving_next; index < leaving->count; ++index) {
      visit(leaving->slots[index], context);
    }
  }
  g_lock.unlock();
}

std::size_t bytes() noexcept {
  g_lock.lock();
  std::size_t total = g_bytes;
  g_lock.unlock();
  return total;
}

void lock() noexcept { g_lock.lock(); }
void unlock() noexcept { g_lock.unlock(); }

void after_fork_in_child() noexcept {
  // Only the forking thread exists here; the others' staged blocks join the FIFO, and
  // their stagings are forgotten before any new thread could reuse their memory.
  Staging* staging = g_registry;
  while (staging != nullptr) {
    Staging* next = staging->registry_next;
    if (staging != &t_staging) retire_staging(*staging);
    staging = next;
  }
  g_lock.unlock();
}

}  // namespace osp::debug::quarantine
