// The loaded ELF modules (executable and shared objects), listed with dl_iterate_phdr
// into scratch memory before other threads are stopped (dl_iterate_phdr takes the
// loader's lock, which a stopped thread might hold). It gives the scan its global roots
// (every writable PT_LOAD segment) and the snapshot its module list (path, GNU build-id,
// load base) and the module + offset of every frame.
#pragma once

#include <cstddef>
#include <cstdint>

#include "report/scratch_arena.hpp"

namespace osp::report {

struct LoadedModule {
  const char* path;             // absolute path; the executable's from /proc/self/exe
  std::uintptr_t base;          // load bias: address - base is the offset tools use
  std::uintptr_t low, high;     // lowest and one past the highest byte of its segments
  char build_id[41];            // lower-case hex, "" when none (or longer than 20 bytes)
  bool is_runtime;              // the shared libospdebug itself (its data is not a root)
  bool is_dynamic_linker;       // ld.so: blocks it allocates are reachable (see reachability)
};

struct DataSegment {
  std::uintptr_t start, end;
  std::size_t module;  // index into the module table
};

class ModuleTable {
 public:
  bool load(ScratchArena& arena) noexcept;
  std::size_t module_count() const noexcept { return module_count_; }
  const LoadedModule& module(std::size_t index) const noexcept { return modules_[index]; }
  std::size_t segment_count() const noexcept { return segment_count_; }
  const DataSegment& segment(std::size_t index) const noexcept { return segments_[index]; }
  // The module whose segments span `address`, or null.
  const LoadedModule* find(std::uintptr_t address) const noexcept;
  bool in_dynamic_linker(std::uintptr_t address) const noexcept;

 private:
  friend struct ModuleCollector;
  LoadedModule* modules_ = nullptr;
  std::size_t module_count_ = 0;
  std::size_t module_capacity_ = 0;
  DataSegment* segments_ = nullptr;
  std::size_t segment_count_ = 0;
  std::size_t segment_capacity_ = 0;
  ScratchArena* arena_ = nullptr;
};

}  // namespace osp::report
