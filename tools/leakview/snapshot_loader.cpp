// Reading a snapshot file: bytes, JSON syntax, the format tag and the version, then the
// version's reader. The document is parsed with nlohmann's SAX interface; the long arrays
// (leaks, errors, modules) are read element by element as the parser completes each one,
// so a 100 MB snapshot is never held as a JSON tree (docs/leakview.md, "Speed").
//
// Messages are those of one pass over the whole document, in this order: JSON syntax
// anywhere in the file; not an object; format; version; then process, options, totals,
// counters, leaks, errors, modules. So a problem found in an element early is kept, not
// thrown, until the parse has finished and the sections before it have been checked.
#include <cerrno>
#include <cstring>
#include <filesystem>
#include <fstream>
#include <optional>
#include <set>
#include <vector>

#include <nlohmann/json.hpp>

#include "baseline.hpp"
#include "checked_json.hpp"
#include "interned_string.hpp"
#include "snapshot.hpp"
#include "snapshot_reader_v1.hpp"
#include "streamed_document.hpp"

namespace leakview {
namespace {

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

bool says_version_one(const nlohmann::json& tree) {
    if (!tree.is_object()) return false;
    auto format = tree.find("format");
    auto version = tree.find("version");
    return format != tree.end() && *format == "osp-leak-snapshot" && version != tree.end() &&
           version->is_number_integer() && *version == 1;
}

// One of the streamed arrays. Its elements are read as they arrive once the document has
// said it is version 1 (writers put the header first); otherwise they wait, as JSON, for
// the end of the parse.
struct StreamedSection {
    std::vector<nlohmann::json> waiting;
    std::optional<InputError> first_problem;
};

class VersionOneAssembler {
public:
    explicit VersionOneAssembler(const std::string& file) : file_(file) {}

    void start_array(const std::string& name) {
        section(name) = StreamedSection{};
        if (name == "leaks") leaks_.clear(), keys_.clear();
        if (name == "errors") errors_.clear();
        if (name == "modules") modules_.clear();
    }

    void add_element(const std::string& name, std::size_t index, nlohmann::json& element,
                     const nlohmann::json& tree_so_far) {
        StreamedSection& streamed = section(name);
        if (streamed.first_problem) return;
        if (!says_version_one(tree_so_far)) {
            streamed.waiting.push_back(std::move(element));
            return;
        }
        read_element(name, index, element);
    }

    // After a clean parse and the format/version checks on the tree.
    Snapshot finish(const CheckedJson& root) {
        Snapshot snapshot = read_snapshot_header_v1(root);
        for (const char* name : {"leaks", "errors", "modules"}) {
            root.member(name).elements();  // present, and an array
            StreamedSection& streamed = section(name);
            for (std::size_t index = 0; index < streamed.waiting.size() && !streamed.first_problem; ++index)
                read_element(name, index, streamed.waiting[index]);
            if (streamed.first_problem) throw *streamed.first_problem;
        }
        snapshot.leaks = std::move(leaks_);
        // Writers sort; sorting again keeps the tools correct for hand-edited files.
        sort_leaks(snapshot.leaks);
        snapshot.errors = std::move(errors_);
        snapshot.modules = std::move(modules_);
        return snapshot;
    }

private:
    StreamedSection& section(const std::string& name) {
        return name == "leaks" ? leaks_section_ : name == "errors" ? errors_section_ : modules_section_;
    }

    void read_element(const std::string& name, std::size_t index, const nlohmann::json& element) {
        CheckedJson value(element, "$." + name + "[" + std::to_string(index) + "]", file_);
        try {
            if (name == "leaks") {
                leaks_.push_back(read_leak_site_v1(value, names_));
                if (!keys_.insert(leaks_.back().key).second)
                    value.member("key").fail("duplicate site key " + leaks_.back().key);
            } else if (name == "errors") {
                errors_.push_back(read_error_v1(value, names_));
            } else {
                modules_.push_back(read_module_v1(value));
            }
        } catch (const InputError& problem) {
            section(name).first_problem = problem;
        }
    }

    const std::string& file_;
    StringInterner names_;
    StreamedSection leaks_section_, errors_section_, modules_section_;
    std::vector<LeakSite> leaks_;
    std::set<std::string> keys_;
    std::vector<ErrorReport> errors_;
    std::vector<Module> modules_;
};

}  // namespace

Snapshot parse_snapshot_text(const std::string& text, const std::string& display_name) {
    VersionOneAssembler assembler(display_name);
    StreamedDocument document(
        {"leaks", "errors", "modules"}, [&](const std::string& name) { assembler.start_array(name); },
        [&](const std::string& name, std::size_t index, nlohmann::json& element) {
            assembler.add_element(name, index, element, document.tree());
        });
    try {
        document.parse(text);
    } catch (const nlohmann::json::parse_error& error) {
        throw InputError(display_name, text_position(text, error.byte), syntax_problem(text, error));
    }
    const nlohmann::json& tree = document.tree();
    CheckedJson root(tree, "$", display_name);
    if (!tree.is_object()) root.fail("expected an osp leak snapshot (a JSON object)");
    auto format = root.optional_member("format");
    if (format && format->raw().is_string() && format->raw() == kBaselineFormat) return parse_baseline(root, display_name);
    if (!format || !format->raw().is_string() || format->raw() != "osp-leak-snapshot")
        root.fail("not an osp leak snapshot (\"format\" must be \"osp-leak-snapshot\" or \"osp-leak-baseline\")");
    auto version_field = root.member("version");
    std::int64_t version = version_field.as_integer();
    if (version == 1) {
        Snapshot snapshot = assembler.finish(root);
        snapshot.source = display_name;
        snapshot.version = 1;
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
    std::string text;  // read straight into one string: the file is held once
    if (auto size = std::filesystem::file_size(path, status); !status) text.reserve(size);
    constexpr std::size_t kChunkBytes = 1 << 20;
    std::vector<char> chunk(kChunkBytes);
    while (stream.read(chunk.data(), kChunkBytes) || stream.gcount() > 0)
        text.append(chunk.data(), static_cast<std::size_t>(stream.gcount()));
    if (stream.bad()) throw InputError(path, "read", std::strerror(errno));
    return parse_snapshot_text(text, path);
}

}  // namespace leakview
