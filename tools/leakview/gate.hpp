// `gate`: the CI leak check. Counts the leak sites of the chosen kinds that are not
// suppressed (or, with a baseline, their growth over it: new sites and the growth of
// grown ones) and compares bytes and blocks with the limits. Errors in the snapshot fail
// the gate unless allowed. Every check names exactly the sites that count against it.
#pragma once

#include <cstdint>
#include <optional>
#include <set>
#include <string>
#include <vector>

#include "diff.hpp"
#include "snapshot.hpp"
#include "suppressions.hpp"

namespace leakview {

struct GateOptions {
    std::uint64_t max_bytes = 0;
    std::uint64_t max_blocks = 0;
    std::set<LeakKind> kinds = {LeakKind::definite, LeakKind::indirect};
    bool allow_errors = false;
};

struct GateSite {
    const LeakSite* site = nullptr;
    SiteChange change = SiteChange::added;  // added when there is no baseline
    std::uint64_t counted_blocks = 0;       // what this site adds to the check
    std::uint64_t counted_bytes = 0;
};

struct SuppressedSite {
    const LeakSite* site = nullptr;
    const Suppression* rule = nullptr;
};

struct GateCheck {
    std::string name;        // "errors", "leaked bytes", "leaked blocks"
    bool passed = true;
    std::uint64_t measured = 0;
    std::uint64_t limit = 0;
    std::string description;  // one line, e.g. "4096 leaked bytes > limit 0"
};

struct GateReport {
    const Snapshot* current = nullptr;
    const Snapshot* baseline = nullptr;  // null when none
    GateOptions options;
    std::vector<GateCheck> checks;
    std::vector<GateSite> counted;        // sites counted against the limits, largest first
    bool leak_limits_passed = true;        // when false, `counted` are the sites that broke them
    std::vector<SuppressedSite> suppressed;
    bool passed = true;
};

GateReport run_gate(const Snapshot& current, const Snapshot* baseline, const GateOptions& options,
                    const Suppressions& suppressions);

}  // namespace leakview
