// The exit status on Windows: the C runtime has no on_exit, and atexit handlers are not
// told the status, so the snapshot leaves it out (exit_status_known() is false).
#include "report/process_info.hpp"

namespace osp::report {

void note_main_starting() noexcept {}

bool exit_status_known(int&) noexcept { return false; }

}  // namespace osp::report
