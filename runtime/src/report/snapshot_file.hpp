// Writing a snapshot file safely: the path's %p becomes the process id and %t the time
// (seconds since the epoch); the text goes to a new "<path>.tmp.<random>" file (created
// with O_EXCL | O_NOFOLLOW: nothing planted there is followed) with raw writes, is flushed
// to disk and only then renamed over the final name, so neither a crash of the process nor
// one of the machine leaves half a file.
#pragma once

#include <cstddef>
#include <string>

namespace osp::report {

// Expands %p, %t and %% in `pattern`.
std::string expand_snapshot_path(const char* pattern);

// False (after a one-line message on stderr naming the path and the reason) on failure.
bool write_file_atomically(const std::string& path, const std::string& text) noexcept;

}  // namespace osp::report
