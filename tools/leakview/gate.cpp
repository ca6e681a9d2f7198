#include "gate.hpp"

#include <algorithm>

namespace leakview {
namespace {

GateCheck limit_check(const std::string& name, std::uint64_t measured, std::uint64_t limit,
                      bool growth) {
    GateCheck check;
    check.name = name;
    check.measured = measured;
    check.limit = limit;
    check.passed = measured <= limit;
    check.description = (growth ? "growth of " : "") + std::to_string(measured) + " " + name +
                        (check.passed ? " <= limit " : " > limit ") + std::to_string(limit);
    return check;
}

}  // namespace

GateReport run_gate(const Snapshot& current, const Snapshot* baseline, const GateOptions& options,
                    const Suppressions& suppressions) {
    GateReport report;
    report.current = &current;
    report.baseline = baseline;
    report.options = options;

    auto counts = [&](const LeakSite& site) {
        if (!options.kinds.count(site.kind)) return false;
        if (const Suppression* rule = suppressions.match(site)) {
            report.suppressed.push_back({&site, rule});
            return false;
        }
        return true;
    };

    if (baseline) {
        DiffReport diff = diff_snapshots(*baseline, current);
        for (const auto& entry : diff.sites) {
            if (!entry.after || !counts(*entry.after)) continue;
            if (entry.change != SiteChange::added && entry.change != SiteChange::grown) continue;
            GateSite counted{entry.after, entry.change,
                             static_cast<std::uint64_t>(std::max<std::int64_t>(entry.delta_blocks, 0)),
                             static_cast<std::uint64_t>(std::max<std::int64_t>(entry.delta_bytes, 0))};
            report.counted.push_back(counted);
        }
    } else {
        for (const auto& site : current.leaks)
            if (counts(site)) report.counted.push_back({&site, SiteChange::added, site.blocks, site.bytes});
    }
    std::stable_sort(report.counted.begin(), report.counted.end(), [](const GateSite& a, const GateSite& b) {
        if (a.counted_bytes != b.counted_bytes) return a.counted_bytes > b.counted_bytes;
        return a.site->key < b.site->key;
    });

    std::stable_sort(report.suppressed.begin(), report.suppressed.end(),
                     [](const SuppressedSite& a, const SuppressedSite& b) {
                         if (a.site->bytes != b.site->bytes) return a.site->bytes > b.site->bytes;
                         return a.site->key < b.site->key;
                     });

    std::uint64_t bytes = 0, blocks = 0;
    for (const auto& site : report.counted) {
        bytes += site.counted_bytes;
        blocks += site.counted_blocks;
    }

    GateCheck errors;
    errors.name = "errors";
    errors.measured = current.errors.size();
    errors.passed = options.allow_errors || current.errors.empty();
    errors.description = std::to_string(current.errors.size()) + " runtime errors" +
                         (options.allow_errors ? " (allowed)" : (errors.passed ? "" : " (none allowed)"));
    report.checks.push_back(errors);
    report.checks.push_back(limit_check("leaked bytes", bytes, options.max_bytes, baseline != nullptr));
    report.checks.push_back(limit_check("leaked blocks", blocks, options.max_blocks, baseline != nullptr));

    report.leak_limits_passed = report.checks[1].passed && report.checks[2].passed;
    report.passed = std::all_of(report.checks.begin(), report.checks.end(),
                                [](const GateCheck& check) { return check.passed; });
    return report;
}

}  // namespace leakview
