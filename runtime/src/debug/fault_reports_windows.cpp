// Fault reports on Windows: not yet. Guarded slots need a handler that turns an access
// violation in a slot into a report; on Windows that is a vectored exception handler,
// which osp does not install yet. Without it a guarded block's overflow would end the
// program with no report, so guard_pages stays off there (guarded_blocks.cpp asks
// fault_reports_available()), and handle_segv has no effect.
#include "debug/fault_reports.hpp"

namespace osp::debug {

void install_fault_reports() noexcept {}

bool fault_reports_available() noexcept { return false; }

}  // namespace osp::debug
