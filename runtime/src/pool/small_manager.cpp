#include "pool/small_manager.hpp"

#include "os/os_memory.hpp"
#include "os/platform.hpp"
#include "pool/chain_stack.hpp"
#include "pool/pool_counters.hpp"

namespace osp::pool {

OSP_THREAD_STORAGE_DEFINE(ThreadCache, thread_cache)
std::uintptr_t small_region_base = 0;

namespace {
// What a thread sees after its exit callbacks: no cached blocks and the Exited state, so
// its remaining allocations and frees take the shared slow paths. Never written.
constinit ThreadCache exited_cache = [] {
  ThreadCache cache{};
  cache.state = CacheState::Exited;
  return cache;
}();
}  // namespace

namespace {

constexpr std::size_t kRegionAlignmentBytes = std::size_t{64} << 10;  // ≥ MAX_ALLOWED_ALIGNMENT

struct GlobalState {
  std::uintptr_t base;                         // start of the reservation (0 until ready)
  std::uintptr_t bump[kSmallClassCount];       // next fresh address per class
  ChainStack stacks[kSmallClassCount];
  os::SpinLock init_lock;
  os::SpinLock registry_lock;
  ThreadCache* registry_head;
  // Counters of threads that exited or ran after their cache was given back (Medium: or
  // before they had one).
  TierTotals retired_small;
  TierTotals retired_medium;
};

GlobalState global;

// ceil(2^64 / block bytes) per class: n is a multiple of d exactly when n * that <= that - 1
// (for 32-bit n).
struct ClassInverses {
  std::uint64_t values[kSmallClassCount];
  constexpr std::uint64_t operator[](int index) const { return values[index]; }
};
constexpr ClassInverses make_class_inverses() {
  ClassInverses inverses{};
  for (int index = 0; index < kSmallClassCount; ++index) {
    inverses.values[index] = ~std::uint64_t{0} / class_block_bytes(index) + 1;
  }
  return inverses;
}
constexpr ClassInverses kClassInverses = make_class_inverses();

std::uintptr_t region_start(int class_index) {
  return global.base + static_cast<std::uintptr_t>(class_index) * SmallManager::kClassRegionBytes;
}

bool ensure_reserved() noexcept {
  if (__atomic_load_n(&global.base, __ATOMIC_ACQUIRE) != 0) return true;
  global.init_lock.lock();
  if (global.base == 0) {
    void* reservation = os::reserve(kSmallClassCount * SmallManager::kClassRegionBytes,
                                    kRegionAlignmentBytes);
    if (reservation != nullptr) {
      const auto base = reinterpret_cast<std::uintptr_t>(reservation);
      for (int index = 0; index < kSmallClassCount; ++index) {
        global.bump[index] = base + static_cast<std::uintptr_t>(index) * SmallManager::kClassRegionBytes;
      }
      __atomic_store_n(&global.base, base, __ATOMIC_RELEASE);
      __atomic_store_n(&small_region_base, base, __ATOMIC_RELEASE);
    }
  }
  global.init_lock.unlock();
  return global.base != 0;
}

TierTotals sum_counters(const ThreadCache& cache) {
  TierTotals totals{0, 0, 0};
  for (int index = 0; index < kSmallClassCount; ++index) {
    const std::uint64_t allocations = cache.classes[index].allocations.read();
    const std::uint64_t frees = cache.classes[index].frees.read();
    totals.allocations += allocations;
    totals.frees += frees;
    totals.live_bytes += (allocations - frees) * class_block_bytes(index);
  }
  return totals;
}

void add_to(TierTotals& into, const TierTotals& amount) {
  __atomic_fetch_add(&into.allocations, amount.allocations, __ATOMIC_RELAXED);
  __atomic_fetch_add(&into.frees, amount.frees, __ATOMIC_RELAXED);
  __atomic_fetch_add(&into.live_bytes, amount.live_bytes, __ATOMIC_RELAXED);
}

TierTotals read(const TierTotals& totals) {
  return TierTotals{__atomic_load_n(&totals.allocations, __ATOMIC_RELAXED),
                    __atomic_load_n(&totals.frees, __ATOMIC_RELAXED),
                    __atomic_load_n(&totals.live_bytes, __ATOMIC_RELAXED)};
}

void add_plain(TierTotals& into, const TierTotals& amount) {
  into.allocations += amount.allocations;
  into.frees += amount.frees;
  into.live_bytes += amount.live_bytes;
}

void retire_counters(const ThreadCache& cache) {
  add_to(global.retired_small, sum_counters(cache));
  add_to(global.retired_medium, medium_totals(cache.medium));
}

void flush_all_classes(ThreadCache& cache);

// Publishes the change of one class's live blocks since its last publish (slow paths only).
void publish_live_bytes(ClassCache& slot, int class_index) {
  const std::uint64_t live_blocks = slot.allocations.read() - slot.frees.read();
  const auto delta = static_cast<std::int64_t>(live_blocks - slot.published_live_blocks);
  publish_live_delta(os_memory::Tier::Small, delta * static_cast<std::int64_t>(class_block_bytes(class_index)));
  slot.published_live_blocks = live_blocks;
}

void on_thread_exit(void*) {
  ThreadCache& cache = thread_cache();
  if (cache.state != CacheState::Active) return;
  flush_all_classes(cache);
  for (int index = 0; index < kSmallClassCount; ++index) publish_live_bytes(cache.classes[index], index);
  publish_medium_live_bytes(cache.medium);
  global.registry_lock.lock();
  if (cache.registry_previous != nullptr) cache.registry_previous->registry_next = cache.registry_next;
  else global.registry_head = cache.registry_next;
  if (cache.registry_next != nullptr) cache.registry_next->registry_previous = cache.registry_previous;
  retire_counters(cache);
  global.registry_lock.unlock();
  cache = ThreadCache{};
  cache.state = CacheState::Exited;
  OSP_THREAD_STORAGE_RETIRE(ThreadCache, thread_cache, &exited_cache);
}

// Registers the calling thread's cache; false when the thread already exited (its TLS
// destructors are running) and must use the shared slow path.
bool activate_cache(ThreadCache& cache) noexcept {
  if (cache.state == CacheState::Active) return true;
  if (cache.state == CacheState::Exited) return false;
  if (!ensure_reserved()) return false;
  cache.state = CacheState::Active;  // before registering: registration may allocate
  for (int index = 0; index < kSmallClassCount; ++index) {
    cache.classes[index].free_limit = class_batch_blocks(index);
  }
  global.registry_lock.lock();
  cache.registry_previous = nullptr;
  cache.registry_next = global.registry_head;
  if (global.registry_head != nullptr) global.registry_head->registry_previous = &cache;
  global.registry_head = &cache;
  global.registry_lock.unlock();
  os::at_thread_exit(on_thread_exit, nullptr);
  return true;
}

// Carves up to one batch of fresh blocks from the class region; false when exhausted.
bool carve_from_region(int class_index, std::uintptr_t& cursor, std::uintptr_t& end) noexcept {
  const std::size_t block_bytes = class_block_bytes(class_index);
  const std::uintptr_t region_end = region_start(class_index) + SmallManager::kClassRegionBytes;
  std::uintptr_t current = __atomic_load_n(&global.bump[class_index], __ATOMIC_RELAXED);
  for (;;) {
    const std::uintptr_t available = (region_end - current) / block_bytes;
    if (available == 0) return false;
    const std::uintptr_t blocks = available < static_cast<std::uintptr_t>(class_batch_blocks(class_index))
                                      ? available
                                      : static_cast<std::uintptr_t>(class_batch_blocks(class_index));
    const std::uintptr_t next = current + blocks * block_bytes;
    if (__atomic_compare_exchange_n(&global.bump[class_index], &current, next, false,
                                    __ATOMIC_RELAXED, __ATOMIC_RELAXED)) {
      if (!os::commit(reinterpret_cast<void*>(current), next - current)) return false;
      cursor = current;
      end = next;
      return true;
    }
  }
}

void* take_from_chain(ClassCache& slot, Chain chain) {
  void* block = chain.first;
  slot.free_head = *static_cast<void**>(block);
  slot.free_count = chain.length - 1;
  return block;
}

void* refill_and_allocate(ThreadCache& cache, int class_index) noexcept {
  ClassCache& slot = cache.classes[class_index];
  // Taking the spare stays inside the cache: no publish, so a class whose list swings
  // around one batch does not write the shared live-bytes line on every swing.
  if (slot.spare_chain != nullptr) {
    void* spare = slot.spare_chain;
    slot.spare_chain = nullptr;
    return take_from_chain(slot, Chain{spare, nullptr, class_batch_blocks(class_index)});
  }
  publish_live_bytes(slot, class_index);
  Chain chain = global.stacks[class_index].pop();
  if (chain.first != nullptr) return take_from_chain(slot, chain);
  if (!carve_from_region(class_index, slot.bump_cursor, slot.bump_end)) return nullptr;
  void* block = reinterpret_cast<void*>(slot.bump_cursor);
  slot.bump_cursor += class_block_bytes(class_index);
  return block;
}

// The free list is full (one batch): it becomes the spare chain, and the spare it replaces
// goes to the global stack. The list already ends in null, so nothing is walked. Live
// bytes are published only when blocks leave the cache (see refill_and_allocate).
void retire_full_list(ClassCache& slot, int class_index) {
  if (slot.spare_chain != nullptr) {
    global.stacks[class_index].push(Chain{slot.spare_chain, nullptr, class_batch_blocks(class_index)});
    publish_live_bytes(slot, class_index);
  }
  slot.spare_chain = slot.free_head;
  slot.free_head = nullptr;
  slot.free_count = 0;
}

// Links a bump range into chains so its blocks are not lost when the cache goes away.
void flush_bump_range(ClassCache& slot, int class_index) {
  const std::size_t block_bytes = class_block_bytes(class_index);
  const std::uint32_t batch = static_cast<std::uint32_t>(class_batch_blocks(class_index));
  while (slot.bump_cursor < slot.bump_end) {
    void* first = reinterpret_cast<void*>(slot.bump_cursor);
    std::uint32_t length = 0;
    void* last = nullptr;
    while (slot.bump_cursor < slot.bump_end && length < batch) {
      void* block = reinterpret_cast<void*>(slot.bump_cursor);
      if (last != nullptr) *static_cast<void**>(last) = block;
      last = block;
      ++length;
      slot.bump_cursor += block_bytes;
    }
    *static_cast<void**>(last) = nullptr;
    global.stacks[class_index].push(Chain{first, last, length});
  }
}

void flush_all_classes(ThreadCache& cache) {
  for (int index = 0; index < kSmallClassCount; ++index) {
    ClassCache& slot = cache.classes[index];
    if (slot.free_count > 0) {
      global.stacks[index].push(Chain{slot.free_head, nullptr, slot.free_count});
      slot.free_head = nullptr;
      slot.free_count = 0;
    }
    if (slot.spare_chain != nullptr) {
      global.stacks[index].push(Chain{slot.spare_chain, nullptr, class_batch_blocks(index)});
      slot.spare_chain = nullptr;
    }
    flush_bump_range(slot, index);
  }
  flush_medium(cache.medium);
}

// Paths for a thread whose cache is gone (its TLS destructors are running).
void* allocate_without_cache(int class_index) noexcept {
  if (!ensure_reserved()) return nullptr;
  Chain chain = global.stacks[class_index].pop();
  if (chain.first != nullptr) {
    void* block = chain.first;
    void* rest = *static_cast<void**>(block);
    if (rest != nullptr) {
      void* last = rest;
      while (*static_cast<void**>(last) != nullptr) last = *static_cast<void**>(last);
      global.stacks[class_index].push(Chain{rest, last, chain.length - 1});
    }
    return block;
  }
  std::uintptr_t cursor = 0, end = 0;
  if (!carve_from_region(class_index, cursor, end)) return nullptr;
  ClassCache leftover{nullptr, 0, 0, cursor + class_block_bytes(class_index), end, {}, {}, 0, nullptr};
  flush_bump_range(leftover, class_index);
  return reinterpret_cast<void*>(cursor);
}

}  // namespace

void* SmallManager::allocate_slow(int class_index) noexcept {
  ThreadCache& cache = thread_cache();
  if (activate_cache(cache)) {
    void* block = refill_and_allocate(cache, class_index);
    if (block != nullptr) cache.classes[class_index].allocations.add(1);
    return block;
  }
  void* block = allocate_without_cache(class_index);
  if (block == nullptr) return nullptr;
  add_to(global.retired_small, TierTotals{1, 0, class_block_bytes(class_index)});
  publish_live_delta(os_memory::Tier::Small, static_cast<std::int64_t>(class_block_bytes(class_index)));
  return block;
}

void SmallManager::deallocate_slow(void* block, int class_index) noexcept {
  ThreadCache& cache = thread_cache();
  if (!activate_cache(cache)) {
    *static_cast<void**>(block) = nullptr;
    global.stacks[class_index].push(Chain{block, block, 1});
    add_to(global.retired_small, TierTotals{0, 1, 0 - class_block_bytes(class_index)});
    publish_live_delta(os_memory::Tier::Small, -static_cast<std::int64_t>(class_block_bytes(class_index)));
    return;
  }
  ClassCache& slot = cache.classes[class_index];
  if (slot.free_count >= class_batch_blocks(class_index)) {
    retire_full_list(slot, class_index);
  }
  *static_cast<void**>(block) = slot.free_head;
  slot.free_head = block;
  ++slot.free_count;
  slot.frees.add(1);
}

std::size_t SmallManager::block_bytes_if_start(const void* address) noexcept {
  const int index = class_of(address);
  if (index < 0) return 0;
  // Offsets inside a 1 GiB class region fit in 32 bits, so divisibility is one multiply
  // (Lemire, Kaser, Kurz: "Faster remainder by direct computation"), not a division.
  static_assert(kClassRegionBytes <= (std::uint64_t{1} << 32));
  const auto offset = static_cast<std::uint32_t>(reinterpret_cast<std::uintptr_t>(address) -
                                                 region_start(index));
  const std::uint64_t inverse = kClassInverses[index];
  if (offset * inverse > inverse - 1) return 0;
  if (reinterpret_cast<std::uintptr_t>(address) >=
      __atomic_load_n(&global.bump[index], __ATOMIC_RELAXED)) {
    return 0;
  }
  return class_block_bytes(index);
}

void SmallManager::flush_thread_cache() noexcept {
  ThreadCache& cache = thread_cache();
  if (cache.state == CacheState::Active) flush_all_classes(cache);
}

ThreadCache* SmallManager::active_thread_cache() noexcept {
  ThreadCache& cache = thread_cache();
  return activate_cache(cache) ? &cache : nullptr;
}

ThreadCacheTotals SmallManager::totals() noexcept {
  global.registry_lock.lock();
  ThreadCacheTotals totals{read(global.retired_small), read(global.retired_medium)};
  for (const ThreadCache* cache = global.registry_head; cache != nullptr; cache = cache->registry_next) {
    add_plain(totals.small, sum_counters(*cache));
    add_plain(totals.medium, medium_totals(cache->medium));
  }
  global.registry_lock.unlock();
  return totals;
}

void SmallManager::count_medium_without_cache(std::int64_t bytes) noexcept {
  const auto amount = static_cast<std::uint64_t>(bytes);
  add_to(global.retired_medium, bytes > 0 ? TierTotals{1, 0, amount} : TierTotals{0, 1, amount});
  publish_live_delta(os_memory::Tier::Medium, bytes);
}

void SmallManager::prepare_fork() noexcept {
  global.init_lock.lock();
  global.registry_lock.lock();
}

void SmallManager::after_fork_in_parent() noexcept {
  global.registry_lock.unlock();
  global.init_lock.unlock();
}

void SmallManager::after_fork_in_child() noexcept {
  // Only the forking thread survives: other threads' caches are dropped from the
  // registry (their counters kept), their cached blocks are lost to the child.
  ThreadCache& own = thread_cache();
  for (ThreadCache* cache = global.registry_head; cache != nullptr; cache = cache->registry_next) {
    if (cache != &own) {
      retire_counters(*cache);
      forget_medium(cache->medium);
    }
  }
  global.registry_head = own.state == CacheState::Active ? &own : nullptr;
  if (global.registry_head != nullptr) {
    own.registry_previous = nullptr;
    own.registry_next = nullptr;
  }
  global.registry_lock.unlock();
  global.init_lock.unlock();
}

}  // namespace osp::pool
