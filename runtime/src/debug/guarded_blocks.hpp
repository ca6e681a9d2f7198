// The debug layer's use of guarded slots (guarded/slot_space.hpp): which allocations get
// one (guard_pages=all: every block up to guard_max_bytes; sampled: one in
// guard_sample_rate, drawn per thread), where the block goes in it (the C alignment rule
// for its size unless an alignment was asked for), and what happens at free (the slot is
// closed and waits in the address-space quarantine). Blocks in slots keep a detached
// header (block_header.hpp); everything else about them (live table, leak scan, reports)
// is as for any block. In `all` mode a block refused a slot (budget spent) gets a pool
// block with canaries and is counted as unguarded.
#pragma once

#include <cstddef>
#include <cstdint>

#include "debug/block_header.hpp"

namespace osp::debug::guarded_blocks {

namespace detail {
enum Mode : int { kUnset = -1, kOff = 0, kSampled = 1, kAll = 2 };
extern int g_mode;
extern __thread int t_sample_countdown __attribute__((tls_model("initial-exec")));
bool configure_and_decide() noexcept;
bool sample_taken() noexcept;
}  // namespace detail

// Whether the next (tracked) allocation should get a slot. One load when guarding is off.
inline bool wanted() noexcept {
  const int mode = __atomic_load_n(&detail::g_mode, __ATOMIC_RELAXED);
  if (mode == detail::kOff) [[likely]] return false;
  if (mode == detail::kAll) return true;
  if (mode == detail::kSampled) return --detail::t_sample_countdown <= 0 && detail::sample_taken();
  return detail::configure_and_decide();
}

// A slot for a block of `bytes` with `alignment` (`explicit_alignment`: asked for by an
// aligned allocation function, else malloc/new's): returns its detached header with the
// user pointer, canary lengths, alignment offset and flags set, or null when the block
// does not get a slot.
BlockHeader* place(std::size_t bytes, std::size_t alignment, bool explicit_alignment) noexcept;

// Closes the slot of a freed block (after the free path's checks).
void close_slot(BlockHeader* header) noexcept;

// The detached header whose user pointer is `user`, or null (not a slot's block).
BlockHeader* find_header(const void* user) noexcept;
bool in_slots(const void* address) noexcept;

// Counted for the report at exit and the snapshot.
struct GuardCounters {
  const char* mode;          // "off", "sampled", "all"
  std::size_t guarded;       // blocks placed in slots
  std::size_t unguarded;     // all mode: blocks refused a slot (budget spent, too aligned)
  std::size_t live_slots;
  std::size_t reused_slots;  // slots reused after the address space ran out
  std::size_t address_space_bytes;
  std::size_t max_live_slots;
};
GuardCounters counters() noexcept;

}  // namespace osp::debug::guarded_blocks
