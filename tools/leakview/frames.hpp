// Which frames of a stack matter to a reader, and how to name them. The runtime's own
// frames (allocator entry points, libosp*, libc, libstdc++, the loader) say nothing about
// where a leak comes from, so reports show the user frames only.
#pragma once

#include <string>
#include <vector>

#include "snapshot.hpp"

namespace leakview {

bool is_runtime_frame(const Frame& frame);
std::vector<const Frame*> user_frames(const Stack& stack);  // innermost first

// "ns::f(int)" when symbolized, otherwise "libx.so+0x1a2b".
std::string frame_label(const Frame& frame);
// "/src/a.cpp:42", "/src/a.cpp", or "" when unknown.
std::string frame_location(const Frame& frame);

// Short description of a site: its top user frame, or the ALLOCATE origin.
std::string site_title(const LeakSite& site);
// File and line a site points at (top user frame, else origin); file empty when unknown.
struct SourceLocation {
    std::string file;
    std::uint64_t line = 0;
};
SourceLocation site_source_location(const LeakSite& site);

// Labels of the user frames, outermost first (for folded stacks and flame graphs); a
// site without frames is one "ALLOCATE file:line" label.
std::vector<std::string> site_stack_labels(const LeakSite& site);

std::string basename_of(const std::string& path);

}  // namespace leakview
