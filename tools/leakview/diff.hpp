// `diff`: how the leak sites of a later snapshot differ from an earlier one. Sites match
// by key; sites whose keys differ still match when their kind and top user functions are
// the same, so a site whose code moved is "grown"/"shrunk"/"unchanged", not gone + new.
#pragma once

#include <cstdint>
#include <vector>

#include "snapshot.hpp"

namespace leakview {

enum class SiteChange { added, grown, shrunk, removed, unchanged };
const char* to_string(SiteChange change);

struct SiteDiff {
    SiteChange change = SiteChange::unchanged;
    const LeakSite* before = nullptr;  // null when added
    const LeakSite* after = nullptr;   // null when removed
    std::int64_t delta_blocks = 0;
    std::int64_t delta_bytes = 0;
    bool matched_by_frames = false;    // keys differed; matched by kind + user functions

    const LeakSite& site() const { return after ? *after : *before; }
};

struct DiffReport {
    const Snapshot* before = nullptr;
    const Snapshot* after = nullptr;
    // added, grown, shrunk, removed, unchanged; within each, largest |delta bytes| first.
    std::vector<SiteDiff> sites;
    BlockCount before_total;  // all listed leak sites
    BlockCount after_total;
    std::int64_t delta_blocks = 0;
    std::int64_t delta_bytes = 0;
    std::int64_t delta_errors = 0;
};

DiffReport diff_snapshots(const Snapshot& before, const Snapshot& after);

}  // namespace leakview
