// What the snapshot says about the process: start time (noted by a constructor of the
// runtime), the status passed to exit() (noted by an on_exit handler), the executable and
// the command line (read from /proc/self at snapshot time).
//
// Exit handlers run in reverse order of registration, and the dynamic linker's own handler
// (which runs library destructors, where the exit snapshot is written) is registered when
// the program starts, after the runtime's constructors. So the on_exit handler that notes
// the status must be registered once main is about to run: api/process_start.cpp wraps
// main to call note_main_starting().
#pragma once

#include <cstdint>
#include <string>

namespace osp::report {

// Seconds since the epoch (UTC) when the runtime started.
std::int64_t process_start_time() noexcept;
// True and the status when exit() has been called; false otherwise.
bool exit_status_known(int& status) noexcept;
// Registers the exit-status handler again, late enough to run before the exit snapshot.
void note_main_starting() noexcept;

// RFC 3339 UTC ("2026-11-25T15:00:00Z") into `out` (at least 21 bytes).
void format_utc_time(std::int64_t seconds, char* out) noexcept;
std::int64_t current_time() noexcept;

// The process's command line, each argument followed by a NUL (Linux: /proc/self/cmdline;
// Windows: the C runtime's __argv); "" when unknown.
// Allocates: call with the reentrancy guard held.
std::string command_line_arguments();

}  // namespace osp::report
