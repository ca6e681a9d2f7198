// Patterns by glob(3) (see path_glob.hpp).
#include "path_glob.hpp"

#include <glob.h>

namespace leakview {

std::vector<std::string> glob_paths(const std::string& pattern) {
    std::vector<std::string> files;
    glob_t matches{};
    const int result = ::glob(pattern.c_str(), 0, nullptr, &matches);
    for (std::size_t index = 0; result == 0 && index < matches.gl_pathc; ++index)
        files.push_back(matches.gl_pathv[index]);
    ::globfree(&matches);
    return files;
}

}  // namespace leakview
