// The fault handler (see fault_handler.hpp). It saves errno, runs the callback, and chains
// to the previous disposition; it never allocates itself.
#include "guarded/fault_handler.hpp"

#include <errno.h>
#include <signal.h>
#include <sys/mman.h>

#include <cstring>

#include "os/os_memory.hpp"

namespace osp::guarded {
namespace {

constexpr std::size_t kAlternateStackBytes = 256 * 1024;

struct HandlerState {
  FaultCallback callback = nullptr;
  struct sigaction previous_segv;
  struct sigaction previous_bus;
  int installed = 0;  // 0 no, 1 installing, 2 yes
};

constinit HandlerState g_state{};

__thread void* t_alternate_stack __attribute__((tls_model("initial-exec"))) = nullptr;

struct sigaction& previous_for(int signal) {
  return signal == SIGBUS ? g_state.previous_bus : g_state.previous_segv;
}

bool is_default(const struct sigaction& action) {
  if ((action.sa_flags & SA_SIGINFO) != 0) return action.sa_sigaction == nullptr;
  return action.sa_handler == SIG_DFL || action.sa_handler == SIG_IGN;
}

void pass_on(int signal, siginfo_t* info, void* ucontext, bool sent_by_process) {
  struct sigaction& previous = previous_for(signal);
  if (!is_default(previous)) {
    if ((previous.sa_flags & SA_SIGINFO) != 0) {
      previous.sa_sigaction(signal, info, ucontext);
    } else {
      previous.sa_handler(signal);
    }
    return;
  }
  // Back to the default action: a fault re-executes the instruction and dies of it; a
  // signal sent by a process is raised again.
  struct sigaction restore;
  std::memset(&restore, 0, sizeof restore);
  restore.sa_handler = SIG_DFL;
  sigemptyset(&restore.sa_mask);
  sigaction(signal, &restore, nullptr);
  if (sent_by_process) raise(signal);
}

void handle_fault(int signal, siginfo_t* info, void* ucontext) {
  const int saved_errno = errno;
  const bool sent_by_process = info == nullptr || info->si_code <= 0;
  if (!sent_by_process && g_state.callback != nullptr) {
    Fault fault{signal, info->si_code, reinterpret_cast<std::uintptr_t>(info->si_addr), ucontext,
                read_fault_context(ucontext)};
    if (g_state.callback(fault, is_default(previous_for(signal))) == FaultOutcome::Resume) {
      errno = saved_errno;
      return;
    }
  }
  pass_on(signal, info, ucontext, sent_by_process);
  errno = saved_errno;
}

void free_alternate_stack(void* stack) {
  stack_t disable;
  std::memset(&disable, 0, sizeof disable);
  disable.ss_flags = SS_DISABLE;
  sigaltstack(&disable, nullptr);
  os::release(stack, kAlternateStackBytes);
  t_alternate_stack = nullptr;
}

}  // namespace

void install_fault_handler(FaultCallback callback) noexcept {
  int expected = 0;
  if (!__atomic_compare_exchange_n(&g_state.installed, &expected, 1, false, __ATOMIC_ACQ_REL,
                                   __ATOMIC_ACQUIRE)) {
    return;
  }
  g_state.callback = callback;
  struct sigaction action;
  std::memset(&action, 0, sizeof action);
  action.sa_sigaction = handle_fault;
  action.sa_flags = SA_SIGINFO | SA_ONSTACK;
  sigemptyset(&action.sa_mask);
  sigaction(SIGSEGV, &action, &g_state.previous_segv);
  sigaction(SIGBUS, &action, &g_state.previous_bus);
  __atomic_store_n(&g_state.installed, 2, __ATOMIC_RELEASE);
  ensure_alternate_stack();
}

bool fault_handler_installed() noexcept {
  return __atomic_load_n(&g_state.installed, __ATOMIC_ACQUIRE) == 2;
}

void ensure_alternate_stack() noexcept {
  if (t_alternate_stack != nullptr || !fault_handler_installed()) return;
  stack_t current;
  if (sigaltstack(nullptr, &current) != 0) return;
  if ((current.ss_flags & SS_DISABLE) == 0) return;  // the program gave it one
  void* stack = os::map(kAlternateStackBytes, os::page_size(), false);
  if (stack == nullptr) return;
  stack_t wanted;
  wanted.ss_sp = stack;
  wanted.ss_size = kAlternateStackBytes;
  wanted.ss_flags = 0;
  if (sigaltstack(&wanted, nullptr) != 0) {
    os::release(stack, kAlternateStackBytes);
    return;
  }
  t_alternate_stack = stack;
  os::at_thread_exit(free_alternate_stack, stack);
}

}  // namespace osp::guarded
