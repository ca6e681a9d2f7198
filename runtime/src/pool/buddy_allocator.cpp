#include "pool/buddy_allocator.hpp"

#include "os/os_memory.hpp"

namespace osp::pool {
namespace {

constexpr int kUnitsPerArena = static_cast<int>(BuddyAllocator::kArenaBytes / BuddyAllocator::kUnitBytes);
constexpr int kMaxArenas = 255;  // 127.5 GiB of Medium blocks; an index fits a byte
constexpr std::size_t kAddressSlots = (std::uintptr_t{1} << 48) / BuddyAllocator::kArenaBytes;
constexpr std::int16_t kNoUnit = -1;
constexpr std::int8_t kNotBlockStart = -1;

// 1 while a free of the block starting at the unit is under way, or while a thread cache
// keeps it. On a line of its own: threads cycling blocks through their caches write it on
// every allocation and free, and would otherwise share lines with their neighbours.
struct alignas(64) ClaimByte {
  std::uint8_t value;
};

// Entries read without the lock (block_order, block_free, claimed, base) are written with
// relaxed atomic stores; the rest only under the lock.
struct ArenaMetadata {
  std::uintptr_t base;
  std::uint16_t nonempty_orders;  // bit n set when free_heads[n] != kNoUnit
  std::int16_t free_heads[BuddyAllocator::kOrderCount];
  std::int8_t block_order[kUnitsPerArena];  // order of the block starting at a unit
  bool block_free[kUnitsPerArena];
  ClaimByte claimed[kUnitsPerArena];
  bool unit_dirty[kUnitsPerArena];  // freed but still backed by pages (the retained budget)
  std::int16_t next_free[kUnitsPerArena];
  std::int16_t previous_free[kUnitsPerArena];
  // Bit u: a kernel mapping may begin at unit u, where a page move put a block or a piece
  // of one (move_pages); unit 0 always begins one. A superset of the real edges.
  std::uint64_t mapping_edges[kUnitsPerArena / 64];
  int mapping_edge_count;
};

struct MediumState {
  os::SpinLock lock;
  std::size_t retained_bytes;  // total of dirty units
  // Mapped on first use and never unmapped, so a lock-free lookup never reads unmapped
  // memory; a released arena's slot is reused by the next arena.
  ArenaMetadata* metadata[kMaxArenas];
  bool slot_in_use[kMaxArenas];
  std::uint8_t live_slots[kMaxArenas];  // slots of the live arenas: [0, arena_count)
  int arena_count;
};

MediumState state;
// Metadata slot + 1 of the live arena at address / kArenaBytes, 0 for none. Written under
// the lock (release), read without it (acquire).
std::uint8_t arena_at[kAddressSlots];

template <typename T>
T load(const T& field) {
  return __atomic_load_n(&field, __ATOMIC_RELAXED);
}
template <typename T>
void store(T& field, T value) {
  __atomic_store_n(&field, value, __ATOMIC_RELAXED);
}

// The live arena holding `address`, or null. Lock-free.
ArenaMetadata* arena_of(std::uintptr_t address) {
  const std::uintptr_t slot = address / BuddyAllocator::kArenaBytes;
  if (slot >= kAddressSlots) return nullptr;
  const std::uint8_t index = __atomic_load_n(&arena_at[slot], __ATOMIC_ACQUIRE);
  if (index == 0) return nullptr;
  ArenaMetadata* arena = __atomic_load_n(&state.metadata[index - 1], __ATOMIC_RELAXED);
  // A slot reused for another arena since the table was read: not this address's.
  if (load(arena->base) != slot * BuddyAllocator::kArenaBytes) return nullptr;
  return arena;
}

int unit_of(const ArenaMetadata& arena, std::uintptr_t address) {
  return static_cast<int>((address - load(arena.base)) / BuddyAllocator::kUnitBytes);
}

void push_free(ArenaMetadata& arena, int unit, int order) {
  store(arena.block_order[unit], static_cast<std::int8_t>(order));
  store(arena.block_free[unit], true);
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
  store(arena.block_free[unit], false);
}

// Metadata for a new arena at `base`: a reused slot's, reset, or a freshly mapped one.
ArenaMetadata* take_metadata_slot(std::uintptr_t base, int& slot) {
  slot = 0;
  while (state.slot_in_use[slot]) ++slot;  // a free slot exists: arena_count < kMaxArenas
  ArenaMetadata* arena = state.metadata[slot];
  if (arena == nullptr) {
    arena = static_cast<ArenaMetadata*>(os::map(sizeof(ArenaMetadata), 0, false));
    if (arena == nullptr) return nullptr;
    __atomic_store_n(&state.metadata[slot], arena, __ATOMIC_RELAXED);
  }
  store(arena->base, base);
  arena->nonempty_orders = 0;
  for (int order = 0; order < BuddyAllocator::kOrderCount; ++order) arena->free_heads[order] = kNoUnit;
  for (int unit = 0; unit < kUnitsPerArena; ++unit) {
    store(arena->block_order[unit], kNotBlockStart);
    store(arena->block_free[unit], false);
    store(arena->claimed[unit].value, std::uint8_t{0});
    arena->unit_dirty[unit] = false;
  }
  for (std::uint64_t& word : arena->mapping_edges) word = 0;
  arena->mapping_edge_count = 0;
  return arena;
}

ArenaMetadata* create_arena() {
  if (state.arena_count >= kMaxArenas) return nullptr;
  void* memory = os::reserve(BuddyAllocator::kArenaBytes, BuddyAllocator::kArenaBytes);
  if (memory == nullptr) return nullptr;
  const auto base = reinterpret_cast<std::uintptr_t>(memory);
  int slot = 0;
  ArenaMetadata* arena = base / BuddyAllocator::kArenaBytes < kAddressSlots ? take_metadata_slot(base, slot) : nullptr;
  if (arena == nullptr) {
    os::release(memory, BuddyAllocator::kArenaBytes);
    return nullptr;
  }
  push_free(*arena, 0, BuddyAllocator::kOrderCount - 1);
  state.slot_in_use[slot] = true;
  state.live_slots[state.arena_count++] = static_cast<std::uint8_t>(slot);
  __atomic_store_n(&arena_at[base / BuddyAllocator::kArenaBytes], static_cast<std::uint8_t>(slot + 1),
                   __ATOMIC_RELEASE);
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

// Releases the live arena at `position` of live_slots; its metadata slot stays mapped.
void destroy_arena(int position) {
  const int slot = state.live_slots[position];
  ArenaMetadata& arena = *state.metadata[slot];
  __atomic_store_n(&arena_at[arena.base / BuddyAllocator::kArenaBytes], std::uint8_t{0}, __ATOMIC_RELEASE);
  forget_dirty_units(arena, 0, kUnitsPerArena);
  os::release(reinterpret_cast<void*>(arena.base), BuddyAllocator::kArenaBytes);
  state.slot_in_use[slot] = false;
  state.live_slots[position] = state.live_slots[--state.arena_count];
}

ArenaMetadata& live_arena(int position) { return *state.metadata[state.live_slots[position]]; }

bool arena_is_empty(const ArenaMetadata& arena) {
  return arena.block_free[0] && arena.block_order[0] == BuddyAllocator::kOrderCount - 1;
}

// The orders of `arena`'s free blocks that can hold a block of `order`, as a bit mask.
unsigned usable_orders(const ArenaMetadata& arena, int order) { return arena.nonempty_orders & ~((1u << order) - 1); }

// Splits the smallest free block that fits (or, `with_room`, the largest) down to `order`,
// keeping its lower part.
void* allocate_in(ArenaMetadata& arena, int order, bool with_room = false) {
  const unsigned usable = usable_orders(arena, order);
  if (usable == 0) return nullptr;
  int found = with_room ? 31 - __builtin_clz(usable) : __builtin_ctz(usable);
  const int unit = arena.free_heads[found];
  remove_free(arena, unit, found);
  while (found > order) {  // split, keeping the lower half
    --found;
    push_free(arena, unit + (1 << found), found);
  }
  store(arena.block_order[unit], static_cast<std::int8_t>(order));
  forget_dirty_units(arena, unit, 1 << order);
  return reinterpret_cast<void*>(arena.base + static_cast<std::uintptr_t>(unit) * BuddyAllocator::kUnitBytes);
}

// Under the lock: the claimed live block at `unit` joins the free lists, merged with its
// free buddies. A block whose pages moved away has nothing to retain or decommit.
void free_block(ArenaMetadata& arena, int unit, int order,
                BuddyAllocator::Pages pages = BuddyAllocator::Pages::Backed) {
  // Pages go back before the block is visible as free, so no one reuses it half-decommitted.
  if (pages == BuddyAllocator::Pages::Backed) retain_or_decommit(arena, unit, order);
  store(arena.block_order[unit], kNotBlockStart);
  while (order < BuddyAllocator::kOrderCount - 1) {
    const int buddy = unit ^ (1 << order);
    if (!arena.block_free[buddy] || arena.block_order[buddy] != order) break;
    remove_free(arena, buddy, order);
    store(arena.block_order[buddy], kNotBlockStart);
    unit = unit < buddy ? unit : buddy;
    ++order;
  }
  push_free(arena, unit, order);
}

bool mapping_edge_at(const ArenaMetadata& arena, int unit) {
  return unit > 0 && unit < kUnitsPerArena && ((arena.mapping_edges[unit / 64] >> (unit % 64)) & 1) != 0;
}

// True when a mapping may begin inside [unit, unit + count) (not at its start).
bool edge_inside(const ArenaMetadata& arena, int unit, int count) {
  if (arena.mapping_edge_count == 0) return false;  // most arenas: no page ever moved
  for (int offset = 1; offset < count; ++offset) {
    if (mapping_edge_at(arena, unit + offset)) return true;
  }
  return false;
}

// [unit, unit + count) became one mapping: no edge inside it any more.
void clear_edges_inside(ArenaMetadata& arena, int unit, int count) {
  for (int offset = 1; offset < count; ++offset) {
    if (!mapping_edge_at(arena, unit + offset)) continue;
    arena.mapping_edges[(unit + offset) / 64] &= ~(std::uint64_t{1} << ((unit + offset) % 64));
    --arena.mapping_edge_count;
  }
}

void mark_mapping_edge(ArenaMetadata& arena, int unit) {
  if (unit <= 0 || unit >= kUnitsPerArena || mapping_edge_at(arena, unit)) return;
  arena.mapping_edges[unit / 64] |= std::uint64_t{1} << (unit % 64);
  ++arena.mapping_edge_count;
}

// Under the lock: keeps one empty arena reserved (it holds no pages), releases any other.
// One that page moves split into mappings is released too: a fresh one has none.
void release_if_extra_empty(const ArenaMetadata& arena) {
  if (!arena_is_empty(arena)) return;
  if (arena.mapping_edge_count != 0) {
    for (int position = 0; position < state.arena_count; ++position) {
      if (&live_arena(position) == &arena) return destroy_arena(position);
    }
  }
  int empty_arenas = 0;
  int position_of_arena = -1;
  for (int position = 0; position < state.arena_count; ++position) {
    empty_arenas += arena_is_empty(live_arena(position));
    if (&live_arena(position) == &arena) position_of_arena = position;
  }
  if (empty_arenas > 1) destroy_arena(position_of_arena);
}

// Under its own lock: a block of `bytes` from the first arena that can hold it (the
// smallest fitting free block), or, `with_room`, from the arena whose largest free block is
// largest; a new arena when none can.
void* allocate_placed(std::size_t bytes, bool with_room) {
  if (bytes > BuddyAllocator::kArenaBytes) return nullptr;
  const int order = BuddyAllocator::order_for(bytes);
  state.lock.lock();
  ArenaMetadata* chosen = nullptr;
  for (int position = 0; position < state.arena_count; ++position) {
    ArenaMetadata& arena = live_arena(position);
    const unsigned usable = usable_orders(arena, order);
    if (usable > (chosen != nullptr ? usable_orders(*chosen, order) : 0)) chosen = &arena;
    if (chosen != nullptr && !with_room) break;
  }
  if (chosen == nullptr) chosen = create_arena();
  void* block = chosen != nullptr ? allocate_in(*chosen, order, with_room) : nullptr;
  state.lock.unlock();
  if (block != nullptr) os::commit(block, BuddyAllocator::kUnitBytes << order);
  return block;
}

}  // namespace

int BuddyAllocator::order_for(std::size_t bytes) noexcept {
  const std::size_t units = (bytes + kUnitBytes - 1) / kUnitBytes;
  int order = 0;
  while ((std::size_t{1} << order) < units) ++order;
  return order;
}

void* BuddyAllocator::allocate(std::size_t bytes) noexcept { return allocate_placed(bytes, false); }

void* BuddyAllocator::allocate_with_room(std::size_t bytes) noexcept { return allocate_placed(bytes, true); }

int BuddyAllocator::claim(void* block) noexcept {
  const auto address = reinterpret_cast<std::uintptr_t>(block);
  if (address % kUnitBytes != 0) return -1;
  ArenaMetadata* arena = arena_of(address);
  if (arena == nullptr) return -1;
  const int unit = unit_of(*arena, address);
  std::uint8_t unclaimed = 0;
  if (!__atomic_compare_exchange_n(&arena->claimed[unit].value, &unclaimed, std::uint8_t{1}, false,
                                   __ATOMIC_ACQUIRE, __ATOMIC_RELAXED)) {
    return -1;
  }
  // Checked after the claim: a free that ended its claim had marked the block free
  // before (release), so a block freed since it was looked at is seen as free here.
  const int order = load(arena->block_order[unit]);
  if (order == kNotBlockStart || load(arena->block_free[unit])) {
    __atomic_store_n(&arena->claimed[unit].value, std::uint8_t{0}, __ATOMIC_RELEASE);
    return -1;
  }
  return order;
}

void BuddyAllocator::end_claim(void* block) noexcept {
  const auto address = reinterpret_cast<std::uintptr_t>(block);
  ArenaMetadata* arena = arena_of(address);
  if (arena != nullptr) __atomic_store_n(&arena->claimed[unit_of(*arena, address)].value, std::uint8_t{0}, __ATOMIC_RELEASE);
}

std::size_t BuddyAllocator::deallocate(void* block) noexcept {
  const int order = claim(block);
  if (order < 0) return 0;
  deallocate_claimed(block);
  return kUnitBytes << order;
}

void BuddyAllocator::deallocate_claimed(void* block, Pages pages) noexcept {
  const auto address = reinterpret_cast<std::uintptr_t>(block);
  state.lock.lock();
  // The claim keeps the block live, so its arena stays too.
  ArenaMetadata& arena = *arena_of(address);
  const int unit = unit_of(arena, address);
  free_block(arena, unit, arena.block_order[unit], pages);
  // After the block is marked free: see claim().
  __atomic_store_n(&arena.claimed[unit].value, std::uint8_t{0}, __ATOMIC_RELEASE);
  release_if_extra_empty(arena);
  state.lock.unlock();
}

std::size_t BuddyAllocator::resize_in_place(void* block, std::size_t bytes) noexcept {
  const auto address = reinterpret_cast<std::uintptr_t>(block);
  if (bytes > kArenaBytes || address % kUnitBytes != 0) return 0;
  const int wanted = order_for(bytes);
  state.lock.lock();
  ArenaMetadata* arena = arena_of(address);
  const int unit = arena != nullptr ? unit_of(*arena, address) : 0;
  const int order = arena != nullptr ? arena->block_order[unit] : kNotBlockStart;
  const bool live = order != kNotBlockStart && !arena->block_free[unit] && load(arena->claimed[unit].value) == 0;
  bool resized = live;
  if (live && wanted < order) {
    for (int half = order - 1; half >= wanted; --half) {  // the upper halves go free
      const int upper = unit + (1 << half);
      retain_or_decommit(*arena, upper, half);
      push_free(*arena, upper, half);
    }
  } else if (live && wanted > order) {
    // Not across a mapping edge: the block stays one mapping, which can move (or leave
    // the Medium tier) in one piece; a move costs one system call.
    resized = !edge_inside(*arena, unit, 1 << wanted);
    for (int step = order; step < wanted && resized; ++step) {
      const int buddy = unit ^ (1 << step);
      resized = buddy > unit && arena->block_free[buddy] && arena->block_order[buddy] == step;
    }
    for (int step = order; step < wanted && resized; ++step) {
      const int buddy = unit + (1 << step);
      remove_free(*arena, buddy, step);
      store(arena->block_order[buddy], kNotBlockStart);
      forget_dirty_units(*arena, buddy, 1 << step);
    }
  }
  if (resized) store(arena->block_order[unit], static_cast<std::int8_t>(wanted));
  state.lock.unlock();
  if (!resized) return 0;
  const std::size_t new_bytes = kUnitBytes << wanted;
  if (wanted > order && !os::commit(block, new_bytes)) {
    resize_in_place(block, kUnitBytes << order);  // cannot back the growth: back as it was
    return 0;
  }
  return new_bytes;
}

BuddyAllocator::PageMoveResult BuddyAllocator::move_pages(void* from, void* to,
                                                          std::size_t bytes) noexcept {
  PageMoveResult result;
  // Checked before the edges are marked: a move the OS refuses would leave them for nothing.
  if (bytes == 0 || bytes % kUnitBytes != 0 || !os::can_move_pages()) return result;
  const auto source = reinterpret_cast<std::uintptr_t>(from);
  const auto destination = reinterpret_cast<std::uintptr_t>(to);
  const int units = static_cast<int>(bytes / kUnitBytes);
  // The pieces' first units (offsets in the block), at the source's edges.
  int piece_starts[kMaxMappingEdges + 1];
  int pieces = 0;
  int destination_units = 0;
  state.lock.lock();
  ArenaMetadata* source_arena = arena_of(source);
  ArenaMetadata* destination_arena = arena_of(destination);
  bool movable = source_arena != nullptr && destination_arena != nullptr;
  if (movable) {
    const int source_unit = unit_of(*source_arena, source);
    const int destination_unit = unit_of(*destination_arena, destination);
    const int destination_order = destination_arena->block_order[destination_unit];
    movable = destination_order != kNotBlockStart && (1 << destination_order) >= units;
    if (movable) destination_units = 1 << destination_order;
    piece_starts[pieces++] = 0;
    for (int offset = 1; offset < units && movable; ++offset) {
      if (!mapping_edge_at(*source_arena, source_unit + offset)) continue;
      movable = pieces <= kMaxMappingEdges;
      if (movable) piece_starts[pieces++] = offset;
    }
    if (pieces == 1) {
      // One piece grows into all of the destination, and leaves a reserved-again range at
      // the source: edges at both ends of each, four in one arena when both are in it.
      const int new_edges = source_arena == destination_arena ? 4 : 2;
      movable = movable && destination_arena->mapping_edge_count + new_edges <= kMaxMappingEdges &&
                source_arena->mapping_edge_count + new_edges <= kMaxMappingEdges;
      if (movable) {
        mark_mapping_edge(*destination_arena, destination_unit);
        mark_mapping_edge(*destination_arena, destination_unit + destination_units);
        mark_mapping_edge(*source_arena, source_unit);
        mark_mapping_edge(*source_arena, source_unit + units);
      }
    } else {
      // Each piece begins a mapping at the destination, and the moved range ends one.
      movable = movable && destination_arena->mapping_edge_count + pieces + 1 <= kMaxMappingEdges;
      if (movable) {
        for (int piece = 0; piece < pieces; ++piece) {
          mark_mapping_edge(*destination_arena, destination_unit + piece_starts[piece]);
        }
        mark_mapping_edge(*destination_arena, destination_unit + units);
      }
    }
  }
  state.lock.unlock();
  if (!movable) return result;
  if (pieces == 1) {
    const os::PageMove moved = os::move_pages_growing(
        from, bytes, to, static_cast<std::size_t>(destination_units) * kUnitBytes);
    result.destination_lost = moved == os::PageMove::DestinationLost;
    result.source_lost = moved == os::PageMove::SourceLost;
    if (moved == os::PageMove::Moved || result.source_lost) {
      result.moved_bytes = bytes;
      // Edges earlier moves left inside the destination are gone with their mappings.
      state.lock.lock();
      clear_edges_inside(*destination_arena, unit_of(*destination_arena, destination), destination_units);
      state.lock.unlock();
    }
    return result;
  }
  for (int piece = 0; piece < pieces; ++piece) {
    const std::size_t offset = static_cast<std::size_t>(piece_starts[piece]) * kUnitBytes;
    const std::size_t end = piece + 1 < pieces ? static_cast<std::size_t>(piece_starts[piece + 1]) * kUnitBytes : bytes;
    const os::PageMove moved = os::move_pages(reinterpret_cast<void*>(source + offset),
                                              reinterpret_cast<void*>(destination + offset), end - offset);
    if (moved != os::PageMove::Moved) {
      result.destination_lost = moved == os::PageMove::DestinationLost;
      break;
    }
    result.moved_bytes = end;
  }
  return result;
}

bool BuddyAllocator::in_one_mapping(const void* block) noexcept {
  const auto address = reinterpret_cast<std::uintptr_t>(block);
  state.lock.lock();
  ArenaMetadata* arena = address % kUnitBytes == 0 ? arena_of(address) : nullptr;
  bool one = false;
  if (arena != nullptr) {
    const int unit = unit_of(*arena, address);
    const int order = arena->block_order[unit];
    one = order != kNotBlockStart && !edge_inside(*arena, unit, 1 << order);
  }
  state.lock.unlock();
  return one;
}

std::size_t BuddyAllocator::block_bytes(const void* address) noexcept {
  const auto value = reinterpret_cast<std::uintptr_t>(address);
  if (value % kUnitBytes != 0) return 0;
  const ArenaMetadata* arena = arena_of(value);
  if (arena == nullptr) return 0;
  const int unit = unit_of(*arena, value);
  const int order = load(arena->block_order[unit]);
  if (order == kNotBlockStart || load(arena->block_free[unit]) || load(arena->claimed[unit].value) != 0) return 0;
  return kUnitBytes << order;
}

bool BuddyAllocator::contains(const void* address) noexcept {
  return arena_of(reinterpret_cast<std::uintptr_t>(address)) != nullptr;
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
  for (int position = 0; position < state.arena_count; ++position) coalesced &= arena_is_empty(live_arena(position));
  state.lock.unlock();
  return coalesced;
}

std::size_t BuddyAllocator::retained_bytes() noexcept {
  state.lock.lock();
  const std::size_t bytes = state.retained_bytes;
  state.lock.unlock();
  return bytes;
}

void BuddyAllocator::prepare_fork() noexcept { state.lock.lock(); }
void BuddyAllocator::after_fork() noexcept { state.lock.unlock(); }

}  // namespace osp::pool
