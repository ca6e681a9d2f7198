// Writes a Snapshot back as version-1 JSON (used by `merge`), members in the documented
// order so output is stable and diffable.
#pragma once

#include <nlohmann/json.hpp>

#include "snapshot.hpp"

namespace leakview {

nlohmann::ordered_json snapshot_to_json(const Snapshot& snapshot);
nlohmann::ordered_json frame_to_json(const Frame& frame);
nlohmann::ordered_json stack_to_json(const Stack& stack);

}  // namespace leakview
