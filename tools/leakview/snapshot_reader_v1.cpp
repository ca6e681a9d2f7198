// Version-1 reader: builds a Snapshot from checked JSON, member by member, so that every
// problem is reported with its JSON path. Unknown members are ignored (the format allows
// additions within a version); known ones must have the documented type. Names in frames
// go through the interner: they repeat across stacks and are stored once.
#include "snapshot_reader_v1.hpp"

#include <set>

namespace leakview {
namespace {

const std::vector<std::string_view> kTierNames = {"small", "medium", "large", "huge", "direct"};
const std::vector<std::string_view> kLeakKindNames = {"definite", "indirect", "possible",
                                                      "reachable"};
const std::vector<std::string_view> kErrorKindNames = {
    "double-free",          "invalid-free",          "heap-buffer-overflow",
    "heap-buffer-underflow", "use-after-free-write",  "alloc-dealloc-mismatch",
    "invalid-alignment",    "calloc-overflow",       "allocation-size-too-big",
    "use-after-free",       "segv"};
const std::vector<std::string_view> kStackNames = {"allocation", "free", "current"};

BlockCount read_block_count(const CheckedJson& value) {
    return {value.member("blocks").as_unsigned(), value.member("bytes").as_unsigned()};
}

std::vector<std::string> read_strings(const CheckedJson& value) {
    std::vector<std::string> result;
    for (const auto& element : value.elements()) result.push_back(element.as_string());
    return result;
}

std::string read_timestamp(const CheckedJson& value) {
    std::string text = value.as_string();
    // Shape check only (YYYY-MM-DDTHH:MM:SS[.fraction]Z); the tools never compute with it.
    bool shaped = text.size() >= 20 && text[4] == '-' && text[7] == '-' && text[10] == 'T' &&
                  text[13] == ':' && text[16] == ':' && text.back() == 'Z';
    if (!shaped) value.fail("expected a UTC time like 2026-11-25T15:00:00Z, found \"" + text + "\"");
    return text;
}

Run read_run(const CheckedJson& value) {
    Run run;
    run.pid = value.member("pid").as_integer();
    run.executable = value.member("executable").as_string();
    run.command_line = read_strings(value.member("command_line"));
    run.start_time = read_timestamp(value.member("start_time"));
    run.snapshot_time = read_timestamp(value.member("snapshot_time"));
    auto exit_status = value.member("exit_status");
    if (!exit_status.is_null()) run.exit_status = exit_status.as_integer();
    run.trigger = value.member("trigger").as_one_of({"exit", "api", "signal", "error"});
    return run;
}

ProcessInfo read_process(const CheckedJson& value) {
    ProcessInfo process;
    if (!value.has_member("merged_from")) {
        process.runs.push_back(read_run(value));
        return process;
    }
    process.merged = true;
    auto merged_from = value.member("merged_from");
    for (const auto& run : value.member("runs").elements()) process.runs.push_back(read_run(run));
    if (merged_from.as_unsigned() != process.runs.size())
        merged_from.fail("says " + std::to_string(merged_from.as_unsigned()) + " runs but \"runs\" lists " +
                         std::to_string(process.runs.size()));
    if (process.runs.empty()) merged_from.fail("a merged snapshot needs at least one run");
    value.member("trigger").as_one_of({"merge"});
    return process;
}

std::map<std::string, OptionValue> read_options(const CheckedJson& value) {
    std::map<std::string, OptionValue> options;
    value.for_each_member([&](const std::string& name, const CheckedJson& option) {
        const auto& raw = option.raw();
        if (raw.is_string()) options[name] = raw.get<std::string>();
        else if (raw.is_boolean()) options[name] = raw.get<bool>();
        else if (raw.is_number_integer()) options[name] = option.as_integer();
        else if (raw.is_number_float()) options[name] = raw.get<double>();
        else option.fail("an option value must be a string, number or boolean");
    });
    return options;
}

Totals read_totals(const CheckedJson& value) {
    Totals totals;
    totals.live_blocks = value.member("live_blocks").as_unsigned();
    totals.live_bytes = value.member("live_bytes").as_unsigned();
    auto by_kind = value.member("by_kind");
    for (auto kind : kAllLeakKinds) totals.by_kind[kind] = read_block_count(by_kind.member(to_string(kind)));
    totals.suppressed = read_block_count(value.member("suppressed"));
    return totals;
}

Counters read_counters(const CheckedJson& value) {
    Counters counters;
    counters.peak_bytes = value.member("peak_bytes").as_unsigned();
    counters.failed_allocations = value.member("failed_allocations").as_unsigned();
    for (const auto& tier : value.member("tiers").elements()) {
        counters.tiers.push_back({tier.member("tier").as_one_of(kTierNames),
                                  tier.member("live_bytes").as_unsigned(),
                                  tier.member("peak_bytes").as_unsigned(),
                                  tier.member("allocations").as_unsigned(),
                                  tier.member("frees").as_unsigned()});
    }
    return counters;
}

Frame read_frame(const CheckedJson& value, StringInterner& names) {
    Frame frame;
    frame.address = value.member("address").as_address();
    frame.module = names.intern(value.member("module").as_string_view());
    frame.module_offset = value.member("module_offset").as_address();
    if (auto function = value.optional_member("function")) frame.function = names.intern(function->as_string_view());
    if (auto file = value.optional_member("file")) frame.file = names.intern(file->as_string_view());
    if (auto line = value.optional_member("line")) frame.line = line->as_unsigned();
    return frame;
}

std::string read_site_key(const CheckedJson& value) {
    std::string key = value.as_string();
    bool hex = key.size() == 16 && key.find_first_not_of("0123456789abcdef") == std::string::npos;
    if (!hex) value.fail("expected 16 lowercase hex digits, found \"" + key + "\"");
    return key;
}

}  // namespace

LeakSite read_leak_site_v1(const CheckedJson& value, StringInterner& names) {
    LeakSite site;
    site.key = read_site_key(value.member("key"));
    site.kind = *leak_kind_from_string(value.member("kind").as_one_of(kLeakKindNames));
    auto blocks = value.member("blocks");
    site.blocks = blocks.as_unsigned();
    if (site.blocks == 0) blocks.fail("a leak site has at least one block");
    site.bytes = value.member("bytes").as_unsigned();
    auto samples = value.member("samples");
    for (const auto& sample : samples.elements())
        site.samples.push_back({sample.member("address").as_address(), sample.member("size").as_unsigned()});
    if (site.samples.size() > kMaxSamplesPerSite)
        samples.fail("at most " + std::to_string(kMaxSamplesPerSite) + " samples per site");
    if (auto origin = value.member("origin"); !origin.is_null())
        site.origin = Origin{origin.member("file").as_string(), origin.member("line").as_unsigned()};
    site.frames = read_stack_v1(value.member("frames"), names);
    value.member("tiers").for_each_member([&](const std::string& tier, const CheckedJson& count) {
        bool known = false;
        for (auto name : kTierNames) known = known || tier == name;
        if (!known) count.fail("unknown tier \"" + tier + "\"");
        site.tiers[tier] = read_block_count(count);
    });
    for (const auto& size_class : value.member("size_classes").elements())
        site.size_classes.push_back({size_class.member("class").as_unsigned(),
                                     size_class.member("block_bytes").as_unsigned(),
                                     size_class.member("blocks").as_unsigned()});
    return site;
}

ErrorReport read_error_v1(const CheckedJson& value, StringInterner& names) {
    ErrorReport error;
    error.kind = value.member("kind").as_one_of(kErrorKindNames);
    error.address = value.member("address").as_address();
    error.size = value.member("size").as_unsigned();
    error.thread = value.member("thread").as_unsigned();
    error.message = value.member("message").as_string();
    if (auto access = value.optional_member("access"))
        error.access = access->as_one_of({"READ", "WRITE", "ACCESS"});
    auto stacks = value.member("stacks");
    for (auto name : kStackNames)
        if (auto stack = stacks.optional_member(name)) error.stacks[std::string(name)] = read_stack_v1(*stack, names);
    return error;
}

Module read_module_v1(const CheckedJson& value) {
    Module module;
    module.path = value.member("path").as_string();
    auto build_id = value.member("build_id");
    module.build_id = build_id.as_string();
    if (module.build_id.find_first_not_of("0123456789abcdef") != std::string::npos)
        build_id.fail("a build id is lowercase hex (or empty)");
    module.base = value.member("base").as_address();
    return module;
}

Stack read_stack_v1(const CheckedJson& value, StringInterner& names) {
    Stack stack;
    for (const auto& frame : value.elements()) stack.push_back(read_frame(frame, names));
    return stack;
}

Snapshot read_snapshot_header_v1(const CheckedJson& root) {
    Snapshot snapshot;
    snapshot.process = read_process(root.member("process"));
    snapshot.options = read_options(root.member("options"));
    snapshot.totals = read_totals(root.member("totals"));
    snapshot.counters = read_counters(root.member("counters"));
    return snapshot;
}

}  // namespace leakview
