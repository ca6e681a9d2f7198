// The index is one array of extents sorted by start. Function symbols rarely nest, but
// aliases share a start and a `.cold` or local piece may sit inside a bigger symbol, so a
// lookup walks back from the last extent starting at or before the address for as long
// as an earlier extent could still reach it (greatest_end_so_far), and takes the
// smallest extent containing it. Between equal extents the exported name wins (.dynsym,
// then global, weak, local binding), so libc frames read `malloc`, not an internal alias.
#include "trace/function_symbols.hpp"

#include <elf.h>

#include <algorithm>
#include <cstring>

#include "os/os_memory.hpp"
#include "trace/debug_file_lookup.hpp"
#include "trace/elf_file.hpp"

namespace osp::trace {
namespace {

constexpr int kMaxIndexedModules = 256;

unsigned binding_preference(unsigned binding) noexcept {
  switch (binding) {
    case STB_GLOBAL:
      return 0;
    case STB_WEAK:
      return 1;
    default:
      return 2;
  }
}

std::size_t count_functions(const ElfFile& file) noexcept {
  std::size_t count = 0;
  for (int index = 0; index < file.section_count(); ++index) {
    count += file.for_each_function(file.section(index), [](auto, auto, auto, auto) {});
  }
  return count;
}

void add_functions(const ElfFile& file, FunctionSymbolIndex::Extent* extents, std::size_t capacity,
                   std::size_t& count) noexcept {
  for (int index = 0; index < file.section_count(); ++index) {
    const ElfW(Shdr)& table = file.section(index);
    const unsigned table_preference = table.sh_type == SHT_DYNSYM ? 0 : 4;
    file.for_each_function(
        table, [&](std::uintptr_t start, std::uintptr_t size, const char* name, unsigned binding) {
          if (count == capacity) return;
          extents[count++] = {start, start + size, 0, name, table_preference + binding_preference(binding)};
        });
  }
}

bool has_dwarf(const ElfFile& file) noexcept {
  const ElfW(Shdr)* section = file.find_section(".debug_info");
  return section != nullptr && section->sh_type != SHT_NOBITS && section->sh_size > 0;
}

struct IndexedModule {
  const char* path;  // permanent string from module_lookup: compared by pointer
  FunctionSymbolIndex index;
};

struct IndexCache {
  IndexedModule modules[kMaxIndexedModules];
  int count = 0;
};

constinit IndexCache index_cache{};

}  // namespace

void FunctionSymbolIndex::build(const char* module_path, const char* build_id,
                                const char* debug_root) noexcept {
  extents_ = nullptr;
  count_ = 0;
  has_debug_file_ = false;
  has_debug_info_ = false;
  if (module_path == nullptr || module_path[0] == '\0') return;
  if (build_id == nullptr) build_id = "";

  ElfFile module_file;
  if (module_file.open(module_path) && build_id[0] != '\0') {
    // The file on disk was replaced since it was loaded: its symbols would lie.
    char on_disk[kBuildIdHexBytes];
    if (!module_file.build_id(on_disk) || std::strcmp(on_disk, build_id) != 0) module_file.close();
  }
  ElfFile debug_file;
  has_debug_file_ = open_debug_file(module_path, module_file, build_id, debug_root, debug_file);
  has_debug_info_ =
      (module_file.is_open() && has_dwarf(module_file)) || (has_debug_file_ && has_dwarf(debug_file));

  const std::size_t capacity = (module_file.is_open() ? count_functions(module_file) : 0) +
                               (has_debug_file_ ? count_functions(debug_file) : 0);
  if (capacity == 0) return;
  const std::size_t page = os::page_size();
  const std::size_t bytes = (capacity * sizeof(Extent) + page - 1) / page * page;
  auto* extents = static_cast<Extent*>(os::map(bytes, page, false));
  if (extents == nullptr) return;
  std::size_t count = 0;
  if (module_file.is_open()) add_functions(module_file, extents, capacity, count);
  if (has_debug_file_) add_functions(debug_file, extents, capacity, count);

  std::sort(extents, extents + count,
            [](const Extent& left, const Extent& right) { return left.start < right.start; });
  std::uintptr_t greatest_end = 0;
  for (std::size_t index = 0; index < count; ++index) {
    greatest_end = std::max(greatest_end, extents[index].end);
    extents[index].greatest_end_so_far = greatest_end;
  }
  // The names point into the files: they stay mapped from now on.
  if (module_file.is_open()) module_file.keep_mapped();
  if (has_debug_file_) debug_file.keep_mapped();
  extents_ = extents;
  count_ = count;
}

const char* FunctionSymbolIndex::find(std::uintptr_t module_address) const noexcept {
  // The first extent starting after the address; candidates lie before it.
  const Extent* after =
      std::upper_bound(extents_, extents_ + count_, module_address,
                       [](std::uintptr_t address, const Extent& extent) { return address < extent.start; });
  const Extent* best = nullptr;
  for (const Extent* candidate = after; candidate != extents_;) {
    --candidate;
    if (candidate->greatest_end_so_far <= module_address) break;
    if (module_address >= candidate->end) continue;
    const std::uintptr_t size = candidate->end - candidate->start;
    const std::uintptr_t best_size = best == nullptr ? 0 : best->end - best->start;
    if (best == nullptr || size < best_size ||
        (size == best_size && candidate->preference < best->preference)) {
      best = candidate;
    }
  }
  return best == nullptr ? nullptr : best->name;
}

const FunctionSymbolIndex* function_symbols_of(const char* module_path, const char* build_id) noexcept {
  for (int index = 0; index < index_cache.count; ++index) {
    if (index_cache.modules[index].path == module_path) return &index_cache.modules[index].index;
  }
  if (index_cache.count == kMaxIndexedModules) return nullptr;
  IndexedModule& added = index_cache.modules[index_cache.count++];
  added.path = module_path;
  added.index.build(module_path, build_id, nullptr);
  return &added.index;
}

}  // namespace osp::trace
