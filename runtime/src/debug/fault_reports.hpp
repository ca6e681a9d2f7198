// Faults turned into reports: the callback the fault handler (guarded/fault_handler.hpp)
// runs first. A fault in a guarded slot is a heap-buffer-overflow, -underflow or a
// use-after-free at the access, reported with READ/WRITE, the faulting stack (frame 0 is
// the instruction), the allocation and free stacks; then the process aborts, or with
// halt_on_error=0 the page is opened and the program goes on (each slot reported once).
// Any other fault that would kill the process is reported as a SEGV on an unknown address
// (saying so when the address came from osp's fill patterns) and then left to kill it.
#pragma once

namespace osp::debug {

// Installs the handler (handle_segv or guard_pages decide whether reports are made).
// Called once at start-up, before the program's constructors.
void install_fault_reports() noexcept;

// False where faults cannot be turned into reports (Windows, for now): guarded slots are
// then never used.
bool fault_reports_available() noexcept;

}  // namespace osp::debug
