#include "summary.hpp"

#include <algorithm>

namespace leakview {

SummaryReport summarize(const Snapshot& snapshot, SiteOrder order, std::size_t top) {
    SummaryReport report;
    report.snapshot = &snapshot;
    report.order = order;
    std::vector<const LeakSite*> sites;
    for (const auto& site : snapshot.leaks) sites.push_back(&site);
    if (order == SiteOrder::by_blocks)
        std::stable_sort(sites.begin(), sites.end(), [](const LeakSite* a, const LeakSite* b) {
            if (a->blocks != b->blocks) return a->blocks > b->blocks;
            if (a->bytes != b->bytes) return a->bytes > b->bytes;
            return a->key < b->key;
        });
    std::size_t shown = top == 0 ? sites.size() : std::min(top, sites.size());
    report.top_sites.assign(sites.begin(), sites.begin() + static_cast<std::ptrdiff_t>(shown));
    for (std::size_t index = shown; index < sites.size(); ++index) {
        report.hidden_total.blocks += sites[index]->blocks;
        report.hidden_total.bytes += sites[index]->bytes;
    }
    report.hidden_sites = sites.size() - shown;
    return report;
}

}  // namespace leakview
