// Guarded slots: blocks placed against an inaccessible page, so the first byte read or
// written past their end (or before their start) faults at the instruction that did it.
//
// One reservation of inaccessible address space (the address-space budget) is cut into
// spans of kSpanPages pages; a span holds slots of one class, 2^k data pages each, every
// slot preceded by an inaccessible page of its own:
//
//   span: | guard | data pages (2^k) | guard | data pages (2^k) | ... | unused tail |
//
// A block opens only the pages it needs: at the end of its data pages (overflow side, the
// default: the user bytes end where the next slot's guard page begins) or at their start
// (underflow side: the user bytes begin right after the slot's own guard page). Every
// other page of the slot stays inaccessible. A released slot is closed again (its pages
// return to the OS and fault) and queued; fresh address space is used until the budget
// is spent, then the oldest closed slot of the class is reused, so a stale pointer faults
// for as long as the budget allows.
//
// Each slot has kOwnerBytes of metadata outside the slot's pages, owned by the layer
// above (the debug layer keeps its block header there): it stays readable while the
// slot is closed, which the use-after-free report needs. Lookups by address take no lock
// (the fault handler calls them); acquire and release take one spin lock, with the page
// protection calls made outside it.
#pragma once

#include <cstddef>
#include <cstdint>

namespace osp::guarded {

inline constexpr std::size_t kOwnerBytes = 112;
inline constexpr std::size_t kSpanPages = 1024;
inline constexpr int kSlotClassCount = 9;  // 1, 2, 4 ... 256 data pages

enum class Side : std::uint8_t { Overflow, Underflow };

struct SlotLimits {
  std::size_t address_space_bytes;  // the reservation; rounded down to whole spans
  std::size_t max_live_slots;       // 0: derived from the kernel's mapping limit
};

// Where acquire() put a block.
struct Placement {
  void* owner;             // kOwnerBytes of metadata, 16-byte aligned
  char* user;              // the user bytes
  char* open_start;        // first accessible byte (page-aligned)
  std::size_t open_bytes;  // accessible bytes from open_start
};

// Reserves the address space once. False when it cannot be reserved (guarding is then
// unavailable and acquire() always fails).
bool configure(const SlotLimits& limits) noexcept;

// The largest block a slot holds (256 pages), and the largest alignment it honours
// (one page).
std::size_t max_block_bytes() noexcept;

// A slot for `bytes` user bytes whose address is a multiple of `alignment` (a power of
// two up to the page size; 1 for byte-exact placement), on `side`. False when the block is
// too big, the alignment too large, the address-space or live-slot budget is spent, or
// the kernel refuses the protection change.
bool acquire(std::size_t bytes, std::size_t alignment, Side side, Placement& out) noexcept;

// Closes the slot whose metadata is `owner` and queues it for reuse (oldest first).
void release(void* owner) noexcept;

// The slot an address belongs to: its own data pages, its leading guard page, the page
// after its data, or the unused tail of its span. `owner` is null outside the reservation
// or for a slot never used. Takes no lock; safe in a signal handler.
struct SlotLookup {
  void* owner = nullptr;
  bool live = false;          // open (acquired, not yet released)
  char* user = nullptr;       // the block's user bytes (as last placed)
  std::size_t bytes = 0;      // its requested size
  Side side = Side::Overflow;
};
bool in_reservation(std::uintptr_t address) noexcept;
SlotLookup lookup(std::uintptr_t address) noexcept;
// The metadata of the slot whose user bytes start exactly at `user` (live or closed,
// not yet reused), or null.
void* owner_of_user(const void* user) noexcept;

// Makes the page holding `address` accessible, so a program that goes on after a fault
// report (halt_on_error=0) can finish the access; the slot is closed whole before reuse.
bool open_page_at(std::uintptr_t address) noexcept;

struct SlotCounters {
  std::size_t live_slots;
  std::size_t acquired;        // all acquisitions
  std::size_t refused;         // acquisitions refused for lack of budget
  std::size_t reused;          // acquisitions that reused a closed slot
  std::size_t reserved_bytes;  // the reservation
  std::size_t max_live_slots;  // the live-slot budget in force
};
SlotCounters counters() noexcept;

// Fork support: the slot lock around fork.
void lock() noexcept;
void unlock() noexcept;

}  // namespace osp::guarded
