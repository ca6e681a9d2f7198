// --format junit: JUnit XML for CI systems. gate: one testcase per gate check, its failure
// naming the sites (or errors) that broke it. summary: one testcase per runtime error and
// per leak site (reachable sites pass). diff: one testcase per changed site (new and grown
// fail).
#include <sstream>

#include "frames.hpp"
#include "markup_escape.hpp"
#include "output_format.hpp"

namespace leakview {
namespace {

struct TestCase {
    std::string name;
    std::string failure_message;  // empty: passed
    std::string failure_text;
};

void write_suite(const std::string& suite, const std::vector<TestCase>& cases, std::ostream& out) {
    std::size_t failures = 0;
    for (const auto& test : cases) failures += test.failure_message.empty() ? 0 : 1;
    out << "<?xml version=\"1.0\" encoding=\"UTF-8\"?>\n"
        << "<testsuites name=\"osp-leakview\" tests=\"" << cases.size() << "\" failures=\"" << failures << "\">\n"
        << "  <testsuite name=\"" << escape_markup(suite) << "\" tests=\"" << cases.size() << "\" failures=\""
        << failures << "\" errors=\"0\" skipped=\"0\">\n";
    for (const auto& test : cases) {
        out << "    <testcase classname=\"" << escape_markup(suite) << "\" name=\"" << escape_markup(test.name) << "\"";
        if (test.failure_message.empty()) {
            out << "/>\n";
            continue;
        }
        out << ">\n      <failure message=\"" << escape_markup(test.failure_message) << "\">"
            << escape_markup(test.failure_text) << "</failure>\n    </testcase>\n";
    }
    out << "  </testsuite>\n</testsuites>\n";
}

std::string site_description(const LeakSite& site) {
    std::ostringstream text;
    text << to_string(site.kind) << " leak of " << site.bytes << " bytes in " << site.blocks << " blocks, key "
         << site.key << "\n";
    for (const Frame* frame : user_frames(site.frames)) {
        std::string location = frame_location(*frame);
        text << "  " << frame_label(*frame) << (location.empty() ? "" : "  " + location) << "\n";
    }
    if (site.origin) text << "  ALLOCATE at " << site.origin->file << ":" << site.origin->line << "\n";
    return text.str();
}

TestCase error_case(const ErrorReport& error, std::size_t index) {
    return {"error " + std::to_string(index + 1) + ": " + error.kind,
            error.kind + " at " + format_address(error.address) + ": " + error.message, error.message + "\n"};
}

class JunitFormat final : public OutputFormat {
public:
    void write_summary(const SummaryReport& report, std::ostream& out) const override {
        std::vector<TestCase> cases;
        const Snapshot& snapshot = *report.snapshot;
        for (std::size_t index = 0; index < snapshot.errors.size(); ++index)
            cases.push_back(error_case(snapshot.errors[index], index));
        for (const LeakSite* site : report.top_sites) {
            TestCase test{site_title(*site) + " [" + site->key + "]", "", ""};
            if (site->kind != LeakKind::reachable) {
                test.failure_message = std::to_string(site->bytes) + " bytes leaked (" + to_string(site->kind) + ")";
                test.failure_text = site_description(*site);
            }
            cases.push_back(test);
        }
        write_suite("osp-leakview.summary", cases, out);
    }

    void write_diff(const DiffReport& report, std::ostream& out) const override {
        std::vector<TestCase> cases;
        for (const auto& entry : report.sites) {
            if (entry.change == SiteChange::unchanged) continue;
            TestCase test{std::string(to_string(entry.change)) + ": " + site_title(entry.site()) + " [" +
                              entry.site().key + "]",
                          "", ""};
            if (entry.change == SiteChange::added || entry.change == SiteChange::grown) {
                test.failure_message = "leak " + std::string(to_string(entry.change)) + " by " +
                                       std::to_string(entry.delta_bytes) + " bytes";
                test.failure_text = site_description(entry.site());
            }
            cases.push_back(test);
        }
        write_suite("osp-leakview.diff", cases, out);
    }

    void write_gate(const GateReport& report, std::ostream& out) const override {
        std::vector<TestCase> cases;
        for (const auto& check : report.checks) {
            TestCase test{check.name, "", ""};
            if (!check.passed) {
                test.failure_message = check.description;
                std::ostringstream text;
                if (check.name == "errors") {
                    for (const auto& error : report.current->errors)
                        text << error.kind << " at " << format_address(error.address) << ": " << error.message << "\n";
                } else {
                    for (const auto& entry : report.counted)
                        text << to_string(entry.change) << " " << site_title(*entry.site) << ": "
                             << entry.counted_bytes << " bytes, " << entry.counted_blocks << " blocks\n"
                             << site_description(*entry.site);
                }
                test.failure_text = text.str();
            }
            cases.push_back(test);
        }
        write_suite("osp-leakview.gate", cases, out);
    }
};

}  // namespace

std::unique_ptr<OutputFormat> make_junit_format() { return std::make_unique<JunitFormat>(); }

}  // namespace leakview
