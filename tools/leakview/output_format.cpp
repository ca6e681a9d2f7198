#include "output_format.hpp"

namespace leakview {

const std::vector<std::string>& output_format_names() {
    static const std::vector<std::string> names = {"text", "json", "markdown", "junit",
                                                   "sarif", "folded", "html", "github",
                                                   "codeclimate"};
    return names;
}

std::unique_ptr<OutputFormat> make_output_format(const std::string& name, bool colour) {
    if (name == "text") return make_text_format(colour);
    if (name == "json") return make_json_format();
    if (name == "markdown") return make_markdown_format();
    if (name == "junit") return make_junit_format();
    if (name == "sarif") return make_sarif_format();
    if (name == "folded") return make_folded_format();
    if (name == "html") return make_html_format();
    if (name == "github") return make_github_format();
    if (name == "codeclimate") return make_codeclimate_format();
    return nullptr;
}

}  // namespace leakview
