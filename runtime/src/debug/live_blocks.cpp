// Sharded intrusive live-block list (see live_blocks.hpp). A block is in exactly one
// shard, chosen from its header address, between insert() at allocation and remove() at
// free; the shard's lock protects its next/previous links.
#include "debug/live_blocks.hpp"

#include <atomic>

#include "debug/block_header.hpp"
#include "os/os_memory.hpp"

namespace osp::debug {
namespace {

constexpr std::size_t kShardCount = 64;

struct alignas(64) Shard {
  os::SpinLock lock;
  BlockHeader* head = nullptr;
};

Shard g_shards[kShardCount];
std::atomic<std::size_t> g_live_count{0};
std::atomic<std::size_t> g_live_bytes{0};
std::atomic<std::uint64_t> g_sequence{0};
constexpr std::size_t kAllocationKindCount = 4;
std::atomic<std::size_t> g_kind_count[kAllocationKindCount];
std::atomic<std::size_t> g_kind_bytes[kAllocationKindCount];

Shard& shard_of(const BlockHeader* header) noexcept {
  auto bits = reinterpret_cast<std::uintptr_t>(header);
  return g_shards[((bits >> 6) ^ (bits >> 16)) % kShardCount];
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

}  // namespace

namespace live_blocks {

void insert(BlockHeader* header) noexcept {
  Shard& shard = shard_of(header);
  {
    ShardLock guard(shard);
    header->previous = nullptr;
    header->next = shard.head;
    if (shard.head != nullptr) shard.head->previous = header;
    shard.head = header;
  }
  g_live_count.fetch_add(1, std::memory_order_relaxed);
  g_live_bytes.fetch_add(header->requested_bytes, std::memory_order_relaxed);
  g_kind_count[header->kind % kAllocationKindCount].fetch_add(1, std::memory_order_relaxed);
  g_kind_bytes[header->kind % kAllocationKindCount].fetch_add(header->requested_bytes,
                                                              std::memory_order_relaxed);
}

void remove(BlockHeader* header) noexcept {
  Shard& shard = shard_of(header);
  {
    ShardLock guard(shard);
    if (header->previous != nullptr) header->previous->next = header->next;
    else shard.head = header->next;
    if (header->next != nullptr) header->next->previous = header->previous;
    header->next = header->previous = nullptr;
  }
  g_live_count.fetch_sub(1, std::memory_order_relaxed);
  g_live_bytes.fetch_sub(header->requested_bytes, std::memory_order_relaxed);
  g_kind_count[header->kind % kAllocationKindCount].fetch_sub(1, std::memory_order_relaxed);
  g_kind_bytes[header->kind % kAllocationKindCount].fetch_sub(header->requested_bytes,
                                                              std::memory_order_relaxed);
}

std::uint64_t next_sequence() noexcept {
  return g_sequence.fetch_add(1, std::memory_order_relaxed) + 1;
}
std::uint64_t current_sequence() noexcept { return g_sequence.load(std::memory_order_relaxed); }

std::size_t count() noexcept { return g_live_count.load(std::memory_order_relaxed); }
std::size_t bytes() noexcept { return g_live_bytes.load(std::memory_order_relaxed); }

std::size_t count_of(api::AllocationKind kind) noexcept {
  return g_kind_count[static_cast<std::size_t>(kind) % kAllocationKindCount].load(
      std::memory_order_relaxed);
}

std::size_t bytes_of(api::AllocationKind kind) noexcept {
  return g_kind_bytes[static_cast<std::size_t>(kind) % kAllocationKindCount].load(
      std::memory_order_relaxed);
}

void for_each_header(HeaderVisitor visit, void* context) noexcept {
  for (Shard& shard : g_shards) {
    ShardLock guard(shard);
    for (BlockHeader* header = shard.head; header != nullptr; header = header->next) {
      visit(header, context);
    }
  }
}

BlockHeader* find_containing(const void* address) noexcept {
  auto target = reinterpret_cast<std::uintptr_t>(address);
  for (Shard& shard : g_shards) {
    ShardLock guard(shard);
    for (BlockHeader* header = shard.head; header != nullptr; header = header->next) {
      auto start = reinterpret_cast<std::uintptr_t>(header);
      auto end = reinterpret_cast<std::uintptr_t>(user_of(header)) + header->requested_bytes +
                 tail_guard_bytes(header->requested_bytes);
      if (target >= start && target < end) return header;
    }
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
