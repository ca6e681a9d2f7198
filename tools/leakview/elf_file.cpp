#include "elf_file.hpp"

#include <elf.h>

#include <cstring>

namespace leakview {
namespace {

constexpr std::uint64_t kMaxSections = 1 << 16;

}  // namespace

bool ElfFile::open(const std::string& path) {
    sections_.clear();
    file_.open(path, std::ios::binary);
    if (!file_) return false;
    file_.seekg(0, std::ios::end);
    file_size_ = static_cast<std::uint64_t>(file_.tellg());
    file_.seekg(0);
    unsigned char identification[EI_NIDENT];
    if (!file_.read(reinterpret_cast<char*>(identification), EI_NIDENT)) return false;
    if (std::memcmp(identification, ELFMAG, SELFMAG) != 0) return false;
    if (identification[EI_DATA] != ELFDATA2LSB) return false;  // the hosts the runtime supports
    is_64_bit_ = identification[EI_CLASS] == ELFCLASS64;
    if (is_64_bit_) return read_section_table<Elf64_Ehdr, Elf64_Shdr>();
    if (identification[EI_CLASS] == ELFCLASS32) return read_section_table<Elf32_Ehdr, Elf32_Shdr>();
    return false;
}

template <typename FileHeader, typename SectionHeader>
bool ElfFile::read_section_table() {
    FileHeader header;
    file_.seekg(0);
    if (!file_.read(reinterpret_cast<char*>(&header), sizeof header)) return false;
    if (header.e_shentsize != sizeof(SectionHeader) || header.e_shnum == 0 || header.e_shnum > kMaxSections) return false;
    const std::uint64_t table_bytes = std::uint64_t{header.e_shnum} * sizeof(SectionHeader);
    if (header.e_shoff > file_size_ || table_bytes > file_size_ - header.e_shoff) return false;
    std::vector<SectionHeader> headers(header.e_shnum);
    file_.seekg(static_cast<std::streamoff>(header.e_shoff));
    if (!file_.read(reinterpret_cast<char*>(headers.data()), static_cast<std::streamsize>(table_bytes))) return false;
    for (const auto& section : headers) {
        ElfSection entry;
        entry.type = section.sh_type;
        entry.link = section.sh_link;
        entry.offset = section.sh_offset;
        entry.size = section.sh_size;
        entry.entry_size = section.sh_entsize;
        entry.address_alignment = section.sh_addralign;
        sections_.push_back(entry);
    }
    if (header.e_shstrndx < sections_.size()) {
        if (auto names = read(sections_[header.e_shstrndx], 1 << 24)) {
            for (std::size_t index = 0; index < headers.size(); ++index) {
                const std::uint64_t at = headers[index].sh_name;
                if (at < names->size()) sections_[index].name = names->c_str() + at;
            }
        }
    }
    return true;
}

const ElfSection* ElfFile::find(const std::string& name) const {
    for (const auto& section : sections_)
        if (section.name == name) return &section;
    return nullptr;
}

std::optional<std::string> ElfFile::read(const ElfSection& section, std::uint64_t max_bytes) {
    if (section.type == SHT_NOBITS || section.size > max_bytes) return std::nullopt;
    if (section.offset > file_size_ || section.size > file_size_ - section.offset) return std::nullopt;
    std::string bytes(section.size, '\0');
    file_.clear();
    file_.seekg(static_cast<std::streamoff>(section.offset));
    if (!file_.read(bytes.data(), static_cast<std::streamsize>(bytes.size()))) return std::nullopt;
    return bytes;
}

}  // namespace leakview
