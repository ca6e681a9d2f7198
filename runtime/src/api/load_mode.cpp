// Tells linked from preloaded (see load_mode.hpp) from the ELF program headers the loader
// keeps in memory. Every address read is checked to lie in a loaded segment of its module
// first: the dynamic sections of some modules (the vDSO) hold unrelocated values.
#include "api/load_mode.hpp"

#include <elf.h>
#include <link.h>

#include <cstdint>
#include <cstring>

namespace osp::api {
namespace {

bool in_loaded_segment(const dl_phdr_info& info, std::uintptr_t address, std::size_t bytes) {
  for (int index = 0; index < info.dlpi_phnum; ++index) {
    const ElfW(Phdr)& header = info.dlpi_phdr[index];
    if (header.p_type != PT_LOAD) continue;
    const std::uintptr_t start = info.dlpi_addr + header.p_vaddr;
    if (address >= start && bytes <= header.p_memsz && address - start <= header.p_memsz - bytes) {
      return true;
    }
  }
  return false;
}

// A d_ptr value of the dynamic section: relocated in place by the loader for most
// modules, left as an offset from the load address for others.
std::uintptr_t dynamic_address(const dl_phdr_info& info, ElfW(Addr) value) {
  return value < info.dlpi_addr ? info.dlpi_addr + value : value;
}

// Calls visit(name) for each DT_NEEDED (needed=true) or the DT_SONAME entry of a module;
// stops when visit returns true. Returns whether it did.
template <typename Visit>
bool visit_dynamic_names(const dl_phdr_info& info, bool needed, Visit visit) {
  const ElfW(Dyn)* dynamic = nullptr;
  std::size_t dynamic_bytes = 0;
  for (int index = 0; index < info.dlpi_phnum; ++index) {
    if (info.dlpi_phdr[index].p_type == PT_DYNAMIC) {
      dynamic = reinterpret_cast<const ElfW(Dyn)*>(info.dlpi_addr + info.dlpi_phdr[index].p_vaddr);
      dynamic_bytes = info.dlpi_phdr[index].p_memsz;
    }
  }
  if (dynamic == nullptr ||
      !in_loaded_segment(info, reinterpret_cast<std::uintptr_t>(dynamic), dynamic_bytes)) {
    return false;
  }
  const std::size_t count = dynamic_bytes / sizeof(ElfW(Dyn));
  std::uintptr_t strings = 0;
  std::size_t string_bytes = 0;
  for (std::size_t index = 0; index < count && dynamic[index].d_tag != DT_NULL; ++index) {
    if (dynamic[index].d_tag == DT_STRTAB) strings = dynamic_address(info, dynamic[index].d_un.d_ptr);
    if (dynamic[index].d_tag == DT_STRSZ) string_bytes = dynamic[index].d_un.d_val;
  }
  if (strings == 0 || string_bytes == 0 || !in_loaded_segment(info, strings, string_bytes)) {
    return false;
  }
  const char* table = reinterpret_cast<const char*>(strings);
  const ElfW(Sxword) wanted = needed ? DT_NEEDED : DT_SONAME;
  for (std::size_t index = 0; index < count && dynamic[index].d_tag != DT_NULL; ++index) {
    if (dynamic[index].d_tag != wanted) continue;
    const std::size_t offset = dynamic[index].d_un.d_val;
    if (offset >= string_bytes || std::memchr(table + offset, '\0', string_bytes - offset) == nullptr) {
      continue;
    }
    if (visit(table + offset)) return true;
  }
  return false;
}

struct Search {
  std::uintptr_t own_code;  // an address inside libospdebug
  int module_index = 0;     // the loader lists the main executable first
  bool in_main_executable = false;
  const char* own_soname = nullptr;  // points into libospdebug's own string table
  bool needed_by_main = false;
};

// First pass: where libospdebug is, and its soname.
int find_own_module(dl_phdr_info* info, std::size_t, void* raw) {
  auto* search = static_cast<Search*>(raw);
  const bool main_executable = search->module_index++ == 0;
  if (!in_loaded_segment(*info, search->own_code, 1)) return 0;
  search->in_main_executable = main_executable;
  visit_dynamic_names(*info, false, [&](const char* name) {
    search->own_soname = name;
    return true;
  });
  return 1;
}

// Second pass: does the main executable need that soname?
int check_main_needs(dl_phdr_info* info, std::size_t, void* raw) {
  auto* search = static_cast<Search*>(raw);
  search->needed_by_main = visit_dynamic_names(
      *info, true, [&](const char* name) { return std::strcmp(name, search->own_soname) == 0; });
  return 1;  // the main executable only
}

}  // namespace

LoadMode libospdebug_load_mode() noexcept {
  Search search{};
  search.own_code = reinterpret_cast<std::uintptr_t>(&libospdebug_load_mode);
  dl_iterate_phdr(find_own_module, &search);
  if (search.in_main_executable) return LoadMode::Linked;
  if (search.own_soname == nullptr) return LoadMode::Preloaded;
  dl_iterate_phdr(check_main_needs, &search);
  return search.needed_by_main ? LoadMode::Linked : LoadMode::Preloaded;
}

}  // namespace osp::api
