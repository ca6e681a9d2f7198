// The live-block table (see live_blocks.hpp). A block is in exactly one shard, chosen by
// the thread that allocated it (so one thread's allocations and frees keep taking the
// same uncontended lock), between insert() at allocation and remove_as_freed() at free;
// the shard's lock protects its table, its counters and the is_free flag of its blocks.
//
// Each shard is an array of header pointers, grown in chunks mapped on demand, with the
// free entries chained through themselves (odd values, never a header address) and
// reused last-freed first. A block's header keeps its entry's index, so insert and remove
// touch only the table entry, never a neighbouring block's header: with a large working
// set, a linked list through the headers cost two cold cache lines per free.
//
// The counters are atomics written only under the lock (a load and a store, no
// read-modify-write), so readers sum them without taking any lock.
#include "debug/live_blocks.hpp"

#include <atomic>

#include "debug/block_header.hpp"
#include "os/os_memory.hpp"

namespace osp::debug {
namespace {

constexpr std::size_t kShardCount = 64;
constexpr std::size_t kAllocationKindCount = 4;
constexpr unsigned kChunkEntryBits = 16;  // 512 KiB of entries per chunk, mapped when needed
constexpr std::uint64_t kChunkEntries = std::uint64_t{1} << kChunkEntryBits;
constexpr std::size_t kChunksPerShard = 1024;  // 64 Mi live blocks per shard
// A header whose entry could not be stored (no memory for a new chunk): still a live,
// checked block, but the leak scan and the heap check do not see it.
constexpr std::uint64_t kNoEntry = ~std::uint64_t{0};

using Entry = std::uintptr_t;

constexpr bool is_free_entry(Entry entry) noexcept { return (entry & 1) != 0; }
// A free entry holds the index + 1 of the next free entry (0: none), shifted and tagged.
constexpr Entry free_entry(std::uint64_t next_free_plus_one) noexcept {
  return (next_free_plus_one << 1) | 1;
}

struct alignas(64) Shard {
  os::SpinLock lock;
  std::uint64_t free_head = 0;  // index + 1 of the most recently freed entry; 0: none
  std::uint64_t used = 0;       // entries handed out so far (free or not)
  std::atomic<std::size_t> kind_count[kAllocationKindCount] = {};
  std::atomic<std::size_t> kind_bytes[kAllocationKindCount] = {};
  Entry* chunks[kChunksPerShard] = {};

  Entry& entry(std::uint64_t index) noexcept {
    return chunks[index >> kChunkEntryBits][index & (kChunkEntries - 1)];
  }
  // A fresh entry's index, mapping its chunk when it is the first; kNoEntry when full.
  std::uint64_t take_fresh() noexcept {
    const std::uint64_t index = used;
    const std::uint64_t chunk = index >> kChunkEntryBits;
    if (chunk >= kChunksPerShard) return kNoEntry;
    if (chunks[chunk] == nullptr) {
      void* memory = os::map(kChunkEntries * sizeof(Entry), os::page_size(), false);
      if (memory == nullptr) return kNoEntry;
      chunks[chunk] = static_cast<Entry*>(memory);
    }
    ++used;
    return index;
  }
};

Shard g_shards[kShardCount];
std::atomic<std::uint64_t> g_sequence{0};

Shard& shard_of(const BlockHeader* header) noexcept {
  return g_shards[header->allocation_thread % kShardCount];
}

// Only ever called with the shard's lock held.
void add_to(std::atomic<std::size_t>& counter, std::size_t amount) noexcept {
  counter.store(counter.load(std::memory_order_relaxed) + amount, std::memory_order_relaxed);
}

class ShardLock {
 public:
  explicit ShardLock(Shard& shard) noexcept : shard_(shard) { shard_.lock.lock(); }
  ~ShardLock() { shard_.lock.unlock(); }
  ShardLock(const ShardLock&) = delete;
  ShardLock& operator=(const ShardLock&) = delete;

 private:
  Shard& shard_;
};

using Counters = std::atomic<std::size_t>[kAllocationKindCount];

std::size_t sum_over_shards(Counters Shard::*counters, std::size_t kind) noexcept {
  std::size_t total = 0;
  for (Shard& shard : g_shards) total += (shard.*counters)[kind].load(std::memory_order_relaxed);
  return total;
}

// Visits the shard's live headers; the caller holds its lock.
template <typename Visit>
void for_each_in(Shard& shard, Visit visit) noexcept {
  for (std::uint64_t index = 0; index < shard.used; ++index) {
    const Entry entry = shard.entry(index);
    if (!is_free_entry(entry)) visit(reinterpret_cast<BlockHeader*>(entry));
  }
}

}  // namespace

namespace live_blocks {

void insert(BlockHeader* header) noexcept {
  Shard& shard = shard_of(header);
  const std::size_t kind = header->kind % kAllocationKindCount;
  ShardLock guard(shard);
  std::uint64_t index;
  if (shard.free_head != 0) {
    index = shard.free_head - 1;
    shard.free_head = shard.entry(index) >> 1;
  } else {
    index = shard.take_fresh();
  }
  header->live_entry = index;
  if (index != kNoEntry) shard.entry(index) = reinterpret_cast<Entry>(header);
  add_to(shard.kind_count[kind], 1);
  add_to(shard.kind_bytes[kind], header->requested_bytes);
}

bool remove_as_freed(BlockHeader* header) noexcept {
  Shard& shard = shard_of(header);
  const std::size_t kind = header->kind % kAllocationKindCount;
  ShardLock guard(shard);
  // The lock orders every free of this block (the shard comes from the header, which
  // does not change while the block is live), so a plain check-then-set is enough.
  std::atomic_ref<std::uint8_t> is_free(header->is_free);
  if (is_free.load(std::memory_order_relaxed) != 0) return false;
  is_free.store(1, std::memory_order_release);
  const std::uint64_t index = header->live_entry;
  if (index != kNoEntry) {
    shard.entry(index) = free_entry(shard.free_head);
    shard.free_head = index + 1;
  }
  add_to(shard.kind_count[kind], static_cast<std::size_t>(-1));
  add_to(shard.kind_bytes[kind], -header->requested_bytes);
  return true;
}

std::uint64_t next_sequence() noexcept {
  return g_sequence.fetch_add(1, std::memory_order_relaxed) + 1;
}
std::uint64_t current_sequence() noexcept { return g_sequence.load(std::memory_order_relaxed); }

std::size_t count() noexcept {
  std::size_t total = 0;
  for (std::size_t kind = 0; kind < kAllocationKindCount; ++kind) {
    total += sum_over_shards(&Shard::kind_count, kind);
  }
  return total;
}

std::size_t bytes() noexcept {
  std::size_t total = 0;
  for (std::size_t kind = 0; kind < kAllocationKindCount; ++kind) {
    total += sum_over_shards(&Shard::kind_bytes, kind);
  }
  return total;
}

std::size_t count_of(api::AllocationKind kind) noexcept {
  return sum_over_shards(&Shard::kind_count, static_cast<std::size_t>(kind) % kAllocationKindCount);
}

std::size_t bytes_of(api::AllocationKind kind) noexcept {
  return sum_over_shards(&Shard::kind_bytes, static_cast<std::size_t>(kind) % kAllocationKindCount);
}

void for_each_header(HeaderVisitor visit, void* context) noexcept {
  for (Shard& shard : g_shards) {
    ShardLock guard(shard);
    for_each_in(shard, [&](BlockHeader* header) { visit(header, context); });
  }
}

BlockHeader* find_containing(const void* address) noexcept {
  auto target = reinterpret_cast<std::uintptr_t>(address);
  BlockHeader* found = nullptr;
  for (Shard& shard : g_shards) {
    ShardLock guard(shard);
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

void lock_all() noexcept {
  for (Shard& shard : g_shards) shard.lock.lock();
}

void unlock_all() noexcept {
  for (Shard& shard : g_shards) shard.lock.unlock();
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
