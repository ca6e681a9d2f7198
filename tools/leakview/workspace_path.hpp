// CI services place annotations by a path relative to the checked-out repository. The
// snapshot holds the paths the compiler saw (usually absolute); this strips the checkout
// folder that the CI names in an environment variable (GITHUB_WORKSPACE, CI_PROJECT_DIR).
#pragma once

#include <cstdlib>
#include <string>

namespace leakview {

inline std::string workspace_relative_path(const std::string& path, const char* workspace_variable) {
    const char* workspace = std::getenv(workspace_variable);
    if (workspace == nullptr || *workspace == '\0') return path;
    std::string root = workspace;
    while (root.size() > 1 && root.back() == '/') root.pop_back();
    if (path.size() > root.size() + 1 && path.compare(0, root.size(), root) == 0 && path[root.size()] == '/')
        return path.substr(root.size() + 1);
    return path;
}

}  // namespace leakview
