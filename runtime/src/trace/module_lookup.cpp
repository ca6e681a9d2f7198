// Module lookup over dl_iterate_phdr. A module's cached range spans its PT_LOAD
// segments; the build-id comes from its PT_NOTE segments (note type NT_GNU_BUILD_ID,
// owner "GNU"), read from the loaded image, so no file is opened. The main program has
// an empty name in the loader's list; its path comes from /proc/self/exe.
// A module unloaded with dlclose stays in the cache; report-time lookups of addresses
// in a library loaded later at the same range would get the old name (rare; accepted).
#include "trace/module_lookup.hpp"

#include <elf.h>
#include <link.h>
#include <unistd.h>

#include <cstddef>
#include <cstring>

#include "trace/elf_file.hpp"
#include "trace/permanent_strings.hpp"

namespace osp::trace {
namespace {

constexpr int kMaxCachedModules = 256;
constexpr std::size_t kMaxPathBytes = 4096;

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

struct SearchRequest {
  std::uintptr_t address;
  bool found;
  CachedModule result;
};

const char* read_build_id(const dl_phdr_info* module) noexcept {
  for (int i = 0; i < module->dlpi_phnum; ++i) {
    const ElfW(Phdr)& segment = module->dlpi_phdr[i];
    if (segment.p_type != PT_NOTE) continue;
    const auto* notes = reinterpret_cast<const unsigned char*>(module->dlpi_addr + segment.p_vaddr);
    const std::size_t alignment = segment.p_align == 8 ? 8 : 4;
    char hex[kBuildIdHexBytes];
    if (build_id_from_notes(notes, segment.p_memsz, alignment, hex)) {
      return store_permanent_string(hex);
    }
  }
  return "";
}

const char* module_path(const dl_phdr_info* module) noexcept {
  if (module->dlpi_name != nullptr && module->dlpi_name[0] != '\0') {
    return store_permanent_string(module->dlpi_name);
  }
  char path[kMaxPathBytes];
  const ssize_t length = readlink("/proc/self/exe", path, sizeof(path));
  if (length <= 0 || static_cast<std::size_t>(length) >= sizeof(path)) return "";
  return store_permanent_string(path, static_cast<std::size_t>(length));
}

int visit_module(dl_phdr_info* module, std::size_t, void* argument) {
  auto* request = static_cast<SearchRequest*>(argument);
  std::uintptr_t start = UINTPTR_MAX;
  std::uintptr_t end = 0;
  bool contains = false;
  for (int i = 0; i < module->dlpi_phnum; ++i) {
    const ElfW(Phdr)& segment = module->dlpi_phdr[i];
    if (segment.p_type != PT_LOAD) continue;
    const std::uintptr_t segment_start = module->dlpi_addr + segment.p_vaddr;
    const std::uintptr_t segment_end = segment_start + segment.p_memsz;
    if (segment_start < start) start = segment_start;
    if (segment_end > end) end = segment_end;
    if (request->address >= segment_start && request->address < segment_end) contains = true;
  }
  if (!contains) return 0;
  request->found = true;
  request->result.start = start;
  request->result.end = end;
  request->result.info = {module_path(module), module->dlpi_addr, read_build_id(module)};
  return 1;  // stop iterating
}

}  // namespace

bool find_module(std::uintptr_t address, ModuleInfo& module) noexcept {
  for (int i = 0; i < module_cache.count; ++i) {
    const CachedModule& cached = module_cache.modules[i];
    if (address >= cached.start && address < cached.end) {
      module = cached.info;
      return true;
    }
  }
  SearchRequest request{address, false, {}};
  dl_iterate_phdr(visit_module, &request);
  if (!request.found) return false;
  if (module_cache.count < kMaxCachedModules) {
    module_cache.modules[module_cache.count++] = request.result;
  }
  module = request.result.info;
  return true;
}

}  // namespace osp::trace
