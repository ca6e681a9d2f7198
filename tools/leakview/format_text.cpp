// --format text: aligned tables for people. ANSI colour only when asked (the caller
// enables it for a terminal without NO_COLOR), so piped output is plain and stable.
#include <sstream>
#include <string_view>

#include "frames.hpp"
#include "output_format.hpp"
#include "signed_text.hpp"
#include "text_table.hpp"

namespace leakview {
namespace {

constexpr std::size_t kFramesShownPerSite = 6;

std::vector<std::string> frame_lines(const Stack& stack) {
    std::vector<std::string> lines;
    auto frames = user_frames(stack);
    for (std::size_t index = 0; index < frames.size() && index < kFramesShownPerSite; ++index) {
        std::string location = frame_location(*frames[index]);
        std::string line = "#";
        line += std::to_string(index);
        line += ' ';
        line += frame_label(*frames[index]);
        if (!location.empty()) line += "  " + location;
        lines.push_back(std::move(line));
    }
    if (frames.size() > kFramesShownPerSite)
        lines.push_back("... " + std::to_string(frames.size() - kFramesShownPerSite) + " more frames");
    return lines;
}

std::vector<std::string> site_lines(const LeakSite& site) {
    std::vector<std::string> lines = frame_lines(site.frames);
    if (site.origin)
        lines.insert(lines.begin(), "ALLOCATE at " + site.origin->file + ":" + std::to_string(site.origin->line));
    lines.push_back("key " + site.key);
    return lines;
}

class TextFormat final : public OutputFormat {
public:
    explicit TextFormat(bool colour) : colour_(colour) {}

    void write_summary(const SummaryReport& report, std::ostream& out) const override {
        const Snapshot& snapshot = *report.snapshot;
        out << heading("osp leak summary: " + snapshot.source) << '\n';
        out << "process: " << describe_process(snapshot) << "\n\n";
        write_errors(snapshot, out);
        out << heading("Totals") << '\n';
        TextTable totals({{"kind"}, {"blocks", TextTable::Align::right}, {"bytes", TextTable::Align::right}});
        for (auto kind : kAllLeakKinds) {
            const BlockCount& count = snapshot.totals.by_kind.at(kind);
            totals.add_row({to_string(kind), std::to_string(count.blocks), std::to_string(count.bytes)});
        }
        totals.add_row({"suppressed", std::to_string(snapshot.totals.suppressed.blocks),
                         std::to_string(snapshot.totals.suppressed.bytes)});
        totals.add_row({"live (all)", std::to_string(snapshot.totals.live_blocks),
                        std::to_string(snapshot.totals.live_bytes)});
        totals.write(out, "  ");
        out << '\n';
        if (report.sites.empty()) {
            out << "No leak sites (" << kind_list(report.kinds) << ").\n";
            write_unlisted(report, out);
            return;
        }
        out << heading("Top " + kind_list(report.kinds) + " sites by " +
                       std::string(report.order == SiteOrder::by_bytes ? "bytes" : "count") + " (" +
                       std::to_string(report.top_sites.size()) + " of " + std::to_string(report.sites.size()) + ")")
            << '\n';
        TextTable sites({{"bytes", TextTable::Align::right}, {"blocks", TextTable::Align::right}, {"kind"}, {"site"}});
        for (const LeakSite* site : report.top_sites)
            sites.add_row({std::to_string(site->bytes), std::to_string(site->blocks), to_string(site->kind),
                           site_title(*site)},
                          site_lines(*site), kind_style(site->kind), reset());
        sites.write(out, "  ");
        if (report.hidden_sites > 0)
            out << "  ... " << report.hidden_sites << " more sites: " << report.hidden_total.blocks << " blocks, "
                << report.hidden_total.bytes << " bytes\n";
        write_unlisted(report, out);
    }

    void write_diff(const DiffReport& report, std::ostream& out) const override {
        out << heading("osp leak diff: " + report.before->source + " -> " + report.after->source) << '\n';
        out << "leaked: " << report.before_total.bytes << " -> " << report.after_total.bytes << " bytes ("
            << signed_text(report.delta_bytes) << "), " << report.before_total.blocks << " -> "
            << report.after_total.blocks << " blocks (" << signed_text(report.delta_blocks) << "), errors "
            << report.before->errors.size() << " -> " << report.after->errors.size() << "\n\n";
        TextTable table({{"change"}, {"delta bytes", TextTable::Align::right},
                         {"delta blocks", TextTable::Align::right}, {"bytes", TextTable::Align::right},
                         {"kind"}, {"site"}});
        std::size_t unchanged = 0;
        for (const auto& entry : report.sites) {
            if (entry.change == SiteChange::unchanged) {
                ++unchanged;
                continue;
            }
            std::vector<std::string> details = site_lines(entry.site());
            if (entry.matched_by_frames) details.push_back("matched by function names (was key " + entry.before->key + ")");
            std::string bytes = (entry.before ? std::to_string(entry.before->bytes) : "-") + " -> " +
                                (entry.after ? std::to_string(entry.after->bytes) : "-");
            bool worse = entry.change == SiteChange::added || entry.change == SiteChange::grown;
            table.add_row({to_string(entry.change), signed_text(entry.delta_bytes), signed_text(entry.delta_blocks), bytes,
                           to_string(entry.site().kind), site_title(entry.site())},
                          details, worse ? style("31") : style("32"), reset());
        }
        if (unchanged == report.sites.size()) out << "No changes in leak sites.\n";
        else table.write(out, "  ");
        if (unchanged > 0) out << "  (" << unchanged << " unchanged sites not shown)\n";
    }

    void write_gate(const GateReport& report, std::ostream& out) const override {
        out << heading("osp leak gate: " + report.current->source +
                       (report.baseline ? " against baseline " + report.baseline->source : ""))
            << '\n';
        for (const auto& check : report.checks)
            out << "  " << (check.passed ? style("32") + "PASS" : style("1;31") + "FAIL") << reset() << "  "
                << check.description << '\n';
        if (!report.counted.empty()) {
            out << '\n'
                << heading(report.leak_limits_passed ? "Counted sites (within limits)" : "Sites over the limits")
                << '\n';
            TextTable table({{"bytes", TextTable::Align::right}, {"blocks", TextTable::Align::right}, {"change"},
                             {"kind"}, {"site"}});
            for (const auto& entry : report.counted)
                table.add_row({std::to_string(entry.counted_bytes), std::to_string(entry.counted_blocks),
                               to_string(entry.change), to_string(entry.site->kind), site_title(*entry.site)},
                              site_lines(*entry.site));
            table.write(out, "  ");
        }
        if (!report.current->errors.empty() && !report.options.allow_errors) {
            out << '\n';
            write_errors(*report.current, out);
        }
        if (!report.suppressed.empty()) {
            out << '\n' << heading("Suppressed") << '\n';
            for (const auto& entry : report.suppressed)
                out << "  " << entry.site->bytes << " bytes  " << site_title(*entry.site) << "  (leak:"
                    << entry.rule->pattern << ", line " << entry.rule->line << ")\n";
        }
        out << '\n' << (report.passed ? style("1;32") + "gate passed" : style("1;31") + "gate FAILED") << reset() << '\n';
    }

private:
    std::string style(const std::string& code) const { return colour_ ? "\033[" + code + "m" : ""; }
    std::string reset() const { return colour_ ? "\033[0m" : ""; }
    std::string heading(const std::string& text) const { return style("1") + text + reset(); }
    std::string kind_style(LeakKind kind) const {
        if (kind == LeakKind::definite) return style("31");
        if (kind == LeakKind::indirect) return style("33");
        return "";
    }

    static std::string describe_process(const Snapshot& snapshot) {
        if (snapshot.process.merged && snapshot.process.runs.empty()) return "none recorded (a baseline: leak sites only)";
        if (snapshot.process.merged) return "merged from " + std::to_string(snapshot.process.runs.size()) + " runs";
        const Run& run = snapshot.process.runs.front();
        std::ostringstream text;
        text << run.executable << " (pid " << run.pid << "), trigger " << run.trigger << ", exit status "
             << (run.exit_status ? std::to_string(*run.exit_status) : "none");
        return text.str();
    }

    static void write_unlisted(const SummaryReport& report, std::ostream& out) {
        if (report.unlisted_sites == 0) return;
        out << "  not listed: " << report.unlisted_sites << " sites of kinds " << kind_list(report.unlisted_kinds) << " ("
            << report.unlisted_total.blocks << " blocks, " << report.unlisted_total.bytes << " bytes); "
            << unlisted_hint(report) << " lists them\n";
    }

    void write_errors(const Snapshot& snapshot, std::ostream& out) const {
        if (snapshot.errors.empty()) return;
        out << style("1;31") << "Errors (" << snapshot.errors.size() << ")" << reset() << '\n';
        for (const auto& error : snapshot.errors) {
            out << "  " << style("31") << error.kind << reset();
            if (!error.access.empty()) out << " (" << error.access << ", stopped at the access)";
            out << " at " << format_address(error.address) << ", " << error.size << " bytes, thread "
                << error.thread << ": " << error.message << '\n';
            for (const char* name : {"current", "free", "allocation"}) {
                auto stack = error.stacks.find(name);
                if (stack == error.stacks.end()) continue;
                const bool faulting = std::string_view(name) == "current" && !error.access.empty();
                out << "    " << (faulting ? "faulting access" : name) << ":\n";
                for (const auto& line : frame_lines(stack->second)) out << "      " << line << '\n';
            }
        }
        out << '\n';
    }

    bool colour_;
};

}  // namespace

std::unique_ptr<OutputFormat> make_text_format(bool colour) { return std::make_unique<TextFormat>(colour); }

}  // namespace leakview
