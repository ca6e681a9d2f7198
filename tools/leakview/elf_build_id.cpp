#include "elf_build_id.hpp"

#include <elf.h>

#include <cstring>

#include "elf_file.hpp"

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
std::optional<std::string> find_build_id(const std::string& section, std::size_t alignment) {
    const auto* notes = reinterpret_cast<const unsigned char*>(section.data());
    std::size_t offset = 0;
    auto align = [alignment](std::size_t value) { return (value + alignment - 1) & ~(alignment - 1); };
    while (offset + sizeof(Elf64_Nhdr) <= section.size()) {
        Elf64_Nhdr header;
        std::memcpy(&header, notes + offset, sizeof header);
        if (header.n_namesz > section.size() || header.n_descsz > section.size()) return std::nullopt;
        std::size_t name_at = offset + sizeof header;
        std::size_t description_at = name_at + align(header.n_namesz);
        if (description_at > section.size() || header.n_descsz > section.size() - description_at) return std::nullopt;
        if (header.n_type == NT_GNU_BUILD_ID && header.n_namesz == 4 && std::memcmp(notes + name_at, "GNU", 4) == 0)
            return to_hex(notes + description_at, header.n_descsz);
        offset = description_at + align(header.n_descsz);
    }
    return std::nullopt;
}

}  // namespace

std::optional<std::string> read_elf_build_id(const std::string& path) {
    ElfFile file;
    if (!file.open(path)) return std::nullopt;
    for (const auto& section : file.sections()) {
        if (section.type != SHT_NOTE) continue;
        auto notes = file.read(section, kMaxNoteBytes);
        if (!notes) continue;
        if (auto build_id = find_build_id(*notes, section.address_alignment == 8 ? 8 : 4)) return build_id;
    }
    return std::nullopt;
}

}  // namespace leakview
