// Patterns on Windows (see path_glob.hpp), where there is no glob(3): the wildcards may be
// in the last path component only ("snapshots\leaks.*.json"); the folder before it is
// listed and each name matched with the suppressions' glob_matches.
#include <algorithm>
#include <filesystem>

#include "path_glob.hpp"
#include "suppressions.hpp"

namespace leakview {

std::vector<std::string> glob_paths(const std::string& pattern) {
    std::vector<std::string> files;
    const std::filesystem::path whole(pattern);
    const std::filesystem::path folder = whole.has_parent_path() ? whole.parent_path() : std::filesystem::path(".");
    const std::string name_pattern = whole.filename().string();
    std::error_code status;
    for (const auto& entry : std::filesystem::directory_iterator(folder, status)) {
        if (!entry.is_regular_file()) continue;
        const std::string name = entry.path().filename().string();
        if (glob_matches(name_pattern, name))
            files.push_back(whole.has_parent_path() ? (folder / name).string() : name);
    }
    std::sort(files.begin(), files.end());
    return files;
}

}  // namespace leakview
