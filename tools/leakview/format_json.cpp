// --format json: the report shapes of report_json.hpp, pretty-printed.
#include "output_format.hpp"
#include "report_json.hpp"

namespace leakview {
namespace {

class JsonFormat final : public OutputFormat {
public:
    void write_summary(const SummaryReport& report, std::ostream& out) const override {
        out << summary_to_json(report).dump(2, ' ', false, nlohmann::json::error_handler_t::replace) << '\n';
    }
    void write_diff(const DiffReport& report, std::ostream& out) const override {
        out << diff_to_json(report).dump(2, ' ', false, nlohmann::json::error_handler_t::replace) << '\n';
    }
    void write_gate(const GateReport& report, std::ostream& out) const override {
        out << gate_to_json(report).dump(2, ' ', false, nlohmann::json::error_handler_t::replace) << '\n';
    }
};

}  // namespace

std::unique_ptr<OutputFormat> make_json_format() { return std::make_unique<JsonFormat>(); }

}  // namespace leakview
