#include "summary.hpp"

#include <algorithm>
#include <sstream>

namespace leakview {

std::set<LeakKind> counted_leak_kinds(const Snapshot& snapshot) {
    std::set<LeakKind> kinds;
    auto option = snapshot.options.find("leak_kinds");
    if (option != snapshot.options.end()) {
        if (const auto* text = std::get_if<std::string>(&option->second)) {
            if (*text == "all") return {std::begin(kAllLeakKinds), std::end(kAllLeakKinds)};
            std::stringstream stream(*text);
            std::string name;
            while (std::getline(stream, name, ','))
                if (auto kind = leak_kind_from_string(name)) kinds.insert(*kind);
        }
    }
    if (kinds.empty()) kinds = {LeakKind::definite, LeakKind::indirect};
    return kinds;
}

SummaryReport summarize(const Snapshot& snapshot, SiteOrder order, std::size_t top,
                        const std::set<LeakKind>& kinds) {
    SummaryReport report;
    report.snapshot = &snapshot;
    report.order = order;
    report.kinds = kinds;
    for (const auto& site : snapshot.leaks) {
        if (kinds.count(site.kind)) {
            report.sites.push_back(&site);
            continue;
        }
        report.unlisted_kinds.insert(site.kind);
        ++report.unlisted_sites;
        report.unlisted_total.blocks += site.blocks;
        report.unlisted_total.bytes += site.bytes;
    }
    auto& sites = report.sites;
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

std::string kind_list(const std::set<LeakKind>& kinds) {
    std::string text;
    for (auto kind : kinds) {
        if (!text.empty()) text += ", ";
        text += to_string(kind);
    }
    return text;
}

const char* unlisted_hint(const SummaryReport& report) {
    return report.unlisted_kinds == std::set<LeakKind>{LeakKind::reachable} ? "--show-reachable" : "--kinds all";
}

}  // namespace leakview
