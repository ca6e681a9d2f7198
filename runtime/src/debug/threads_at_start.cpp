// Threads that ran before the runtime (see threads_at_start.hpp), read from /proc/self/task
// with raw system calls: this runs inside the first allocation.
#include "debug/threads_at_start.hpp"

#include <dirent.h>
#include <fcntl.h>
#include <sys/syscall.h>
#include <unistd.h>

#include <atomic>

namespace osp::debug {
namespace {

// Emulators start one or two helper threads; a list that does not fit means the caller
// started before threads we cannot tell apart from the program's, so keep none.
constexpr int kMaxRememberedThreads = 8;

std::atomic<pid_t> g_threads[kMaxRememberedThreads];
std::atomic<int> g_thread_count{0};

}  // namespace

void remember_threads_at_start() noexcept {
  g_thread_count.store(0, std::memory_order_relaxed);
  const int fd = ::open("/proc/self/task", O_RDONLY | O_DIRECTORY | O_CLOEXEC);
  if (fd < 0) return;
  const auto self = static_cast<pid_t>(::syscall(SYS_gettid));
  alignas(8) char buffer[1024];
  int count = 0;
  bool overflow = false;
  for (;;) {
    const long got = ::syscall(SYS_getdents64, fd, buffer, sizeof buffer);
    if (got <= 0) break;
    for (long offset = 0; offset < got;) {
      const auto* entry = reinterpret_cast<const struct dirent64*>(buffer + offset);
      offset += entry->d_reclen;
      const char* name = entry->d_name;
      if (*name < '0' || *name > '9') continue;
      pid_t thread_id = 0;
      for (; *name >= '0' && *name <= '9'; ++name) thread_id = thread_id * 10 + (*name - '0');
      if (thread_id == self) continue;
      if (count == kMaxRememberedThreads) {
        overflow = true;
        break;
      }
      g_threads[count++].store(thread_id, std::memory_order_relaxed);
    }
  }
  ::close(fd);
  g_thread_count.store(overflow ? 0 : count, std::memory_order_release);
}

bool started_before_runtime(pid_t thread_id) noexcept {
  const int count = g_thread_count.load(std::memory_order_acquire);
  for (int index = 0; index < count; ++index) {
    if (g_threads[index].load(std::memory_order_relaxed) == thread_id) return true;
  }
  return false;
}

}  // namespace osp::debug
