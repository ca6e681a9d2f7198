// The machine-readable shape of each report (documented in docs/leakview.md, "json").
// Shared by the json format and the html page, which embeds it.
#pragma once

#include <nlohmann/json.hpp>

#include "diff.hpp"
#include "gate.hpp"
#include "summary.hpp"

namespace leakview {

nlohmann::ordered_json summary_to_json(const SummaryReport& report);
nlohmann::ordered_json diff_to_json(const DiffReport& report);
nlohmann::ordered_json gate_to_json(const GateReport& report);

// Pieces other formats reuse.
nlohmann::ordered_json site_to_json(const LeakSite& site);  // key, kind, counts, title, frames
nlohmann::ordered_json error_report_to_json(const ErrorReport& error);

}  // namespace leakview
