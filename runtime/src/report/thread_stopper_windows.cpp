// Stop-the-world on Windows (see thread_stopper.hpp): every other thread of the process,
// listed with a Toolhelp snapshot, is suspended (SuspendThread) and its registers read
// (GetThreadContext, which also waits until the suspension has really happened). The
// registers are kept in memory from the OS layer and scanned as a root of their own; the
// thread pointer is the thread environment block (TEB), whose TLS slots hold the
// program's TlsSetValue values (winpthreads keys, emulated TLS). Threads started while
// the list was taken are caught by listing again until a pass finds no new thread.
#define WIN32_LEAN_AND_MEAN
#include <windows.h>
#include <tlhelp32.h>
#include <winternl.h>

#include "report/thread_stopper.hpp"

#include "os/os_memory.hpp"
#include "report/root_set.hpp"

namespace osp::report {
namespace {

constexpr std::size_t kMaxThreads = 2048;
constexpr int kMaxListingRounds = 16;
// The TEB (0x1838 bytes on x64, its TLS slots at 0x1480) and the page after it.
constexpr std::size_t kThreadBlockWindowBytes = 8 * 1024;

struct SuspendedThread {
  DWORD thread_id;
  HANDLE handle;
  CONTEXT context;  // 16-byte aligned (the slot array is page-aligned, CONTEXT is a multiple of 16)
};

struct ThreadBasicInformation {
  NTSTATUS exit_status;
  void* teb_base_address;
  void* unique_process;
  void* unique_thread;
  KAFFINITY affinity_mask;
  LONG priority;
  LONG base_priority;
};

using QueryThread = NTSTATUS(NTAPI*)(HANDLE, int, void*, ULONG, ULONG*);

SuspendedThread* g_threads = nullptr;  // os::map'ed per scan, released at resume
std::size_t g_thread_count = 0;
StoppedThread g_stopped[kMaxThreads];

std::uintptr_t thread_block_of(HANDLE thread) {
  static QueryThread query = nullptr;
  if (query == nullptr) {
    FARPROC address = GetProcAddress(GetModuleHandleA("ntdll.dll"), "NtQueryInformationThread");
    __builtin_memcpy(&query, &address, sizeof query);
    if (query == nullptr) return 0;
  }
  ThreadBasicInformation information{};
  constexpr int kThreadBasicInformation = 0;
  if (query(thread, kThreadBasicInformation, &information, sizeof information, nullptr) != 0) return 0;
  return reinterpret_cast<std::uintptr_t>(information.teb_base_address);
}

bool already_suspended(DWORD thread_id) {
  for (std::size_t index = 0; index < g_thread_count; ++index) {
    if (g_threads[index].thread_id == thread_id) return true;
  }
  return false;
}

// One pass over the process's threads; the count of threads newly suspended. A thread
// that is still running but cannot be suspended is counted in `unanswered` (each pass
// counts afresh; the last pass's count stands).
std::size_t suspend_new_threads(DWORD process_id, DWORD self, std::size_t& unanswered) {
  HANDLE listing = CreateToolhelp32Snapshot(TH32CS_SNAPTHREAD, 0);
  if (listing == INVALID_HANDLE_VALUE) return 0;
  std::size_t suspended = 0;
  unanswered = 0;
  THREADENTRY32 entry;
  entry.dwSize = sizeof entry;
  for (BOOL more = Thread32First(listing, &entry); more; more = Thread32Next(listing, &entry)) {
    if (entry.th32OwnerProcessID != process_id || entry.th32ThreadID == self) continue;
    if (already_suspended(entry.th32ThreadID) || g_thread_count == kMaxThreads) continue;
    HANDLE thread = OpenThread(THREAD_SUSPEND_RESUME | THREAD_GET_CONTEXT | THREAD_QUERY_INFORMATION | SYNCHRONIZE,
                               FALSE, entry.th32ThreadID);
    if (thread == nullptr) continue;  // exited since the listing
    if (SuspendThread(thread) == static_cast<DWORD>(-1)) {
      if (WaitForSingleObject(thread, 0) == WAIT_TIMEOUT) ++unanswered;
      CloseHandle(thread);
      continue;
    }
    SuspendedThread& slot = g_threads[g_thread_count++];
    slot.thread_id = entry.th32ThreadID;
    slot.handle = thread;
    ++suspended;
  }
  CloseHandle(listing);
  return suspended;
}

}  // namespace

std::size_t static_tls_bytes() noexcept { return kThreadBlockWindowBytes; }

// The TEB's own address is at gs:0x30 (NT_TIB.Self). NtCurrentTeb() reads the same word,
// but its header inline trips GCC's array-bounds check.
std::uintptr_t current_thread_pointer() noexcept {
  std::uintptr_t self;
  __asm__("movq %%gs:0x30, %0" : "=r"(self));
  return self;
}

// The scan_signal option has no meaning here.
bool ThreadStopper::stop_all(int, int) noexcept {
  active_ = true;
  stopped_count_ = 0;
  unanswered_ = 0;
  g_thread_count = 0;
  g_threads = static_cast<SuspendedThread*>(os::map(kMaxThreads * sizeof(SuspendedThread), os::page_size(), false));
  if (g_threads == nullptr) return false;
  const DWORD process_id = GetCurrentProcessId();
  const DWORD self = GetCurrentThreadId();
  for (int round = 0; round < kMaxListingRounds && suspend_new_threads(process_id, self, unanswered_) != 0;
       ++round) {
  }
  for (std::size_t index = 0; index < g_thread_count; ++index) {
    SuspendedThread& thread = g_threads[index];
    thread.context.ContextFlags = CONTEXT_INTEGER | CONTEXT_CONTROL | CONTEXT_FLOATING_POINT;
    if (!GetThreadContext(thread.handle, &thread.context)) {
      ++unanswered_;
      continue;
    }
    const auto registers = reinterpret_cast<std::uintptr_t>(&thread.context);
    g_stopped[stopped_count_++] = {static_cast<pid_t>(thread.thread_id), thread.context.Rsp,
                                   thread_block_of(thread.handle), registers, registers + sizeof(CONTEXT)};
  }
  return true;
}

void ThreadStopper::resume_all() noexcept {
  if (!active_) return;
  for (std::size_t index = 0; index < g_thread_count; ++index) {
    ResumeThread(g_threads[index].handle);
    CloseHandle(g_threads[index].handle);
  }
  if (g_threads != nullptr) os::release(g_threads, kMaxThreads * sizeof(SuspendedThread));
  g_threads = nullptr;
  g_thread_count = 0;
  active_ = false;
}

const StoppedThread& ThreadStopper::stopped(std::size_t index) const noexcept { return g_stopped[index]; }

}  // namespace osp::report
