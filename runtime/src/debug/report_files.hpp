// Creating the runtime's report files (log_path files, snapshot temporaries) safely in
// shared folders such as /tmp: a symlink, FIFO or file that someone planted at the name is
// never followed, truncated or written to. Raw system calls only: no allocation, so these
// work inside malloc and while reporting.
#pragma once

#include <cstddef>

namespace osp::debug {

// Opens `path` for appending: creates it (O_EXCL | O_NOFOLLOW), or appends to an existing
// plain file only when it belongs to this user and has a single link (the same pid in an
// earlier run). Anything else is refused: -1 with errno set (ELOOP for a symlink, EEXIST for
// a file that is not ours).
int open_log_file(const char* path) noexcept;

// Creates a new file "<path>.tmp.<16 random hex digits>" with O_EXCL | O_NOFOLLOW and
// returns its descriptor, writing its name to `name` (`name_bytes` long); -1 with errno set
// on failure (ENAMETOOLONG when the name does not fit).
int create_temporary_file(const char* path, char* name, std::size_t name_bytes) noexcept;

// Renames the file `from` to `to`, replacing `to` if it exists, in one step (readers see
// the old file or the new one).
bool replace_file(const char* from, const char* to) noexcept;

// fsync of the folder that holds `path`, so a rename into it survives a crash of the
// machine. Best effort: false when the folder cannot be opened or synced.
bool sync_parent_folder(const char* path) noexcept;

}  // namespace osp::debug
