// Symbolizes frames of snapshots written with symbolize=0. Another process's addresses
// cannot be symbolized in-process, so this runs `addr2line -f -C -e <module>` on the
// module's file, one batch per module, and only when the file on disk has the build id
// the snapshot recorded (an empty or different build id means "not the same binary": the
// frames stay as module+offset). Results are cached per (module, offset).
#pragma once

#include <cstdint>
#include <map>
#include <optional>
#include <string>
#include <utility>

#include "snapshot.hpp"

namespace leakview {

class OfflineSymbolizer {
public:
    explicit OfflineSymbolizer(std::string addr2line = "addr2line") : addr2line_(std::move(addr2line)) {}

    // Fills function/file/line of frames that lack a function, where possible.
    // Returns how many frames were symbolized.
    std::size_t symbolize(Snapshot& snapshot);

private:
    struct Symbol {
        std::optional<std::string> function, file;
        std::optional<std::uint64_t> line;
    };
    bool module_matches(const std::string& path, const std::string& build_id);
    void resolve(const std::string& module, const std::vector<std::uint64_t>& offsets);

    std::string addr2line_;
    std::map<std::pair<std::string, std::string>, bool> module_checked_;  // (path, build id)
    std::map<std::pair<std::string, std::uint64_t>, Symbol> cache_;
};

}  // namespace leakview
