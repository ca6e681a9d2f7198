// --format codeclimate: the Code Climate issue list GitLab reads as a Code Quality report
// (artifacts:reports:codequality). One issue per leak site, at its top user frame, with
// the site key as its fingerprint so GitLab tracks it between the merge request and its
// target; one per runtime error. Paths are made relative to $CI_PROJECT_DIR.
#include <algorithm>
#include <cstdio>

#include <nlohmann/json.hpp>

#include "frames.hpp"
#include "output_format.hpp"
#include "workspace_path.hpp"

namespace leakview {
namespace {

using Json = nlohmann::ordered_json;

// 64-bit FNV-1a, as the site key: an error's fingerprint from what stays the same between
// runs (its kind and user frames, never its address).
std::string fingerprint(const std::string& text) {
    std::uint64_t hash = 0xcbf29ce484222325ULL;
    for (unsigned char character : text) {
        hash ^= character;
        hash *= 0x100000001b3ULL;
    }
    char digits[17];
    std::snprintf(digits, sizeof digits, "%016llx", static_cast<unsigned long long>(hash));
    return digits;
}

Json location_json(const SourceLocation& location, const std::string& fallback) {
    std::string path = location.file.empty() ? fallback : workspace_relative_path(location.file, "CI_PROJECT_DIR");
    return Json{{"path", path}, {"lines", {{"begin", std::max<std::uint64_t>(location.line, 1)}}}};
}

Json site_issue(const LeakSite& site, const std::string& description, const char* severity) {
    std::string body;
    for (const Frame* frame : user_frames(site.frames))
        body += "- `" + frame_label(*frame) + "` " + frame_location(*frame) + "\n";
    Json issue{{"type", "issue"},
               {"check_name", std::string("osp/leak/") + to_string(site.kind)},
               {"description", description},
               {"categories", Json::array({"Bug Risk"})},
               {"severity", severity},
               {"fingerprint", "osp-leak-" + site.key},
               {"location", location_json(site_source_location(site), "(unknown source)")}};
    if (!body.empty()) issue["content"] = {{"body", body}};
    return issue;
}

Json error_issue(const ErrorReport& error) {
    SourceLocation location;
    std::string identity = error.kind;
    for (const char* name : {"current", "free", "allocation"}) {
        auto stack = error.stacks.find(name);
        if (stack == error.stacks.end()) continue;
        for (const Frame* frame : user_frames(stack->second)) {
            identity += std::string("\n") + name + "\t" + frame_label(*frame);
            if (location.file.empty() && frame->file) location = {*frame->file, frame->line.value_or(0)};
        }
    }
    std::string kind = error.kind + (error.access.empty() ? "" : " (" + error.access + ")");
    return Json{{"type", "issue"},
                {"check_name", "osp/error/" + error.kind},
                {"description", kind + ": " + error.message},
                {"categories", Json::array({"Bug Risk"})},
                {"severity", "critical"},
                {"fingerprint", "osp-error-" + fingerprint(identity)},
                {"location", location_json(location, "(unknown source)")}};
}

std::string leak_description(const LeakSite& site, const std::string& prefix) {
    return prefix + std::to_string(site.bytes) + " bytes in " + std::to_string(site.blocks) + " blocks leaked (" +
           to_string(site.kind) + ") from " + site_title(site);
}

void write_issues(const Json& issues, std::ostream& out) {
    out << issues.dump(2, ' ', false, nlohmann::json::error_handler_t::replace) << '\n';
}

class CodeClimateFormat final : public OutputFormat {
public:
    void write_summary(const SummaryReport& report, std::ostream& out) const override {
        Json issues = Json::array();
        for (const auto& error : report.snapshot->errors) issues.push_back(error_issue(error));
        for (const LeakSite* site : report.top_sites)
            issues.push_back(site_issue(*site, leak_description(*site, ""),
                                        site->kind == LeakKind::reachable ? "info" : "major"));
        write_issues(issues, out);
    }
    void write_diff(const DiffReport& report, std::ostream& out) const override {
        Json issues = Json::array();
        for (const auto& entry : report.sites) {
            if (entry.change != SiteChange::added && entry.change != SiteChange::grown) continue;
            issues.push_back(site_issue(entry.site(), leak_description(entry.site(), std::string(to_string(entry.change)) + ": "),
                                        "major"));
        }
        write_issues(issues, out);
    }
    void write_gate(const GateReport& report, std::ostream& out) const override {
        Json issues = Json::array();
        if (!report.options.allow_errors)
            for (const auto& error : report.current->errors) issues.push_back(error_issue(error));
        for (const auto& entry : report.counted) {
            std::string prefix = report.baseline ? std::string(to_string(entry.change)) + " over the baseline (+" +
                                                       std::to_string(entry.counted_bytes) + " bytes): "
                                                 : "";
            issues.push_back(site_issue(*entry.site, leak_description(*entry.site, prefix),
                                        report.leak_limits_passed ? "minor" : "critical"));
        }
        write_issues(issues, out);
    }
};

}  // namespace

std::unique_ptr<OutputFormat> make_codeclimate_format() { return std::make_unique<CodeClimateFormat>(); }

}  // namespace leakview
