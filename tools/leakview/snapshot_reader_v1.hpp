// Reader for version 1 of the snapshot format (docs/snapshot-format.md).
#pragma once

#include "checked_json.hpp"
#include "snapshot.hpp"

namespace leakview {

Snapshot read_snapshot_v1(const CheckedJson& root);

// Also used for frames in the version-1 layout by later readers.
Stack read_stack_v1(const CheckedJson& value);

}  // namespace leakview
