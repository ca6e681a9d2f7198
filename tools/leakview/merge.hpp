// `merge`: one snapshot from many (test shards, several processes of one build). Sites
// with the same key add up; errors are concatenated in input order; runs are listed in
// process.runs; modules are deduplicated by (path, build id). See docs/leakview.md.
#pragma once

#include <vector>

#include "snapshot.hpp"

namespace leakview {

// `inputs` must not be empty.
Snapshot merge_snapshots(const std::vector<Snapshot>& inputs);

}  // namespace leakview
