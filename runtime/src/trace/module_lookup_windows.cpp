// Module lookup on Windows (see module_lookup.hpp): the loader names the image that maps
// an address (GetModuleHandleExW with FROM_ADDRESS), its path comes from
// GetModuleFileNameA and its build identity from its headers (pe_image.hpp). Cached per
// image base; the load base is the image base, so offsets are RVAs (what WinDbg and
// symbol files use; add the image's preferred ImageBase for GNU addr2line).
#define WIN32_LEAN_AND_MEAN
#include <windows.h>

#include "trace/module_lookup.hpp"
#include "trace/pe_image.hpp"
#include "trace/permanent_strings.hpp"

namespace osp::trace {
namespace {

constexpr int kMaxCachedModules = 256;

struct CachedModule {
  std::uintptr_t start;
  std::uintptr_t end;
  ModuleInfo info;
};

struct ModuleCache {
  CachedModule modules[kMaxCachedModules];
  int count = 0;
};

constinit ModuleCache module_cache{};

bool describe_image(HMODULE handle, CachedModule& entry) noexcept {
  const auto base = reinterpret_cast<std::uintptr_t>(handle);
  const std::size_t bytes = pe_image_bytes(base);
  if (bytes == 0) return false;
  char path[MAX_PATH * 2];
  const DWORD length = GetModuleFileNameA(handle, path, sizeof path);
  char build_id[kPeBuildIdBytes];
  pe_build_id(base, build_id);
  entry.start = base;
  entry.end = base + bytes;
  entry.info.path = length > 0 && length < sizeof path ? store_permanent_string(path, length) : "";
  entry.info.load_base = base;
  entry.info.build_id = store_permanent_string(build_id);
  return true;
}

}  // namespace

bool find_module(std::uintptr_t address, ModuleInfo& module) noexcept {
  for (int index = 0; index < module_cache.count; ++index) {
    const CachedModule& cached = module_cache.modules[index];
    if (address >= cached.start && address < cached.end) {
      module = cached.info;
      return true;
    }
  }
  HMODULE handle = nullptr;
  if (!GetModuleHandleExW(GET_MODULE_HANDLE_EX_FLAG_FROM_ADDRESS | GET_MODULE_HANDLE_EX_FLAG_UNCHANGED_REFCOUNT,
                          reinterpret_cast<LPCWSTR>(address), &handle)) {
    return false;
  }
  CachedModule entry{};
  if (!describe_image(handle, entry)) return false;
  if (module_cache.count < kMaxCachedModules) module_cache.modules[module_cache.count++] = entry;
  module = entry.info;
  return true;
}

}  // namespace osp::trace
