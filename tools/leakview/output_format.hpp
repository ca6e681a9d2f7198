// One interface for every output format; each format lives in its own format_*.cpp.
// Formats write to a stream the caller buffers, so a failure never leaves partial output.
#pragma once

#include <memory>
#include <ostream>
#include <string>
#include <vector>

#include "diff.hpp"
#include "gate.hpp"
#include "summary.hpp"

namespace leakview {

class OutputFormat {
public:
    virtual ~OutputFormat() = default;
    virtual void write_summary(const SummaryReport& report, std::ostream& out) const = 0;
    virtual void write_diff(const DiffReport& report, std::ostream& out) const = 0;
    virtual void write_gate(const GateReport& report, std::ostream& out) const = 0;
};

const std::vector<std::string>& output_format_names();
// Null when `name` is not one of output_format_names().
std::unique_ptr<OutputFormat> make_output_format(const std::string& name, bool colour);

std::unique_ptr<OutputFormat> make_text_format(bool colour);
std::unique_ptr<OutputFormat> make_json_format();
std::unique_ptr<OutputFormat> make_markdown_format();
std::unique_ptr<OutputFormat> make_junit_format();
std::unique_ptr<OutputFormat> make_sarif_format();
std::unique_ptr<OutputFormat> make_folded_format();
std::unique_ptr<OutputFormat> make_html_format();
std::unique_ptr<OutputFormat> make_github_format();
std::unique_ptr<OutputFormat> make_codeclimate_format();

}  // namespace leakview
