#include "pool/buddy_allocator.hpp"

#include "os/os_memory.hpp"

namespace osp::pool {
namespace {

constexpr int kUnitsPerArena = static_cast<int>(BuddyAllocator::kArenaBytes / BuddyAllocator::kUnitBytes);
constexpr int kMaxArenas = 256;  // 128 GiB of Medium blocks
constexpr std::int16_t kNoUnit = -1;
constexpr std::int8_t kNotBlockStart = -1;

struct ArenaMetadata {
  std::uintptr_t base;
  std::uint16_t nonempty_orders;  // bit n set when free_heads[n] != kNoUnit
  std::int16_t free_heads[BuddyAllocator::kOrderCount];
  std::int8_t block_order[kUnitsPerArena];  // order of the block starting at a unit
  bool block_free[kUnitsPerArena];
  bool unit_dirty[kUnitsPerArena];  // freed but still backed by pages (the retained budget)
  std::int16_t next_free[kUnitsPerArena];
  std::int16_t previous_free[kUnitsPerArena];
};


struct MediumState {
  os::SpinLock lock;
  std::size_t retained_bytes;  // total of dirty units
  ArenaMetadata* arenas[kMaxArenas];
  int arena_count;
};

MediumState state;

int order_for(std::size_t bytes) {
  const std::size_t units = (bytes + BuddyAllocator::kUnitBytes - 1) / BuddyAllocator::kUnitBytes;
  int order = 0;
  while ((std::size_t{1} << order) < units) ++order;
  return order;
}

void push_free(ArenaMetadata& arena, int unit, int order) {
  arena.block_order[unit] = static_cast<std::int8_t>(order);
  arena.block_free[unit] = true;
  arena.previous_free[unit] = kNoUnit;
  arena.next_free[unit] = arena.free_heads[order];
  if (arena.free_heads[order] != kNoUnit) arena.previous_free[arena.free_heads[order]] = static_cast<std::int16_t>(unit);
  arena.free_heads[order] = static_cast<std::int16_t>(unit);
  arena.nonempty_orders |= static_cast<std::uint16_t>(1u << order);
}

void remove_free(ArenaMetadata& arena, int unit, int order) {
  const std::int16_t previous = arena.previous_free[unit];
  const std::int16_t next = arena.next_free[unit];
  if (previous != kNoUnit) arena.next_free[previous] = next;
  else arena.free_heads[order] = next;
  if (next != kNoUnit) arena.previous_free[next] = previous;
  if (arena.free_heads[order] == kNoUnit) arena.nonempty_orders &= static_cast<std::uint16_t>(~(1u << order));
  arena.block_free[unit] = false;
}

ArenaMetadata* create_arena() {
  if (state.arena_count >= kMaxArenas) return nullptr;
  void* memory = os::reserve(BuddyAllocator::kArenaBytes, BuddyAllocator::kArenaBytes);
  if (memory == nullptr) return nullptr;
  auto* arena = static_cast<ArenaMetadata*>(os::map(sizeof(ArenaMetadata), 0, false));
  if (arena == nullptr) {
    os::release(memory, BuddyAllocator::kArenaBytes);
    return nullptr;
  }
  arena->base = reinterpret_cast<std::uintptr_t>(memory);
  for (int order = 0; order < BuddyAllocator::kOrderCount; ++order) arena->free_heads[order] = kNoUnit;
  for (int unit = 0; unit < kUnitsPerArena; ++unit) arena->block_order[unit] = kNotBlockStart;
  push_free(*arena, 0, BuddyAllocator::kOrderCount - 1);
  state.arenas[state.arena_count++] = arena;
  return arena;
}

// Units of [unit, unit + count) stop being retained (they are handed out or unmapped).
void forget_dirty_units(ArenaMetadata& arena, int unit, int count) {
  for (int i = unit; i < unit + count; ++i) {
    if (arena.unit_dirty[i]) {
      arena.unit_dirty[i] = false;
      state.retained_bytes -= BuddyAllocator::kUnitBytes;
    }
  }
}

// A freed block stays backed while the budget allows; otherwise its pages go back now.
void retain_or_decommit(ArenaMetadata& arena, int unit, int order) {
  const std::size_t bytes = BuddyAllocator::kUnitBytes << order;
  if (state.retained_bytes + bytes <= BuddyAllocator::kRetainedBytes) {
    for (int i = unit; i < unit + (1 << order); ++i) arena.unit_dirty[i] = true;
    state.retained_bytes += bytes;
    return;
  }
  os::decommit(reinterpret_cast<void*>(arena.base + static_cast<std::uintptr_t>(unit) * BuddyAllocator::kUnitBytes),
               bytes);
}

void destroy_arena(int index) {
  ArenaMetadata* arena = state.arenas[index];
  forget_dirty_units(*arena, 0, kUnitsPerArena);
  os::release(reinterpret_cast<void*>(arena->base), BuddyAllocator::kArenaBytes);
  os::release(arena, sizeof(ArenaMetadata));
  state.arenas[index] = state.arenas[--state.arena_count];
}

bool arena_is_empty(const ArenaMetadata& arena) {
  return arena.block_free[0] && arena.block_order[0] == BuddyAllocator::kOrderCount - 1;
}

int find_arena(std::uintptr_t address) {
  const std::uintptr_t base = address & ~(BuddyAllocator::kArenaBytes - 1);
  for (int index = 0; index < state.arena_count; ++index) {
    if (state.arenas[index]->base == base) return index;
  }
  return -1;
}

void* allocate_in(ArenaMetadata& arena, int order) {
  const unsigned usable = arena.nonempty_orders & ~((1u << order) - 1);
  if (usable == 0) return nullptr;
  int found = __builtin_ctz(usable);
  const int unit = arena.free_heads[found];
  remove_free(arena, unit, found);
  while (found > order) {  // split, keeping the lower half
    --found;
    push_free(arena, unit + (1 << found), found);
  }
  arena.block_order[unit] = static_cast<std::int8_t>(order);
  forget_dirty_units(arena, unit, 1 << order);
  return reinterpret_cast<void*>(arena.base + static_cast<std::uintptr_t>(unit) * BuddyAllocator::kUnitBytes);
}

}  // namespace

void* BuddyAllocator::allocate(std::size_t bytes) noexcept {
  if (bytes > kArenaBytes) return nullptr;
  const int order = order_for(bytes);
  state.lock.lock();
  void* block = nullptr;
  for (int index = 0; index < state.arena_count && block == nullptr; ++index) {
    block = allocate_in(*state.arenas[index], order);
  }
  if (block == nullptr) {
    ArenaMetadata* arena = create_arena();
    if (arena != nullptr) block = allocate_in(*arena, order);
  }
  state.lock.unlock();
  if (block != nullptr) os::commit(block, kUnitBytes << order);
  return block;
}

std::size_t BuddyAllocator::deallocate(void* block) noexcept {
  const auto address = reinterpret_cast<std::uintptr_t>(block);
  state.lock.lock();
  const int index = find_arena(address);
  if (index < 0 || address % kUnitBytes != 0) {
    state.lock.unlock();
    return 0;
  }
  ArenaMetadata& arena = *state.arenas[index];
  int unit = static_cast<int>((address - arena.base) / kUnitBytes);
  int order = arena.block_order[unit];
  if (order == kNotBlockStart || arena.block_free[unit]) {
    state.lock.unlock();
    return 0;
  }
  const std::size_t freed_bytes = kUnitBytes << order;
  // Pages go back before the block is visible as free, so no one reuses it half-decommitted.
  retain_or_decommit(arena, unit, order);
  arena.block_order[unit] = kNotBlockStart;
  while (order < kOrderCount - 1) {
    const int buddy = unit ^ (1 << order);
    if (!arena.block_free[buddy] || arena.block_order[buddy] != order) break;
    remove_free(arena, buddy, order);
    arena.block_order[buddy] = kNotBlockStart;
    unit = unit < buddy ? unit : buddy;
    ++order;
  }
  push_free(arena, unit, order);
  if (arena_is_empty(arena)) {
    // Keep one empty arena reserved (it holds no pages); release any other.
    int empty_arenas = 0;
    for (int other = 0; other < state.arena_count; ++other) empty_arenas += arena_is_empty(*state.arenas[other]);
    if (empty_arenas > 1) destroy_arena(index);
  }
  state.lock.unlock();
  return freed_bytes;
}

std::size_t BuddyAllocator::block_bytes(const void* address) noexcept {
  const auto value = reinterpret_cast<std::uintptr_t>(address);
  if (value % kUnitBytes != 0) return 0;
  state.lock.lock();
  std::size_t bytes = 0;
  const int index = find_arena(value);
  if (index >= 0) {
    const ArenaMetadata& arena = *state.arenas[index];
    const int unit = static_cast<int>((value - arena.base) / kUnitBytes);
    if (arena.block_order[unit] != kNotBlockStart && !arena.block_free[unit]) {
      bytes = kUnitBytes << arena.block_order[unit];
    }
  }
  state.lock.unlock();
  return bytes;
}

bool BuddyAllocator::contains(const void* address) noexcept {
  state.lock.lock();
  const bool found = find_arena(reinterpret_cast<std::uintptr_t>(address)) >= 0;
  state.lock.unlock();
  return found;
}

int BuddyAllocator::arena_count() noexcept {
  state.lock.lock();
  const int count = state.arena_count;
  state.lock.unlock();
  return count;
}

bool BuddyAllocator::all_arenas_coalesced() noexcept {
  state.lock.lock();
  bool coalesced = true;
  for (int index = 0; index < state.arena_count; ++index) coalesced &= arena_is_empty(*state.arenas[index]);
  state.lock.unlock();
  return coalesced;
}

void BuddyAllocator::prepare_fork() noexcept { state.lock.lock(); }
void BuddyAllocator::after_fork() noexcept { state.lock.unlock(); }

}  // namespace osp::pool
