// libFuzzer target for the snapshot loader: any bytes must either load or be rejected with
// an InputError, never crash, hang or leak. Loaded snapshots go through every analysis and
// output format too, since those trust what the loader accepted.
#include <cstddef>
#include <cstdint>
#include <sstream>
#include <string>

#include "diff.hpp"
#include "gate.hpp"
#include "merge.hpp"
#include "output_format.hpp"
#include "snapshot.hpp"
#include "snapshot_writer.hpp"
#include "summary.hpp"

extern "C" int LLVMFuzzerTestOneInput(const std::uint8_t* data, std::size_t size) {
    using namespace leakview;
    std::string text(reinterpret_cast<const char*>(data), size);
    Snapshot snapshot;
    try {
        snapshot = parse_snapshot_text(text, "fuzz.json");
    } catch (const InputError&) {
        return 0;
    }
    // Whatever loaded must write back and load again to the same document.
    std::string written = snapshot_to_json(snapshot).dump(-1, ' ', false, nlohmann::json::error_handler_t::replace);
    Snapshot reloaded = parse_snapshot_text(written, "written.json");
    if (snapshot_to_json(reloaded) != snapshot_to_json(snapshot)) __builtin_trap();

    std::ostringstream sink;
    SummaryReport summary = summarize(snapshot, SiteOrder::by_blocks, 3, counted_leak_kinds(snapshot));
    DiffReport diff = diff_snapshots(snapshot, reloaded);
    GateReport gate = run_gate(snapshot, &reloaded, GateOptions{}, Suppressions());
    for (const auto& name : output_format_names()) {
        auto format = make_output_format(name, true);
        format->write_summary(summary, sink);
        format->write_diff(diff, sink);
        format->write_gate(gate, sink);
    }
    Snapshot merged = merge_snapshots({snapshot, reloaded});
    sink << snapshot_to_json(merged).dump(-1, ' ', false, nlohmann::json::error_handler_t::replace);
    return 0;
}
