// Reads the GNU build id of an ELF file on disk, to make sure a module found on this
// machine is the very build a snapshot's addresses came from before symbolizing with it.
#pragma once

#include <optional>
#include <string>

namespace leakview {

// Lowercase hex build id; nullopt when the file is unreadable, not ELF, or has none.
std::optional<std::string> read_elf_build_id(const std::string& path);

}  // namespace leakview
