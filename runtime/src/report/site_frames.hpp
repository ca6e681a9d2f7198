// Frames of an allocation stack as the snapshot and the site key see them: address,
// module and module offset always (from the scan's module table, no symbolizer needed),
// function, file and line when symbolizing. Call with the reentrancy guard held.
#pragma once

#include <cstdint>

#include "report/module_table.hpp"
#include "trace/stack_depot.hpp"

namespace osp::report {

struct SiteFrame {
  std::uintptr_t address;
  const char* module;            // "" when no loaded module maps the address
  std::uintptr_t module_offset;
  const char* function;          // null when not symbolized or unknown
  const char* file;              // null when not symbolized or unknown
  int line;
};

// Fills up to trace::kMaxStackDepth frames of `stack`; returns how many.
int resolve_frames(trace::StackId stack, const ModuleTable& modules, bool symbolize,
                   SiteFrame* frames) noexcept;

// The site key of docs/snapshot-format.md: FNV-1a 64 of the kind and the tokens of the
// first four frames that are not the runtime's (or of "ALLOCATE\t<origin file>").
std::uint64_t site_key(const char* kind_name, const char* origin_file, const SiteFrame* frames,
                       int depth) noexcept;

// True for frames the key skips: libosp* modules and allocator entry points.
bool is_runtime_frame(const SiteFrame& frame) noexcept;

}  // namespace osp::report
