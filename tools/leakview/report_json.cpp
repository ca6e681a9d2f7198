#include "report_json.hpp"

#include "frames.hpp"

namespace leakview {
namespace {

using Json = nlohmann::ordered_json;

Json block_count_json(const BlockCount& count) { return Json{{"blocks", count.blocks}, {"bytes", count.bytes}}; }

Json user_frames_json(const Stack& stack) {
    Json frames = Json::array();
    for (const Frame* frame : user_frames(stack)) {
        Json json{{"function", frame_label(*frame)}, {"module", frame->module},
                  {"module_offset", format_address(frame->module_offset)}};
        if (frame->file) json["file"] = *frame->file;
        if (frame->line) json["line"] = *frame->line;
        frames.push_back(json);
    }
    return frames;
}

Json location_json(const LeakSite& site) {
    SourceLocation location = site_source_location(site);
    if (location.file.empty()) return nullptr;
    return Json{{"file", location.file}, {"line", location.line}};
}

Json process_json(const Snapshot& snapshot) {
    if (snapshot.process.merged) return Json{{"merged_from", snapshot.process.runs.size()}};
    const Run& run = snapshot.process.runs.front();
    Json json{{"pid", run.pid}, {"executable", run.executable}, {"trigger", run.trigger}, {"exit_status", nullptr}};
    if (run.exit_status) json["exit_status"] = *run.exit_status;
    return json;
}

Json kinds_json(const std::set<LeakKind>& kinds) {
    Json names = Json::array();
    for (auto kind : kinds) names.push_back(to_string(kind));
    return names;
}

Json errors_json(const Snapshot& snapshot) {
    Json errors = Json::array();
    for (const auto& error : snapshot.errors) errors.push_back(error_report_to_json(error));
    return errors;
}

}  // namespace

Json site_to_json(const LeakSite& site) {
    return Json{{"key", site.key},     {"kind", to_string(site.kind)},   {"blocks", site.blocks},
                {"bytes", site.bytes}, {"title", site_title(site)},      {"location", location_json(site)},
                {"frames", user_frames_json(site.frames)}};
}

Json error_report_to_json(const ErrorReport& error) {
    Json stacks = Json::object();
    for (const auto& [name, stack] : error.stacks) stacks[name] = user_frames_json(stack);
    Json json{{"kind", error.kind},   {"address", format_address(error.address)},
              {"size", error.size},   {"thread", error.thread},
              {"message", error.message}, {"stacks", stacks}};
    if (!error.access.empty()) json["access"] = error.access;
    return json;
}

Json summary_to_json(const SummaryReport& report) {
    const Snapshot& snapshot = *report.snapshot;
    Json by_kind = Json::object();
    for (auto kind : kAllLeakKinds) by_kind[to_string(kind)] = block_count_json(snapshot.totals.by_kind.at(kind));
    Json sites = Json::array();
    for (const LeakSite* site : report.top_sites) sites.push_back(site_to_json(*site));
    return Json{{"command", "summary"},
                {"snapshot", snapshot.source},
                {"process", process_json(snapshot)},
                {"errors", errors_json(snapshot)},
                {"totals",
                 {{"live_blocks", snapshot.totals.live_blocks},
                  {"live_bytes", snapshot.totals.live_bytes},
                  {"by_kind", by_kind},
                  {"suppressed", block_count_json(snapshot.totals.suppressed)},
                  {"sites", snapshot.leaks.size()}}},
                {"order", report.order == SiteOrder::by_bytes ? "bytes" : "count"},
                {"kinds", kinds_json(report.kinds)},
                {"sites", sites},
                {"hidden_sites", report.hidden_sites},
                {"hidden", block_count_json(report.hidden_total)},
                {"unlisted",
                 {{"kinds", kinds_json(report.unlisted_kinds)},
                  {"sites", report.unlisted_sites},
                  {"blocks", report.unlisted_total.blocks},
                  {"bytes", report.unlisted_total.bytes}}}};
}

Json diff_to_json(const DiffReport& report) {
    Json sites = Json::array();
    for (const auto& entry : report.sites) {
        Json site = site_to_json(entry.site());
        site.erase("blocks");
        site.erase("bytes");
        Json json{{"change", to_string(entry.change)}};
        json.update(site);
        json["previous_key"] = entry.matched_by_frames ? Json(entry.before->key) : Json(nullptr);
        json["before"] = entry.before ? block_count_json({entry.before->blocks, entry.before->bytes}) : Json(nullptr);
        json["after"] = entry.after ? block_count_json({entry.after->blocks, entry.after->bytes}) : Json(nullptr);
        json["delta_blocks"] = entry.delta_blocks;
        json["delta_bytes"] = entry.delta_bytes;
        sites.push_back(json);
    }
    return Json{{"command", "diff"},
                {"before", report.before->source},
                {"after", report.after->source},
                {"totals",
                 {{"before", block_count_json(report.before_total)},
                  {"after", block_count_json(report.after_total)},
                  {"delta_blocks", report.delta_blocks},
                  {"delta_bytes", report.delta_bytes},
                  {"before_errors", report.before->errors.size()},
                  {"after_errors", report.after->errors.size()}}},
                {"sites", sites}};
}

Json gate_to_json(const GateReport& report) {
    Json checks = Json::array();
    for (const auto& check : report.checks)
        checks.push_back({{"name", check.name},
                          {"passed", check.passed},
                          {"measured", check.measured},
                          {"limit", check.name == "errors" ? Json(nullptr) : Json(check.limit)},
                          {"description", check.description}});
    Json counted = Json::array();
    for (const auto& entry : report.counted) {
        Json site = site_to_json(*entry.site);
        site["change"] = to_string(entry.change);
        site["counted_blocks"] = entry.counted_blocks;
        site["counted_bytes"] = entry.counted_bytes;
        counted.push_back(site);
    }
    Json suppressed = Json::array();
    for (const auto& entry : report.suppressed)
        suppressed.push_back({{"key", entry.site->key},
                              {"title", site_title(*entry.site)},
                              {"blocks", entry.site->blocks},
                              {"bytes", entry.site->bytes},
                              {"pattern", entry.rule->pattern},
                              {"suppression_line", entry.rule->line}});
    Json kinds = Json::array();
    for (auto kind : report.options.kinds) kinds.push_back(to_string(kind));
    return Json{{"command", "gate"},
                {"snapshot", report.current->source},
                {"baseline", report.baseline ? Json(report.baseline->source) : Json(nullptr)},
                {"kinds", kinds},
                {"passed", report.passed},
                {"checks", checks},
                {"sites", counted},
                {"suppressed", suppressed},
                {"errors", errors_json(*report.current)}};
}

}  // namespace leakview
