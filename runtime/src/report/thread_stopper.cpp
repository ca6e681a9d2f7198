// Signal-based stop-the-world (see thread_stopper.hpp).
//
// Protocol, per scan generation G (g_active_generation = G while threads are held):
//   scanner: writes a slot {tid, answered = 0} per thread, then tgkill(tid)
//   handler: finds its slot, writes SP and TP, stores answered = G (release), then spins
//            while g_active_generation == G
//   scanner: resume_all() stores g_active_generation = 0; handlers return.
// Slots live in static storage, not scratch memory: a handler that runs late (after its
// scan gave up on it) must still find readable slots, and then sees a generation that is
// no longer active and returns at once.
#include "report/thread_stopper.hpp"

#include <dirent.h>
#include <dlfcn.h>
#include <errno.h>
#include <fcntl.h>
#include <pthread.h>
#include <signal.h>
#include <sys/syscall.h>
#include <time.h>
#include <unistd.h>

#include <atomic>
#include <cstring>

#include "os/os_memory.hpp"
#include "report/root_set.hpp"

#include "debug/threads_at_start.hpp"

namespace osp::report {
namespace {

constexpr std::size_t kMaxThreads = 8192;
constexpr std::size_t kDefaultStaticTlsBytes = 64 * 1024;
constexpr int kMaxEnumerationRounds = 64;
constexpr long kPollIntervalNanoseconds = 50 * 1000;

struct Slot {
  std::atomic<pid_t> thread_id;
  std::atomic<std::uint64_t> answered;  // generation the thread answered for
  std::uintptr_t stack_pointer;
  std::uintptr_t thread_pointer;
};

Slot g_slots[kMaxThreads];
std::atomic<std::size_t> g_slot_count{0};
std::atomic<std::uint64_t> g_active_generation{0};
std::uint64_t g_last_generation = 0;
StoppedThread g_stopped[kMaxThreads];

int g_installed_signal = 0;
struct sigaction g_previous_action;

pid_t current_thread_id() { return static_cast<pid_t>(::syscall(SYS_gettid)); }

void chain_to_previous(int signal_number, siginfo_t* info, void* context) {
  if ((g_previous_action.sa_flags & SA_SIGINFO) != 0) {
    if (g_previous_action.sa_sigaction != nullptr) {
      g_previous_action.sa_sigaction(signal_number, info, context);
    }
  } else if (g_previous_action.sa_handler != SIG_DFL && g_previous_action.sa_handler != SIG_IGN) {
    g_previous_action.sa_handler(signal_number);
  }
}

// Async-signal-safe: atomics, gettid, sched_yield and pthread_self only.
void on_stop_signal(int signal_number, siginfo_t* info, void* context) {
  const std::uint64_t generation = g_active_generation.load(std::memory_order_acquire);
  const bool ours = info != nullptr && info->si_code == SI_TKILL && info->si_pid == ::getpid();
  if (!ours || generation == 0) {
    if (!ours) chain_to_previous(signal_number, info, context);
    return;
  }
  const int saved_errno = errno;
  const pid_t self = current_thread_id();
  const std::size_t count = g_slot_count.load(std::memory_order_acquire);
  for (std::size_t index = 0; index < count; ++index) {
    Slot& slot = g_slots[index];
    if (slot.thread_id.load(std::memory_order_relaxed) != self) continue;
    volatile char stack_marker = 0;
    slot.stack_pointer = reinterpret_cast<std::uintptr_t>(&stack_marker);
    slot.thread_pointer = reinterpret_cast<std::uintptr_t>(reinterpret_cast<void*>(pthread_self()));
    slot.answered.store(generation, std::memory_order_release);
    while (g_active_generation.load(std::memory_order_acquire) == generation) sched_yield();
    break;
  }
  errno = saved_errno;
}

bool install_handler(int signal_number) {
  if (g_installed_signal == signal_number) return true;
  struct sigaction action = {};
  action.sa_sigaction = on_stop_signal;
  action.sa_flags = SA_SIGINFO | SA_RESTART;
  sigfillset(&action.sa_mask);
  if (::sigaction(signal_number, &action, &g_previous_action) != 0) return false;
  g_installed_signal = signal_number;
  return true;
}

bool slot_known(pid_t thread_id, std::size_t count) {
  for (std::size_t index = 0; index < count; ++index) {
    if (g_slots[index].thread_id.load(std::memory_order_relaxed) == thread_id) return true;
  }
  return false;
}

// Adds a slot for, and signals, every thread in /proc/self/task not seen yet. Returns the
// number of new threads, or -1 when the list cannot be read.
int signal_new_threads(int signal_number, pid_t self) {
  int fd = ::open("/proc/self/task", O_RDONLY | O_DIRECTORY | O_CLOEXEC);
  if (fd < 0) return -1;
  alignas(8) char buffer[4096];
  int added = 0;
  for (;;) {
    long got = ::syscall(SYS_getdents64, fd, buffer, sizeof buffer);
    if (got <= 0) break;
    for (long offset = 0; offset < got;) {
      auto* entry = reinterpret_cast<struct dirent64*>(buffer + offset);
      offset += entry->d_reclen;
      pid_t thread_id = 0;
      const char* name = entry->d_name;
      if (*name < '0' || *name > '9') continue;
      for (; *name >= '0' && *name <= '9'; ++name) thread_id = thread_id * 10 + (*name - '0');
      const std::size_t count = g_slot_count.load(std::memory_order_relaxed);
      if (thread_id == self || slot_known(thread_id, count)) continue;
      if (debug::started_before_runtime(thread_id)) continue;  // an emulator's own thread
      if (count == kMaxThreads) {
        ::close(fd);
        return -1;
      }
      Slot& slot = g_slots[count];
      slot.thread_id.store(thread_id, std::memory_order_relaxed);
      slot.answered.store(0, std::memory_order_relaxed);
      g_slot_count.store(count + 1, std::memory_order_release);
      ++added;
      // ESRCH: the thread exited meanwhile; it holds nothing any more.
      if (::syscall(SYS_tgkill, ::getpid(), thread_id, signal_number) != 0) {
        slot.thread_id.store(-1, std::memory_order_relaxed);
      }
    }
  }
  ::close(fd);
  return added;
}

bool thread_alive(pid_t thread_id) {
  return ::syscall(SYS_tgkill, ::getpid(), thread_id, 0) == 0;
}

std::uint64_t monotonic_milliseconds() { return os::monotonic_nanoseconds() / 1'000'000; }

// Waits until every signalled thread answered, exited, or the deadline passed.
void wait_for_answers(std::uint64_t generation, std::uint64_t deadline) {
  const struct timespec pause_time = {0, kPollIntervalNanoseconds};
  for (;;) {
    bool waiting = false;
    const std::size_t count = g_slot_count.load(std::memory_order_relaxed);
    for (std::size_t index = 0; index < count; ++index) {
      Slot& slot = g_slots[index];
      pid_t thread_id = slot.thread_id.load(std::memory_order_relaxed);
      if (thread_id <= 0 || slot.answered.load(std::memory_order_acquire) == generation) continue;
      if (!thread_alive(thread_id)) {
        slot.thread_id.store(-1, std::memory_order_relaxed);
        continue;
      }
      waiting = true;
    }
    if (!waiting || monotonic_milliseconds() >= deadline) return;
    nanosleep(&pause_time, nullptr);
  }
}

}  // namespace

std::size_t static_tls_bytes() noexcept {
  static std::size_t cached = 0;
  if (cached != 0) return cached;
  using GetStaticTlsInfo = void (*)(std::size_t*, std::size_t*);
  void* symbol = dlsym(RTLD_DEFAULT, "_dl_get_tls_static_info");
  std::size_t size = 0;
  std::size_t alignment = 0;
  if (symbol != nullptr) {
    GetStaticTlsInfo get_info;
    std::memcpy(&get_info, &symbol, sizeof get_info);
    get_info(&size, &alignment);
  }
  cached = size != 0 ? size : kDefaultStaticTlsBytes;
  return cached;
}

std::uintptr_t current_thread_pointer() noexcept {
  return reinterpret_cast<std::uintptr_t>(reinterpret_cast<void*>(pthread_self()));
}

bool ThreadStopper::stop_all(int signal_number, int timeout_milliseconds) noexcept {
  // SIGURG by default: gdb and strace pass it on silently.
  if (signal_number <= 0 || signal_number >= NSIG) signal_number = SIGURG;
  active_ = true;
  stopped_count_ = 0;
  unanswered_ = 0;
  g_slot_count.store(0, std::memory_order_relaxed);
  if (!install_handler(signal_number)) return false;
  const std::uint64_t generation = ++g_last_generation;
  g_active_generation.store(generation, std::memory_order_release);
  const pid_t self = current_thread_id();
  const std::uint64_t deadline =
      monotonic_milliseconds() + static_cast<std::uint64_t>(timeout_milliseconds);
  // Threads seen in one listing may have started others before they stopped: list again
  // until a listing finds nobody new.
  bool complete = false;
  for (int round = 0; round < kMaxEnumerationRounds; ++round) {
    int added = signal_new_threads(signal_number, self);
    if (added < 0) break;
    wait_for_answers(generation, deadline);
    if (added == 0) {
      complete = true;
      break;
    }
  }
  const std::size_t count = g_slot_count.load(std::memory_order_relaxed);
  for (std::size_t index = 0; index < count; ++index) {
    Slot& slot = g_slots[index];
    pid_t thread_id = slot.thread_id.load(std::memory_order_relaxed);
    if (thread_id <= 0) continue;
    if (slot.answered.load(std::memory_order_acquire) != generation) {
      ++unanswered_;
      continue;
    }
    g_stopped[stopped_count_++] = {thread_id, slot.stack_pointer, slot.thread_pointer, 0, 0};
  }
  if (!complete) ++unanswered_;  // the thread list itself could not be read to the end
  return true;
}

void ThreadStopper::resume_all() noexcept {
  if (!active_) return;
  active_ = false;
  g_active_generation.store(0, std::memory_order_release);
}

const StoppedThread& ThreadStopper::stopped(std::size_t index) const noexcept {
  return g_stopped[index];
}

}  // namespace osp::report
