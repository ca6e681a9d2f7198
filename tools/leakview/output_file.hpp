// Where osp-leakview's output goes: whether stdout is a terminal (colour), and writing an
// output file (--output) so that readers never see half of it. output_file.cpp (POSIX)
// and output_file_windows.cpp implement it.
#pragma once

#include <string>

namespace leakview {

bool stdout_is_terminal();

// Writes `text` to `path` through a new temporary file beside it, then replaces `path`
// in one step. Throws InputError naming `path` on failure.
void write_file_atomically(const std::string& path, const std::string& text);

}  // namespace leakview
