// Which function symbol contains an address, from ELF symbol tables: the module file's
// .symtab and .dynsym and the .symtab of its separate debug file (debug_file_lookup).
// Only function symbols (STT_FUNC, STT_GNU_IFUNC) with a size count, and only when the
// address lies inside [st_value, st_value + st_size): an address past the end of the
// nearest symbol, or inside a data object, has no name. That is the rule that keeps a
// stripped program's frames from being named after a far-away exported function.
//
// An index is built per module on first use (sorted extents in memory from the OS, the
// files mapped for the rest of the process so names point into them) and never freed.
// Not thread-safe: callers hold the symbolizer's lock.
#pragma once

#include <cstddef>
#include <cstdint>

namespace osp::trace {

class FunctionSymbolIndex {
 public:
  // Reads the symbol tables of `module_path` and of its debug file under `debug_root`
  // (nullptr: /usr/lib/debug). `build_id` is the loaded module's ("" when none): a file on
  // disk with another build-id is a different build and is not used.
  void build(const char* module_path, const char* build_id, const char* debug_root) noexcept;

  // The raw (mangled) name of the innermost function symbol containing `module_address`,
  // an address in the module's own ELF address space (load address - load base); nullptr
  // when none does.
  const char* find(std::uintptr_t module_address) const noexcept;

  std::size_t symbol_count() const noexcept { return count_; }
  // True when a separate debug file of the same build was found and read.
  bool has_debug_file() const noexcept { return has_debug_file_; }
  // True when the module's own file (the loaded build) or its debug file carries DWARF
  // (.debug_info): only then is what the debug information says about it believed.
  bool has_debug_info() const noexcept { return has_debug_info_; }

  struct Extent {
    std::uintptr_t start;
    std::uintptr_t end;
    std::uintptr_t greatest_end_so_far;  // max `end` of this and every earlier extent
    const char* name;
    unsigned preference;  // lower wins between extents of the same size
  };

 private:
  Extent* extents_ = nullptr;
  std::size_t count_ = 0;
  bool has_debug_file_ = false;
  bool has_debug_info_ = false;
};

// The index of the module at `module_path` (built on first use, with the default debug
// root; `module_path` is a permanent string from module_lookup, cached by pointer).
// nullptr only when too many modules are indexed already.
const FunctionSymbolIndex* function_symbols_of(const char* module_path, const char* build_id) noexcept;

}  // namespace osp::trace
