// The snapshot_signal option: a running process writes a snapshot when it receives that
// signal (e.g. `kill -USR2 <pid>`). The handler only posts a semaphore; a runtime thread,
// started at load time when the option is set, waits on it and does the work (a scan
// cannot run in a signal handler: it maps memory, reads /proc and stops threads).
// The file is report_path, or osp-snapshot.%p.%t.json when that is empty.
#include <pthread.h>
#include <semaphore.h>
#include <signal.h>

#include "debug/options.hpp"
#include "debug/report_writer.hpp"
#include "debug/runtime_thread.hpp"
#include "report/leak_report.hpp"

namespace osp::report {
namespace {

constexpr const char* kDefaultSignalSnapshotPath = "osp-snapshot.%p.%t.json";

sem_t g_snapshot_requests;

void on_snapshot_signal(int) { sem_post(&g_snapshot_requests); }

void* snapshot_thread(void*) {
  // The runtime's own thread: nothing of the program's is on its stack or in its
  // registers, so its roots begin at its entry.
  CallerRoots own;
  OSP_CAPTURE_CALLER_ROOTS(own);
  // Everything this thread allocates belongs to the runtime, never to the program.
  debug::ReentrancyGuard guard;
  for (;;) {
    if (sem_wait(&g_snapshot_requests) != 0) continue;  // EINTR (a scan's stop signal)
    const char* path = debug::options().report_path;
    if (path == nullptr || path[0] == '\0') path = kDefaultSignalSnapshotPath;
    run_leak_report({false, false, path, SnapshotTrigger::Signal}, own);
  }
  return nullptr;
}

__attribute__((constructor)) void start_snapshot_thread() {
  const int signal_number = debug::options().snapshot_signal;
  if (signal_number <= 0) return;
  if (signal_number >= NSIG) {
    debug::ReportWriter(2).text("osp: warning: snapshot_signal=").decimal(static_cast<std::uint64_t>(signal_number))
        .text(" is not a signal number (ignored)\n");
    return;
  }
  debug::ReentrancyGuard guard;
  sem_init(&g_snapshot_requests, 0, 0);
  pthread_attr_t attributes;
  pthread_attr_init(&attributes);
  pthread_attr_setdetachstate(&attributes, PTHREAD_CREATE_DETACHED);
  // The thread must not take the signal itself before it is waiting: block it there.
  sigset_t blocked, previous;
  sigemptyset(&blocked);
  sigaddset(&blocked, signal_number);
  pthread_sigmask(SIG_BLOCK, &blocked, &previous);
  pthread_t thread;
  const bool started = pthread_create(&thread, &attributes, snapshot_thread, nullptr) == 0;
  pthread_sigmask(SIG_SETMASK, &previous, nullptr);
  pthread_attr_destroy(&attributes);
  if (!started) {
    debug::ReportWriter(2).text("osp: warning: cannot start the snapshot thread (snapshot_signal ignored)\n");
    return;
  }
  struct sigaction action = {};
  action.sa_handler = on_snapshot_signal;
  action.sa_flags = SA_RESTART;
  sigemptyset(&action.sa_mask);
  sigaction(signal_number, &action, nullptr);
}

}  // namespace
}  // namespace osp::report
