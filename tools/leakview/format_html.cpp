// --format html: one self-contained page (inline CSS and script, no network) with a flame
// graph of leaked bytes by allocation stack and the tables of the report. The report is
// embedded as the same JSON that --format json prints.
#include "html_page.hpp"
#include "markup_escape.hpp"
#include "output_format.hpp"
#include "report_json.hpp"

namespace leakview {
namespace {

// JSON inside <script>: "</" and "<!--" must not appear, so every '<' becomes \u003c.
std::string embeddable_json(const nlohmann::ordered_json& json) {
    std::string text = json.dump(-1, ' ', false, nlohmann::json::error_handler_t::replace);
    std::string safe;
    safe.reserve(text.size());
    for (char character : text) {
        if (character == '<') safe += "\\u003c";
        else safe += character;
    }
    return safe;
}

void write_page(const std::string& title, const nlohmann::ordered_json& report, std::ostream& out) {
    out << "<!DOCTYPE html>\n<html lang=\"en\">\n<head>\n<meta charset=\"utf-8\">\n<title>" << escape_markup(title)
        << "</title>\n<style>" << kHtmlStyle << "</style>\n</head>\n<body>\n<div id=\"main\"></div>\n"
        << "<noscript>This report needs JavaScript to draw; the data is in the script element below.</noscript>\n"
        << "<script type=\"application/json\" id=\"report\">" << embeddable_json(report) << "</script>\n"
        << "<script>" << kHtmlScript << "</script>\n</body>\n</html>\n";
}

class HtmlFormat final : public OutputFormat {
public:
    void write_summary(const SummaryReport& report, std::ostream& out) const override {
        write_page("osp leak summary", summary_to_json(report), out);
    }
    void write_diff(const DiffReport& report, std::ostream& out) const override {
        write_page("osp leak diff", diff_to_json(report), out);
    }
    void write_gate(const GateReport& report, std::ostream& out) const override {
        write_page("osp leak gate", gate_to_json(report), out);
    }
};

}  // namespace

std::unique_ptr<OutputFormat> make_html_format() { return std::make_unique<HtmlFormat>(); }

}  // namespace leakview
