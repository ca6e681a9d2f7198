#include "diff.hpp"

#include <algorithm>
#include <map>
#include <string>

#include "frames.hpp"

namespace leakview {
namespace {

constexpr std::size_t kMatchFrameCount = 4;

// Identity of a site without line numbers or addresses: kind + top user function names.
// Empty when the site has no symbolized user frame (nothing reliable to match on).
std::string fallback_identity(const LeakSite& site) {
    std::string identity = to_string(site.kind);
    std::size_t used = 0;
    for (const Frame* frame : user_frames(site.frames)) {
        if (used == kMatchFrameCount) break;
        if (!frame->function) return "";
        identity += "\n" + *frame->function;
        ++used;
    }
    if (used == 0) {
        if (!site.origin) return "";
        identity += "\nALLOCATE " + basename_of(site.origin->file);
    }
    return identity;
}

std::int64_t signed_difference(std::uint64_t after, std::uint64_t before) {
    return static_cast<std::int64_t>(after) - static_cast<std::int64_t>(before);
}

SiteDiff compare(const LeakSite* before, const LeakSite* after, bool by_frames) {
    SiteDiff diff;
    diff.before = before;
    diff.after = after;
    diff.matched_by_frames = by_frames;
    diff.delta_blocks = signed_difference(after ? after->blocks : 0, before ? before->blocks : 0);
    diff.delta_bytes = signed_difference(after ? after->bytes : 0, before ? before->bytes : 0);
    if (!before) diff.change = SiteChange::added;
    else if (!after) diff.change = SiteChange::removed;
    else if (diff.delta_bytes > 0 || (diff.delta_bytes == 0 && diff.delta_blocks > 0)) diff.change = SiteChange::grown;
    else if (diff.delta_bytes < 0 || diff.delta_blocks < 0) diff.change = SiteChange::shrunk;
    else diff.change = SiteChange::unchanged;
    return diff;
}

}  // namespace

const char* to_string(SiteChange change) {
    switch (change) {
        case SiteChange::added: return "new";
        case SiteChange::grown: return "grown";
        case SiteChange::shrunk: return "shrunk";
        case SiteChange::removed: return "gone";
        case SiteChange::unchanged: return "unchanged";
    }
    return "unchanged";
}

DiffReport diff_snapshots(const Snapshot& before, const Snapshot& after) {
    DiffReport report;
    report.before = &before;
    report.after = &after;

    std::map<std::string, const LeakSite*> before_by_key;
    for (const auto& site : before.leaks) before_by_key[site.key] = &site;

    std::vector<const LeakSite*> unmatched_after;
    for (const auto& site : after.leaks) {
        auto found = before_by_key.find(site.key);
        if (found == before_by_key.end()) {
            unmatched_after.push_back(&site);
            continue;
        }
        report.sites.push_back(compare(found->second, &site, false));
        before_by_key.erase(found);
    }

    // Second pass over what is left on both sides, in snapshot order (deterministic).
    std::multimap<std::string, const LeakSite*> before_by_identity;
    for (const auto& site : before.leaks)
        if (before_by_key.count(site.key))
            if (auto identity = fallback_identity(site); !identity.empty())
                before_by_identity.emplace(identity, &site);
    std::vector<bool> before_used(before.leaks.size(), false);
    for (const LeakSite* site : unmatched_after) {
        auto identity = fallback_identity(*site);
        auto found = identity.empty() ? before_by_identity.end() : before_by_identity.find(identity);
        if (found == before_by_identity.end()) {
            report.sites.push_back(compare(nullptr, site, false));
            continue;
        }
        report.sites.push_back(compare(found->second, site, true));
        before_by_key.erase(found->second->key);
        before_by_identity.erase(found);
    }
    for (const auto& site : before.leaks)
        if (before_by_key.count(site.key)) report.sites.push_back(compare(&site, nullptr, false));

    std::stable_sort(report.sites.begin(), report.sites.end(), [](const SiteDiff& a, const SiteDiff& b) {
        if (a.change != b.change) return a.change < b.change;
        auto magnitude = [](std::int64_t value) { return value < 0 ? -value : value; };
        if (magnitude(a.delta_bytes) != magnitude(b.delta_bytes))
            return magnitude(a.delta_bytes) > magnitude(b.delta_bytes);
        return a.site().key < b.site().key;
    });

    for (const auto& site : before.leaks) {
        report.before_total.blocks += site.blocks;
        report.before_total.bytes += site.bytes;
    }
    for (const auto& site : after.leaks) {
        report.after_total.blocks += site.blocks;
        report.after_total.bytes += site.bytes;
    }
    report.delta_blocks = signed_difference(report.after_total.blocks, report.before_total.blocks);
    report.delta_bytes = signed_difference(report.after_total.bytes, report.before_total.bytes);
    report.delta_errors = static_cast<std::int64_t>(after.errors.size()) -
                          static_cast<std::int64_t>(before.errors.size());
    return report;
}

}  // namespace leakview
