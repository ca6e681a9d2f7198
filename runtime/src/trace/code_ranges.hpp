// The executable ranges of the loaded modules (PT_LOAD segments with PF_X), so a stack
// walk can tell a return address from junk in one lookup: a captured frame always lies
// in one of them. The table is built at load with dl_iterate_phdr into memory from the
// OS layer and read lock-free (a sequence counter; readers retry a bounded number of
// times, never wait on a lock). It is rebuilt when a lookup misses an address the dynamic
// loader knows (a module loaded since) and when the loader's load/unload counters
// (dlpi_adds, dlpi_subs) have moved.
//
// Safe inside malloc (never allocates), in fork children (a rebuild interrupted by fork
// is taken over by the child) and with dlopen/dlclose in other threads: a reader sees one
// consistent table or none.
#pragma once

#include <atomic>
#include <cstdint>

namespace osp::trace {

struct CodeRange {
  std::uintptr_t start;  // first byte of the executable segment
  std::uintptr_t end;    // one past its last byte
  // The module's .eh_frame_hdr (PT_GNU_EH_FRAME), 0 when it has none, and the loaded
  // segment that holds it: every read of unwind tables must lie in [unwind_data_start,
  // unwind_data_end), so a corrupt table cannot make a read fault.
  std::uintptr_t eh_frame_hdr;
  std::uintptr_t unwind_data_start;
  std::uintptr_t unwind_data_end;
};

// The executable range that holds `address`; false when no loaded module has code there.
bool find_code_range(std::uintptr_t address, CodeRange& range) noexcept;

namespace detail {
extern std::atomic<std::uint64_t> code_ranges_generation;
}  // namespace detail

// Changes whenever the table is rebuilt: anything derived from it (rules cached by
// address, remembered walks) is valid for one generation only. Never 0 once a table
// exists. Inline: the stack memo's hit path asks.
inline std::uint64_t code_ranges_generation() noexcept {
  return detail::code_ranges_generation.load(std::memory_order_acquire);
}

// Rebuilds the table when a module was loaded or unloaded since it was built (one
// dl_iterate_phdr call that stops at the first module). False when a rebuild was needed
// but another thread holds the rebuild (the caller goes on with the current table).
bool refresh_code_ranges_if_modules_changed() noexcept;

}  // namespace osp::trace
