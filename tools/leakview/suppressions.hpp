// Suppression files: `leak:<pattern>` lines, `#` comments, blank lines. A pattern is a
// glob where `*` matches any run of characters; it suppresses a site when it matches the
// function, the file (full path or basename) or the module (full path or basename) of
// any frame, or the file of the ALLOCATE origin.
#pragma once

#include <string>
#include <vector>

#include "snapshot.hpp"

namespace leakview {

struct Suppression {
    std::string pattern;
    std::size_t line = 0;  // in the suppression file, for reports
};

class Suppressions {
public:
    // Throws InputError (file, "line N", problem) on a line it does not understand.
    static Suppressions load_file(const std::string& path);
    static Suppressions parse(const std::string& text, const std::string& display_name);

    // The first suppression that matches the site, or null.
    const Suppression* match(const LeakSite& site) const;
    bool empty() const { return entries_.empty(); }

private:
    std::vector<Suppression> entries_;
};

bool glob_matches(const std::string& pattern, const std::string& text);

}  // namespace leakview
