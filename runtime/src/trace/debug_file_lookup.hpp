// Finds the separate debug file of a module, where gdb looks and where Debian's -dbgsym
// packages install them:
//   1. <root>/.build-id/<first two hex digits>/<other digits>.debug  (by GNU build-id)
//   2. by .gnu_debuglink name: next to the module, in its directory's .debug/, and under
//      <root>/<the module's directory>/
// A candidate is taken only when it is the same build: its build-id equals the module's,
// or, for a module without a build-id, its CRC-32 equals the one .gnu_debuglink records.
// The default root is /usr/lib/debug. No heap is used (paths are built on the stack).
#pragma once

#include <cstddef>

#include "trace/elf_file.hpp"

namespace osp::trace {

constexpr const char* kDefaultDebugRoot = "/usr/lib/debug";

// `module_path` is the module's file, `module_file` that file opened (or not open when it
// cannot be read), `build_id` the loaded module's build-id in hex ("" when none).
// On success `debug_file` is open on the debug file and true is returned.
bool open_debug_file(const char* module_path, const ElfFile& module_file, const char* build_id,
                     const char* debug_root, ElfFile& debug_file) noexcept;

}  // namespace osp::trace
