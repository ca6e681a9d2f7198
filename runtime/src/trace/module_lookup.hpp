// Which loaded ELF object (executable or shared library) contains an address: its path,
// load base and GNU build-id. Found with dl_iterate_phdr and cached per module; the
// strings are permanent. Not thread-safe: callers hold the symbolizer's lock.
#pragma once

#include <cstdint>

namespace osp::trace {

struct ModuleInfo {
  const char* path;          // "" when unknown
  std::uintptr_t load_base;  // what to subtract to get the offset tools like addr2line use
  const char* build_id;      // lower-case hex, "" when the module has none
};

// False when no loaded module maps `address`.
bool find_module(std::uintptr_t address, ModuleInfo& module) noexcept;

}  // namespace osp::trace
