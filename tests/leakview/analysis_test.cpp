#include <gtest/gtest.h>

#include "diff.hpp"
#include "frames.hpp"
#include "gate.hpp"
#include "merge.hpp"
#include "summary.hpp"
#include "snapshot_builder.hpp"
#include "snapshot_inputs.hpp"
#include "suppressions.hpp"

namespace leakview {
namespace {

using testing::leak_site;
using testing::snapshot_with;
using testing::user_frame;

Frame runtime_frame() {
    Frame frame = user_frame("operator new(unsigned long)", "new_delete.cpp", 31);
    frame.module = "/usr/lib/libospdebug.so.0";
    return frame;
}

TEST(Frames, HidesRuntimeFramesAndKeepsUserOnes) {
    Stack stack = {runtime_frame(), user_frame("malloc", "", 0), user_frame("app::f()", "/src/f.cpp", 3),
                   user_frame("main", "/src/main.cpp", 9)};
    auto frames = user_frames(stack);
    ASSERT_EQ(frames.size(), 2u);
    EXPECT_EQ(*frames[0]->function, "app::f()");
    EXPECT_EQ(site_title(leak_site("0000000000000001", 1, 1, stack)), "app::f()");
}

TEST(Diff, ClassifiesNewGrownShrunkGone) {
    auto before = snapshot_with({leak_site("000000000000000a", 1, 100, {user_frame("a()", "a.cpp", 1)}),
                                 leak_site("000000000000000b", 4, 400, {user_frame("b()", "b.cpp", 1)}),
                                 leak_site("000000000000000c", 1, 50, {user_frame("c()", "c.cpp", 1)})});
    auto after = snapshot_with({leak_site("000000000000000a", 3, 300, {user_frame("a()", "a.cpp", 1)}),
                                leak_site("000000000000000b", 1, 100, {user_frame("b()", "b.cpp", 1)}),
                                leak_site("000000000000000d", 2, 20, {user_frame("d()", "d.cpp", 1)})});
    DiffReport report = diff_snapshots(before, after);
    ASSERT_EQ(report.sites.size(), 4u);
    EXPECT_EQ(report.sites[0].change, SiteChange::added);
    EXPECT_EQ(report.sites[0].after->key, "000000000000000d");
    EXPECT_EQ(report.sites[1].change, SiteChange::grown);
    EXPECT_EQ(report.sites[1].delta_bytes, 200);
    EXPECT_EQ(report.sites[2].change, SiteChange::shrunk);
    EXPECT_EQ(report.sites[2].delta_blocks, -3);
    EXPECT_EQ(report.sites[3].change, SiteChange::removed);
    EXPECT_EQ(report.delta_bytes, (300 + 100 + 20) - (100 + 400 + 50));
}

TEST(Diff, MatchesMovedCodeByFunctionNamesWhenKeysDiffer) {
    auto before = snapshot_with({leak_site("000000000000000a", 1, 100, {user_frame("a()", "old/a.cpp", 10)})});
    auto after = snapshot_with({leak_site("00000000000000aa", 1, 100, {user_frame("a()", "new/a_impl.cpp", 90)})});
    DiffReport report = diff_snapshots(before, after);
    ASSERT_EQ(report.sites.size(), 1u);
    EXPECT_EQ(report.sites[0].change, SiteChange::unchanged);
    EXPECT_TRUE(report.sites[0].matched_by_frames);
}

TEST(Diff, DoesNotMatchDifferentKindsByFunctionNames) {
    auto before = snapshot_with({leak_site("000000000000000a", 1, 100, {user_frame("a()", "a.cpp", 1)})});
    auto after = snapshot_with(
        {leak_site("000000000000000b", 1, 100, {user_frame("a()", "a.cpp", 1)}, LeakKind::reachable)});
    DiffReport report = diff_snapshots(before, after);
    ASSERT_EQ(report.sites.size(), 2u);
    EXPECT_EQ(report.sites[0].change, SiteChange::added);
    EXPECT_EQ(report.sites[1].change, SiteChange::removed);
}

TEST(Gate, CountsOnlyGrowthOverTheBaseline) {
    auto baseline = snapshot_with({leak_site("000000000000000a", 1, 100, {user_frame("a()", "a.cpp", 1)})});
    auto current = snapshot_with({leak_site("000000000000000a", 2, 150, {user_frame("a()", "a.cpp", 1)}),
                                  leak_site("000000000000000b", 1, 10, {user_frame("b()", "b.cpp", 1)})});
    GateOptions options;
    options.max_bytes = 60;
    options.max_blocks = 2;
    GateReport report = run_gate(current, &baseline, options, Suppressions());
    EXPECT_TRUE(report.passed) << report.checks[1].description;
    EXPECT_EQ(report.checks[1].measured, 60u);
    options.max_bytes = 59;
    report = run_gate(current, &baseline, options, Suppressions());
    EXPECT_FALSE(report.passed);
    ASSERT_EQ(report.counted.size(), 2u);
    EXPECT_EQ(report.counted[0].site->key, "000000000000000a");
    EXPECT_EQ(report.counted[0].counted_bytes, 50u);
}

TEST(Gate, ErrorsFailUnlessAllowedAndReachableDoesNotCountByDefault) {
    auto current = snapshot_with({leak_site("000000000000000a", 1, 100, {}, LeakKind::reachable)});
    current.errors.push_back(ErrorReport{"double-free", 0x10, 8, 1, "twice", {}});
    GateOptions options;
    GateReport report = run_gate(current, nullptr, options, Suppressions());
    EXPECT_FALSE(report.passed);
    EXPECT_FALSE(report.checks[0].passed);
    EXPECT_TRUE(report.leak_limits_passed);
    options.allow_errors = true;
    EXPECT_TRUE(run_gate(current, nullptr, options, Suppressions()).passed);
}

TEST(Suppressions, MatchFunctionFileOrModuleWithGlobs) {
    auto suppressions = Suppressions::parse("# comment\n\nleak:app::*::grow*\nleak:libthird*.so\n", "s.supp");
    Frame third_party = user_frame("z()", "z.cpp", 1);
    third_party.module = "/opt/lib/libthirdparty.so";
    EXPECT_NE(suppressions.match(leak_site("000000000000000a", 1, 1, {user_frame("app::Buffer::grow(int)", "b.cpp", 1)})), nullptr);
    EXPECT_NE(suppressions.match(leak_site("000000000000000b", 1, 1, {third_party})), nullptr);
    EXPECT_EQ(suppressions.match(leak_site("000000000000000c", 1, 1, {user_frame("app::grow()", "b.cpp", 1)})), nullptr);
    EXPECT_THROW(Suppressions::parse("leak:\n", "s.supp"), InputError);
}

TEST(Suppressions, GlobIsLinearOnPathologicalPatterns) {
    EXPECT_TRUE(glob_matches("*a*b*c", "xxaxxbxxc"));
    EXPECT_FALSE(glob_matches("*a*b*c", "xxaxxbxx"));
    EXPECT_TRUE(glob_matches("*", ""));
    EXPECT_FALSE(glob_matches("a", ""));
    std::string long_text(20000, 'a');
    EXPECT_FALSE(glob_matches("*a*a*a*a*a*a*b", long_text));
}

TEST(Merge, AddsSitesWithTheSameKeyAndFlattensRuns) {
    auto first = snapshot_with({leak_site("000000000000000a", 1, 100, {}), leak_site("000000000000000b", 1, 5, {})});
    auto second = snapshot_with({leak_site("000000000000000a", 2, 200, {})});
    second.options["stack_depth"] = std::int64_t{24};
    Snapshot merged = merge_snapshots({first, second});
    ASSERT_EQ(merged.leaks.size(), 2u);
    EXPECT_EQ(merged.leaks[0].key, "000000000000000a");
    EXPECT_EQ(merged.leaks[0].bytes, 300u);
    EXPECT_EQ(merged.leaks[0].blocks, 3u);
    EXPECT_EQ(merged.process.runs.size(), 2u);
    EXPECT_EQ(std::get<std::string>(merged.options.at("stack_depth")), "mixed");
    Snapshot again = merge_snapshots({merged, first});
    EXPECT_EQ(again.process.runs.size(), 3u);
}

Snapshot cache_and_leaks() {
    // The shape of a real run: one big still-reachable pool above two small leaks.
    return snapshot_with({leak_site("pool", 1, 72704, {user_frame("pool_init", "pool.cpp", 3)}, LeakKind::reachable),
                          leak_site("lost", 2, 480, {user_frame("lose", "a.cpp", 9)}),
                          leak_site("child", 1, 64, {user_frame("child", "b.cpp", 4)}, LeakKind::indirect),
                          leak_site("maybe", 1, 32, {user_frame("maybe", "c.cpp", 7)}, LeakKind::possible)});
}

std::vector<std::string> keys_of(const std::vector<const LeakSite*>& sites) {
    std::vector<std::string> keys;
    for (const LeakSite* site : sites) keys.push_back(site->key);
    return keys;
}

TEST(Summary, ListsOnlyTheCountedKindsAndNamesTheRest) {
    Snapshot snapshot = cache_and_leaks();
    SummaryReport report = summarize(snapshot, SiteOrder::by_bytes, 20, counted_leak_kinds(snapshot));
    EXPECT_EQ(keys_of(report.sites), (std::vector<std::string>{"lost", "child"}));
    EXPECT_EQ(keys_of(report.top_sites), keys_of(report.sites));
    EXPECT_EQ(report.unlisted_sites, 2u);
    EXPECT_EQ(report.unlisted_total.bytes, 72704u + 32u);
    EXPECT_EQ(report.unlisted_kinds, (std::set<LeakKind>{LeakKind::possible, LeakKind::reachable}));
    EXPECT_STREQ(unlisted_hint(report), "--kinds all");
}

TEST(Summary, ShowsReachableSitesWhenAsked) {
    Snapshot snapshot = cache_and_leaks();
    SummaryReport report = summarize(snapshot, SiteOrder::by_bytes, 2,
                                     {LeakKind::definite, LeakKind::indirect, LeakKind::reachable});
    EXPECT_EQ(keys_of(report.sites), (std::vector<std::string>{"pool", "lost", "child"}));
    EXPECT_EQ(keys_of(report.top_sites), (std::vector<std::string>{"pool", "lost"}));
    EXPECT_EQ(report.hidden_sites, 1u);
    EXPECT_EQ(report.hidden_total.bytes, 64u);
    EXPECT_EQ(report.unlisted_kinds, std::set<LeakKind>{LeakKind::possible});
}

TEST(Summary, CountedKindsComeFromTheRunsLeakKindsOption) {
    Snapshot snapshot = cache_and_leaks();
    EXPECT_EQ(counted_leak_kinds(snapshot), (std::set<LeakKind>{LeakKind::definite, LeakKind::indirect}));
    snapshot.options["leak_kinds"] = std::string("definite,reachable");
    EXPECT_EQ(counted_leak_kinds(snapshot), (std::set<LeakKind>{LeakKind::definite, LeakKind::reachable}));
    snapshot.options["leak_kinds"] = std::string("all");
    EXPECT_EQ(counted_leak_kinds(snapshot).size(), 4u);
    snapshot.options["leak_kinds"] = std::string("mixed");  // merged runs that disagree
    EXPECT_EQ(counted_leak_kinds(snapshot), (std::set<LeakKind>{LeakKind::definite, LeakKind::indirect}));
    snapshot.options["leak_kinds"] = std::string("definite");
    SummaryReport report = summarize(snapshot, SiteOrder::by_blocks, 0, counted_leak_kinds(snapshot));
    EXPECT_EQ(keys_of(report.sites), std::vector<std::string>{"lost"});
    EXPECT_EQ(report.unlisted_sites, 3u);
}

// The shell expands `gate --baseline base.*.json next.*.json` into one list.
TEST(SplitExpandedGlobs, SplitsWhereTheNamesShapeChanges) {
    EXPECT_EQ(split_expanded_globs({"base.17.json", "base.9.json", "next.17.json", "next.9.json"}), 2u);
    EXPECT_EQ(split_expanded_globs({"run/base.1.json", "run/next.1.json", "run/next.22.json"}), 1u);
    EXPECT_EQ(split_expanded_globs({"main.json", "branch.json"}), 1u);
    EXPECT_EQ(split_expanded_globs({"leaks.1.json", "leaks.2.json"}), 1u);
}

TEST(SplitExpandedGlobs, RefusesToGuess) {
    EXPECT_EQ(split_expanded_globs({"a.json", "b.json", "c.json"}), std::nullopt);
    EXPECT_EQ(split_expanded_globs({"leaks.1.json", "leaks.2.json", "leaks.3.json"}), std::nullopt);
}

}  // namespace
}  // namespace leakview
