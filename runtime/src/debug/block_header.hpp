// The header libospdebug puts in front of every block, and the block layout:
//
//   P  pool block start (the pool keeps a free-list link in P's first 8 bytes while
//      the block is free inside the pool: the header never touches them)
//   |  padding up to the alignment
//   |  BlockHeader (64 bytes)
//   |  front guard (kFrontGuardBytes of kGuardByte)
//   U  user bytes (requested_bytes), aligned as asked, at least 16
//   |  tail guard (kGuardByte up to the next 16-byte boundary, then 16 more bytes, then
//   |  the pool block's slack up to kMaxSlackGuardBytes)
//
// The header sits at U - kFrontGuardBytes - sizeof(BlockHeader); alignment_offset = U - P
// leads back to the pool block. `is_free` is flipped 0 -> 1 by exactly one strong CAS:
// the double-free gate. A block leaves the quarantine with `in_tls` set and the retired
// magic, so a late second free is still recognised while the memory is not reused.
#pragma once

#include <atomic>
#include <cstddef>
#include <cstdint>

#include "api/backend.hpp"
#include "trace/stack_depot.hpp"

namespace osp::debug {

inline constexpr std::uint32_t kLiveMagic = 0x6f737062;     // block handed to the program
inline constexpr std::uint32_t kRetiredMagic = 0x6f737078;  // block given back to the pool

inline constexpr std::size_t kPoolLinkBytes = 8;
inline constexpr std::size_t kFrontGuardBytes = 16;
inline constexpr std::size_t kTailGuardBytes = 16;
// Beyond the tail guard, the pool block's unused slack is guarded too, up to this much.
inline constexpr std::size_t kMaxSlackGuardBytes = 256;

inline constexpr std::size_t kMinimumUserAlignment = 16;
// The most a tail guard spans: padding to 16 bytes, kTailGuardBytes, and the slack.
inline constexpr std::size_t kMaxTailGuardBytes =
    kMinimumUserAlignment - 1 + kTailGuardBytes + kMaxSlackGuardBytes;
// Requests above this are refused (null / std::bad_alloc) before any size arithmetic.
inline constexpr std::size_t kMaxRequestBytes = std::size_t{1} << 40;
inline constexpr std::size_t kMaxAlignmentBytes = std::size_t{1} << 30;

inline constexpr std::uint8_t kGuardByte = 0xfa;
inline constexpr std::uint8_t kFreshFillByte = 0xbe;
inline constexpr std::uint8_t kFreedFillByte = 0xfd;
// Blocks above kFullFillLimitBytes get only their first and last kBoundedFillBytes filled
// (and checked): a program reserving gigabytes must not have them all touched.
inline constexpr std::size_t kFullFillLimitBytes = 64 * 1024;
inline constexpr std::size_t kBoundedFillBytes = 4 * 1024;

enum BlockFlags : std::uint8_t {
  kInternalBlock = 1,  // allocated while inside the runtime: untracked, never reported
  kDamageReported = 2,  // its guard damage was reported once; later checks stay quiet
  kDetachedHeader = 4,  // a guarded slot's block: the header lives apart (DetachedHeader)
  kFaultReported = 8,   // a fault in its slot was reported once (halt_on_error=0)
};

struct BlockHeader {
  BlockHeader* next;           // quarantine FIFO while freed
  std::uint64_t live_entry;    // its shard and entry in the live table while live
  const char* origin_file;     // ALLOCATE's __FILE__; null when the origin is a stack
  std::uint64_t sequence : 48;          // allocation number, process-wide
  std::uint64_t tail_guard_bytes : 16;  // guarded bytes after the user bytes (write_guards)
  std::uint64_t requested_bytes;
  std::uint32_t alignment_offset;  // user pointer - pool block start
  std::uint32_t origin;            // line in origin_file, or the allocation stack id
  trace::StackId free_stack;
  std::uint16_t allocation_thread;  // thread ordinal (T0 is the main thread)
  std::uint16_t free_thread;
  std::uint8_t is_free;  // accessed atomically (std::atomic_ref)
  std::uint8_t in_tls;   // returned to the pool (its thread cache) after quarantine
  std::uint8_t kind;     // api::AllocationKind
  std::uint8_t flags;    // BlockFlags
  std::uint32_t magic;   // last: closest to the front guard, first to show damage

  // Relaxed atomic: a block's stack is stored after it entered the live table, while a
  // visitor may be reading the header (debug_heap.cpp, finish_block).
  trace::StackId allocation_stack() const noexcept {
    return origin_file == nullptr ? __atomic_load_n(&origin, __ATOMIC_RELAXED) : trace::kNoStack;
  }
  api::AllocationKind allocation_kind() const noexcept {
    return static_cast<api::AllocationKind>(kind);
  }
  bool internal() const noexcept { return (flags & kInternalBlock) != 0; }
  bool detached() const noexcept { return (flags & kDetachedHeader) != 0; }
  bool freed() const noexcept {
    return std::atomic_ref<std::uint8_t>(const_cast<std::uint8_t&>(is_free))
               .load(std::memory_order_acquire) != 0;
  }
  // The double-free gate: true for exactly one caller per allocation.
  bool try_mark_freed() noexcept {
    std::uint8_t expected = 0;
    return std::atomic_ref<std::uint8_t>(is_free).compare_exchange_strong(
        expected, 1, std::memory_order_acq_rel);
  }
};
static_assert(sizeof(BlockHeader) == 64, "the header must stay 64 bytes");

inline constexpr std::size_t round_up(std::size_t value, std::size_t alignment) noexcept {
  return (value + alignment - 1) & ~(alignment - 1);
}

// Distance from the pool block start to the user bytes for a given user alignment.
inline constexpr std::size_t front_offset(std::size_t alignment) noexcept {
  return round_up(kPoolLinkBytes + sizeof(BlockHeader) + kFrontGuardBytes, alignment);
}

// Guard bytes after the user bytes: padding to 16 bytes plus kTailGuardBytes.
inline constexpr std::size_t tail_guard_bytes(std::size_t requested_bytes) noexcept {
  return round_up(requested_bytes, kMinimumUserAlignment) - requested_bytes + kTailGuardBytes;
}

// The header of a block in a guarded slot (guarded/slot_space.hpp): kept in the slot's
// metadata, readable while the slot's pages are closed. Its canaries are the bytes from
// the first open byte to the user bytes (header.alignment_offset of them) and from their
// end to the last open byte.
struct DetachedHeader {
  BlockHeader header;  // first: a BlockHeader* of a detached block points here
  char* user;
  std::uint32_t tail_canary_bytes;
  std::uint32_t slot_side;  // guarded::Side
};

inline DetachedHeader* detached_of(BlockHeader* header) noexcept {
  return reinterpret_cast<DetachedHeader*>(header);
}

// Only for the headers of blocks in the pool (header->detached() is false).
inline BlockHeader* header_of(void* user) noexcept {
  return reinterpret_cast<BlockHeader*>(static_cast<char*>(user) - kFrontGuardBytes -
                                        sizeof(BlockHeader));
}
inline char* user_of(BlockHeader* header) noexcept {
  if (header->detached()) [[unlikely]] return detached_of(header)->user;
  return reinterpret_cast<char*>(header) + sizeof(BlockHeader) + kFrontGuardBytes;
}
inline char* pool_block_of(BlockHeader* header) noexcept {
  return user_of(header) - header->alignment_offset;
}

// The block's name in reports: "malloc", "operator new", "operator new []", "ALLOCATE".
const char* allocation_function_name(api::AllocationKind kind) noexcept;
const char* deallocation_function_name(api::AllocationKind kind) noexcept;

}  // namespace osp::debug
