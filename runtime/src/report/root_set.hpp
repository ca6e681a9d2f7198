// The roots of the reachability scan: memory the program can reach without going
// through the heap. Collected while other threads are stopped:
// - the writable segments of every loaded module (globals, .bss, GOT), except the shared
//   libospdebug's own, whose tables point at blocks only for bookkeeping;
// - each thread's stack from its stack pointer to the top of the stack mapping (for
//   threads stopped by signal this includes the saved registers) and, for glibc threads,
//   the static TLS block and thread descriptor at the top of that mapping;
// - a window around each thread pointer (the main thread's TLS is not on its stack).
// Every range is clipped to the readable part of the memory map before it is scanned.
#pragma once

#include <cstddef>
#include <cstdint>

#include "report/memory_map.hpp"
#include "report/module_table.hpp"
#include "report/scratch_arena.hpp"
#include "report/thread_stopper.hpp"

namespace osp::report {

struct RootRange {
  std::uintptr_t start, end;
};

class RootSet {
 public:
  RootSet(ScratchArena& arena, const MemoryMap& map) noexcept : arena_(arena), map_(map) {}
  // Adds the readable pieces of [start, end). False when scratch memory ran out.
  bool add(std::uintptr_t start, std::uintptr_t end) noexcept;
  // The thread's stack above `stack_pointer` and its TLS around `thread_pointer`.
  bool add_thread(std::uintptr_t stack_pointer, std::uintptr_t thread_pointer,
                  std::size_t static_tls_bytes) noexcept;
  bool add_module_data(const ModuleTable& modules) noexcept;

  std::size_t size() const noexcept { return count_; }
  const RootRange& operator[](std::size_t index) const noexcept { return ranges_[index]; }
  std::uint64_t total_bytes() const noexcept { return total_bytes_; }

 private:
  ScratchArena& arena_;
  const MemoryMap& map_;
  RootRange* ranges_ = nullptr;
  std::size_t count_ = 0;
  std::size_t capacity_ = 0;
  std::uint64_t total_bytes_ = 0;
  bool failed_ = false;
};

// Size of the static TLS area (glibc's _dl_get_tls_static_info), or a safe default.
// Call before threads are stopped: the first call looks the function up with dlsym.
std::size_t static_tls_bytes() noexcept;

}  // namespace osp::report
