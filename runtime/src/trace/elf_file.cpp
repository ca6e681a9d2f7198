// ElfFile: open + fstat + mmap of the whole file (pages are read only when touched, so a
// large debug file costs address space, not memory). A string table is used only when its
// last byte is NUL, so every name taken from it is terminated inside the mapping.
#include "trace/elf_file.hpp"

#include <elf.h>
#include <fcntl.h>
#include <sys/mman.h>
#include <sys/stat.h>
#include <unistd.h>

#include <cstring>

#include "os/raw_format.hpp"

namespace osp::trace {
namespace {

// The file is not trusted: a section header table bigger than this is corrupt.
constexpr int kMaxSections = 1 << 16;

std::size_t align_up(std::size_t value, std::size_t alignment) noexcept {
  return (value + alignment - 1) & ~(alignment - 1);
}

bool range_in_file(std::uint64_t offset, std::uint64_t size, std::size_t file_size) noexcept {
  return offset <= file_size && size <= file_size - offset;
}

// CRC-32 (IEEE 802.3, reflected), as gdb and objcopy compute it for .gnu_debuglink.
std::uint32_t crc32_of(const unsigned char* bytes, std::size_t size) noexcept {
  static constinit std::uint32_t table[256] = {};
  static constinit bool table_ready = false;  // callers hold the symbolizer's lock
  if (!table_ready) {
    for (std::uint32_t index = 0; index < 256; ++index) {
      std::uint32_t value = index;
      for (int bit = 0; bit < 8; ++bit) value = (value & 1) ? 0xedb88320u ^ (value >> 1) : value >> 1;
      table[index] = value;
    }
    table_ready = true;
  }
  std::uint32_t crc = 0xffffffffu;
  for (std::size_t index = 0; index < size; ++index) crc = table[(crc ^ bytes[index]) & 0xff] ^ (crc >> 8);
  return crc ^ 0xffffffffu;
}

}  // namespace

bool build_id_from_notes(const unsigned char* notes, std::size_t size, std::size_t alignment,
                         char* hex) noexcept {
  std::size_t offset = 0;
  while (offset + sizeof(ElfW(Nhdr)) <= size) {
    ElfW(Nhdr) header;
    std::memcpy(&header, notes + offset, sizeof(header));
    const std::size_t name_offset = offset + sizeof(header);
    if (header.n_namesz > size || header.n_descsz > size) break;
    const std::size_t description_offset = name_offset + align_up(header.n_namesz, alignment);
    const std::size_t next_offset = description_offset + align_up(header.n_descsz, alignment);
    if (description_offset > size || header.n_descsz > size - description_offset) break;
    if (header.n_type == NT_GNU_BUILD_ID && header.n_namesz == 4 &&
        std::memcmp(notes + name_offset, "GNU", 4) == 0 && header.n_descsz > 0 &&
        header.n_descsz <= kMaxBuildIdBytes) {
      os::RawFormatBuffer text(hex, kBuildIdHexBytes);
      for (std::size_t i = 0; i < header.n_descsz; ++i) text.append_hex(notes[description_offset + i], 2);
      text.append_char('\0');
      return true;
    }
    if (next_offset <= offset) break;
    offset = next_offset;
  }
  return false;
}

bool ElfFile::open(const char* path) noexcept {
  close();
  kept_ = false;
  const int fd = ::open(path, O_RDONLY | O_CLOEXEC);
  if (fd < 0) return false;
  struct stat status;
  void* mapping = MAP_FAILED;
  if (fstat(fd, &status) == 0 && S_ISREG(status.st_mode) &&
      static_cast<std::size_t>(status.st_size) >= sizeof(ElfW(Ehdr))) {
    mapping = mmap(nullptr, static_cast<std::size_t>(status.st_size), PROT_READ, MAP_PRIVATE, fd, 0);
  }
  ::close(fd);
  if (mapping == MAP_FAILED) return false;
  bytes_ = static_cast<const unsigned char*>(mapping);
  size_ = static_cast<std::size_t>(status.st_size);

  ElfW(Ehdr) header;
  std::memcpy(&header, bytes_, sizeof(header));
  const bool native = std::memcmp(header.e_ident, ELFMAG, SELFMAG) == 0 &&
                      header.e_ident[EI_CLASS] == (sizeof(void*) == 8 ? ELFCLASS64 : ELFCLASS32) &&
                      header.e_ident[EI_DATA] == ELFDATA2LSB;
  const bool table_fits =
      header.e_shentsize == sizeof(ElfW(Shdr)) && header.e_shnum > 0 && header.e_shnum < kMaxSections &&
      header.e_shoff % alignof(ElfW(Shdr)) == 0 &&
      range_in_file(header.e_shoff, std::uint64_t{header.e_shnum} * sizeof(ElfW(Shdr)), size_);
  if (!native || !table_fits) {
    close();
    return false;
  }
  sections_ = reinterpret_cast<const ElfW(Shdr)*>(bytes_ + header.e_shoff);
  section_count_ = header.e_shnum;
  if (header.e_shstrndx < section_count_) {
    const ElfW(Shdr)& names = sections_[header.e_shstrndx];
    const unsigned char* data = section_bytes(names);
    if (data != nullptr && names.sh_size > 0 && data[names.sh_size - 1] == '\0') {
      section_names_ = reinterpret_cast<const char*>(data);
      section_names_size_ = names.sh_size;
    }
  }
  return true;
}

void ElfFile::close() noexcept {
  if (bytes_ != nullptr && !kept_) munmap(const_cast<unsigned char*>(bytes_), size_);
  bytes_ = nullptr;
  size_ = 0;
  sections_ = nullptr;
  section_count_ = 0;
  section_names_ = nullptr;
  section_names_size_ = 0;
}

const char* ElfFile::section_name(const ElfW(Shdr) & section) const noexcept {
  if (section_names_ == nullptr || section.sh_name >= section_names_size_) return "";
  return section_names_ + section.sh_name;
}

const unsigned char* ElfFile::section_bytes(const ElfW(Shdr) & section) const noexcept {
  if (section.sh_type == SHT_NOBITS || !range_in_file(section.sh_offset, section.sh_size, size_)) {
    return nullptr;
  }
  return bytes_ + section.sh_offset;
}

const ElfW(Shdr) * ElfFile::find_section(const char* name) const noexcept {
  for (int index = 0; index < section_count_; ++index) {
    if (std::strcmp(section_name(sections_[index]), name) == 0) return &sections_[index];
  }
  return nullptr;
}

bool ElfFile::build_id(char* hex) const noexcept {
  for (int index = 0; index < section_count_; ++index) {
    const ElfW(Shdr)& section = sections_[index];
    if (section.sh_type != SHT_NOTE) continue;
    const unsigned char* notes = section_bytes(section);
    if (notes == nullptr) continue;
    const std::size_t alignment = section.sh_addralign == 8 ? 8 : 4;
    if (build_id_from_notes(notes, section.sh_size, alignment, hex)) return true;
  }
  return false;
}

bool ElfFile::debuglink(const char*& file_name, std::uint32_t& crc) const noexcept {
  const ElfW(Shdr)* section = find_section(".gnu_debuglink");
  if (section == nullptr) return false;
  const unsigned char* data = section_bytes(*section);
  if (data == nullptr) return false;
  // A NUL-terminated file name, padded to 4 bytes, then the CRC.
  const std::size_t name_length = strnlen(reinterpret_cast<const char*>(data), section->sh_size);
  const std::size_t crc_offset = align_up(name_length + 1, 4);
  if (name_length == 0 || crc_offset + sizeof(crc) > section->sh_size) return false;
  file_name = reinterpret_cast<const char*>(data);
  std::memcpy(&crc, data + crc_offset, sizeof(crc));
  return true;
}

std::uint32_t ElfFile::crc32() const noexcept { return crc32_of(bytes_, size_); }

bool ElfFile::symbol_table_bounds(const ElfW(Shdr) & table, const ElfW(Sym) * &symbols, std::size_t& count,
                                  const char*& names, std::size_t& names_size) const noexcept {
  if (table.sh_type != SHT_SYMTAB && table.sh_type != SHT_DYNSYM) return false;
  if (table.sh_entsize != sizeof(ElfW(Sym)) || table.sh_link >= static_cast<unsigned>(section_count_)) {
    return false;
  }
  const unsigned char* data = section_bytes(table);
  const ElfW(Shdr)& strings = sections_[table.sh_link];
  const unsigned char* string_data = section_bytes(strings);
  if (data == nullptr || string_data == nullptr || strings.sh_size == 0) return false;
  if (reinterpret_cast<std::uintptr_t>(data) % alignof(ElfW(Sym)) != 0) return false;
  if (string_data[strings.sh_size - 1] != '\0') return false;
  symbols = reinterpret_cast<const ElfW(Sym)*>(data);
  count = table.sh_size / sizeof(ElfW(Sym));
  names = reinterpret_cast<const char*>(string_data);
  names_size = strings.sh_size;
  return true;
}

}  // namespace osp::trace
