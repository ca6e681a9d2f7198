// Reading a snapshot file: bytes, JSON syntax, the format tag and the version, then the
// reader for that version. New versions add a reader to kReaders; old ones stay.
#include "snapshot.hpp"

#include <algorithm>
#include <cerrno>
#include <cstring>
#include <filesystem>
#include <fstream>
#include <sstream>

#include <nlohmann/json.hpp>

#include "checked_json.hpp"
#include "snapshot_reader_v1.hpp"

namespace leakview {
namespace {

using VersionReader = Snapshot (*)(const CheckedJson& root);

struct VersionEntry {
    int version;
    VersionReader read;
};

constexpr VersionEntry kReaders[] = {
    {1, read_snapshot_v1},
};

// "line 3, column 14" for a 1-based byte offset as nlohmann reports it.
std::string text_position(const std::string& text, std::size_t byte) {
    std::size_t end = std::min(byte == 0 ? 0 : byte - 1, text.size());
    std::size_t line = 1, column = 1;
    for (std::size_t index = 0; index < end; ++index) {
        if (text[index] == '\n') {
            ++line;
            column = 1;
        } else {
            ++column;
        }
    }
    return "line " + std::to_string(line) + ", column " + std::to_string(column);
}

std::string syntax_problem(const std::string& text, const nlohmann::json::parse_error& error) {
    if (text.find_first_not_of(" \t\r\n") == std::string::npos) return "empty file, not JSON";
    std::string detail = error.what();
    bool at_end = error.byte > text.size() ||
                  (error.byte >= text.size() && detail.find("unexpected end of input") != std::string::npos);
    if (at_end)
        return "JSON ends early (truncated file?)";
    // nlohmann's text: "[json.exception.parse_error.101] parse error at line 1, column 2: <why>"
    auto reason = detail.find(": ", detail.find("parse error"));
    return "not valid JSON: " + (reason == std::string::npos ? detail : detail.substr(reason + 2));
}

}  // namespace

InputError::InputError(std::string file, std::string where, std::string problem)
    : std::runtime_error(file + ": " + where + ": " + problem),
      file_(std::move(file)),
      where_(std::move(where)),
      problem_(std::move(problem)) {}

const char* to_string(LeakKind kind) {
    switch (kind) {
        case LeakKind::definite: return "definite";
        case LeakKind::indirect: return "indirect";
        case LeakKind::possible: return "possible";
        case LeakKind::reachable: return "reachable";
    }
    return "definite";
}

std::optional<LeakKind> leak_kind_from_string(const std::string& text) {
    for (auto kind : kAllLeakKinds)
        if (text == to_string(kind)) return kind;
    return std::nullopt;
}

std::string format_address(std::uint64_t address) {
    std::ostringstream out;
    out << "0x" << std::hex << address;
    return out.str();
}

void sort_leaks(std::vector<LeakSite>& leaks) {
    std::stable_sort(leaks.begin(), leaks.end(), [](const LeakSite& a, const LeakSite& b) {
        if (a.bytes != b.bytes) return a.bytes > b.bytes;
        return a.key < b.key;
    });
}

Snapshot parse_snapshot_text(const std::string& text, const std::string& display_name) {
    nlohmann::json document;
    try {
        document = nlohmann::json::parse(text);
    } catch (const nlohmann::json::parse_error& error) {
        throw InputError(display_name, text_position(text, error.byte), syntax_problem(text, error));
    }
    CheckedJson root(document, "$", display_name);
    if (!document.is_object()) root.fail("expected an osp leak snapshot (a JSON object)");
    auto format = root.optional_member("format");
    if (!format || !format->raw().is_string() || format->raw() != "osp-leak-snapshot")
        root.fail("not an osp leak snapshot (\"format\" must be \"osp-leak-snapshot\")");
    auto version_field = root.member("version");
    std::int64_t version = version_field.as_integer();
    for (const auto& entry : kReaders)
        if (entry.version == version) {
            Snapshot snapshot = entry.read(root);
            snapshot.source = display_name;
            snapshot.version = entry.version;
            return snapshot;
        }
    if (version > kNewestSnapshotVersion)
        version_field.fail("snapshot version " + std::to_string(version) +
                           " is newer than this osp-leakview understands (up to " +
                           std::to_string(kNewestSnapshotVersion) + "); update osp-leakview");
    version_field.fail("unknown snapshot version " + std::to_string(version));
}

Snapshot load_snapshot_file(const std::string& path) {
    std::error_code status;
    if (std::filesystem::is_directory(path, status)) throw InputError(path, "open", "is a directory");
    std::ifstream stream(path, std::ios::binary);
    if (!stream) throw InputError(path, "open", std::strerror(errno));
    std::ostringstream contents;
    contents << stream.rdbuf();
    if (stream.bad()) throw InputError(path, "read", std::strerror(errno));
    return parse_snapshot_text(contents.str(), path);
}

}  // namespace leakview
