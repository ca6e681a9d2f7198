// The files a shell-style pattern (*, ?, [...]) names, sorted; path_glob.cpp (glob(3)) and
// path_glob_windows.cpp implement it.
#pragma once

#include <string>
#include <vector>

namespace leakview {

std::vector<std::string> glob_paths(const std::string& pattern);

}  // namespace leakview
