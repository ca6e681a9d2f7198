#include "suppressions.hpp"

#include <cerrno>
#include <cstring>
#include <filesystem>
#include <fstream>
#include <sstream>

#include "frames.hpp"

namespace leakview {
namespace {

std::string trim(const std::string& text) {
    auto first = text.find_first_not_of(" \t\r");
    if (first == std::string::npos) return "";
    auto last = text.find_last_not_of(" \t\r");
    return text.substr(first, last - first + 1);
}

bool any_name_matches(const std::string& pattern, const std::string& path) {
    return glob_matches(pattern, path) || glob_matches(pattern, basename_of(path));
}

}  // namespace

// Iterative glob with backtracking to the last star: linear in practice, no recursion.
bool glob_matches(const std::string& pattern, const std::string& text) {
    std::size_t pattern_index = 0, text_index = 0;
    std::size_t star = std::string::npos, star_text = 0;
    while (text_index < text.size()) {
        if (pattern_index < pattern.size() && pattern[pattern_index] == '*') {
            star = pattern_index++;
            star_text = text_index;
        } else if (pattern_index < pattern.size() && pattern[pattern_index] == text[text_index]) {
            ++pattern_index;
            ++text_index;
        } else if (star != std::string::npos) {
            pattern_index = star + 1;
            text_index = ++star_text;
        } else {
            return false;
        }
    }
    while (pattern_index < pattern.size() && pattern[pattern_index] == '*') ++pattern_index;
    return pattern_index == pattern.size();
}

Suppressions Suppressions::parse(const std::string& text, const std::string& display_name) {
    Suppressions result;
    std::istringstream lines(text);
    std::string line;
    std::size_t number = 0;
    while (std::getline(lines, line)) {
        ++number;
        line = trim(line);
        if (line.empty() || line.front() == '#') continue;
        const std::string where = "line " + std::to_string(number);
        auto colon = line.find(':');
        std::string type = colon == std::string::npos ? "" : line.substr(0, colon);
        bool looks_like_type = !type.empty() && type.find_first_not_of("abcdefghijklmnopqrstuvwxyz_") == std::string::npos;
        if (!looks_like_type)
            throw InputError(display_name, where, "expected leak:<pattern>, found \"" + line + "\"");
        if (type != "leak")
            throw InputError(display_name, where, "unknown suppression type \"" + type + "\" (only leak: is supported)");
        std::string pattern = trim(line.substr(colon + 1));
        if (pattern.empty()) throw InputError(display_name, where, "empty pattern after leak:");
        result.entries_.push_back({pattern, number});
    }
    return result;
}

Suppressions Suppressions::load_file(const std::string& path) {
    std::error_code status;
    if (std::filesystem::is_directory(path, status)) throw InputError(path, "open", "is a directory");
    std::ifstream stream(path);
    if (!stream) throw InputError(path, "open", std::strerror(errno));
    std::ostringstream contents;
    contents << stream.rdbuf();
    return parse(contents.str(), path);
}

const Suppression* Suppressions::match(const LeakSite& site) const {
    for (const auto& entry : entries_) {
        if (site.origin && any_name_matches(entry.pattern, site.origin->file)) return &entry;
        for (const auto& frame : site.frames) {
            if (frame.function && glob_matches(entry.pattern, *frame.function)) return &entry;
            if (frame.file && any_name_matches(entry.pattern, *frame.file)) return &entry;
            if (any_name_matches(entry.pattern, frame.module)) return &entry;
        }
    }
    return nullptr;
}

}  // namespace leakview
