// The debug heap (see debug_heap.hpp).
//
// Free path order matters: the block first leaves the live table, marked freed by one CAS
// (the double-free gate: exactly one of two racing frees wins; live_blocks.cpp says how
// a visitor of the table is kept from reading a block filled under it); then its
// guards are checked, it is filled with the freed pattern (guards included) and queued in
// the quarantine. Blocks leaving the quarantine (which loads them ahead of time) are
// checked again and only then given back to the pool, marked retired (magic) and in_tls.
#include "debug/debug_heap.hpp"

#include <cstring>

#include "debug/block_guards.hpp"
#include "debug/block_header.hpp"
#include "debug/error_log.hpp"
#include "debug/error_reports.hpp"
#include "debug/guarded_blocks.hpp"
#include "guarded/slot_space.hpp"
#include "debug/live_blocks.hpp"
#include "debug/threads_at_start.hpp"
#include "debug/options.hpp"
#include "debug/pointer_validation.hpp"
#include "debug/quarantine.hpp"
#include "debug/runtime_thread.hpp"
#include "debug/stack_origin.hpp"
#include "memory_pool.hpp"
#include "os/platform.hpp"

#if __has_include("pool/fork_hooks.hpp")
#include "pool/fork_hooks.hpp"
#define OSP_HAVE_POOL_FORK_HOOKS 1
#endif

#include <atomic>

namespace osp::debug {
namespace {

using os_memory::pool::MemoryPool;

constexpr std::size_t kBytesPerMebibyte = std::size_t{1} << 20;
// The least a heap-bounded quarantine holds (quarantine_heap_percent).
constexpr std::size_t kMinHeapBoundedQuarantineBytes = kBytesPerMebibyte;
// How many frees a thread makes between two looks at the live bytes (a sum over every
// live-table shard).
constexpr unsigned kFreesPerLimitRefresh = 256;

// The quarantine's byte limit under quarantine_heap_percent, shared by the threads. A
// thread's countdown starts at 0, so its first free computes the limit.
std::atomic<std::size_t> g_heap_bounded_limit{0};
OSP_THREAD_LOCAL(unsigned) t_frees_until_limit_refresh;

// quarantine_mb, and under quarantine_heap_percent also that share of the live bytes
// (at least kMinHeapBoundedQuarantineBytes). The share follows the heap with a lag of a
// few hundred frees per thread: a bound, not an exact figure.
std::size_t quarantine_limit(const Options& current) noexcept {
  const std::size_t cap = static_cast<std::size_t>(current.quarantine_mb) * kBytesPerMebibyte;
  if (current.quarantine_heap_percent <= 0 || cap == 0) return cap;
  std::size_t bounded = g_heap_bounded_limit.load(std::memory_order_relaxed);
  if (t_frees_until_limit_refresh == 0) [[unlikely]] {
    t_frees_until_limit_refresh = kFreesPerLimitRefresh;
    bounded = live_blocks::bytes() / 100 * static_cast<std::size_t>(current.quarantine_heap_percent);
    if (bounded < kMinHeapBoundedQuarantineBytes) bounded = kMinHeapBoundedQuarantineBytes;
    g_heap_bounded_limit.store(bounded, std::memory_order_relaxed);
  }
  --t_frees_until_limit_refresh;
  return bounded < cap ? bounded : cap;
}

// Counts a block whose guards are damaged, and reports it only the first time: a block
// reported at free (halt_on_error=0) is not reported again when it leaves the quarantine or
// at exit. A block whose guards were repaired counts as intact again.
[[gnu::noinline]] void report_damaged_guards(BlockHeader* header, const char* when,
                                             std::uintptr_t caller, std::size_t* damaged) {
  const Damage front = check_front_guard(header);
  const Damage tail = check_tail_guard(header);
  if (!front.found() && !tail.found()) return;
  if (damaged != nullptr) ++*damaged;
  std::atomic_ref<std::uint8_t> flags(header->flags);
  if ((flags.fetch_or(kDamageReported, std::memory_order_relaxed) & kDamageReported) != 0) return;
  if (front.found()) report_guard_damage(header, front, true, when, caller);
  if (tail.found()) report_guard_damage(header, tail, false, when, caller);
}

// The check on every free and quarantine exit: inline; the report out of line.
inline void check_guards(BlockHeader* header, const char* when, std::uintptr_t caller,
                         std::size_t* damaged) {
  if (!guards_intact(header)) [[unlikely]] report_damaged_guards(header, when, caller, damaged);
}

// A freed block goes back to the pool: a later free of it is a double free.
void retire(BlockHeader* header) {
  header->magic = kRetiredMagic;
  header->in_tls = 1;
  MemoryPool::deallocate(pool_block_of(header));
}

// Gives blocks leaving the quarantine back to the pool after a last check.
void release_to_pool(BlockHeader* chain, std::uintptr_t caller) {
  const bool filled = options().fill;
  while (chain != nullptr) {
    BlockHeader* header = chain;
    chain = chain->next;
    // A filled freed block holds the freed fill over its guards too: one check covers
    // both. Without the fill, only the guards can show a write.
    if (!filled) {
      check_guards(header, "when it left the quarantine", caller, nullptr);
    } else if (!freed_block_intact(header)) {
      report_write_after_free(header, check_freed_block(header), caller);
    }
    retire(header);
  }
}

bool kinds_match(api::AllocationKind allocated, api::AllocationKind freed) {
  return allocated == freed;
}


// Everything a new block's header holds but its placement (flags and alignment offset,
// set by the caller); then its guards, its place in the live table, its fill and origin.
//
// The live table's insert comes before the fill: where it takes a shared shard's
// SpinLock, a locked instruction waits until every earlier store has reached the cache,
// and the fill's stores go to lines that are cold when the block has waited in the
// quarantine. (A thread's own shard takes no locked instruction.) A visitor of the live
// table may see the block before its stack is known (its origin is kNoStack until then):
// it is being allocated at that moment.
void* finish_block(BlockHeader* header, char* user, const AllocationRequest& request,
                   bool internal) {
  header->next = nullptr;
  header->requested_bytes = request.bytes;
  header->free_stack = trace::kNoStack;
  header->free_thread = 0;
  header->is_free = 0;
  header->in_tls = 0;
  header->kind = static_cast<std::uint8_t>(request.kind);
  // Before write_guards: the sequence shares a word with the tail-guard length, and a
  // wide read-modify-write right after write_guards' narrow store could not be forwarded.
  header->sequence = internal ? 0 : live_blocks::next_sequence();
  write_guards(header);
  if (internal) {
    if (request.zero) std::memset(user, 0, request.bytes);
    header->origin_file = nullptr;
    header->origin = trace::kNoStack;
    header->allocation_thread = 0;
    header->magic = kLiveMagic;
    return user;
  }
  header->origin_file = request.file;
  header->origin = request.file != nullptr ? static_cast<std::uint32_t>(request.line)
                                           : trace::kNoStack;
  header->allocation_thread = current_thread_ordinal();
  header->magic = kLiveMagic;
  live_blocks::insert(header);
  if (request.zero) {
    std::memset(user, 0, request.bytes);
  } else if (options().fill) {
    fill_user_bytes(header, kFreshFillByte);
  }
  if (request.file == nullptr) {
    __atomic_store_n(&header->origin, capture_origin_stack(request.caller, request.caller_frame),
                     __ATOMIC_RELAXED);
  }
  return user;
}

}  // namespace

void* allocate(const AllocationRequest& request) noexcept {
  ReentrancyGuard guard;
  const bool internal = !guard.outermost();
  if (request.bytes > kMaxRequestBytes) {
    if (!internal) report_allocation_size_too_big(request.bytes, request.caller);
    return nullptr;
  }
  std::size_t alignment =
      request.alignment < kMinimumUserAlignment ? kMinimumUserAlignment : request.alignment;
  if (alignment > kMaxAlignmentBytes) {
    if (!internal) {
      report_invalid_alignment(allocation_function_name(request.kind), request.alignment,
                               request.caller);
    }
    return nullptr;
  }
  if (!internal && guarded_blocks::wanted()) [[unlikely]] {
    BlockHeader* header =
        guarded_blocks::place(request.bytes, request.alignment, request.explicit_alignment);
    if (header != nullptr) return finish_block(header, user_of(header), request, false);
  }
  const std::size_t offset = front_offset(alignment);
  const std::size_t total =
      offset + round_up(request.bytes, kMinimumUserAlignment) + kTailGuardBytes;
  auto* block = static_cast<char*>(MemoryPool::allocate(total, alignment));
  if (block == nullptr) return nullptr;

  char* user = block + offset;
  BlockHeader* header = header_of(user);
  header->alignment_offset = static_cast<std::uint32_t>(offset);
  header->flags = internal ? kInternalBlock : 0;
  return finish_block(header, user, request, internal);
}

void deallocate(void* user, api::AllocationKind kind, std::uintptr_t caller,
                std::uintptr_t caller_frame) noexcept {
  if (user == nullptr) return;
  // A freed block is often cold: its header's lines (a header mostly spans two) are
  // loaded while the free's stack is taken (which reads only this thread's stack, so it
  // does not wait for them), and its tail guard's line while the live table is locked.
  __builtin_prefetch(static_cast<const char*>(user) - kFrontGuardBytes - sizeof(BlockHeader), 1);
  __builtin_prefetch(static_cast<const char*>(user) - kFrontGuardBytes - 1, 1);
  ReentrancyGuard guard;
  const trace::StackId free_stack = capture_free_stack(caller, caller_frame);
  BlockHeader* header = find_header(user);
  if (header == nullptr) {
    report_invalid_free(user, deallocation_function_name(kind), caller);
    return;
  }
  __builtin_prefetch(static_cast<const char*>(user) + header->requested_bytes, 1);
  if (header->internal()) {
    // Internal blocks are never checked or reported; a stale second free is ignored.
    if (header->magic == kLiveMagic && header->try_mark_freed()) retire(header);
    return;
  }
  const std::uint16_t thread = current_thread_ordinal();
  if (header->magic == kRetiredMagic || !live_blocks::remove_as_freed(header, thread)) {
    report_double_free(header, kind, caller);
    return;
  }
  header->free_thread = thread;
  header->free_stack = free_stack;
  if (!kinds_match(header->allocation_kind(), kind)) {
    report_mismatched_deallocation(header, kind, caller);
  }
  check_guards(header, "at free", caller, nullptr);
  if (header->detached()) return guarded_blocks::close_slot(header);

  const Options& current = options();
  if (current.fill) fill_freed_block(header);
  const std::size_t limit_bytes = quarantine_limit(current);
  if (limit_bytes == 0) {
    // Its guards were checked above and nothing ran since: no second check.
    retire(header);
    return;
  }
  release_to_pool(quarantine::push(header, limit_bytes), caller);
}

void* reallocate(void* user, std::size_t bytes, std::uintptr_t caller) noexcept {
  if (user == nullptr) {
    return allocate({bytes, kMinimumUserAlignment, api::AllocationKind::Malloc, nullptr, 0,
                     caller, false});
  }
  if (bytes == 0) {
    deallocate(user, api::AllocationKind::Malloc, caller);
    return nullptr;
  }
  BlockHeader* header = find_header(user);
  if (header == nullptr) {
    ReentrancyGuard guard;
    report_invalid_free(user, "realloc", caller);
    return nullptr;
  }
  if (header->internal()) {
    // A block made inside the runtime: resize it on the internal path too.
    ReentrancyGuard guard;
    void* moved = allocate({bytes, kMinimumUserAlignment, api::AllocationKind::Malloc, nullptr,
                            0, caller, false});
    if (moved == nullptr) return nullptr;
    std::memcpy(moved, user, header->requested_bytes < bytes ? header->requested_bytes : bytes);
    deallocate(user, api::AllocationKind::Malloc, caller);
    return moved;
  }
  if (header->magic == kRetiredMagic || header->freed()) {
    ReentrancyGuard guard;
    report_double_free(header, api::AllocationKind::Malloc, caller);
    return nullptr;
  }
  void* moved = allocate({bytes, kMinimumUserAlignment, api::AllocationKind::Malloc, nullptr, 0,
                          caller, false});
  if (moved == nullptr) return nullptr;
  std::memcpy(moved, user, header->requested_bytes < bytes ? header->requested_bytes : bytes);
  deallocate(user, api::AllocationKind::Malloc, caller);
  return moved;
}

std::size_t usable_size(const void* user) noexcept {
  BlockHeader* header = find_header(user);
  if (header == nullptr || header->magic != kLiveMagic || header->freed()) return 0;
  return header->requested_bytes;
}

std::size_t check_heap(const char* when, std::uintptr_t caller) noexcept {
  ReentrancyGuard guard;
  struct Context {
    const char* when;
    std::uintptr_t caller;
    std::size_t damaged;
    bool filled;
  } context{when, caller, 0, options().fill};
  // Reports run under the shard/quarantine lock: they only allocate internal blocks,
  // which never touch either structure.
  live_blocks::for_each_header(
      [](BlockHeader* header, void* raw) {
        auto* state = static_cast<Context*>(raw);
        check_guards(header, state->when, state->caller, &state->damaged);
      },
      &context);
  quarantine::for_each(
      [](BlockHeader* header, void* raw) {
        auto* state = static_cast<Context*>(raw);
        if (!state->filled) {
          check_guards(header, state->when, state->caller, &state->damaged);
        } else if (Damage damage = check_freed_block(header); damage.found()) {
          report_write_after_free(header, damage, state->caller);
          ++state->damaged;
        }
      },
      &context);
  return context.damaged;
}

void prepare_fork() noexcept {
  live_blocks::lock_all();
  quarantine::lock();
  lock_reports();
  lock_error_log();
  guarded::lock();
#if defined(OSP_HAVE_POOL_FORK_HOOKS)
  osp::pool::prepare_fork();
#endif
}

void parent_after_fork() noexcept {
#if defined(OSP_HAVE_POOL_FORK_HOOKS)
  osp::pool::after_fork_in_parent();
#endif
  guarded::unlock();
  unlock_error_log();
  unlock_reports();
  quarantine::unlock();
  live_blocks::unlock_all();
}

void child_after_fork() noexcept {
#if defined(OSP_HAVE_POOL_FORK_HOOKS)
  osp::pool::after_fork_in_child();
#endif
  guarded::unlock();
  unlock_error_log();
  unlock_reports();
  quarantine::after_fork_in_child();
  live_blocks::after_fork_in_child();
  remember_threads_at_start();
}

}  // namespace osp::debug
