// The fault handler on Windows: none yet (see debug/fault_reports_windows.cpp). Windows
// threads need no alternate stack: a stack overflow is reported to vectored handlers on
// the guard page's reserve.
#include "guarded/fault_handler.hpp"

namespace osp::guarded {

void install_fault_handler(FaultCallback) noexcept {}

bool fault_handler_installed() noexcept { return false; }

void ensure_alternate_stack() noexcept {}

}  // namespace osp::guarded
