#include "api/tracking_table.hpp"

#include <cstdint>

#include "os/os_memory.hpp"

namespace osp::api {
namespace {

constexpr int kShardCount = 64;
constexpr std::size_t kInitialSlots = 256;
constexpr std::uintptr_t kEmpty = 0;
constexpr std::uintptr_t kDeleted = 1;

struct Entry {
  std::uintptr_t address;
  std::size_t size;
  const char* file;
  int line;
};

struct alignas(64) Shard {
  os::SpinLock lock;
  Entry* entries;
  std::size_t capacity;
  std::size_t used;  // live + tombstones
};

Shard shards[kShardCount];
std::size_t live_count;
std::size_t live_bytes;

std::uint64_t mix(std::uintptr_t address) {
  std::uint64_t key = address >> 4;
  key ^= key >> 33;
  key *= 0xff51afd7ed558ccdull;
  key ^= key >> 33;
  return key;
}

Shard& shard_for(std::uintptr_t address) { return shards[mix(address) % kShardCount]; }

void place(Entry* entries, std::size_t capacity, const Entry& entry) {
  std::size_t index = (mix(entry.address) >> 6) & (capacity - 1);
  while (entries[index].address > kDeleted) index = (index + 1) & (capacity - 1);
  entries[index] = entry;
}

bool grow(Shard& shard) {
  if (shard.entries != nullptr && (shard.used + 1) * 4 < shard.capacity * 3) return true;
  std::size_t live = 0;
  for (std::size_t i = 0; i < shard.capacity; ++i) live += shard.entries[i].address > kDeleted;
  std::size_t capacity = shard.entries == nullptr ? kInitialSlots : shard.capacity;
  while ((live + 1) * 2 > capacity) capacity *= 2;
  auto* entries = static_cast<Entry*>(os::map(capacity * sizeof(Entry), 0, false));
  if (entries == nullptr) return false;
  for (std::size_t i = 0; i < shard.capacity; ++i) {
    if (shard.entries[i].address > kDeleted) place(entries, capacity, shard.entries[i]);
  }
  if (shard.entries != nullptr) os::release(shard.entries, shard.capacity * sizeof(Entry));
  shard.entries = entries;
  shard.capacity = capacity;
  shard.used = live;
  return true;
}

Entry* find(Shard& shard, std::uintptr_t address) {
  if (shard.entries == nullptr) return nullptr;
  for (std::size_t index = (mix(address) >> 6) & (shard.capacity - 1);; index = (index + 1) & (shard.capacity - 1)) {
    Entry& entry = shard.entries[index];
    if (entry.address == address) return &entry;
    if (entry.address == kEmpty) return nullptr;
  }
}

}  // namespace

void TrackingTable::insert(const void* address, std::size_t size, const char* file, int line) noexcept {
  const auto key = reinterpret_cast<std::uintptr_t>(address);
  Shard& shard = shard_for(key);
  shard.lock.lock();
  if (grow(shard)) {
    place(shard.entries, shard.capacity, Entry{key, size, file, line});
    ++shard.used;
    __atomic_fetch_add(&live_count, 1, __ATOMIC_RELAXED);
    __atomic_fetch_add(&live_bytes, size, __ATOMIC_RELAXED);
  }
  shard.lock.unlock();
}

bool TrackingTable::erase(const void* address) noexcept {
  const auto key = reinterpret_cast<std::uintptr_t>(address);
  Shard& shard = shard_for(key);
  shard.lock.lock();
  Entry* entry = find(shard, key);
  if (entry != nullptr) {
    entry->address = kDeleted;
    __atomic_fetch_sub(&live_count, 1, __ATOMIC_RELAXED);
    __atomic_fetch_sub(&live_bytes, entry->size, __ATOMIC_RELAXED);
  }
  shard.lock.unlock();
  return entry != nullptr;
}

std::size_t TrackingTable::count() noexcept { return __atomic_load_n(&live_count, __ATOMIC_RELAXED); }

std::size_t TrackingTable::bytes() noexcept { return __atomic_load_n(&live_bytes, __ATOMIC_RELAXED); }

void TrackingTable::for_each(os_memory::tracker::MemoryTracker::Visitor visit, void* context) noexcept {
  for (Shard& shard : shards) {
    shard.lock.lock();
    for (std::size_t i = 0; i < shard.capacity; ++i) {
      const Entry& entry = shard.entries[i];
      if (entry.address <= kDeleted) continue;
      visit(os_memory::tracker::TrackedBlock{reinterpret_cast<const void*>(entry.address), entry.size,
                                             entry.file, entry.line},
            context);
    }
    shard.lock.unlock();
  }
}

}  // namespace osp::api
