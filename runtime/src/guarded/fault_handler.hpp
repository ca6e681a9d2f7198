// The SIGSEGV/SIGBUS handler that turns faults into reports. Installed once, early (before
// the program's constructors), it remembers the handler that was there before. A fault
// goes first to the callback of the layer above; when the callback does not resume the
// program, the fault goes on to the previous handler unchanged: the program's own handler
// is called, and a default action is restored so the faulting instruction kills the
// process exactly as it would have without osp. Signals sent by kill() never reach the
// callback. A program that installs its own handler later replaces this one; faults then
// reach osp only if that handler passes them on.
#pragma once

#include <cstdint>

#include "guarded/fault_context.hpp"

namespace osp::guarded {

struct Fault {
  int signal;
  int code;                // si_code: how the kernel describes the fault
  std::uintptr_t address;  // si_addr
  const void* ucontext;
  FaultContext context;
};

// si_code of a fault whose address the processor could not give (x86-64 general
// protection: a non-canonical address); si_addr is then 0.
inline constexpr int kFaultWithoutAddress = 0x80;

enum class FaultOutcome {
  PassOn,  // not resolved: on to the previous handler (or the default action)
  Resume,  // the cause was removed: retry the faulting instruction
};

// `default_action_follows`: no handler of the program's is waiting for this fault, so
// passing it on kills the process.
using FaultCallback = FaultOutcome (*)(const Fault& fault, bool default_action_follows);

// Installs the handler for SIGSEGV and SIGBUS (once; later calls change nothing).
void install_fault_handler(FaultCallback callback) noexcept;
bool fault_handler_installed() noexcept;

// Gives the calling thread an alternate signal stack (once per thread, unless it has one
// already), so a fault from a stack overflow can still be reported. Freed at thread exit.
void ensure_alternate_stack() noexcept;

}  // namespace osp::guarded
