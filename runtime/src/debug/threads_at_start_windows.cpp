// Threads already running when the runtime started, on Windows: nothing to remember. The
// Windows leak scan suspends threads with SuspendThread instead of asking them with a
// signal, so a thread that never runs the program's code (an emulator's or the system's
// own) cannot hold the scan up; it is suspended and scanned like any other.
#include "debug/threads_at_start.hpp"

namespace osp::debug {

void remember_threads_at_start() noexcept {}

bool started_before_runtime(pid_t) noexcept { return false; }

}  // namespace osp::debug
