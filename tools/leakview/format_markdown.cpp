// --format markdown: GitHub-flavoured tables for pull-request comments.
#include <sstream>

#include "frames.hpp"
#include "output_format.hpp"
#include "signed_text.hpp"

namespace leakview {
namespace {

// Table cells: pipes and backticks would break the table or the code span.
std::string cell(const std::string& text) {
    std::string escaped;
    for (char character : text) {
        if (character == '|') escaped += "\\|";
        else if (character == '`') escaped += '\'';
        else if (character == '\n' || character == '\r') escaped += ' ';
        else escaped += character;
    }
    return escaped;
}

std::string site_cell(const LeakSite& site) {
    std::string text = "`";
    text += cell(site_title(site));
    text += '`';
    SourceLocation location = site_source_location(site);
    if (!location.file.empty()) {
        text += ' ';
        text += cell(location.file);
        text += ':';
        text += std::to_string(location.line);
    }
    return text;
}

void write_errors(const Snapshot& snapshot, std::ostream& out) {
    if (snapshot.errors.empty()) return;
    out << "### Errors (" << snapshot.errors.size() << ")\n\n| kind | address | size | thread | message |\n|---|---|--:|--:|---|\n";
    for (const auto& error : snapshot.errors)
        out << "| " << error.kind << (error.access.empty() ? "" : " (" + error.access + ")") << " | `" << format_address(error.address) << "` | " << error.size << " | "
            << error.thread << " | " << cell(error.message) << " |\n";
    out << '\n';
}

class MarkdownFormat final : public OutputFormat {
public:
    void write_summary(const SummaryReport& report, std::ostream& out) const override {
        const Snapshot& snapshot = *report.snapshot;
        out << "## osp leak summary: `" << cell(snapshot.source) << "`\n\n";
        write_errors(snapshot, out);
        out << "| kind | blocks | bytes |\n|---|--:|--:|\n";
        for (auto kind : kAllLeakKinds)
            out << "| " << to_string(kind) << " | " << snapshot.totals.by_kind.at(kind).blocks << " | "
                << snapshot.totals.by_kind.at(kind).bytes << " |\n";
        out << "| suppressed | " << snapshot.totals.suppressed.blocks << " | " << snapshot.totals.suppressed.bytes
            << " |\n\n";
        if (report.top_sites.empty()) {
            out << "No leak sites (" << kind_list(report.kinds) << ").\n";
            write_unlisted(report, out);
            return;
        }
        out << "### Top " << kind_list(report.kinds) << " sites by "
            << (report.order == SiteOrder::by_bytes ? "bytes" : "count") << " (" << report.top_sites.size() << " of "
            << report.sites.size() << ")\n\n"
            << "| bytes | blocks | kind | site |\n|--:|--:|---|---|\n";
        for (const LeakSite* site : report.top_sites)
            out << "| " << site->bytes << " | " << site->blocks << " | " << to_string(site->kind) << " | "
                << site_cell(*site) << " |\n";
        if (report.hidden_sites > 0)
            out << "\n" << report.hidden_sites << " more sites: " << report.hidden_total.blocks << " blocks, "
                << report.hidden_total.bytes << " bytes.\n";
        write_unlisted(report, out);
    }

    static void write_unlisted(const SummaryReport& report, std::ostream& out) {
        if (report.unlisted_sites == 0) return;
        out << "\nNot listed: " << report.unlisted_sites << " sites of kinds " << kind_list(report.unlisted_kinds) << " ("
            << report.unlisted_total.blocks << " blocks, " << report.unlisted_total.bytes << " bytes); `"
            << unlisted_hint(report) << "` lists them.\n";
    }

    void write_diff(const DiffReport& report, std::ostream& out) const override {
        out << "## osp leak diff\n\n`" << cell(report.before->source) << "` → `" << cell(report.after->source)
            << "`: **" << signed_text(report.delta_bytes) << " bytes**, " << signed_text(report.delta_blocks)
            << " blocks (" << report.before_total.bytes << " → " << report.after_total.bytes << " bytes), errors "
            << report.before->errors.size() << " → " << report.after->errors.size() << "\n\n";
        bool any = false;
        for (const auto& entry : report.sites) {
            if (entry.change == SiteChange::unchanged) continue;
            if (!any) out << "| change | Δ bytes | Δ blocks | kind | site |\n|---|--:|--:|---|---|\n";
            any = true;
            out << "| " << to_string(entry.change) << " | " << signed_text(entry.delta_bytes) << " | "
                << signed_text(entry.delta_blocks) << " | " << to_string(entry.site().kind) << " | "
                << site_cell(entry.site()) << " |\n";
        }
        if (!any) out << "No changes in leak sites.\n";
    }

    void write_gate(const GateReport& report, std::ostream& out) const override {
        out << "## osp leak gate: " << (report.passed ? "✅ passed" : "❌ failed") << "\n\n`"
            << cell(report.current->source) << "`";
        if (report.baseline) out << " against baseline `" << cell(report.baseline->source) << "`";
        out << "\n\n| check | result | detail |\n|---|---|---|\n";
        for (const auto& check : report.checks)
            out << "| " << check.name << " | " << (check.passed ? "pass" : "**fail**") << " | "
                << cell(check.description) << " |\n";
        if (!report.counted.empty()) {
            out << "\n### " << (report.leak_limits_passed ? "Counted sites (within limits)" : "Sites over the limits")
                << "\n\n| bytes | blocks | change | kind | site |\n|--:|--:|---|---|---|\n";
            for (const auto& entry : report.counted)
                out << "| " << entry.counted_bytes << " | " << entry.counted_blocks << " | " << to_string(entry.change)
                    << " | " << to_string(entry.site->kind) << " | " << site_cell(*entry.site) << " |\n";
        }
        if (!report.options.allow_errors && !report.current->errors.empty()) {
            out << '\n';
            write_errors(*report.current, out);
        }
        if (!report.suppressed.empty()) out << "\n" << report.suppressed.size() << " sites suppressed.\n";
    }
};

}  // namespace

std::unique_ptr<OutputFormat> make_markdown_format() { return std::make_unique<MarkdownFormat>(); }

}  // namespace leakview
