#include "snapshot_writer.hpp"

namespace leakview {
namespace {

using Json = nlohmann::ordered_json;

Json block_count_to_json(const BlockCount& count) {
    return Json{{"blocks", count.blocks}, {"bytes", count.bytes}};
}

Json run_to_json(const Run& run) {
    Json json{{"pid", run.pid},
              {"executable", run.executable},
              {"command_line", run.command_line},
              {"start_time", run.start_time},
              {"snapshot_time", run.snapshot_time},
              {"exit_status", nullptr},
              {"trigger", run.trigger}};
    if (run.exit_status) json["exit_status"] = *run.exit_status;
    return json;
}

Json process_to_json(const ProcessInfo& process) {
    if (!process.merged) return run_to_json(process.runs.front());
    Json runs = Json::array();
    for (const auto& run : process.runs) runs.push_back(run_to_json(run));
    return Json{{"merged_from", process.runs.size()}, {"runs", runs}, {"trigger", "merge"}};
}

Json options_to_json(const std::map<std::string, OptionValue>& options) {
    Json json = Json::object();
    for (const auto& option : options)
        std::visit([&](const auto& held) { json[option.first] = held; }, option.second);
    return json;
}

Json leak_to_json(const LeakSite& site) {
    Json samples = Json::array();
    for (const auto& sample : site.samples)
        samples.push_back({{"address", format_address(sample.address)}, {"size", sample.size}});
    Json tiers = Json::object();
    for (const auto& [tier, count] : site.tiers) tiers[tier] = block_count_to_json(count);
    Json size_classes = Json::array();
    for (const auto& size_class : site.size_classes)
        size_classes.push_back({{"class", size_class.size_class},
                                {"block_bytes", size_class.block_bytes},
                                {"blocks", size_class.blocks}});
    Json origin = nullptr;
    if (site.origin) origin = Json{{"file", site.origin->file}, {"line", site.origin->line}};
    return Json{{"key", site.key},         {"kind", to_string(site.kind)},
                {"blocks", site.blocks},   {"bytes", site.bytes},
                {"samples", samples},      {"origin", origin},
                {"frames", stack_to_json(site.frames)}, {"tiers", tiers},
                {"size_classes", size_classes}};
}

Json error_to_json(const ErrorReport& error) {
    Json stacks = Json::object();
    for (const auto& [name, stack] : error.stacks) stacks[name] = stack_to_json(stack);
    Json json{{"kind", error.kind},       {"address", format_address(error.address)},
              {"size", error.size},       {"thread", error.thread},
              {"message", error.message}, {"stacks", stacks}};
    if (!error.access.empty()) json["access"] = error.access;
    return json;
}

}  // namespace

Json frame_to_json(const Frame& frame) {
    Json json{{"address", format_address(frame.address)},
              {"module", frame.module},
              {"module_offset", format_address(frame.module_offset)}};
    if (frame.function) json["function"] = *frame.function;
    if (frame.file) json["file"] = *frame.file;
    if (frame.line) json["line"] = *frame.line;
    return json;
}

Json stack_to_json(const Stack& stack) {
    Json json = Json::array();
    for (const auto& frame : stack) json.push_back(frame_to_json(frame));
    return json;
}

Json snapshot_to_json(const Snapshot& snapshot) {
    Json totals_by_kind = Json::object();
    for (auto kind : kAllLeakKinds) totals_by_kind[to_string(kind)] = block_count_to_json(snapshot.totals.by_kind.at(kind));
    Json tiers = Json::array();
    for (const auto& tier : snapshot.counters.tiers)
        tiers.push_back({{"tier", tier.tier},
                         {"live_bytes", tier.live_bytes},
                         {"peak_bytes", tier.peak_bytes},
                         {"allocations", tier.allocations},
                         {"frees", tier.frees}});
    Json leaks = Json::array();
    for (const auto& site : snapshot.leaks) leaks.push_back(leak_to_json(site));
    Json errors = Json::array();
    for (const auto& error : snapshot.errors) errors.push_back(error_to_json(error));
    Json modules = Json::array();
    for (const auto& module : snapshot.modules)
        modules.push_back({{"path", module.path},
                           {"build_id", module.build_id},
                           {"base", format_address(module.base)}});
    return Json{{"format", "osp-leak-snapshot"},
                {"version", kNewestSnapshotVersion},
                {"process", process_to_json(snapshot.process)},
                {"options", options_to_json(snapshot.options)},
                {"totals",
                 {{"live_blocks", snapshot.totals.live_blocks},
                  {"live_bytes", snapshot.totals.live_bytes},
                  {"by_kind", totals_by_kind},
                  {"suppressed", block_count_to_json(snapshot.totals.suppressed)}}},
                {"counters",
                 {{"peak_bytes", snapshot.counters.peak_bytes},
                  {"failed_allocations", snapshot.counters.failed_allocations},
                  {"tiers", tiers}}},
                {"leaks", leaks},
                {"errors", errors},
                {"modules", modules}};
}

}  // namespace leakview
