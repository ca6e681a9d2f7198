#include "snapshot_inputs.hpp"

#include <algorithm>
#include <cctype>
#include <filesystem>

#include "path_glob.hpp"
#include "snapshot.hpp"

namespace leakview {
namespace {

bool is_glob_pattern(const std::string& text) { return text.find_first_of("*?[") != std::string::npos; }

std::string name_shape(const std::string& path) {
    std::string shape;
    for (char character : path) {
        if (std::isdigit(static_cast<unsigned char>(character))) {
            if (shape.empty() || shape.back() != '#') shape += '#';
        } else {
            shape += character;
        }
    }
    return shape;
}

}  // namespace

std::vector<std::string> expand_snapshot_argument(const std::string& argument) {
    std::vector<std::string> files;
    std::error_code status;
    if (std::filesystem::is_directory(argument, status)) {
        for (const auto& entry : std::filesystem::recursive_directory_iterator(argument, status))
            if (entry.is_regular_file() && entry.path().extension() == ".json") files.push_back(entry.path().string());
        if (status) throw InputError(argument, "open", status.message());
        if (files.empty()) throw InputError(argument, "open", "no snapshots (*.json) found in this folder or below");
        std::sort(files.begin(), files.end());
        return files;
    }
    if (!is_glob_pattern(argument) || std::filesystem::exists(argument, status)) return {argument};
    files = glob_paths(argument);
    if (files.empty()) throw InputError(argument, "open", "no snapshots match this pattern");
    return files;
}

std::vector<std::string> expand_snapshot_arguments(const std::vector<std::string>& arguments) {
    std::vector<std::string> files;
    for (const auto& argument : arguments)
        for (auto& file : expand_snapshot_argument(argument)) files.push_back(std::move(file));
    return files;
}

std::optional<std::size_t> split_expanded_globs(const std::vector<std::string>& names) {
    std::vector<std::size_t> group_starts = {0};
    for (std::size_t index = 1; index < names.size(); ++index)
        if (name_shape(names[index]) != name_shape(names[index - 1])) group_starts.push_back(index);
    if (group_starts.size() == 2) return group_starts[1];
    if (group_starts.size() == 1 && names.size() == 2) return 1;  // --baseline base.json next.json
    return std::nullopt;
}

}  // namespace leakview
