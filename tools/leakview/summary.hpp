// `summary`: the errors of a run, its totals by kind and its top leak sites. Sites are
// listed only for the kinds asked for, by default the kinds that counted as leaks in the
// run (its leak_kinds option): still-reachable caches stay in the totals, not in the list.
#pragma once

#include <cstddef>
#include <set>
#include <string>
#include <vector>

#include "snapshot.hpp"

namespace leakview {

enum class SiteOrder { by_bytes, by_blocks };

struct SummaryReport {
    const Snapshot* snapshot = nullptr;
    SiteOrder order = SiteOrder::by_bytes;
    std::set<LeakKind> kinds;                // the kinds whose sites are listed
    std::vector<const LeakSite*> sites;      // every site of those kinds, in `order`
    std::vector<const LeakSite*> top_sites;  // the first `top` of them
    std::size_t hidden_sites = 0;            // sites of those kinds beyond the top N
    BlockCount hidden_total;                 // what those hidden sites add up to
    std::set<LeakKind> unlisted_kinds;       // other kinds that have sites
    std::size_t unlisted_sites = 0;          // their sites, not listed at all
    BlockCount unlisted_total;
};

// The kinds that counted as leaks in the snapshot's run: its `leak_kinds` option (a comma
// list or "all", as the runtime reads it), definite and indirect when absent or unreadable.
std::set<LeakKind> counted_leak_kinds(const Snapshot& snapshot);

// top == 0 means every site of `kinds`.
SummaryReport summarize(const Snapshot& snapshot, SiteOrder order, std::size_t top,
                        const std::set<LeakKind>& kinds);

// "definite, indirect": the kinds in their usual order, for headings.
std::string kind_list(const std::set<LeakKind>& kinds);

// The option that lists a report's unlisted sites: --show-reachable or --kinds all.
const char* unlisted_hint(const SummaryReport& report);

}  // namespace leakview
