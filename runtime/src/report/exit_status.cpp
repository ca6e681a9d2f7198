// The status passed to exit(), noted by a glibc on_exit handler (see process_info.hpp for
// why it is registered twice: at start-up, and again once main is about to run).
#include <stdlib.h>

#include <atomic>

#include "report/process_info.hpp"

namespace osp::report {
namespace {

std::atomic<bool> g_exiting{false};
std::atomic<int> g_exit_status{0};

void note_exit_status(int status, void*) {
  g_exit_status.store(status, std::memory_order_relaxed);
  g_exiting.store(true, std::memory_order_release);
}

__attribute__((constructor(101))) void register_exit_status_handler() {
  on_exit(note_exit_status, nullptr);
}

}  // namespace

void note_main_starting() noexcept { on_exit(note_exit_status, nullptr); }

bool exit_status_known(int& status) noexcept {
  if (!g_exiting.load(std::memory_order_acquire)) return false;
  status = g_exit_status.load(std::memory_order_relaxed);
  return true;
}

}  // namespace osp::report
