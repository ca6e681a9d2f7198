// --format github: GitHub Actions workflow commands (`::error file=…,line=…,title=…::…`),
// one per leak site at its top user frame and one per runtime error, so each shows as an
// annotation on the pull request's diff. The Markdown report for the job summary is
// written by main.cpp to $GITHUB_STEP_SUMMARY beside them. Paths are made relative to
// $GITHUB_WORKSPACE, as annotations need.
#include <sstream>

#include "frames.hpp"
#include "output_format.hpp"
#include "workspace_path.hpp"

namespace leakview {
namespace {

// Escaping of workflow commands (actions/toolkit, command.ts): the message escapes
// %, CR, LF; properties also ':' and ','.
std::string escape_data(const std::string& text) {
    std::string escaped;
    for (char character : text) {
        if (character == '%') escaped += "%25";
        else if (character == '\r') escaped += "%0D";
        else if (character == '\n') escaped += "%0A";
        else escaped += character;
    }
    return escaped;
}

std::string escape_property(const std::string& text) {
    std::string escaped;
    for (char character : escape_data(text)) {
        if (character == ':') escaped += "%3A";
        else if (character == ',') escaped += "%2C";
        else escaped += character;
    }
    return escaped;
}

void write_command(std::ostream& out, const char* level, const SourceLocation& location, const std::string& title,
                   const std::string& message) {
    out << "::" << level << ' ';
    if (!location.file.empty()) {
        out << "file=" << escape_property(workspace_relative_path(location.file, "GITHUB_WORKSPACE"));
        if (location.line > 0) out << ",line=" << location.line;
        out << ',';
    }
    out << "title=" << escape_property(title) << "::" << escape_data(message) << '\n';
}

std::string stack_text(const Stack& stack) {
    std::string text;
    for (const Frame* frame : user_frames(stack)) {
        text += "\n  " + frame_label(*frame);
        std::string location = frame_location(*frame);
        if (!location.empty()) text += " at " + location;
    }
    return text;
}

void write_site(std::ostream& out, const char* level, const LeakSite& site, const std::string& headline) {
    std::string message = headline + "\n" + std::to_string(site.bytes) + " bytes in " + std::to_string(site.blocks) +
                          " blocks, site key " + site.key + stack_text(site.frames);
    write_command(out, level, site_source_location(site), std::string("osp leak (") + to_string(site.kind) + ")",
                  message);
}

void write_error(std::ostream& out, const ErrorReport& error) {
    SourceLocation location;
    std::string stacks;
    for (const char* name : {"current", "free", "allocation"}) {
        auto stack = error.stacks.find(name);
        if (stack == error.stacks.end()) continue;
        if (location.file.empty())
            for (const Frame* frame : user_frames(stack->second))
                if (frame->file) {
                    location = {*frame->file, frame->line.value_or(0)};
                    break;
                }
        stacks += std::string("\n") + name + " stack:" + stack_text(stack->second);
    }
    std::string kind = error.kind + (error.access.empty() ? "" : " (" + error.access + ")");
    write_command(out, "error", location, "osp " + kind, kind + ": " + error.message + stacks);
}

std::string leak_headline(const LeakSite& site) {
    return std::to_string(site.bytes) + " bytes leaked (" + to_string(site.kind) + ") from " + site_title(site);
}

class GithubFormat final : public OutputFormat {
public:
    void write_summary(const SummaryReport& report, std::ostream& out) const override {
        for (const auto& error : report.snapshot->errors) write_error(out, error);
        for (const LeakSite* site : report.top_sites)
            write_site(out, site->kind == LeakKind::reachable ? "notice" : "warning", *site, leak_headline(*site));
    }
    void write_diff(const DiffReport& report, std::ostream& out) const override {
        for (const auto& entry : report.sites) {
            if (entry.change != SiteChange::added && entry.change != SiteChange::grown) continue;
            std::string headline = std::string(to_string(entry.change)) + " leak site: +" +
                                   std::to_string(entry.delta_bytes) + " bytes (" + to_string(entry.site().kind) +
                                   ") from " + site_title(entry.site());
            write_site(out, "warning", entry.site(), headline);
        }
    }
    void write_gate(const GateReport& report, std::ostream& out) const override {
        if (!report.options.allow_errors)
            for (const auto& error : report.current->errors) write_error(out, error);
        for (const auto& entry : report.counted) {
            std::string headline = (report.baseline ? std::string(to_string(entry.change)) + " over the baseline: +"
                                                    : std::string("leak: ")) +
                                   std::to_string(entry.counted_bytes) + " bytes in " +
                                   std::to_string(entry.counted_blocks) + " blocks (" + to_string(entry.site->kind) +
                                   ") from " + site_title(*entry.site);
            write_site(out, report.leak_limits_passed ? "notice" : "error", *entry.site, headline);
        }
        for (const auto& check : report.checks)
            if (!check.passed) out << "::error title=osp leak gate failed::" << escape_data(check.description) << '\n';
    }
};

}  // namespace

std::unique_ptr<OutputFormat> make_github_format() { return std::make_unique<GithubFormat>(); }

}  // namespace leakview
