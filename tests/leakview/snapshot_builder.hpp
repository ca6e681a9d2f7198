// Small helpers for the unit tests: a minimal valid snapshot as JSON text, and leak
// sites built in code, so each test states only what it is about.
#pragma once

#include <string>

#include <nlohmann/json.hpp>

#include "snapshot.hpp"

namespace leakview::testing {

inline nlohmann::json minimal_snapshot_json() {
    nlohmann::json kinds = nlohmann::json::object();
    for (const char* kind : {"definite", "indirect", "possible", "reachable"}) kinds[kind] = {{"blocks", 0}, {"bytes", 0}};
    return {{"format", "osp-leak-snapshot"},
            {"version", 1},
            {"process",
             {{"pid", 7}, {"executable", "/bin/app"}, {"command_line", {"app"}},
              {"start_time", "2026-11-25T15:00:00Z"}, {"snapshot_time", "2026-11-25T15:00:01Z"},
              {"exit_status", nullptr}, {"trigger", "api"}}},
            {"options", {{"stack_depth", 16}}},
            {"totals", {{"live_blocks", 0}, {"live_bytes", 0}, {"by_kind", kinds}, {"suppressed", {{"blocks", 0}, {"bytes", 0}}}}},
            {"counters", {{"peak_bytes", 0}, {"failed_allocations", 0}, {"tiers", nlohmann::json::array()}}},
            {"leaks", nlohmann::json::array()},
            {"errors", nlohmann::json::array()},
            {"modules", nlohmann::json::array()}};
}

inline Frame user_frame(const std::string& function, const std::string& file, std::uint64_t line) {
    Frame frame;
    frame.address = 0x1000 + line;
    frame.module = "/bin/app";
    frame.module_offset = line;
    frame.function = function;
    frame.file = file;
    frame.line = line;
    return frame;
}

inline LeakSite leak_site(const std::string& key, std::uint64_t blocks, std::uint64_t bytes, Stack frames,
                          LeakKind kind = LeakKind::definite) {
    LeakSite site;
    site.key = key;
    site.kind = kind;
    site.blocks = blocks;
    site.bytes = bytes;
    site.frames = std::move(frames);
    return site;
}

inline Snapshot snapshot_with(std::vector<LeakSite> leaks, const std::string& name = "test.json") {
    Snapshot snapshot = parse_snapshot_text(minimal_snapshot_json().dump(), name);
    snapshot.leaks = std::move(leaks);
    sort_leaks(snapshot.leaks);
    return snapshot;
}

}  // namespace leakview::testing
