#include "pool/os_block_registry.hpp"

#include "os/os_memory.hpp"

namespace osp::pool {
namespace {

constexpr std::size_t kInitialSlots = 1024;
constexpr std::uintptr_t kEmptySlot = 0;
constexpr std::uintptr_t kDeletedSlot = 1;  // tombstone: keeps probe chains intact

struct Slot {
  std::uintptr_t address;
  std::size_t bytes;
  os_memory::Tier tier;
  bool huge_pages;  // asked for: such a mapping may be made of huge pages, which remap refuses
};

struct Registry {
  os::SpinLock lock;
  Slot* slots;
  std::size_t capacity;  // a power of two
  std::size_t used;      // live + tombstones
  std::size_t live;
};

Registry registry;

std::size_t slot_index(std::uintptr_t address, std::size_t capacity) {
  // Blocks are page aligned: drop the low bits, then mix.
  std::uint64_t key = address >> 12;
  key *= 0x9E3779B97F4A7C15ull;
  return static_cast<std::size_t>(key >> 20) & (capacity - 1);
}

Slot* find(std::uintptr_t address) {
  if (registry.slots == nullptr) return nullptr;
  for (std::size_t index = slot_index(address, registry.capacity);; index = (index + 1) & (registry.capacity - 1)) {
    Slot& slot = registry.slots[index];
    if (slot.address == address) return &slot;
    if (slot.address == kEmptySlot) return nullptr;
  }
}

void insert_unchecked(Slot* slots, std::size_t capacity, const Slot& entry) {
  std::size_t index = slot_index(entry.address, capacity);
  while (slots[index].address > kDeletedSlot) index = (index + 1) & (capacity - 1);
  slots[index] = entry;
}

bool grow_if_needed() {
  if (registry.slots != nullptr && (registry.used + 1) * 4 < registry.capacity * 3) return true;
  const std::size_t capacity = registry.slots == nullptr ? kInitialSlots : registry.capacity * 2;
  auto* slots = static_cast<Slot*>(os::map(capacity * sizeof(Slot), 0, false));
  if (slots == nullptr) return false;
  for (std::size_t index = 0; index < registry.capacity; ++index) {
    if (registry.slots[index].address > kDeletedSlot) insert_unchecked(slots, capacity, registry.slots[index]);
  }
  if (registry.slots != nullptr) os::release(registry.slots, registry.capacity * sizeof(Slot));
  registry.slots = slots;
  registry.capacity = capacity;
  registry.used = registry.live;
  return true;
}

std::size_t round_to_pages(std::size_t bytes) {
  const std::size_t page = os::page_size();
  return (bytes + page - 1) & ~(page - 1);
}

}  // namespace

namespace {

bool record(void* block, std::size_t mapped_bytes, os_memory::Tier tier, bool huge_pages) {
  registry.lock.lock();
  const bool recorded = grow_if_needed();
  if (recorded) {
    insert_unchecked(registry.slots, registry.capacity,
                     Slot{reinterpret_cast<std::uintptr_t>(block), mapped_bytes, tier, huge_pages});
    ++registry.used;
    ++registry.live;
  }
  registry.lock.unlock();
  return recorded;
}

}  // namespace

void* OsBlockRegistry::allocate(std::size_t bytes, std::size_t alignment, os_memory::Tier tier,
                                bool huge_pages) noexcept {
  const std::size_t mapped_bytes = round_to_pages(bytes == 0 ? 1 : bytes);
  if (mapped_bytes < bytes) return nullptr;  // overflow
  void* block = os::map(mapped_bytes, alignment, huge_pages);
  if (block == nullptr) return nullptr;
  if (!record(block, mapped_bytes, tier, huge_pages)) {
    os::release(block, mapped_bytes);
    return nullptr;
  }
  return block;
}

bool OsBlockRegistry::adopt(void* block, std::size_t bytes, os_memory::Tier tier) noexcept {
  return record(block, round_to_pages(bytes), tier, false);
}

std::size_t OsBlockRegistry::deallocate(void* block, os_memory::Tier& tier) noexcept {
  registry.lock.lock();
  Slot* slot = find(reinterpret_cast<std::uintptr_t>(block));
  std::size_t bytes = 0;
  if (slot != nullptr) {
    bytes = slot->bytes;
    tier = slot->tier;
    slot->address = kDeletedSlot;
    --registry.live;
  }
  registry.lock.unlock();
  if (bytes != 0) os::release(block, bytes);
  return bytes;
}

void* OsBlockRegistry::remap(void* block, std::size_t bytes, os_memory::Tier tier, std::size_t& old_bytes,
                             os_memory::Tier& old_tier) noexcept {
  const std::size_t mapped_bytes = round_to_pages(bytes);
  if (mapped_bytes < bytes) return nullptr;  // overflow
  // Under the lock throughout: the table has room for the new entry before the mapping
  // moves, so a moved block is always recorded.
  registry.lock.lock();
  const Slot* found = find(reinterpret_cast<std::uintptr_t>(block));
  const bool remappable = found != nullptr && !found->huge_pages &&
                          (found->tier == os_memory::Tier::Large || found->tier == os_memory::Tier::Huge);
  const std::size_t bytes_before = remappable ? found->bytes : 0;
  // grow_if_needed() may move the table: `found` is not used past it.
  void* moved = remappable && grow_if_needed() ? os::remap(block, bytes_before, mapped_bytes) : nullptr;
  if (moved != nullptr) {
    Slot* slot = find(reinterpret_cast<std::uintptr_t>(block));
    old_bytes = bytes_before;
    old_tier = slot->tier;
    slot->address = kDeletedSlot;
    insert_unchecked(registry.slots, registry.capacity,
                     Slot{reinterpret_cast<std::uintptr_t>(moved), mapped_bytes, tier, false});
    ++registry.used;
  }
  registry.lock.unlock();
  return moved;
}

std::size_t OsBlockRegistry::lookup(const void* block, os_memory::Tier& tier) noexcept {
  registry.lock.lock();
  const Slot* slot = find(reinterpret_cast<std::uintptr_t>(block));
  std::size_t bytes = 0;
  if (slot != nullptr) {
    bytes = slot->bytes;
    tier = slot->tier;
  }
  registry.lock.unlock();
  return bytes;
}

std::size_t OsBlockRegistry::block_count() noexcept {
  registry.lock.lock();
  const std::size_t count = registry.live;
  registry.lock.unlock();
  return count;
}

void OsBlockRegistry::prepare_fork() noexcept { registry.lock.lock(); }
void OsBlockRegistry::after_fork() noexcept { registry.lock.unlock(); }

}  // namespace osp::pool
