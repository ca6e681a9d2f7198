// Symbolizes frames of snapshots written with symbolize=0, only with files of the very build
// the snapshot recorded (the module on disk must have the recorded build id; an empty or
// different one means "not the same binary": the frames stay as module+offset).
// Names follow the runtime's rule: a frame is named after the function symbol whose extent
// contains its address, from the module's .symtab/.dynsym and its separate debug file
// (elf_symbols), never after the nearest symbol or a data object. File and line come from
// the debug information through `addr2line -a -i -e <debug file or module>`, one batch per
// module: the line in the outermost function of an inlined chain, as the runtime reports.
// Results are cached per (module, offset).
#pragma once

#include <cstdint>
#include <map>
#include <optional>
#include <string>
#include <utility>
#include <vector>

#include "elf_symbols.hpp"
#include "snapshot.hpp"

namespace leakview {

class OfflineSymbolizer {
public:
    // `debug_roots`: where separate debug files are looked up (gdb's debug-file-directory).
    explicit OfflineSymbolizer(std::vector<std::string> debug_roots = {"/usr/lib/debug"},
                               std::string addr2line = "addr2line")
        : addr2line_(std::move(addr2line)), debug_roots_(std::move(debug_roots)) {}

    // Fills function/file/line of frames that lack a function, where possible.
    // Returns how many frames were symbolized.
    std::size_t symbolize(Snapshot& snapshot);

private:
    struct Symbol {
        std::optional<std::string> function, file;
        std::optional<std::uint64_t> line;
    };
    struct ModuleFiles {
        FunctionSymbols functions;
        std::string line_source;  // the debug file when there is one, else the module
    };
    bool module_matches(const std::string& path, const std::string& build_id);
    ModuleFiles& files_of(const std::string& module, const std::string& build_id);
    void resolve(const std::string& module, const std::string& build_id, const std::vector<std::uint64_t>& offsets);

    std::string addr2line_;
    std::vector<std::string> debug_roots_;
    std::map<std::string, ModuleFiles> files_;
    std::map<std::pair<std::string, std::string>, bool> module_checked_;  // (path, build id)
    std::map<std::pair<std::string, std::uint64_t>, Symbol> cache_;
};

}  // namespace leakview
