// dl_iterate_phdr walk (see module_table.hpp). The dynamic linker is recognised by its
// load base (AT_BASE in the auxiliary vector); the runtime by containing this file's code.
#include "report/module_table.hpp"

#include <elf.h>
#include <link.h>
#include <sys/auxv.h>
#include <unistd.h>

#include <cstring>

namespace osp::report {

struct ModuleCollector {
  ModuleTable* table;
  std::uintptr_t runtime_address;
  std::uintptr_t dynamic_linker_base;
  bool failed;

  static void copy_build_id(const dl_phdr_info& info, const ElfW(Phdr)& header, char* out) {
    auto cursor = info.dlpi_addr + header.p_vaddr;
    const auto end = cursor + header.p_memsz;
    // Notes are padded to their segment's alignment: 4, or 8 for some property notes.
    const std::uintptr_t padding = header.p_align == 8 ? 7 : 3;
    while (cursor + sizeof(ElfW(Nhdr)) <= end) {
      const auto* note = reinterpret_cast<const ElfW(Nhdr)*>(cursor);
      const auto name_bytes = (note->n_namesz + padding) & ~padding;
      const auto description_bytes = (note->n_descsz + padding) & ~padding;
      const auto* name = reinterpret_cast<const char*>(cursor + sizeof(ElfW(Nhdr)));
      const auto* description = reinterpret_cast<const unsigned char*>(name + name_bytes);
      if (note->n_type == NT_GNU_BUILD_ID && note->n_namesz == 4 &&
          std::memcmp(name, "GNU", 4) == 0 && note->n_descsz <= 20) {
        for (unsigned index = 0; index < note->n_descsz; ++index) {
          out[2 * index] = "0123456789abcdef"[description[index] >> 4];
          out[2 * index + 1] = "0123456789abcdef"[description[index] & 0xf];
        }
        out[2 * note->n_descsz] = '\0';
        return;
      }
      cursor += sizeof(ElfW(Nhdr)) + name_bytes + description_bytes;
    }
  }

  static const char* copy_path(ScratchArena& arena, const char* name, bool first) {
    char executable[4096];
    if (first || name == nullptr || name[0] == '\0') {
      ssize_t length = ::readlink("/proc/self/exe", executable, sizeof executable - 1);
      if (length <= 0) return "";
      executable[length] = '\0';
      name = executable;
    }
    std::size_t length = std::strlen(name);
    char* copy = arena.allocate_array<char>(length + 1);
    if (copy == nullptr) return "";
    std::memcpy(copy, name, length + 1);
    return copy;
  }

  int add(const dl_phdr_info& info) {
    ModuleTable& modules = *table;
    ScratchArena& arena = *modules.arena_;
    const bool first = modules.module_count_ == 0;
    // Entries without a name besides the executable are the vDSO: no data, no frames.
    if (!first && (info.dlpi_name == nullptr || info.dlpi_name[0] == '\0')) return 0;
    if (!arena.make_room(modules.modules_, modules.module_count_, modules.module_capacity_)) {
      failed = true;
      return 1;
    }
    const std::size_t index = modules.module_count_;
    LoadedModule module = {};
    module.base = info.dlpi_addr;
    module.low = ~std::uintptr_t{0};
    for (int header_index = 0; header_index < info.dlpi_phnum; ++header_index) {
      const ElfW(Phdr)& header = info.dlpi_phdr[header_index];
      if (header.p_type == PT_NOTE && module.build_id[0] == '\0') {
        copy_build_id(info, header, module.build_id);
      }
      if (header.p_type != PT_LOAD) continue;
      const std::uintptr_t start = info.dlpi_addr + header.p_vaddr;
      const std::uintptr_t end = start + header.p_memsz;
      if (start < module.low) module.low = start;
      if (end > module.high) module.high = end;
      if ((header.p_flags & PF_W) == 0) continue;
      if (!arena.make_room(modules.segments_, modules.segment_count_, modules.segment_capacity_)) {
        failed = true;
        return 1;
      }
      modules.segments_[modules.segment_count_++] = {start, end, index};
    }
    module.is_dynamic_linker = dynamic_linker_base != 0 && info.dlpi_addr == dynamic_linker_base;
    // Statically linked, the runtime is part of the executable: its data stays a root.
    module.is_runtime = !first && runtime_address >= module.low && runtime_address < module.high;
    module.path = copy_path(arena, info.dlpi_name, first);
    modules.modules_[index] = module;
    modules.module_count_ = index + 1;
    return 0;
  }
};

namespace {

int collect_module(dl_phdr_info* info, std::size_t, void* raw) {
  return static_cast<ModuleCollector*>(raw)->add(*info);
}

}  // namespace

bool ModuleTable::load(ScratchArena& arena) noexcept {
  arena_ = &arena;
  ModuleCollector collector{this, reinterpret_cast<std::uintptr_t>(&collect_module),
                            static_cast<std::uintptr_t>(getauxval(AT_BASE)), false};
  dl_iterate_phdr(collect_module, &collector);
  return !collector.failed && module_count_ != 0;
}

const LoadedModule* ModuleTable::find(std::uintptr_t address) const noexcept {
  for (std::size_t index = 0; index < module_count_; ++index) {
    if (address >= modules_[index].low && address < modules_[index].high) return &modules_[index];
  }
  return nullptr;
}

bool ModuleTable::in_dynamic_linker(std::uintptr_t address) const noexcept {
  const LoadedModule* module = find(address);
  return module != nullptr && module->is_dynamic_linker;
}

}  // namespace osp::report
