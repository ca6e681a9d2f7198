// --format sarif: SARIF 2.1.0 for code-scanning services. Each leak site is a result at
// its top user frame (file and line), with its user frames as a SARIF stack and its key as
// a partial fingerprint so services track it across runs. Runtime errors are results too.
// diff marks results with baselineState; gate reports the counted sites (and errors).
#include "frames.hpp"
#include "output_format.hpp"

#include <nlohmann/json.hpp>
#include <string_view>

namespace leakview {
namespace {

using Json = nlohmann::ordered_json;

std::string file_uri(const std::string& path) {
    std::string uri = path.starts_with("/") ? "file://" : "";
    for (char character : path) {
        if (character == ' ') uri += "%20";
        else if (character == '%') uri += "%25";
        else if (character == '#') uri += "%23";
        else if (character == '?') uri += "%3F";
        else uri += character;
    }
    return uri;
}

Json physical_location(const std::string& file, std::uint64_t line) {
    Json location{{"artifactLocation", {{"uri", file_uri(file)}}}};
    if (line > 0) location["region"] = {{"startLine", line}};
    return location;
}

Json frame_location_json(const Frame& frame) {
    Json location = Json::object();
    if (frame.file) location["physicalLocation"] = physical_location(*frame.file, frame.line.value_or(0));
    location["logicalLocations"] = Json::array({{{"fullyQualifiedName", frame_label(frame)}}});
    return location;
}

Json stack_json(const Stack& stack) {
    Json frames = Json::array();
    for (const Frame* frame : user_frames(stack)) frames.push_back({{"location", frame_location_json(*frame)}});
    return Json{{"frames", frames}};
}

Json leak_result(const LeakSite& site, const std::string& message, const std::string& level) {
    Json result{{"ruleId", std::string("osp/leak/") + to_string(site.kind)},
                {"level", level},
                {"message", {{"text", message}}}};
    SourceLocation location = site_source_location(site);
    Json locations = Json::array();
    if (!location.file.empty())
        locations.push_back({{"physicalLocation", physical_location(location.file, location.line)}});
    result["locations"] = locations;
    result["partialFingerprints"] = {{"ospLeakSiteKey/v1", site.key}};
    if (!site.frames.empty()) result["stacks"] = Json::array({stack_json(site.frames)});
    return result;
}

Json error_result(const ErrorReport& error) {
    Json result{{"ruleId", "osp/error/" + error.kind},
                {"level", "error"},
                {"message", {{"text", error.kind + (error.access.empty() ? "" : " (" + error.access + ")") + " at " +
                                          format_address(error.address) + ": " + error.message}}}};
    Json locations = Json::array();
    Json stacks = Json::array();
    for (const char* name : {"current", "free", "allocation"}) {
        auto stack = error.stacks.find(name);
        if (stack == error.stacks.end()) continue;
        if (locations.empty())
            for (const Frame* frame : user_frames(stack->second))
                if (frame->file) {
                    locations.push_back({{"physicalLocation", physical_location(*frame->file, frame->line.value_or(0))}});
                    break;
                }
        Json stack_entry = stack_json(stack->second);
        const bool faulting = std::string_view(name) == "current" && !error.access.empty();
        stack_entry["message"] = {{"text", faulting ? std::string("faulting access (") + error.access + ")"
                                                    : std::string(name) + " stack"}};
        stacks.push_back(stack_entry);
    }
    result["locations"] = locations;
    if (!stacks.empty()) result["stacks"] = stacks;
    return result;
}

std::string leak_message(const LeakSite& site) {
    return std::to_string(site.bytes) + " bytes in " + std::to_string(site.blocks) + " blocks leaked (" +
           to_string(site.kind) + ") from " + site_title(site);
}

Json rules() {
    Json rules = Json::array();
    for (auto kind : kAllLeakKinds)
        rules.push_back({{"id", std::string("osp/leak/") + to_string(kind)},
                         {"shortDescription", {{"text", std::string(to_string(kind)) + " memory leak"}}}});
    for (const char* kind : {"double-free", "invalid-free", "heap-buffer-overflow", "heap-buffer-underflow",
                             "use-after-free-write", "alloc-dealloc-mismatch", "invalid-alignment",
                             "calloc-overflow", "allocation-size-too-big"})
        rules.push_back({{"id", std::string("osp/error/") + kind}, {"shortDescription", {{"text", kind}}}});
    return rules;
}

void write_log(const Json& results, std::ostream& out) {
    Json log{{"$schema", "https://json.schemastore.org/sarif-2.1.0.json"},
             {"version", "2.1.0"},
             {"runs", Json::array({{{"tool", {{"driver", {{"name", "osp-leakview"}, {"rules", rules()}}}}},
                                    {"results", results}}})}};
    out << log.dump(2, ' ', false, nlohmann::json::error_handler_t::replace) << '\n';
}

const char* baseline_state(SiteChange change) {
    switch (change) {
        case SiteChange::added: return "new";
        case SiteChange::removed: return "absent";
        case SiteChange::unchanged: return "unchanged";
        default: return "updated";
    }
}

class SarifFormat final : public OutputFormat {
public:
    void write_summary(const SummaryReport& report, std::ostream& out) const override {
        Json results = Json::array();
        for (const auto& error : report.snapshot->errors) results.push_back(error_result(error));
        for (const LeakSite* site : report.top_sites)
            results.push_back(leak_result(*site, leak_message(*site), site->kind == LeakKind::reachable ? "note" : "warning"));
        write_log(results, out);
    }
    void write_diff(const DiffReport& report, std::ostream& out) const override {
        Json results = Json::array();
        for (const auto& entry : report.sites) {
            std::string message = std::string(to_string(entry.change)) + ": " + leak_message(entry.site()) +
                                  " (" + (entry.delta_bytes > 0 ? "+" : "") + std::to_string(entry.delta_bytes) + " bytes)";
            bool worse = entry.change == SiteChange::added || entry.change == SiteChange::grown;
            Json result = leak_result(entry.site(), message, worse ? "warning" : "note");
            result["baselineState"] = baseline_state(entry.change);
            results.push_back(result);
        }
        write_log(results, out);
    }
    void write_gate(const GateReport& report, std::ostream& out) const override {
        Json results = Json::array();
        if (!report.options.allow_errors)
            for (const auto& error : report.current->errors) results.push_back(error_result(error));
        for (const auto& entry : report.counted)
            results.push_back(leak_result(*entry.site, leak_message(*entry.site),
                                          report.leak_limits_passed ? "note" : "error"));
        write_log(results, out);
    }
};

}  // namespace

std::unique_ptr<OutputFormat> make_sarif_format() { return std::make_unique<SarifFormat>(); }

}  // namespace leakview
