// `summary`: the errors of a run, its totals by kind and its top leak sites.
#pragma once

#include <cstddef>
#include <vector>

#include "snapshot.hpp"

namespace leakview {

enum class SiteOrder { by_bytes, by_blocks };

struct SummaryReport {
    const Snapshot* snapshot = nullptr;
    SiteOrder order = SiteOrder::by_bytes;
    std::vector<const LeakSite*> top_sites;  // at most `top`, in `order`
    std::size_t hidden_sites = 0;            // sites beyond the top N
    BlockCount hidden_total;                 // what those hidden sites add up to
};

// top == 0 means every site.
SummaryReport summarize(const Snapshot& snapshot, SiteOrder order, std::size_t top);

}  // namespace leakview
