// A little-endian ELF file on disk (32- or 64-bit) read through its section table: the
// shared reader under elf_build_id and elf_symbols. Every offset from the file is checked
// against its size, so a truncated or corrupt file reads as "no such section".
#pragma once

#include <cstdint>
#include <fstream>
#include <optional>
#include <string>
#include <vector>

namespace leakview {

struct ElfSection {
    std::string name;
    std::uint32_t type = 0;
    std::uint32_t link = 0;
    std::uint64_t offset = 0, size = 0, entry_size = 0, address_alignment = 0;
};

class ElfFile {
public:
    // False when the file cannot be read or is not a little-endian ELF file.
    bool open(const std::string& path);
    bool is_64_bit() const { return is_64_bit_; }
    const std::vector<ElfSection>& sections() const { return sections_; }
    const ElfSection* find(const std::string& name) const;
    // The section's bytes; nullopt when it has none in the file or is bigger than `max_bytes`.
    std::optional<std::string> read(const ElfSection& section, std::uint64_t max_bytes = 1ull << 30);

private:
    template <typename FileHeader, typename SectionHeader>
    bool read_section_table();

    std::ifstream file_;
    std::uint64_t file_size_ = 0;
    bool is_64_bit_ = false;
    std::vector<ElfSection> sections_;
};

}  // namespace leakview
