// What the snapshot says about the process: start time (noted by a constructor of the
// runtime), the status passed to exit() (noted by an on_exit handler registered at start,
// which runs after the program's atexit handlers and before the runtime's destructor),
// the executable and the command line (read from /proc/self at snapshot time).
#pragma once

#include <cstdint>

namespace osp::report {

// Seconds since the epoch (UTC) when the runtime started.
std::int64_t process_start_time() noexcept;
// True and the status when exit() has been called; false otherwise.
bool exit_status_known(int& status) noexcept;

// RFC 3339 UTC ("2026-11-25T15:00:00Z") into `out` (at least 21 bytes).
void format_utc_time(std::int64_t seconds, char* out) noexcept;
std::int64_t current_time() noexcept;

}  // namespace osp::report
