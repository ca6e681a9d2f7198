// Stop-the-world without ptrace, so the scan works under gdb and strace and in
// containers without ptrace rights. The calling thread holds every live-block shard lock
// (no block can be added or freed), then signals every other thread of the process
// (/proc/self/task + tgkill). Each thread's handler records its stack pointer and thread
// pointer in a slot and spins until resume_all(). The handler runs on the thread's own
// stack, so the signal frame the kernel pushed there (every general and vector register
// of the interrupted code) lies inside the stack range the scan reads.
//
// A thread that does not answer within the timeout (it blocks the signal, or sleeps
// uninterruptibly) is counted in unanswered(); the caller must then not call any block a
// leak, since that thread's registers and stack were not seen.
#pragma once

#include <sys/types.h>

#include <cstddef>
#include <cstdint>

namespace osp::report {

struct StoppedThread {
  pid_t thread_id;
  std::uintptr_t stack_pointer;   // inside the handler: below the saved registers
  std::uintptr_t thread_pointer;  // pthread_self(): the TLS block / thread descriptor
  // Where the thread's registers were saved, when not on its own stack (Windows: the
  // CONTEXT from GetThreadContext); 0, 0 when the stack holds them (Linux: the signal frame).
  std::uintptr_t registers_start;
  std::uintptr_t registers_end;
};

// The calling thread's thread pointer (glibc: pthread_self(), the TLS block; Windows: the
// thread environment block, which holds its TLS slots).
std::uintptr_t current_thread_pointer() noexcept;

class ThreadStopper {
 public:
  // Stops every other thread (signal: the scan_signal option, 0 for the platform's choice). Must be followed by
  // resume_all(), also when it returns false (handler could not be installed).
  bool stop_all(int signal_number, int timeout_milliseconds) noexcept;
  void resume_all() noexcept;

  std::size_t stopped_count() const noexcept { return stopped_count_; }
  const StoppedThread& stopped(std::size_t index) const noexcept;
  std::size_t unanswered() const noexcept { return unanswered_; }

 private:
  std::size_t stopped_count_ = 0;
  std::size_t unanswered_ = 0;
  bool active_ = false;
};

}  // namespace osp::report
