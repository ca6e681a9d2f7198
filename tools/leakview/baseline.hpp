// The committed baseline (docs/leakview.md, "Baselines"): the leak sites of one or more
// snapshots with nothing that changes from run to run — no pids, times, addresses, line
// numbers or directories, only each site's key, kind, counts and the function and file
// name of its user frames — sorted by key and written one site per line, so a `git diff`
// of two baselines shows exactly the sites that changed. Every command that reads a
// snapshot reads a baseline too (as a snapshot with leak sites only).
#pragma once

#include <set>
#include <string>

#include <nlohmann/json.hpp>

#include "checked_json.hpp"
#include "snapshot.hpp"

namespace leakview {

inline constexpr const char* kBaselineFormat = "osp-leak-baseline";
inline constexpr int kNewestBaselineVersion = 1;

// The baseline's text for `snapshot`, keeping the sites of `kinds`.
std::string baseline_text(const Snapshot& snapshot, const std::set<LeakKind>& kinds);

// Reads a parsed baseline document (its "format" already says it is one).
Snapshot parse_baseline(const CheckedJson& root, const std::string& display_name);

}  // namespace leakview
