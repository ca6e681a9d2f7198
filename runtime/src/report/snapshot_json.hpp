// Builds the JSON leak snapshot (docs/snapshot-format.md, version 1) from a scan and its
// site table. Runs with the reentrancy guard held: nlohmann::json's allocations go to the
// runtime's internal heap, never the program's. Strings are escaped by the library and
// invalid UTF-8 (a file name, say) is replaced, never an error.
#pragma once

#include <string>

#include "report/leak_scan.hpp"
#include "report/site_table.hpp"

namespace osp::report {

// Error: written just before a fatal error report ends the process.
enum class SnapshotTrigger { Exit, Api, Signal, Error };

// The whole document as text (one line per leak site for readable diffs). Throws only
// std::bad_alloc.
std::string build_snapshot_json(const LeakScan& scan, const SiteTable& sites,
                                 SnapshotTrigger trigger);

}  // namespace osp::report
