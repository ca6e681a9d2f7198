// MemoryPool: routes each request to its tier by size and alignment (DESIGN §2) and each
// free to the tier that owns the address.
#include "memory_pool.hpp"

#include <cstring>

#include "os/os_memory.hpp"
#include "pool/buddy_allocator.hpp"
#include "pool/fork_hooks.hpp"
#include "pool/medium_cache.hpp"
#include "pool/os_block_registry.hpp"
#include "pool/pool_counters.hpp"
#include "pool/small_fast_path.hpp"
#include "pool/small_manager.hpp"

namespace os_memory {

const char* tier_name(Tier tier) noexcept {
  switch (tier) {
    case Tier::Small: return "small";
    case Tier::Medium: return "medium";
    case Tier::Large: return "large";
    case Tier::Huge: return "huge";
    case Tier::Direct: return "direct";
  }
  return "unknown";
}

}  // namespace os_memory

namespace os_memory::pool {
namespace {

using osp::pool::BuddyAllocator;
using osp::pool::OsBlockRegistry;
using osp::pool::SmallManager;
namespace os = osp::os;

// Larger requests cannot be met by any machine osp runs on; refuse them before any
// arithmetic on them can overflow.
constexpr std::size_t kMaxRequestBytes = std::size_t{1} << 47;
constexpr std::size_t kSmallBlockAlignment = 16;

bool huge_pages_enabled = false;

void* allocate_from_os(std::size_t bytes, std::size_t alignment, Tier tier) {
  void* block = OsBlockRegistry::allocate(bytes, alignment, tier,
                                          __atomic_load_n(&huge_pages_enabled, __ATOMIC_RELAXED));
  if (block != nullptr) {
    Tier recorded = tier;
    osp::pool::count_allocation(tier, OsBlockRegistry::lookup(block, recorded));
  }
  return block;
}

// The calling thread's Medium cache for an allocation: null before its pool cache is in
// use (then it holds nothing) or after the thread's exit.
osp::pool::MediumCache* thread_medium_cache_if_ready() {
  osp::pool::ThreadCache* cache = osp::pool::thread_cache_if_ready();
  if (cache == nullptr || cache->state != osp::pool::CacheState::Active) return nullptr;
  return &cache->medium;
}

// `with_room`: for a block that realloc moves because it grows, placed where it can grow
// further in place (BuddyAllocator::allocate_with_room), not taken from the cache.
void* allocate_medium(std::size_t bytes, bool with_room = false) {
  if (bytes > BuddyAllocator::kArenaBytes) return nullptr;
  const int order = BuddyAllocator::order_for(bytes);
  const std::size_t block_bytes = BuddyAllocator::kUnitBytes << order;
  osp::pool::MediumCache* cache = thread_medium_cache_if_ready();
  if (cache != nullptr && !with_room) {
    if (void* block = osp::pool::take_cached_medium(*cache, order)) {
      osp::pool::count_medium_allocation(*cache, block_bytes);
      return block;
    }
  }
  void* block = with_room ? BuddyAllocator::allocate_with_room(bytes) : BuddyAllocator::allocate(bytes);
  if (block == nullptr) return nullptr;
  if (cache == nullptr) {
    SmallManager::count_medium_without_cache(static_cast<std::int64_t>(block_bytes));
  } else {
    osp::pool::count_medium_allocation(*cache, block_bytes);
    osp::pool::publish_medium_live_bytes(*cache);  // the lock was taken anyway: the peak sees it
  }
  return block;
}

// Takes a live Medium block out of the counters of `cache` (null: the thread has none) and
// publishes the thread's live bytes, as a free that does not keep the block does.
void count_medium_gone(osp::pool::ThreadCache* cache, std::size_t block_bytes) {
  if (cache == nullptr) {
    SmallManager::count_medium_without_cache(-static_cast<std::int64_t>(block_bytes));
    return;
  }
  osp::pool::count_medium_free(cache->medium, block_bytes);
  osp::pool::publish_medium_live_bytes(cache->medium);
}

// Frees `block` when it is a live Medium block: into the thread's Medium cache when it has
// room, else to the buddy allocator. False when it is not one.
bool deallocate_medium(void* block) {
  const int order = BuddyAllocator::claim(block);
  if (order < 0) return false;
  const std::size_t block_bytes = BuddyAllocator::kUnitBytes << order;
  // A thread that uses only Medium blocks registers its pool cache here.
  osp::pool::ThreadCache* cache = SmallManager::active_thread_cache();
  if (cache != nullptr && osp::pool::keep_medium(cache->medium, block, order)) {
    osp::pool::count_medium_free(cache->medium, block_bytes);
    return true;
  }
  BuddyAllocator::deallocate_claimed(block);
  count_medium_gone(cache, block_bytes);
  return true;
}

// Frees a live Medium block whose pages all moved away. Straight to the buddy allocator,
// and not counted as retained: it holds no pages, and a cache would hand it out as warm.
void deallocate_emptied_medium(void* block) {
  const int order = BuddyAllocator::claim(block);
  if (order < 0) return;
  BuddyAllocator::deallocate_claimed(block, BuddyAllocator::Pages::MovedAway);
  count_medium_gone(SmallManager::active_thread_cache(), BuddyAllocator::kUnitBytes << order);
}

// From this size on, a Medium block that realloc moves has its pages moved (one system
// call per piece, BuddyAllocator::move_pages) instead of copied: a copy touches every page
// of both blocks, and faults in each page of the new one.
constexpr std::size_t kPageMoveMinBytes = std::size_t{4} << 20;

// A Medium block that realloc cannot grow in place, moved to a new Medium block placed
// where it can grow (its pages moved where the OS allows, the rest copied); null, with
// `block` unchanged, when no block can be had.
void* move_medium(void* block, std::size_t usable, std::size_t bytes) {
  void* moved = allocate_medium(bytes, true);
  if (moved == nullptr) return nullptr;
  BuddyAllocator::PageMoveResult pages;
  if (usable >= kPageMoveMinBytes) pages = BuddyAllocator::move_pages(block, moved, usable);
  if (pages.destination_lost) [[unlikely]] {
    // The OS took part of the new block's range back: its moved pages go back (by copy)
    // and the block is never used again; the data then moves the plain way.
    std::memcpy(block, moved, pages.moved_bytes);
    count_medium_gone(SmallManager::active_thread_cache(), BuddyAllocator::block_bytes(moved));
    moved = MemoryPool::allocate(bytes, kSmallBlockAlignment);
    if (moved == nullptr) return nullptr;
    pages.moved_bytes = 0;
  }
  std::memcpy(static_cast<char*>(moved) + pages.moved_bytes,
              static_cast<const char*>(block) + pages.moved_bytes, usable - pages.moved_bytes);
  if (pages.source_lost) [[unlikely]] {
    // Its range is another mapping's now: the block is never used or freed again.
    count_medium_gone(SmallManager::active_thread_cache(), usable);
  } else if (pages.moved_bytes == usable) {
    deallocate_emptied_medium(block);
  } else {
    MemoryPool::deallocate(block);
  }
  return moved;
}

// A Medium block that realloc grows past the Medium tier: its pages move to a scratch
// reservation (the arena keeps its mapping whole), and that mapping grows to the new size
// (mremap): one mapping, which the Large tier can move again. Null, with `block`
// unchanged, where the OS cannot: then it is copied.
void* grow_medium_into_os_block(void* block, std::size_t usable, std::size_t bytes, Tier tier) {
  // Pages of several mappings could only land in several: the Large tier could not move
  // the block again.
  if (usable < kPageMoveMinBytes || !os::can_move_pages() || !BuddyAllocator::in_one_mapping(block)) {
    return nullptr;
  }
  void* scratch = os::reserve(usable, os::page_size());
  if (scratch == nullptr) return nullptr;
  const os::PageMove moved = os::move_pages(block, scratch, usable);
  if (moved != os::PageMove::Moved) {
    // A lost scratch range is no longer the pool's to release.
    if (moved == os::PageMove::Refused) os::release(scratch, usable);
    return nullptr;
  }
  void* grown = os::remap(scratch, usable, bytes);
  if (grown == nullptr || !OsBlockRegistry::adopt(grown, bytes, tier)) {
    // The block's range is still mapped (its pages read as zeros): they are copied back.
    void* pages = grown != nullptr ? grown : scratch;
    std::memcpy(block, pages, usable);
    os::release(pages, grown != nullptr ? bytes : usable);
    return nullptr;
  }
  Tier recorded = tier;
  osp::pool::count_allocation(tier, OsBlockRegistry::lookup(grown, recorded));
  deallocate_emptied_medium(block);
  return grown;
}

void* route(std::size_t bytes, std::size_t alignment) {
  if (alignment > MAX_ALLOWED_ALIGNMENT) return allocate_from_os(bytes, alignment, Tier::Direct);
  if (bytes <= kSmallMaxBytes) {
    const int class_index = osp::pool::class_for(bytes, alignment);
    if (class_index >= 0) {
      void* block = SmallManager::allocate(class_index);
      if (block != nullptr) return block;
    }
    // The class region is exhausted: a Medium block (1 MiB aligned) serves it.
  }
  if (bytes <= kMediumMaxBytes) return allocate_medium(bytes);
  if (bytes <= kLargeMaxBytes) return allocate_from_os(bytes, alignment, Tier::Large);
  return allocate_from_os(bytes, alignment, Tier::Huge);
}

}  // namespace

void* MemoryPool::allocate(std::size_t bytes, std::size_t alignment) noexcept {
  // Fast path: a Small block at the default alignment straight from the thread cache.
  if (__builtin_expect(alignment - 1 < kSmallBlockAlignment && (alignment & (alignment - 1)) == 0, 1)) {
    if (void* block = osp::pool::allocate_small_fast(bytes)) return block;
  }
  if (alignment == 0 || (alignment & (alignment - 1)) != 0 || bytes > kMaxRequestBytes) {
    osp::pool::count_failed_allocation();
    return nullptr;
  }
  if (alignment < kSmallBlockAlignment) alignment = kSmallBlockAlignment;
  void* block = route(bytes, alignment);
  if (block == nullptr) osp::pool::count_failed_allocation();
  return block;
}

void MemoryPool::deallocate(void* block) noexcept {
  if (osp::pool::deallocate_small_fast(block)) return;
  if (block == nullptr) return;
  if (deallocate_medium(block)) return;
  Tier tier = Tier::Large;
  if (const std::size_t bytes = OsBlockRegistry::deallocate(block, tier); bytes != 0) {
    osp::pool::count_free(tier, bytes);
  }
  // Anything else is not ours; libospdebug reports it, libosp ignores it.
}

bool MemoryPool::resize_in_place(void* block, std::size_t bytes) noexcept {
  const int class_index = SmallManager::class_of(block);
  if (class_index >= 0) return bytes <= osp::pool::class_block_bytes(class_index);
  // A Medium block keeps Medium sizes only: smaller requests belong in a Small block.
  if (bytes <= kSmallMaxBytes || bytes > kMediumMaxBytes) return false;
  const std::size_t old_bytes = BuddyAllocator::block_bytes(block);
  if (old_bytes == 0) return false;
  if (old_bytes >= bytes && old_bytes / 2 < bytes) return true;
  const std::size_t new_bytes = BuddyAllocator::resize_in_place(block, bytes);
  if (new_bytes == 0) return false;
  // Counted as realloc is defined: a free of the old block and an allocation of the new.
  if (osp::pool::MediumCache* cache = thread_medium_cache_if_ready()) {
    osp::pool::count_medium_free(*cache, old_bytes);
    osp::pool::count_medium_allocation(*cache, new_bytes);
    osp::pool::publish_medium_live_bytes(*cache);
  } else {
    SmallManager::count_medium_without_cache(-static_cast<std::int64_t>(old_bytes));
    SmallManager::count_medium_without_cache(static_cast<std::int64_t>(new_bytes));
  }
  return true;
}

void* MemoryPool::remap(void* block, std::size_t bytes) noexcept {
  if (bytes <= kMediumMaxBytes || bytes > kMaxRequestBytes || block == nullptr) return nullptr;
  const Tier tier = bytes <= kLargeMaxBytes ? Tier::Large : Tier::Huge;
  Tier old_tier = Tier::Large;
  std::size_t old_bytes = 0;
  void* moved = OsBlockRegistry::remap(block, bytes, tier, old_bytes, old_tier);
  if (moved == nullptr) return nullptr;
  // Counted as realloc is defined: a free of the old block and an allocation of the new.
  osp::pool::count_free(old_tier, old_bytes);
  Tier recorded = tier;
  osp::pool::count_allocation(tier, OsBlockRegistry::lookup(moved, recorded));
  return moved;
}

void* MemoryPool::reallocate(void* block, std::size_t bytes) noexcept {
  const std::size_t usable = usable_size(block);
  if (usable == 0 || bytes == 0 || bytes > kMaxRequestBytes) return nullptr;
  if (bytes <= usable && bytes >= usable / 2) return block;
  if (resize_in_place(block, bytes)) return block;
  if (void* moved = remap(block, bytes)) return moved;
  if (bytes > kMediumMaxBytes && BuddyAllocator::block_bytes(block) == usable) {
    const Tier tier = bytes <= kLargeMaxBytes ? Tier::Large : Tier::Huge;
    if (void* grown = grow_medium_into_os_block(block, usable, bytes, tier)) return grown;
  }
  // A Medium block that could not grow in place goes where it can; a Small block turning
  // Medium takes one the usual way (the thread's cache first: its pages are warm).
  if (usable > kSmallMaxBytes && bytes > usable && bytes <= kMediumMaxBytes) {
    void* moved = move_medium(block, usable, bytes);
    if (moved == nullptr) osp::pool::count_failed_allocation();
    return moved;
  }
  void* moved = allocate(bytes);
  if (moved == nullptr) {
    osp::pool::count_failed_allocation();
    return nullptr;
  }
  std::memcpy(moved, block, usable < bytes ? usable : bytes);
  deallocate(block);
  return moved;
}

std::size_t MemoryPool::usable_size(const void* block) noexcept {
  if (block == nullptr) return 0;
  const int class_index = SmallManager::class_of(block);
  if (class_index >= 0) return osp::pool::class_block_bytes(class_index);
  if (const std::size_t bytes = BuddyAllocator::block_bytes(block); bytes != 0) return bytes;
  Tier tier = Tier::Large;
  return OsBlockRegistry::lookup(block, tier);
}

bool MemoryPool::owns(const void* address) noexcept { return block_bytes_at(address) != 0; }

std::size_t MemoryPool::block_bytes_at(const void* address) noexcept {
  if (address == nullptr) return 0;
  if (SmallManager::class_of(address) >= 0) return SmallManager::block_bytes_if_start(address);
  if (const std::size_t bytes = BuddyAllocator::block_bytes(address); bytes != 0) return bytes;
  Tier tier = Tier::Large;
  return OsBlockRegistry::lookup(address, tier);
}

Tier MemoryPool::tier_of(const void* block) noexcept {
  if (SmallManager::class_of(block) >= 0) return Tier::Small;
  if (BuddyAllocator::contains(block)) return Tier::Medium;
  Tier tier = Tier::Large;
  OsBlockRegistry::lookup(block, tier);
  return tier;
}

int MemoryPool::size_class_of(const void* block) noexcept { return SmallManager::class_of(block); }

PoolCounters MemoryPool::counters() noexcept { return osp::pool::read_counters(); }

void MemoryPool::flush_thread_cache() noexcept { SmallManager::flush_thread_cache(); }

void MemoryPool::set_huge_pages(bool enabled) noexcept {
  __atomic_store_n(&huge_pages_enabled, enabled, __ATOMIC_RELAXED);
}

}  // namespace os_memory::pool

namespace osp::pool {

void prepare_fork() noexcept {
  osp::os::lock_thread_blocks();
  SmallManager::prepare_fork();
  BuddyAllocator::prepare_fork();
  OsBlockRegistry::prepare_fork();
}

void after_fork_in_parent() noexcept {
  OsBlockRegistry::after_fork();
  BuddyAllocator::after_fork();
  SmallManager::after_fork_in_parent();
  osp::os::unlock_thread_blocks();
}

void after_fork_in_child() noexcept {
  OsBlockRegistry::after_fork();
  BuddyAllocator::after_fork();
  SmallManager::after_fork_in_child();
  osp::os::unlock_thread_blocks();
}

}  // namespace osp::pool
