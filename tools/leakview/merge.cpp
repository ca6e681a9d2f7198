#include "merge.hpp"

#include <algorithm>
#include <map>
#include <set>

namespace leakview {
namespace {

const OptionValue kMixedOption = std::string("mixed");

void add_site(LeakSite& into, const LeakSite& site) {
    into.blocks += site.blocks;
    into.bytes += site.bytes;
    for (const auto& sample : site.samples)
        if (into.samples.size() < kMaxSamplesPerSite) into.samples.push_back(sample);
    for (const auto& [tier, count] : site.tiers) {
        into.tiers[tier].blocks += count.blocks;
        into.tiers[tier].bytes += count.bytes;
    }
    for (const auto& size_class : site.size_classes) {
        auto same = std::find_if(into.size_classes.begin(), into.size_classes.end(),
                                 [&](const SizeClassCount& existing) { return existing.size_class == size_class.size_class; });
        if (same == into.size_classes.end()) into.size_classes.push_back(size_class);
        else same->blocks += size_class.blocks;
    }
}

void merge_counters(Counters& into, const Counters& counters) {
    // Runs did not overlap in one address space: the merged peak is the largest peak.
    into.peak_bytes = std::max(into.peak_bytes, counters.peak_bytes);
    into.failed_allocations += counters.failed_allocations;
    for (const auto& tier : counters.tiers) {
        auto same = std::find_if(into.tiers.begin(), into.tiers.end(),
                                 [&](const TierCounters& existing) { return existing.tier == tier.tier; });
        if (same == into.tiers.end()) {
            into.tiers.push_back(tier);
            continue;
        }
        same->live_bytes += tier.live_bytes;
        same->peak_bytes = std::max(same->peak_bytes, tier.peak_bytes);
        same->allocations += tier.allocations;
        same->frees += tier.frees;
    }
}

}  // namespace

Snapshot merge_snapshots(const std::vector<Snapshot>& inputs) {
    Snapshot merged;
    merged.process.merged = true;
    for (auto kind : kAllLeakKinds) merged.totals.by_kind[kind] = {};
    std::map<std::string, std::size_t> site_index_by_key;
    std::set<std::pair<std::string, std::string>> seen_modules;

    for (std::size_t input_index = 0; input_index < inputs.size(); ++input_index) {
        const Snapshot& input = inputs[input_index];
        for (const auto& run : input.process.runs) merged.process.runs.push_back(run);

        // Options: kept when every input agrees, "mixed" otherwise.
        for (const auto& [name, value] : input.options) {
            auto found = merged.options.find(name);
            if (found == merged.options.end()) merged.options[name] = input_index == 0 ? value : kMixedOption;
            else if (found->second != value) found->second = kMixedOption;
        }
        for (auto& [name, value] : merged.options)
            if (!input.options.count(name)) value = kMixedOption;

        merged.totals.live_blocks += input.totals.live_blocks;
        merged.totals.live_bytes += input.totals.live_bytes;
        for (const auto& [kind, count] : input.totals.by_kind) {
            merged.totals.by_kind[kind].blocks += count.blocks;
            merged.totals.by_kind[kind].bytes += count.bytes;
        }
        merged.totals.suppressed.blocks += input.totals.suppressed.blocks;
        merged.totals.suppressed.bytes += input.totals.suppressed.bytes;
        merge_counters(merged.counters, input.counters);

        for (const auto& site : input.leaks) {
            auto [found, inserted] = site_index_by_key.emplace(site.key, merged.leaks.size());
            if (inserted) merged.leaks.push_back(site);
            else add_site(merged.leaks[found->second], site);
        }
        merged.errors.insert(merged.errors.end(), input.errors.begin(), input.errors.end());
        for (const auto& module : input.modules)
            if (seen_modules.emplace(module.path, module.build_id).second) merged.modules.push_back(module);
    }
    sort_leaks(merged.leaks);
    return merged;
}

}  // namespace leakview
