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

// The text as writers lay it out: format and version first, so the loader reads each leak
// while parsing. (nlohmann::json::dump sorts members, which puts "version" after "leaks"
// and makes the loader keep the arrays until the end: the other path.)
std::string header_first_text(const nlohmann::json& document) {
    nlohmann::ordered_json ordered;
    for (const char* name : {"format", "version", "process", "options", "totals", "counters", "leaks", "errors",
                             "modules"})
        ordered[name] = document.at(name);
    return ordered.dump();
}

std::string message_for_text(const std::string& text) {
    try {
        parse_snapshot_text(text, "input.json");
    } catch (const InputError& error) {
        return error.what();
    }
    return "";
}

nlohmann::json leak_json(const std::string& key, std::uint64_t bytes, const std::string& module) {
    return {{"key", key}, {"kind", "definite"}, {"blocks", 1}, {"bytes", bytes}, {"samples", nlohmann::json::array()},
            {"origin", nullptr},
            {"frames", {{{"address", "0x1000"}, {"module", module}, {"module_offset", "0x10"}, {"function", "f()"}}}},
            {"tiers", nlohmann::json::object()}, {"size_classes", nlohmann::json::array()}};
}

TEST(SnapshotLoader, ReadsTheSameWhetherLeaksComeBeforeOrAfterTheVersion) {
    auto document = minimal_snapshot_json();
    document["leaks"] = {leak_json("00000000000000a1", 10, "/bin/app"), leak_json("00000000000000a2", 30, "/bin/app")};
    Snapshot streamed = parse_snapshot_text(header_first_text(document), "input.json");
    Snapshot kept = parse_snapshot_text(document.dump(), "input.json");
    EXPECT_EQ(snapshot_to_json(streamed), snapshot_to_json(kept));
    ASSERT_EQ(streamed.leaks.size(), 2u);
    EXPECT_EQ(streamed.leaks[0].key, "00000000000000a2");  // sorted by bytes
}

TEST(SnapshotLoader, StoresEachRepeatedNameOnce) {
    auto document = minimal_snapshot_json();
    document["leaks"] = {leak_json("00000000000000a1", 10, "/bin/app"), leak_json("00000000000000a2", 30, "/bin/app")};
    Snapshot snapshot = parse_snapshot_text(header_first_text(document), "input.json");
    const Frame& first = snapshot.leaks[0].frames[0];
    const Frame& second = snapshot.leaks[1].frames[0];
    EXPECT_EQ(&first.module.str(), &second.module.str());
    EXPECT_EQ(&*first.function, &*second.function);
}

TEST(SnapshotLoader, AnEarlierSectionsProblemWinsOverAStreamedLeaksProblem) {
    auto document = minimal_snapshot_json();
    document["leaks"] = {leak_json("00000000000000a1", 10, "/bin/app")};
    document["leaks"][0]["blocks"] = "two";
    EXPECT_EQ(message_for_text(header_first_text(document)),
              "input.json: $.leaks[0].blocks: expected a count (integer >= 0), found string");
    document["process"]["pid"] = "many";
    EXPECT_EQ(message_for_text(header_first_text(document)),
              "input.json: $.process.pid: expected an integer, found string");
}

TEST(SnapshotLoader, ASyntaxErrorAfterABadLeakIsReportedAsSyntax) {
    auto document = minimal_snapshot_json();
    document["leaks"] = {leak_json("00000000000000a1", 10, "/bin/app")};
    document["leaks"][0]["kind"] = "lost";
    std::string text = header_first_text(document);
    text.pop_back();  // the closing brace
    EXPECT_EQ(message_for_text(text).find("input.json: line 1, column "), 0u);
    EXPECT_NE(message_for_text(text).find("JSON ends early (truncated file?)"), std::string::npos);
}

// A number too big for a double is a syntax problem with a position, not a crash (found
// by the fuzzer: nlohmann reports it as out_of_range, not parse_error).
TEST(SnapshotLoader, ANumberTooBigForADoubleIsReportedAsSyntax) {
    std::string text = header_first_text(minimal_snapshot_json());
    auto pid = text.find("\"pid\":");
    ASSERT_NE(pid, std::string::npos);
    text.insert(pid + 6, "72779556e5000, \"unused\": ");
    std::string message = message_for_text(text);
    EXPECT_EQ(message.find("input.json: line 1, column "), 0u) << message;
    EXPECT_NE(message.find("not valid JSON: number overflow parsing '72779556e5000'"), std::string::npos)
        << message;
}

TEST(SnapshotLoader, NamesTheDuplicateKeyInAStreamedArray) {
    auto document = minimal_snapshot_json();
    document["leaks"] = {leak_json("00000000000000a1", 10, "/bin/app"), leak_json("00000000000000a1", 30, "/bin/app")};
    EXPECT_EQ(message_for_text(header_first_text(document)),
              "input.json: $.leaks[1].key: duplicate site key 00000000000000a1");
    EXPECT_EQ(message_for(document), "input.json: $.leaks[1].key: duplicate site key 00000000000000a1");
}

TEST(SnapshotLoader, AStreamedArrayOfTheWrongTypeIsNamed) {
    auto document = minimal_snapshot_json();
    document["errors"] = "none";
    EXPECT_EQ(message_for_text(header_first_text(document)), "input.json: $.errors: expected an array, found string");
    document.erase("modules");
    document["errors"] = nlohmann::json::array();
    EXPECT_EQ(message_for(document), "input.json: $: missing member \"modules\"");
}

TEST(SnapshotLoader, MissingFileIsAnInputError) {
    EXPECT_THROW(load_snapshot_file("/nonexistent/osp/snapshot.json"), InputError);
}

}  // namespace
}  // namespace leakview
