// Windows implementation of the OS layer (os_memory.hpp, platform.hpp): VirtualAlloc for
// address space, MEM_DECOMMIT to give pages back, a fiber-local-storage (FLS) callback for
// thread exit, and OS-owned per-thread storage for the pool's thread caches.
//
// Aligned reservations: VirtualFree(MEM_RELEASE) takes only the base address of a
// reservation and frees all of it, so a reservation cannot be trimmed like an mmap. To get
// an address aligned beyond the 64 KiB allocation granularity, reserve_aligned() reserves
// `bytes + alignment`, releases it, and reserves exactly `bytes` at the aligned address
// inside that hole; another thread may take the hole in between, so it retries. Every
// address handed out is therefore a reservation base, and release() frees it whole.
//
// Thread exit: each thread that registers a callback or uses thread storage gets a
// ThreadRecord from the process heap (not from the pool, and not emulated TLS, which
// winpthreads frees before FLS callbacks run). The FLS callback runs the exit callbacks,
// then frees the thread's storage blocks and the record.
#define WIN32_LEAN_AND_MEAN
#define NOMINMAX
#include <windows.h>
// PSAPI_VERSION 2 maps GetProcessMemoryInfo to kernel32's K32GetProcessMemoryInfo, so no
// extra import library is needed.
#define PSAPI_VERSION 2
#include <psapi.h>

#include <io.h>

#include <cerrno>
#include <cstdint>
#include <cstdlib>
#include <cstring>

#include "os/os_memory.hpp"
#include "os/platform.hpp"

namespace osp::os {
namespace {

constexpr int kMaxThreadExitCallbacks = 8;
constexpr int kMaxThreadStorageBlocks = 16;  // the pool's cache and the debug layer's OSP_THREAD_LOCALs
constexpr int kAlignedReserveAttempts = 64;
constexpr unsigned kMaxWriteChunkBytes = 1u << 30;

struct ThreadRecord {
  void (*callbacks[kMaxThreadExitCallbacks])(void*);
  void* arguments[kMaxThreadExitCallbacks];
  int callback_count;
  void* storage_blocks[kMaxThreadStorageBlocks];
  DWORD storage_indexes[kMaxThreadStorageBlocks];
  int storage_count;
};

DWORD record_index_plus_one = 0;  // FLS index of the ThreadRecord, plus one (0 = not yet)

[[noreturn]] void fail(const char* message) noexcept {
  write_all(2, message, std::strlen(message));
  std::abort();
}

// Creates an index with `create` once per process; a thread that loses the race frees
// its own index.
template <typename Create, typename Free>
DWORD index_once(DWORD& index_plus_one, Create create, Free free_index, DWORD out_of_indexes) {
  DWORD current = __atomic_load_n(&index_plus_one, __ATOMIC_ACQUIRE);
  if (current != 0) return current - 1;
  const DWORD created = create();
  if (created == out_of_indexes) return out_of_indexes;
  DWORD expected = 0;
  if (__atomic_compare_exchange_n(&index_plus_one, &expected, created + 1, false, __ATOMIC_ACQ_REL,
                                  __ATOMIC_ACQUIRE)) {
    return created;
  }
  free_index(created);
  return expected - 1;
}

void NTAPI finish_thread(void* value);

DWORD record_index() {
  return index_once(
      record_index_plus_one, [] { return FlsAlloc(finish_thread); }, [](DWORD index) { FlsFree(index); },
      FLS_OUT_OF_INDEXES);
}

ThreadRecord* current_record() {
  const DWORD index = record_index();
  if (index == FLS_OUT_OF_INDEXES) return nullptr;
  auto* record = static_cast<ThreadRecord*>(FlsGetValue(index));
  if (record != nullptr) return record;
  record = static_cast<ThreadRecord*>(HeapAlloc(GetProcessHeap(), HEAP_ZERO_MEMORY, sizeof(ThreadRecord)));
  if (record != nullptr) FlsSetValue(index, record);
  return record;
}

void NTAPI finish_thread(void* value) {
  auto* record = static_cast<ThreadRecord*>(value);
  // Callbacks may free memory, which may register again; run until the list stays empty.
  while (record->callback_count > 0) {
    const int index = --record->callback_count;
    record->callbacks[index](record->arguments[index]);
  }
  for (int block = 0; block < record->storage_count; ++block) {
    TlsSetValue(record->storage_indexes[block], nullptr);
    HeapFree(GetProcessHeap(), 0, record->storage_blocks[block]);
  }
  FlsSetValue(record_index(), nullptr);
  HeapFree(GetProcessHeap(), 0, record);
}

struct SystemFacts {
  std::size_t page_bytes;
  std::size_t granularity_bytes;  // reservations start at multiples of this (64 KiB)
};

SystemFacts system_facts() {
  SYSTEM_INFO info;
  GetSystemInfo(&info);
  return SystemFacts{info.dwPageSize, info.dwAllocationGranularity};
}

std::size_t allocation_granularity() {
  static std::size_t cached = 0;
  std::size_t value = __atomic_load_n(&cached, __ATOMIC_RELAXED);
  if (value == 0) {
    value = system_facts().granularity_bytes;
    __atomic_store_n(&cached, value, __ATOMIC_RELAXED);
  }
  return value;
}

std::uintptr_t align_up(std::uintptr_t value, std::size_t alignment) {
  return (value + alignment - 1) & ~(static_cast<std::uintptr_t>(alignment) - 1);
}

// VirtualAlloc(`type`) of `bytes` at an address aligned to `alignment` (see the top).
void* reserve_aligned(std::size_t bytes, std::size_t alignment, DWORD type, DWORD protection) {
  if (alignment <= allocation_granularity()) return VirtualAlloc(nullptr, bytes, type, protection);
  const std::size_t padded = bytes + alignment;
  if (padded < bytes) return nullptr;
  for (int attempt = 0; attempt < kAlignedReserveAttempts; ++attempt) {
    void* probe = VirtualAlloc(nullptr, padded, MEM_RESERVE, PAGE_NOACCESS);
    if (probe == nullptr) return nullptr;
    const std::uintptr_t aligned = align_up(reinterpret_cast<std::uintptr_t>(probe), alignment);
    VirtualFree(probe, 0, MEM_RELEASE);
    void* result = VirtualAlloc(reinterpret_cast<void*>(aligned), bytes, type, protection);
    if (result != nullptr) return result;
  }
  return nullptr;
}

// Large pages need SeLockMemoryPrivilege enabled in the process token; try once.
bool lock_memory_privilege_enabled() {
  static int state = 0;  // 0 unknown, 1 enabled, 2 not available
  int current = __atomic_load_n(&state, __ATOMIC_ACQUIRE);
  if (current != 0) return current == 1;
  bool enabled = false;
  HANDLE token = nullptr;
  if (OpenProcessToken(GetCurrentProcess(), TOKEN_ADJUST_PRIVILEGES | TOKEN_QUERY, &token)) {
    TOKEN_PRIVILEGES privileges{};
    privileges.PrivilegeCount = 1;
    privileges.Privileges[0].Attributes = SE_PRIVILEGE_ENABLED;
    if (LookupPrivilegeValueW(nullptr, L"SeLockMemoryPrivilege", &privileges.Privileges[0].Luid)) {
      // AdjustTokenPrivileges succeeds even when the privilege is not held; the error says.
      enabled = AdjustTokenPrivileges(token, FALSE, &privileges, 0, nullptr, nullptr) &&
                GetLastError() == ERROR_SUCCESS;
    }
    CloseHandle(token);
  }
  __atomic_store_n(&state, enabled ? 1 : 2, __ATOMIC_RELEASE);
  return enabled;
}

void* map_large_pages(std::size_t bytes, std::size_t alignment) {
  const std::size_t large_page_bytes = GetLargePageMinimum();
  if (large_page_bytes == 0 || alignment > large_page_bytes || !lock_memory_privilege_enabled()) return nullptr;
  const std::size_t rounded = align_up(bytes, large_page_bytes);
  if (rounded < bytes) return nullptr;
  // Large-page allocations are aligned to the large page size.
  return VirtualAlloc(nullptr, rounded, MEM_RESERVE | MEM_COMMIT | MEM_LARGE_PAGES, PAGE_READWRITE);
}

}  // namespace

std::size_t page_size() noexcept {
  static std::size_t cached = 0;
  std::size_t value = __atomic_load_n(&cached, __ATOMIC_RELAXED);
  if (value == 0) {
    value = system_facts().page_bytes;
    __atomic_store_n(&cached, value, __ATOMIC_RELAXED);
  }
  return value;
}

void* reserve(std::size_t bytes, std::size_t alignment) noexcept {
  if (bytes == 0) return nullptr;
  return reserve_aligned(bytes, alignment, MEM_RESERVE, PAGE_NOACCESS);
}

bool commit(void* address, std::size_t bytes) noexcept {
  // Commits every page touched by the range; committing committed pages is a no-op.
  return VirtualAlloc(address, bytes, MEM_COMMIT, PAGE_READWRITE) != nullptr;
}

void decommit(void* address, std::size_t bytes) noexcept { VirtualFree(address, bytes, MEM_DECOMMIT); }

void* reserve_inaccessible(std::size_t bytes) noexcept {
  if (bytes == 0) return nullptr;
  return VirtualAlloc(nullptr, bytes, MEM_RESERVE, PAGE_NOACCESS);
}

bool open_pages(void* address, std::size_t bytes) noexcept {
  return VirtualAlloc(address, bytes, MEM_COMMIT, PAGE_READWRITE) != nullptr;
}

bool close_pages(void* address, std::size_t bytes) noexcept {
  return VirtualFree(address, bytes, MEM_DECOMMIT) != 0;
}

std::size_t max_memory_mappings() noexcept { return 0; }

void release(void* address, std::size_t) noexcept {
  if (address != nullptr) VirtualFree(address, 0, MEM_RELEASE);
}

void* remap(void*, std::size_t, std::size_t) noexcept { return nullptr; }

// VirtualAlloc has no call that moves pages between addresses: realloc copies.
bool can_move_pages() noexcept { return false; }
PageMove move_pages(void*, void*, std::size_t) noexcept { return PageMove::Refused; }
PageMove move_pages_growing(void*, std::size_t, void*, std::size_t) noexcept {
  return PageMove::Refused;
}

void* map(std::size_t bytes, std::size_t alignment, bool huge_pages) noexcept {
  if (bytes == 0) return nullptr;
  if (huge_pages) {
    void* address = map_large_pages(bytes, alignment);
    if (address != nullptr) return address;
  }
  // Committed memory counts against the commit limit, so impossible requests fail here,
  // as they do for malloc.
  return reserve_aligned(bytes, alignment, MEM_RESERVE | MEM_COMMIT, PAGE_READWRITE);
}

bool at_thread_exit(void (*callback)(void*), void* argument) noexcept {
  ThreadRecord* record = current_record();
  if (record == nullptr || record->callback_count >= kMaxThreadExitCallbacks) return false;
  record->callbacks[record->callback_count] = callback;
  record->arguments[record->callback_count] = argument;
  ++record->callback_count;
  return true;
}

void* thread_storage(ThreadStorageSlot& slot, std::size_t bytes) noexcept {
  const DWORD index = index_once(
      slot.index_plus_one, [] { return TlsAlloc(); }, [](DWORD unused) { TlsFree(unused); },
      TLS_OUT_OF_INDEXES);
  if (index == TLS_OUT_OF_INDEXES) fail("osp: no thread-local storage index left\n");
  void* block = TlsGetValue(index);
  if (block != nullptr) return block;
  ThreadRecord* record = current_record();
  if (record == nullptr || record->storage_count >= kMaxThreadStorageBlocks) {
    fail("osp: cannot record this thread's storage\n");
  }
  block = HeapAlloc(GetProcessHeap(), HEAP_ZERO_MEMORY, bytes);
  if (block == nullptr) fail("osp: out of memory for this thread's storage\n");
  record->storage_blocks[record->storage_count] = block;
  record->storage_indexes[record->storage_count] = index;
  ++record->storage_count;
  TlsSetValue(index, block);
  return block;
}

void register_fork_handlers(void (*)(), void (*)(), void (*)()) noexcept {}

std::uint64_t current_thread_id() noexcept { return GetCurrentThreadId(); }

std::uint64_t process_id() noexcept { return GetCurrentProcessId(); }

std::uint64_t monotonic_nanoseconds() noexcept {
  LARGE_INTEGER frequency;
  LARGE_INTEGER counter;
  QueryPerformanceFrequency(&frequency);
  QueryPerformanceCounter(&counter);
  const auto ticks = static_cast<std::uint64_t>(counter.QuadPart);
  const auto per_second = static_cast<std::uint64_t>(frequency.QuadPart);
  // Seconds and remainder apart, so the product cannot overflow.
  return ticks / per_second * 1'000'000'000u + ticks % per_second * 1'000'000'000u / per_second;
}

std::size_t resident_bytes() noexcept {
  PROCESS_MEMORY_COUNTERS counters{};
  if (!GetProcessMemoryInfo(GetCurrentProcess(), &counters, sizeof(counters))) return 0;
  return counters.WorkingSetSize;
}

void write_all(int fd, const char* bytes, std::size_t length) noexcept {
  while (length > 0) {
    const unsigned chunk = length > kMaxWriteChunkBytes ? kMaxWriteChunkBytes : static_cast<unsigned>(length);
    const int written = _write(fd, bytes, chunk);
    if (written < 0 && errno == EINTR) continue;
    if (written <= 0) return;
    bytes += written;
    length -= static_cast<std::size_t>(written);
  }
}

// Windows has no fork: nothing to hold across one.
void lock_thread_blocks() noexcept {}
void unlock_thread_blocks() noexcept {}

void yield_thread() noexcept { SwitchToThread(); }

bool enable_process_barrier() noexcept { return true; }

void process_barrier() noexcept { FlushProcessWriteBuffers(); }

}  // namespace osp::os
