#include "elf_build_id.hpp"

#include <elf.h>

#include <cstring>
#include <fstream>
#include <vector>

namespace leakview {
namespace {

constexpr std::size_t kMaxNoteBytes = 1 << 16;  // build-id notes are tens of bytes

std::string to_hex(const unsigned char* bytes, std::size_t size) {
    static const char kDigits[] = "0123456789abcdef";
    std::string hex;
    for (std::size_t index = 0; index < size; ++index) {
        hex += kDigits[bytes[index] >> 4];
        hex += kDigits[bytes[index] & 0xf];
    }
    return hex;
}

// Walks the notes of one SHT_NOTE section for NT_GNU_BUILD_ID owned by "GNU".
std::optional<std::string> find_build_id(const std::vector<unsigned char>& notes) {
    std::size_t offset = 0;
    auto align4 = [](std::size_t value) { return (value + 3) & ~std::size_t{3}; };
    while (offset + sizeof(Elf64_Nhdr) <= notes.size()) {
        Elf64_Nhdr header;
        std::memcpy(&header, notes.data() + offset, sizeof header);
        std::size_t name_at = offset + sizeof header;
        std::size_t description_at = name_at + align4(header.n_namesz);
        if (description_at > notes.size() || header.n_descsz > notes.size() - description_at) return std::nullopt;
        if (header.n_type == NT_GNU_BUILD_ID && header.n_namesz == 4 &&
            std::memcmp(notes.data() + name_at, "GNU", 4) == 0)
            return to_hex(notes.data() + description_at, header.n_descsz);
        offset = description_at + align4(header.n_descsz);
    }
    return std::nullopt;
}

template <typename FileHeader, typename SectionHeader>
std::optional<std::string> read_sections(std::ifstream& file) {
    FileHeader header;
    file.seekg(0);
    if (!file.read(reinterpret_cast<char*>(&header), sizeof header)) return std::nullopt;
    if (header.e_shentsize != sizeof(SectionHeader)) return std::nullopt;
    for (unsigned index = 0; index < header.e_shnum; ++index) {
        SectionHeader section;
        file.seekg(static_cast<std::streamoff>(header.e_shoff + index * sizeof section));
        if (!file.read(reinterpret_cast<char*>(&section), sizeof section)) return std::nullopt;
        if (section.sh_type != SHT_NOTE || section.sh_size > kMaxNoteBytes) continue;
        std::vector<unsigned char> notes(section.sh_size);
        file.seekg(static_cast<std::streamoff>(section.sh_offset));
        if (!file.read(reinterpret_cast<char*>(notes.data()), static_cast<std::streamsize>(notes.size()))) continue;
        if (auto build_id = find_build_id(notes)) return build_id;
    }
    return std::nullopt;
}

}  // namespace

std::optional<std::string> read_elf_build_id(const std::string& path) {
    std::ifstream file(path, std::ios::binary);
    unsigned char identification[EI_NIDENT];
    if (!file.read(reinterpret_cast<char*>(identification), EI_NIDENT)) return std::nullopt;
    if (std::memcmp(identification, ELFMAG, SELFMAG) != 0) return std::nullopt;
    if (identification[EI_DATA] != ELFDATA2LSB) return std::nullopt;  // hosts we run on
    if (identification[EI_CLASS] == ELFCLASS64) return read_sections<Elf64_Ehdr, Elf64_Shdr>(file);
    if (identification[EI_CLASS] == ELFCLASS32) return read_sections<Elf32_Ehdr, Elf32_Shdr>(file);
    return std::nullopt;
}

}  // namespace leakview
