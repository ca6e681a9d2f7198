// Where the snapshots of one command-line argument are: a file, every *.json below a
// folder (the per-test folders of the CMake leak gate), or the matches of a pattern the
// shell left unexpanded. Finding nothing is an InputError that says where it looked: a
// gate must never pass because its inputs are missing.
#pragma once

#include <optional>
#include <string>
#include <vector>

namespace leakview {

std::vector<std::string> expand_snapshot_argument(const std::string& argument);
std::vector<std::string> expand_snapshot_arguments(const std::vector<std::string>& arguments);

// `gate --baseline base.*.json next.*.json`: the shell expands both globs into one list
// after --baseline. The list splits where the names' shape (the name with each run of
// digits as one '#') changes: the index of the first snapshot, or nullopt when that is not
// clear (more than two shapes, or one shape for more than two names).
std::optional<std::size_t> split_expanded_globs(const std::vector<std::string>& names);

}  // namespace leakview
