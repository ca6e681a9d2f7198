// The loaded PE images (see module_table.hpp), from EnumProcessModules (the executable
// first) and each image's headers: its writable sections (.data, .bss, .tls, .CRT, the
// import address table) are the global roots, its CodeView GUID+age (or link time stamp
// and size) the build identity. Every module's data is a root, libospdebug.dll's too.
#define WIN32_LEAN_AND_MEAN
#include <windows.h>
// PSAPI_VERSION 2: EnumProcessModules is kernel32's K32EnumProcessModules.
#define PSAPI_VERSION 2
#include <psapi.h>

#include "report/module_table.hpp"

#include <cstring>

#include "trace/pe_image.hpp"

namespace osp::report {

struct ModuleCollector {
  static constexpr DWORD kMaxModules = 1024;

  static const char* copy_path(ScratchArena& arena, HMODULE handle) {
    char path[MAX_PATH * 2];
    const DWORD length = GetModuleFileNameA(handle, path, sizeof path);
    if (length == 0 || length >= sizeof path) return "";
    char* copy = arena.allocate_array<char>(length + 1);
    if (copy == nullptr) return "";
    std::memcpy(copy, path, length + 1);
    return copy;
  }

  static bool add(ModuleTable& modules, HMODULE handle) {
    ScratchArena& arena = *modules.arena_;
    const auto base = reinterpret_cast<std::uintptr_t>(handle);
    const std::size_t bytes = trace::pe_image_bytes(base);
    if (bytes == 0) return true;
    if (!arena.make_room(modules.modules_, modules.module_count_, modules.module_capacity_)) return false;
    const std::size_t index = modules.module_count_;
    LoadedModule module = {};
    module.base = base;
    module.low = base;
    module.high = base + bytes;
    trace::pe_build_id(base, module.build_id);
    // ospdebug.dll carries its own copy of mingw-w64's start-up code and the C++ runtime,
    // whose data (atexit table, emulated TLS) holds blocks they allocated: its data stays
    // a root, as the runtime's does when linked into the executable.
    module.is_runtime = false;
    module.is_dynamic_linker = false;
    module.path = copy_path(arena, handle);
    bool failed = false;
    trace::for_each_pe_section(base, [&](const trace::PeSection& section) {
      if (failed || !section.writable || section.end <= section.start) return;
      if (!arena.make_room(modules.segments_, modules.segment_count_, modules.segment_capacity_)) {
        failed = true;
        return;
      }
      modules.segments_[modules.segment_count_++] = {section.start, section.end, index};
    });
    modules.modules_[index] = module;
    modules.module_count_ = index + 1;
    return !failed;
  }
};

bool ModuleTable::load(ScratchArena& arena) noexcept {
  arena_ = &arena;
  HMODULE* handles = arena.allocate_array<HMODULE>(ModuleCollector::kMaxModules);
  if (handles == nullptr) return false;
  DWORD needed = 0;
  if (!EnumProcessModules(GetCurrentProcess(), handles, ModuleCollector::kMaxModules * sizeof(HMODULE), &needed)) {
    return false;
  }
  DWORD count = needed / sizeof(HMODULE);
  if (count > ModuleCollector::kMaxModules) count = ModuleCollector::kMaxModules;
  for (DWORD index = 0; index < count; ++index) {
    if (!ModuleCollector::add(*this, handles[index])) return false;
  }
  return module_count_ != 0;
}

const LoadedModule* ModuleTable::find(std::uintptr_t address) const noexcept {
  for (std::size_t index = 0; index < module_count_; ++index) {
    if (address >= modules_[index].low && address < modules_[index].high) return &modules_[index];
  }
  return nullptr;
}

bool ModuleTable::in_dynamic_linker(std::uintptr_t) const noexcept { return false; }

}  // namespace osp::report
