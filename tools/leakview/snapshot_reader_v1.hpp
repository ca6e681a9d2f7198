// Reader for version 1 of the snapshot format (docs/snapshot-format.md), in parts so the
// loader can read each leak, error and module as soon as the parser has it (the long
// arrays are never held as JSON at once). Reading order and messages are those of one
// pass over the document: header sections first, then leaks, errors, modules.
#pragma once

#include "checked_json.hpp"
#include "interned_string.hpp"
#include "snapshot.hpp"

namespace leakview {

// process, options, totals, counters: everything but the three arrays.
Snapshot read_snapshot_header_v1(const CheckedJson& root);

LeakSite read_leak_site_v1(const CheckedJson& value, StringInterner& names);
ErrorReport read_error_v1(const CheckedJson& value, StringInterner& names);
Module read_module_v1(const CheckedJson& value);

// Also used for frames in the version-1 layout by later readers.
Stack read_stack_v1(const CheckedJson& value, StringInterner& names);

}  // namespace leakview
