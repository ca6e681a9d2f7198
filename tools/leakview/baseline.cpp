#include "baseline.hpp"

#include <algorithm>

#include "frames.hpp"

namespace leakview {
namespace {

using Json = nlohmann::ordered_json;

// As many user frames as the site key hashes (docs/snapshot-format.md, "The site key").
constexpr std::size_t kBaselineFramesPerSite = 4;

Json site_json(const LeakSite& site) {
    Json frames = Json::array();
    for (const Frame* frame : user_frames(site.frames)) {
        if (frames.size() == kBaselineFramesPerSite) break;
        Json entry{{"function", frame_label(*frame)}};
        if (frame->file) entry["file"] = basename_of(*frame->file);
        frames.push_back(entry);
    }
    Json json{{"key", site.key}, {"kind", to_string(site.kind)}, {"blocks", site.blocks}, {"bytes", site.bytes},
              {"frames", frames}};
    if (frames.empty() && site.origin) json["origin"] = basename_of(site.origin->file);
    return json;
}

}  // namespace

std::string baseline_text(const Snapshot& snapshot, const std::set<LeakKind>& kinds) {
    std::vector<const LeakSite*> sites;
    for (const auto& site : snapshot.leaks)
        if (kinds.count(site.kind)) sites.push_back(&site);
    std::sort(sites.begin(), sites.end(), [](const LeakSite* a, const LeakSite* b) { return a->key < b->key; });

    Json kind_names = Json::array();
    for (auto kind : kinds) kind_names.push_back(to_string(kind));
    std::string text = "{\n  \"format\": \"" + std::string(kBaselineFormat) + "\",\n  \"version\": " +
                       std::to_string(kNewestBaselineVersion) + ",\n  \"kinds\": " + kind_names.dump() +
                       ",\n  \"sites\": [";
    for (std::size_t index = 0; index < sites.size(); ++index)
        text += (index == 0 ? "\n    " : ",\n    ") +
                site_json(*sites[index]).dump(-1, ' ', false, nlohmann::json::error_handler_t::replace);
    text += sites.empty() ? "]\n}\n" : "\n  ]\n}\n";
    return text;
}

Snapshot parse_baseline(const CheckedJson& root, const std::string& display_name) {
    auto version = root.member("version");
    if (version.as_integer() != kNewestBaselineVersion)
        version.fail("unknown baseline version " + std::to_string(version.as_integer()) + " (this osp-leakview reads " +
                     std::to_string(kNewestBaselineVersion) + ")");
    Snapshot snapshot;
    snapshot.source = display_name;
    snapshot.process.merged = true;  // no runs: a baseline keeps nothing about processes
    for (auto kind : kAllLeakKinds) snapshot.totals.by_kind[kind] = {};
    std::set<std::string> keys;
    for (const auto& entry : root.member("sites").elements()) {
        LeakSite site;
        auto key = entry.member("key");
        site.key = key.as_string();
        if (site.key.size() != 16 || site.key.find_first_not_of("0123456789abcdef") != std::string::npos)
            key.fail("expected 16 lowercase hex digits");
        if (!keys.insert(site.key).second) key.fail("site key " + site.key + " appears twice");
        site.kind = *leak_kind_from_string(entry.member("kind").as_one_of({"definite", "indirect", "possible", "reachable"}));
        site.blocks = entry.member("blocks").as_unsigned();
        site.bytes = entry.member("bytes").as_unsigned();
        for (const auto& frame_entry : entry.member("frames").elements()) {
            Frame frame;
            frame.function = frame_entry.member("function").as_string();
            if (auto file = frame_entry.optional_member("file")) frame.file = file->as_string();
            site.frames.push_back(std::move(frame));
        }
        if (auto origin = entry.optional_member("origin")) site.origin = Origin{origin->as_string(), 0};
        snapshot.totals.by_kind[site.kind].blocks += site.blocks;
        snapshot.totals.by_kind[site.kind].bytes += site.bytes;
        snapshot.totals.live_blocks += site.blocks;
        snapshot.totals.live_bytes += site.bytes;
        snapshot.leaks.push_back(std::move(site));
    }
    sort_leaks(snapshot.leaks);
    return snapshot;
}

}  // namespace leakview
