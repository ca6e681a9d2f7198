// A read-only view of an ELF file on disk, for the symbolizer: sections, symbol tables,
// the GNU build-id and .gnu_debuglink. The file is mapped with mmap, so reading it takes
// nothing from any heap. Every offset and size read from the file is checked against the
// file's length: a truncated or corrupt file gives "no such section", never a read out of
// bounds. Native ELF class and byte order only (the files of the running process).
#pragma once

#include <elf.h>
#include <link.h>

#include <cstddef>
#include <cstdint>

namespace osp::trace {

// Build-ids are 20 bytes (SHA-1) in practice; longer ones are not ours to trust.
constexpr std::size_t kMaxBuildIdBytes = 64;
constexpr std::size_t kBuildIdHexBytes = 2 * kMaxBuildIdBytes + 1;

// Finds an NT_GNU_BUILD_ID note owned by "GNU" in a block of notes and writes it as
// NUL-terminated lower-case hex to `hex` (kBuildIdHexBytes). False when there is none.
bool build_id_from_notes(const unsigned char* notes, std::size_t size, std::size_t alignment,
                         char* hex) noexcept;

class ElfFile {
 public:
  ElfFile() = default;
  ElfFile(const ElfFile&) = delete;
  ElfFile& operator=(const ElfFile&) = delete;
  ~ElfFile() { close(); }

  // Maps `path`. False (and nothing mapped) when it cannot be read or is not an ELF file
  // of the native class and byte order with a valid section header table.
  bool open(const char* path) noexcept;
  void close() noexcept;
  bool is_open() const noexcept { return bytes_ != nullptr; }

  // Hands the mapping over for the rest of the process: close() and the destructor leave
  // it mapped, so pointers into the file (symbol names) stay valid.
  void keep_mapped() noexcept { kept_ = true; }

  int section_count() const noexcept { return section_count_; }
  const ElfW(Shdr) & section(int index) const noexcept { return sections_[index]; }
  // The section's name, "" when its name lies outside the section name table.
  const char* section_name(const ElfW(Shdr) & section) const noexcept;
  // The section's bytes in the file; nullptr when it has none there (SHT_NOBITS) or they
  // would lie past the end of the file.
  const unsigned char* section_bytes(const ElfW(Shdr) & section) const noexcept;
  const ElfW(Shdr) * find_section(const char* name) const noexcept;

  // The GNU build-id from the file's SHT_NOTE sections (see build_id_from_notes).
  bool build_id(char* hex) const noexcept;
  // The file name and CRC-32 recorded by `objcopy --add-gnu-debuglink`.
  bool debuglink(const char*& file_name, std::uint32_t& crc) const noexcept;
  // CRC-32 of the whole file, the checksum .gnu_debuglink records.
  std::uint32_t crc32() const noexcept;

  // Calls visit(start, size, name, binding) for every defined function symbol (STT_FUNC or
  // STT_GNU_IFUNC, size > 0) of a SHT_SYMTAB or SHT_DYNSYM section; data, section and file
  // symbols are never visited. Returns how many were visited.
  template <typename Visitor>
  std::size_t for_each_function(const ElfW(Shdr) & table, Visitor&& visit) const noexcept;

 private:
  bool symbol_table_bounds(const ElfW(Shdr) & table, const ElfW(Sym) * &symbols, std::size_t& count,
                           const char*& names, std::size_t& names_size) const noexcept;

  const unsigned char* bytes_ = nullptr;
  std::size_t size_ = 0;
  const ElfW(Shdr) * sections_ = nullptr;
  int section_count_ = 0;
  const char* section_names_ = nullptr;
  std::size_t section_names_size_ = 0;
  bool kept_ = false;
};

template <typename Visitor>
std::size_t ElfFile::for_each_function(const ElfW(Shdr) & table, Visitor&& visit) const noexcept {
  const ElfW(Sym)* symbols = nullptr;
  std::size_t count = 0;
  const char* names = nullptr;
  std::size_t names_size = 0;
  if (!symbol_table_bounds(table, symbols, count, names, names_size)) return 0;
  std::size_t visited = 0;
  for (std::size_t index = 0; index < count; ++index) {
    const ElfW(Sym)& symbol = symbols[index];
    const unsigned type = ELF64_ST_TYPE(symbol.st_info);
    if (type != STT_FUNC && type != STT_GNU_IFUNC) continue;
    if (symbol.st_shndx == SHN_UNDEF || symbol.st_size == 0) continue;
    if (symbol.st_name == 0 || symbol.st_name >= names_size) continue;
    if (symbol.st_value + symbol.st_size < symbol.st_value) continue;  // wraps around
    visit(static_cast<std::uintptr_t>(symbol.st_value), static_cast<std::uintptr_t>(symbol.st_size),
          names + symbol.st_name, static_cast<unsigned>(ELF64_ST_BIND(symbol.st_info)));
    ++visited;
  }
  return visited;
}

}  // namespace osp::trace
