#include <gtest/gtest.h>

#include "snapshot.hpp"
#include "snapshot_builder.hpp"
#include "snapshot_writer.hpp"

namespace leakview {
namespace {

using testing::minimal_snapshot_json;

std::string message_for(const nlohmann::json& document) {
    try {
        parse_snapshot_text(document.dump(), "input.json");
    } catch (const InputError& error) {
        return error.what();
    }
    return "";
}

TEST(SnapshotLoader, ReadsEveryField) {
    auto document = minimal_snapshot_json();
    document["leaks"] = {{{"key", "00000000000000ff"}, {"kind", "indirect"}, {"blocks", 2}, {"bytes", 96},
                          {"samples", {{{"address", "0xffffffffffffffff"}, {"size", 48}}}},
                          {"origin", {{"file", "/src/a.cpp"}, {"line", 12}}},
                          {"frames", {{{"address", "0x55d0c0a01234"}, {"module", "/bin/app"}, {"module_offset", "0x1234"}}}},
                          {"tiers", {{"small", {{"blocks", 2}, {"bytes", 96}}}}},
                          {"size_classes", {{{"class", 3}, {"block_bytes", 48}, {"blocks", 2}}}}}};
    Snapshot snapshot = parse_snapshot_text(document.dump(), "input.json");
    ASSERT_EQ(snapshot.leaks.size(), 1u);
    const LeakSite& site = snapshot.leaks[0];
    EXPECT_EQ(site.kind, LeakKind::indirect);
    EXPECT_EQ(site.samples[0].address, 0xffffffffffffffffULL);  // 64-bit addresses survive
    EXPECT_EQ(site.origin->line, 12u);
    EXPECT_FALSE(site.frames[0].function.has_value());
    EXPECT_EQ(site.frames[0].module_offset, 0x1234u);
    EXPECT_EQ(site.tiers.at("small").bytes, 96u);
    EXPECT_EQ(site.size_classes[0].block_bytes, 48u);
    EXPECT_EQ(std::get<std::int64_t>(snapshot.options.at("stack_depth")), 16);
    EXPECT_FALSE(snapshot.process.merged);
}

TEST(SnapshotLoader, WriterRoundTripsTheDocument) {
    auto document = minimal_snapshot_json();
    Snapshot snapshot = parse_snapshot_text(document.dump(), "input.json");
    auto written = snapshot_to_json(snapshot);
    EXPECT_EQ(nlohmann::json::parse(written.dump()), document);
}

TEST(SnapshotLoader, NamesFilePathAndProblem) {
    auto document = minimal_snapshot_json();
    document["counters"]["tiers"] = {{{"tier", "small"}, {"live_bytes", "many"}}};
    EXPECT_EQ(message_for(document), "input.json: $.counters.tiers[0].live_bytes: expected a count (integer >= 0), found string");
}

TEST(SnapshotLoader, RejectsNewerVersionWithAClearMessage) {
    auto document = minimal_snapshot_json();
    document["version"] = 3;
    EXPECT_NE(message_for(document).find("snapshot version 3 is newer than this osp-leakview understands (up to 1)"),
              std::string::npos);
}

TEST(SnapshotLoader, IgnoresUnknownMembersWithinAVersion) {
    auto document = minimal_snapshot_json();
    document["future_member"] = {1, 2, 3};
    document["process"]["cgroup"] = "/system.slice";
    EXPECT_EQ(message_for(document), "");
}

TEST(SnapshotLoader, SortsLeaksByBytesThenKey) {
    std::vector<LeakSite> leaks = {testing::leak_site("000000000000000b", 1, 10, {}),
                                   testing::leak_site("000000000000000a", 1, 10, {}),
                                   testing::leak_site("000000000000000c", 1, 99, {})};
    sort_leaks(leaks);
    EXPECT_EQ(leaks[0].key, "000000000000000c");
    EXPECT_EQ(leaks[1].key, "000000000000000a");
    EXPECT_EQ(leaks[2].key, "000000000000000b");
}

TEST(SnapshotLoader, MissingFileIsAnInputError) {
    EXPECT_THROW(load_snapshot_file("/nonexistent/osp/snapshot.json"), InputError);
}

}  // namespace
}  // namespace leakview
