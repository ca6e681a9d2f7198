// osp-leakview: summary, diff, gate and merge over osp leak snapshots.
// Exit codes: 0 ok / gate passed, 1 gate failed, 2 bad usage or bad input. Reports are
// built completely in memory before anything is printed, so bad input never leaves
// partial output behind.
#include <cerrno>
#include <cstring>

#include <cstdio>
#include <cstdlib>
#include <filesystem>
#include <fstream>
#include <functional>
#include <iostream>
#include <optional>
#include <random>
#include <sstream>

#include <CLI/CLI.hpp>

#include "baseline.hpp"
#include "diff.hpp"
#include "gate.hpp"
#include "merge.hpp"
#include "offline_symbolizer.hpp"
#include "output_file.hpp"
#include "output_format.hpp"
#include "snapshot.hpp"
#include "snapshot_inputs.hpp"
#include "snapshot_writer.hpp"
#include "summary.hpp"
#include "suppressions.hpp"

namespace {

using namespace leakview;

constexpr int kExitOk = 0;
constexpr int kExitGateFailed = 1;
constexpr int kExitBadInput = 2;

// Usage problems that CLI11 cannot see (e.g. an unknown kind in --kinds).
struct UsageError : std::runtime_error {
    using std::runtime_error::runtime_error;
};

bool stdout_wants_colour() { return stdout_is_terminal() && std::getenv("NO_COLOR") == nullptr; }

std::unique_ptr<OutputFormat> output_format(const std::string& name) {
    auto format = make_output_format(name, name == "text" && stdout_wants_colour());
    if (!format) throw UsageError("unknown format \"" + name + "\"");
    return format;
}

std::set<LeakKind> parse_kinds(const std::string& list) {
    if (list == "all") return {std::begin(kAllLeakKinds), std::end(kAllLeakKinds)};
    std::set<LeakKind> kinds;
    std::stringstream stream(list);
    std::string name;
    while (std::getline(stream, name, ',')) {
        auto kind = leak_kind_from_string(name);
        if (!kind) throw UsageError("--kinds: unknown leak kind \"" + name + "\" (definite, indirect, possible, reachable, or all)");
        kinds.insert(*kind);
    }
    if (kinds.empty()) throw UsageError("--kinds: name at least one leak kind");
    return kinds;
}

struct Arguments {
    std::string format = "text";
    std::vector<std::string> inputs;
    std::string sort = "bytes";
    std::int64_t top = 20;
    std::vector<std::string> baselines;
    std::uint64_t max_bytes = 0;
    std::uint64_t max_blocks = 0;
    std::string kinds = "definite,indirect";
    std::string suppressions;
    bool allow_errors = false;
    std::string output;
    bool no_symbolize = false;
    std::optional<std::string> summary_kinds;  // none: the kinds that counted in the snapshot's run
    bool show_reachable = false;
    std::vector<std::string> debug_directories;
};

// Loads a snapshot and, unless turned off, symbolizes frames written without symbols.
Snapshot load_input(const Arguments& arguments, const std::string& path) {
    // One cache for every input of this run (all share the run's arguments).
    static OfflineSymbolizer symbolizer(arguments.debug_directories.empty()
                                            ? std::vector<std::string>{"/usr/lib/debug"}
                                            : arguments.debug_directories);
    Snapshot snapshot = load_snapshot_file(path);
    if (!arguments.no_symbolize) symbolizer.symbolize(snapshot);
    return snapshot;
}

// One snapshot from several files (merged, as `merge` would), or the file itself.
Snapshot load_inputs(const Arguments& arguments, const std::vector<std::string>& paths) {
    if (paths.size() == 1) return load_input(arguments, paths.front());
    std::vector<Snapshot> inputs;
    for (const auto& path : paths) inputs.push_back(load_input(arguments, path));
    Snapshot merged = merge_snapshots(inputs);
    merged.source = std::to_string(paths.size()) + " snapshots (" + paths.front() + " … " + paths.back() + ")";
    return merged;
}

// `gate --baseline base.*.json next.*.json` gives every name to --baseline: split them.
void split_baselines_from_snapshots(Arguments& arguments) {
    if (!arguments.inputs.empty() || arguments.baselines.size() < 2) return;
    std::optional<std::size_t> split = split_expanded_globs(arguments.baselines);
    if (!split)
        throw UsageError("gate: cannot tell the baseline files from the snapshots in \"--baseline " +
                         arguments.baselines.front() + " … " + arguments.baselines.back() +
                         "\"; put the snapshots first, or quote the patterns (--baseline 'base.*.json')");
    arguments.inputs.assign(arguments.baselines.begin() + static_cast<std::ptrdiff_t>(*split), arguments.baselines.end());
    arguments.baselines.resize(*split);
}

// Under --format github, the Markdown report also goes to the job summary GitHub shows
// on the run's page ($GITHUB_STEP_SUMMARY, appended to as GitHub asks).
void write_github_step_summary(const Arguments& arguments,
                               const std::function<void(const OutputFormat&, std::ostream&)>& write) {
    const char* path = std::getenv("GITHUB_STEP_SUMMARY");
    if (arguments.format != "github" || path == nullptr || *path == '\0') return;
    std::ostringstream markdown;
    write(*make_markdown_format(), markdown);
    std::ofstream stream(path, std::ios::app);
    if (!(stream << markdown.str() << '\n') || !stream.flush())
        throw InputError(path, "write", "cannot append to the job summary ($GITHUB_STEP_SUMMARY)");
}

void add_symbolize_option(CLI::App& command, Arguments& arguments) {
    command.add_flag("--no-symbolize", arguments.no_symbolize,
                     "Do not symbolize frames without symbols (modules whose build id matches)");
    command.add_option("--debug-dir", arguments.debug_directories,
                       "Where separate debug files are looked up, by build id and .gnu_debuglink "
                       "(repeatable; default /usr/lib/debug)")
        ->allow_extra_args(false);
}

void add_format_option(CLI::App& command, Arguments& arguments) {
    command.add_option("--format", arguments.format, "Output format")
        ->check(CLI::IsMember(output_format_names()))
        ->capture_default_str();
}

int run_summary(const Arguments& arguments, std::ostream& out) {
    auto format = output_format(arguments.format);
    Snapshot snapshot = load_input(arguments, arguments.inputs.at(0));
    auto order = arguments.sort == "count" ? SiteOrder::by_blocks : SiteOrder::by_bytes;
    std::set<LeakKind> kinds =
        arguments.summary_kinds ? parse_kinds(*arguments.summary_kinds) : counted_leak_kinds(snapshot);
    if (arguments.show_reachable) kinds.insert(LeakKind::reachable);
    SummaryReport report = summarize(snapshot, order, static_cast<std::size_t>(arguments.top), kinds);
    format->write_summary(report, out);
    write_github_step_summary(arguments, [&](const OutputFormat& markdown, std::ostream& stream) {
        markdown.write_summary(report, stream);
    });
    return kExitOk;
}

int run_diff(const Arguments& arguments, std::ostream& out) {
    auto format = output_format(arguments.format);
    // Each side may be a folder or a quoted pattern of several snapshots (merged).
    Snapshot before = load_inputs(arguments, expand_snapshot_argument(arguments.inputs.at(0)));
    Snapshot after = load_inputs(arguments, expand_snapshot_argument(arguments.inputs.at(1)));
    DiffReport report = diff_snapshots(before, after);
    format->write_diff(report, out);
    write_github_step_summary(arguments, [&](const OutputFormat& markdown, std::ostream& stream) {
        markdown.write_diff(report, stream);
    });
    return kExitOk;
}

int run_gate_command(Arguments arguments, std::ostream& out) {
    auto format = output_format(arguments.format);
    GateOptions options;
    options.max_bytes = arguments.max_bytes;
    options.max_blocks = arguments.max_blocks;
    options.kinds = parse_kinds(arguments.kinds);
    options.allow_errors = arguments.allow_errors;
    Suppressions suppressions;
    if (!arguments.suppressions.empty()) suppressions = Suppressions::load_file(arguments.suppressions);
    split_baselines_from_snapshots(arguments);
    if (arguments.inputs.empty()) throw UsageError("gate: name the snapshots to check");
    Snapshot current = load_inputs(arguments, expand_snapshot_arguments(arguments.inputs));
    std::optional<Snapshot> baseline;
    if (!arguments.baselines.empty()) baseline = load_inputs(arguments, expand_snapshot_arguments(arguments.baselines));
    GateReport report = run_gate(current, baseline ? &*baseline : nullptr, options, suppressions);
    format->write_gate(report, out);
    write_github_step_summary(arguments, [&](const OutputFormat& markdown, std::ostream& stream) {
        markdown.write_gate(report, stream);
    });
    return report.passed ? kExitOk : kExitGateFailed;
}

int run_merge(const Arguments& arguments, std::ostream& out) {
    std::vector<Snapshot> inputs;
    for (const auto& path : arguments.inputs) inputs.push_back(load_input(arguments, path));
    Snapshot merged = merge_snapshots(inputs);
    std::string text = snapshot_to_json(merged).dump(2, ' ', false, nlohmann::json::error_handler_t::replace) + "\n";
    write_file_atomically(arguments.output, text);
    out << "merged " << inputs.size() << " snapshots (" << merged.process.runs.size() << " runs, "
        << merged.leaks.size() << " sites, " << merged.errors.size() << " errors) into " << arguments.output << '\n';
    return kExitOk;
}

int run_baseline(const Arguments& arguments, std::ostream& out) {
    std::vector<std::string> paths = expand_snapshot_arguments(arguments.inputs);
    Snapshot snapshot = load_inputs(arguments, paths);
    std::set<LeakKind> kinds = parse_kinds(arguments.kinds);
    write_file_atomically(arguments.output, baseline_text(snapshot, kinds));
    std::size_t sites = 0;
    for (const auto& site : snapshot.leaks) sites += kinds.count(site.kind);
    out << "wrote a baseline of " << sites << " sites from " << paths.size() << " snapshots to " << arguments.output
        << '\n';
    return kExitOk;
}

}  // namespace

int main(int argc, char** argv) {
    CLI::App app{"osp-leakview: read osp leak snapshots (summary, diff, gate, merge, baseline).\n"
                 "Exit codes: 0 ok or gate passed, 1 gate failed, 2 bad usage or bad input."};
    app.name("osp-leakview");
    app.require_subcommand(1);
    // CLI11 built for Windows reads "/name" as an option by default; a path such as
    // "/tmp/leaks.json" must stay a path there too.
    app.allow_windows_style_options(false);
    Arguments arguments;

    auto* summary = app.add_subcommand("summary", "Errors, totals by kind and the top leak sites of one snapshot");
    summary->add_option("snapshot", arguments.inputs, "Snapshot file")->required()->expected(1);
    summary->add_option("--sort", arguments.sort, "Order sites by bytes or by block count")
        ->check(CLI::IsMember({"bytes", "count"}))
        ->capture_default_str();
    summary->add_option("--top", arguments.top, "Show this many sites (0: all)")
        ->check(CLI::Validator(
            [](const std::string& text) {
                return text.find_first_not_of("0123456789") == std::string::npos && !text.empty()
                           ? std::string()
                           : "--top takes a count (0 or more), found " + text;
            },
            "COUNT"))
        ->capture_default_str();
    summary->add_option("--kinds", arguments.summary_kinds,
                        "Comma-separated leak kinds whose sites are listed, or all (default: the snapshot's leak_kinds)");
    summary->add_flag("--show-reachable", arguments.show_reachable,
                      "Also list still-reachable sites (caches, pools); they are always in the totals");
    add_symbolize_option(*summary, arguments);
    add_format_option(*summary, arguments);

    auto* diff = app.add_subcommand("diff", "Sites new, grown, shrunk and gone between two snapshots");
    diff->add_option("before", arguments.inputs, "Earlier snapshot, then later snapshot")->required()->expected(2);
    add_symbolize_option(*diff, arguments);
    add_format_option(*diff, arguments);

    auto* gate = app.add_subcommand("gate", "Fail (exit 1) when leaks or errors pass the limits");
    gate->add_option("snapshots", arguments.inputs,
                     "Snapshots to check (merged when several): files, folders of *.json, or quoted patterns")
        ->expected(0, -1);
    gate->add_option("--baseline", arguments.baselines,
                     "Limits apply to growth over these snapshots or baseline files (merged when several)")
        ->expected(1, -1);
    gate->add_option("--max-bytes", arguments.max_bytes, "Leaked (or grown) bytes allowed")->capture_default_str();
    gate->add_option("--max-blocks", arguments.max_blocks, "Leaked (or grown) blocks allowed")->capture_default_str();
    gate->add_option("--kinds", arguments.kinds, "Comma-separated leak kinds that count")->capture_default_str();
    gate->add_option("--suppressions", arguments.suppressions, "File of leak:<pattern> lines");
    gate->add_flag("--allow-errors", arguments.allow_errors, "Do not fail on runtime errors in the snapshot");
    add_symbolize_option(*gate, arguments);
    add_format_option(*gate, arguments);

    auto* merge = app.add_subcommand("merge", "Combine snapshots into one; sites with the same key add up");
    merge->add_option("snapshots", arguments.inputs, "Snapshots to merge")->required()->expected(1, -1);
    merge->add_option("-o,--output", arguments.output, "Merged snapshot file to write")->required();
    add_symbolize_option(*merge, arguments);

    auto* baseline = app.add_subcommand(
        "baseline", "Write a baseline to commit: the leak sites of the snapshots, sorted, without run-specific data");
    baseline->add_option("snapshots", arguments.inputs, "Snapshots (merged when several): files, folders or patterns")
        ->required()
        ->expected(1, -1);
    baseline->add_option("-o,--output", arguments.output, "Baseline file to write")->required();
    baseline->add_option("--kinds", arguments.kinds, "Comma-separated leak kinds to keep, or all")
        ->default_str("definite,indirect,possible");
    add_symbolize_option(*baseline, arguments);

    try {
        app.parse(argc, argv);
    } catch (const CLI::ParseError& error) {
        int code = app.exit(error);
        return code == 0 ? kExitOk : kExitBadInput;
    }

    std::ostringstream out;
    int status = kExitOk;
    try {
        if (summary->parsed()) status = run_summary(arguments, out);
        else if (diff->parsed()) status = run_diff(arguments, out);
        else if (gate->parsed()) status = run_gate_command(arguments, out);
        else if (merge->parsed()) status = run_merge(arguments, out);
        else if (baseline->parsed()) {
            if (baseline->count("--kinds") == 0) arguments.kinds = "definite,indirect,possible";
            status = run_baseline(arguments, out);
        }
    } catch (const InputError& error) {
        std::cerr << "osp-leakview: " << error.what() << '\n';
        return kExitBadInput;
    } catch (const UsageError& error) {
        std::cerr << "osp-leakview: " << error.what() << '\n';
        return kExitBadInput;
    } catch (const std::exception& error) {
        std::cerr << "osp-leakview: internal error: " << error.what() << '\n';
        return kExitBadInput;
    }
    std::cout << out.str() << std::flush;
    return status;
}
