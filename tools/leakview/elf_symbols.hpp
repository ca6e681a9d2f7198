// Function symbols of ELF files on disk and the separate debug files that go with them, for
// naming frames of snapshots written with symbolize=0. The rule is the runtime's: a frame
// is named after a function symbol (STT_FUNC or STT_GNU_IFUNC) only when its address lies
// in [st_value, st_value + st_size); data objects and sizeless symbols never name a frame.
// Debug files are looked up as gdb does and Debian's -dbgsym packages install them:
// <root>/.build-id/xx/yyyy.debug, then by .gnu_debuglink next to the module, in its .debug/
// directory and under <root>/<module directory>/, and used only when their build id equals
// the module's.
#pragma once

#include <cstdint>
#include <optional>
#include <string>
#include <vector>

namespace leakview {

class FunctionSymbols {
public:
    // Adds the function symbols of every symbol table (.symtab, .dynsym) of the ELF file at
    // `path`; false when it cannot be read as ELF (nothing is added then).
    bool add_file(const std::string& path);

    // The (mangled) name of the smallest function symbol containing `address`, an address
    // in the module's own ELF address space; nullopt when none contains it.
    std::optional<std::string> find(std::uint64_t address);

    std::size_t size() const { return symbols_.size(); }

private:
    struct Symbol {
        std::uint64_t start, end;
        unsigned preference;  // lower wins between symbols of one extent: .dynsym, global
        std::string name;
    };
    void sort();

    std::vector<Symbol> symbols_;
    std::vector<std::uint64_t> greatest_end_so_far_;
    bool sorted_ = true;
};

// The name objcopy --add-gnu-debuglink recorded in the file; nullopt when none.
std::optional<std::string> read_debuglink(const std::string& path);

// The separate debug file of the module at `module_path` whose build id is `build_id`,
// searched under each of `debug_roots` in turn; nullopt when none is found.
std::optional<std::string> find_debug_file(const std::string& module_path, const std::string& build_id,
                                           const std::vector<std::string>& debug_roots);

// The name as displayed: without an ELF symbol version, demangled when it is a C++ name.
std::string display_symbol_name(const std::string& name);

}  // namespace leakview
