// The snapshot model's small helpers: input errors, leak kinds, the site order. Loading is
// in snapshot_loader.cpp.
#include "snapshot.hpp"

#include <algorithm>
#include <sstream>

namespace leakview {

InputError::InputError(std::string file, std::string where, std::string problem)
    : std::runtime_error(file + ": " + where + ": " + problem),
      file_(std::move(file)),
      where_(std::move(where)),
      problem_(std::move(problem)) {}

const char* to_string(LeakKind kind) {
    switch (kind) {
        case LeakKind::definite: return "definite";
        case LeakKind::indirect: return "indirect";
        case LeakKind::possible: return "possible";
        case LeakKind::reachable: return "reachable";
    }
    return "definite";
}

std::optional<LeakKind> leak_kind_from_string(const std::string& text) {
    for (auto kind : kAllLeakKinds)
        if (text == to_string(kind)) return kind;
    return std::nullopt;
}

std::string format_address(std::uint64_t address) {
    std::ostringstream out;
    out << "0x" << std::hex << address;
    return out.str();
}

void sort_leaks(std::vector<LeakSite>& leaks) {
    std::stable_sort(leaks.begin(), leaks.end(), [](const LeakSite& a, const LeakSite& b) {
        if (a.bytes != b.bytes) return a.bytes > b.bytes;
        return a.key < b.key;
    });
}

}  // namespace leakview
