// Linux/POSIX implementation of the OS layer (os_memory.hpp): mmap for address space,
// madvise to give pages back, a pthread key for thread-exit callbacks.
#include <fcntl.h>
#include <linux/membarrier.h>
#include <pthread.h>
#include <sys/mman.h>
#include <sys/syscall.h>
#include <time.h>
#include <unistd.h>

#include <cerrno>
#include <cstdint>
#include <cstring>

#include "os/os_memory.hpp"
#include "os/platform.hpp"

namespace osp::os {
namespace {

constexpr int kMaxThreadExitCallbacks = 8;

struct ThreadExitList {
  void (*callbacks[kMaxThreadExitCallbacks])(void*);
  void* arguments[kMaxThreadExitCallbacks];
  int count;
};

__thread ThreadExitList thread_exit_list __attribute__((tls_model("initial-exec")));
pthread_key_t thread_exit_key;
pthread_once_t thread_exit_once = PTHREAD_ONCE_INIT;

void run_thread_exit_callbacks(void*) {
  ThreadExitList& list = thread_exit_list;
  // Callbacks may free memory, which may register again; run until the list stays empty.
  while (list.count > 0) {
    const int index = --list.count;
    list.callbacks[index](list.arguments[index]);
  }
}

void create_thread_exit_key() { pthread_key_create(&thread_exit_key, run_thread_exit_callbacks); }

std::uintptr_t align_up(std::uintptr_t value, std::size_t alignment) {
  return (value + alignment - 1) & ~(static_cast<std::uintptr_t>(alignment) - 1);
}

// mmap `bytes` aligned to `alignment` by over-reserving and trimming both ends.
void* map_aligned(std::size_t bytes, std::size_t alignment, int protection, int flags) {
  if (alignment <= page_size()) {
    void* address = mmap(nullptr, bytes, protection, flags, -1, 0);
    return address == MAP_FAILED ? nullptr : address;
  }
  const std::size_t padded = bytes + alignment;
  if (padded < bytes) return nullptr;
  void* raw = mmap(nullptr, padded, protection, flags, -1, 0);
  if (raw == MAP_FAILED) return nullptr;
  const std::uintptr_t start = reinterpret_cast<std::uintptr_t>(raw);
  const std::uintptr_t aligned = align_up(start, alignment);
  if (aligned > start) munmap(raw, aligned - start);
  const std::uintptr_t tail = aligned + bytes;
  const std::uintptr_t end = start + padded;
  if (end > tail) munmap(reinterpret_cast<void*>(tail), end - tail);
  return reinterpret_cast<void*>(aligned);
}

std::size_t round_to_pages(std::size_t bytes) {
  const std::size_t page = page_size();
  return (bytes + page - 1) & ~(page - 1);
}

}  // namespace

std::size_t page_size() noexcept {
  static std::size_t cached = 0;
  std::size_t value = __atomic_load_n(&cached, __ATOMIC_RELAXED);
  if (value == 0) {
    value = static_cast<std::size_t>(sysconf(_SC_PAGESIZE));
    __atomic_store_n(&cached, value, __ATOMIC_RELAXED);
  }
  return value;
}

void* reserve(std::size_t bytes, std::size_t alignment) noexcept {
  if (bytes == 0) return nullptr;
  // Read-write with MAP_NORESERVE: pages cost nothing until touched, so commit is free.
  return map_aligned(round_to_pages(bytes), alignment, PROT_READ | PROT_WRITE,
                     MAP_PRIVATE | MAP_ANONYMOUS | MAP_NORESERVE);
}

bool commit(void* address, std::size_t bytes) noexcept {
  (void)address;
  (void)bytes;
  return true;  // reservations are already read-write; the kernel backs pages on touch
}

void decommit(void* address, std::size_t bytes) noexcept {
  madvise(address, bytes, MADV_DONTNEED);
}

void release(void* address, std::size_t bytes) noexcept {
  if (address != nullptr) munmap(address, round_to_pages(bytes));
}

void* remap(void* address, std::size_t old_bytes, std::size_t new_bytes) noexcept {
  void* moved = mremap(address, round_to_pages(old_bytes), round_to_pages(new_bytes), MREMAP_MAYMOVE);
  return moved == MAP_FAILED ? nullptr : moved;
}

namespace {

// 0: not probed yet; 1: moves work; 2: refused (by the probe or by a failed move).
int page_moves_state = 0;

// MREMAP_DONTUNMAP came with Linux 5.7: try it once on a scratch reservation.
bool probe_page_moves() {
  const std::size_t page = page_size();
  void* scratch = mmap(nullptr, 2 * page, PROT_READ | PROT_WRITE,
                       MAP_PRIVATE | MAP_ANONYMOUS | MAP_NORESERVE, -1, 0);
  if (scratch == MAP_FAILED) return false;
  char* first = static_cast<char*>(scratch);
  first[0] = 1;
  void* moved = mremap(first, page, page, MREMAP_MAYMOVE | MREMAP_FIXED | MREMAP_DONTUNMAP,
                       first + page);
  const bool works = moved == first + page && first[page] == 1 && first[0] == 0;
  munmap(scratch, 2 * page);
  return works;
}

}  // namespace

bool can_move_pages() noexcept {
  int state = __atomic_load_n(&page_moves_state, __ATOMIC_ACQUIRE);
  if (state == 0) {
    state = probe_page_moves() ? 1 : 2;
    int expected = 0;
    // A refusal recorded meanwhile stands.
    if (!__atomic_compare_exchange_n(&page_moves_state, &expected, state, false,
                                     __ATOMIC_ACQ_REL, __ATOMIC_ACQUIRE)) {
      state = expected;
    }
  }
  return state == 1;
}

namespace {

// [address, address+bytes) reserved again as reserve() does, where nothing is mapped now:
// 0, or EEXIST when something is, or another errno when the OS refused.
int reserve_again(void* address, std::size_t bytes) noexcept {
  void* again = mmap(address, bytes, PROT_READ | PROT_WRITE,
                     MAP_PRIVATE | MAP_ANONYMOUS | MAP_NORESERVE | MAP_FIXED_NOREPLACE, -1, 0);
  if (again == address) return 0;
  if (again == MAP_FAILED) return errno;
  munmap(again, bytes);  // a kernel without MAP_FIXED_NOREPLACE put it elsewhere
  return ENOMEM;
}

// A refused move: later moves are refused at once. Some refusals (a resource limit, no
// kernel memory) come after the kernel unmapped the destination: it is reserved again.
// EEXIST means it is still mapped: the refusal came first. (Only another thread mapping
// memory into that hole in the microseconds between could make that answer wrong.)
PageMove refused_move(void* to, std::size_t bytes) noexcept {
  __atomic_store_n(&page_moves_state, 2, __ATOMIC_RELEASE);
  const int error = reserve_again(to, bytes);
  return error == 0 || error == EEXIST ? PageMove::Refused : PageMove::DestinationLost;
}

}  // namespace

PageMove move_pages_growing(void* from, std::size_t bytes, void* to, std::size_t to_bytes) noexcept {
  if (!can_move_pages()) return PageMove::Refused;
  bytes = round_to_pages(bytes);
  to_bytes = round_to_pages(to_bytes);
  void* moved = mremap(from, bytes, to_bytes, MREMAP_MAYMOVE | MREMAP_FIXED, to);
  if (moved != to) return refused_move(to, to_bytes);
  return reserve_again(from, bytes) == 0 ? PageMove::Moved : PageMove::SourceLost;
}

PageMove move_pages(void* from, void* to, std::size_t bytes) noexcept {
  if (!can_move_pages()) return PageMove::Refused;
  bytes = round_to_pages(bytes);
  void* moved = mremap(from, bytes, bytes, MREMAP_MAYMOVE | MREMAP_FIXED | MREMAP_DONTUNMAP, to);
  if (moved == to) return PageMove::Moved;
  return refused_move(to, bytes);
}

void* reserve_inaccessible(std::size_t bytes) noexcept {
  if (bytes == 0) return nullptr;
  void* address = mmap(nullptr, round_to_pages(bytes), PROT_NONE,
                       MAP_PRIVATE | MAP_ANONYMOUS | MAP_NORESERVE, -1, 0);
  return address == MAP_FAILED ? nullptr : address;
}

bool open_pages(void* address, std::size_t bytes) noexcept {
  return mprotect(address, bytes, PROT_READ | PROT_WRITE) == 0;
}

bool close_pages(void* address, std::size_t bytes) noexcept {
  // One call both drops the pages and makes the range fault: a fresh inaccessible
  // mapping over it (it merges with the inaccessible reservation around it).
  void* replaced = mmap(address, bytes, PROT_NONE,
                        MAP_PRIVATE | MAP_ANONYMOUS | MAP_NORESERVE | MAP_FIXED, -1, 0);
  return replaced != MAP_FAILED;
}

std::size_t max_memory_mappings() noexcept {
  int fd = ::open("/proc/sys/vm/max_map_count", O_RDONLY | O_CLOEXEC);
  if (fd < 0) return 65530;  // the kernel's default
  char text[32];
  ssize_t length = ::read(fd, text, sizeof text - 1);
  ::close(fd);
  std::size_t value = 0;
  for (ssize_t index = 0; index < length && text[index] >= '0' && text[index] <= '9'; ++index) {
    value = value * 10 + static_cast<std::size_t>(text[index] - '0');
  }
  return value != 0 ? value : 65530;
}

void* map(std::size_t bytes, std::size_t alignment, bool huge_pages) noexcept {
  if (bytes == 0) return nullptr;
  bytes = round_to_pages(bytes);
  // No MAP_NORESERVE: the kernel's overcommit check refuses requests no machine could back,
  // as it does for malloc.
  const int flags = MAP_PRIVATE | MAP_ANONYMOUS;
  if (huge_pages) {
    constexpr std::size_t kHugePageBytes = std::size_t{2} << 20;
    const std::size_t huge_bytes = (bytes + kHugePageBytes - 1) & ~(kHugePageBytes - 1);
    const std::size_t huge_alignment = alignment > kHugePageBytes ? alignment : kHugePageBytes;
    if (huge_alignment == kHugePageBytes) {
      void* address = mmap(nullptr, huge_bytes, PROT_READ | PROT_WRITE, flags | MAP_HUGETLB, -1, 0);
      if (address != MAP_FAILED) return address;
    }
    // No reserved huge pages: ask for transparent huge pages on a 2 MiB-aligned range.
    void* address = map_aligned(bytes, huge_alignment, PROT_READ | PROT_WRITE, flags);
    if (address != nullptr) madvise(address, bytes, MADV_HUGEPAGE);
    return address;
  }
  return map_aligned(bytes, alignment, PROT_READ | PROT_WRITE, flags);
}

// Blocks of retired threads, reused by new threads (all blocks of one size in practice:
// the pool's thread cache). Linked through their first word.
namespace {
SpinLock recycled_blocks_lock;
void* recycled_blocks = nullptr;
}  // namespace

void* take_thread_block(std::size_t bytes) noexcept {
  recycled_blocks_lock.lock();
  void* block = recycled_blocks;
  if (block != nullptr) recycled_blocks = *static_cast<void**>(block);
  recycled_blocks_lock.unlock();
  if (block != nullptr) {
    std::memset(block, 0, bytes);
    return block;
  }
  return map(bytes, 0, false);  // zeroed by the kernel
}

void lock_thread_blocks() noexcept { recycled_blocks_lock.lock(); }
void unlock_thread_blocks() noexcept { recycled_blocks_lock.unlock(); }

void recycle_thread_block(void* block, std::size_t) noexcept {
  recycled_blocks_lock.lock();
  *static_cast<void**>(block) = recycled_blocks;
  recycled_blocks = block;
  recycled_blocks_lock.unlock();
}

bool at_thread_exit(void (*callback)(void*), void* argument) noexcept {
  pthread_once(&thread_exit_once, create_thread_exit_key);
  ThreadExitList& list = thread_exit_list;
  if (list.count >= kMaxThreadExitCallbacks) return false;
  list.callbacks[list.count] = callback;
  list.arguments[list.count] = argument;
  ++list.count;
  // Any non-null value makes pthread call the destructor at thread exit.
  pthread_setspecific(thread_exit_key, &list);
  return true;
}

void register_fork_handlers(void (*prepare)(), void (*in_parent)(), void (*in_child)()) noexcept {
  pthread_atfork(prepare, in_parent, in_child);
}

std::uint64_t current_thread_id() noexcept {
  static __thread std::uint64_t cached __attribute__((tls_model("initial-exec")));
  if (cached == 0) cached = static_cast<std::uint64_t>(syscall(SYS_gettid));
  return cached;
}

std::uint64_t process_id() noexcept { return static_cast<std::uint64_t>(getpid()); }

std::uint64_t monotonic_nanoseconds() noexcept {
  struct timespec now;
  clock_gettime(CLOCK_MONOTONIC, &now);
  return static_cast<std::uint64_t>(now.tv_sec) * 1'000'000'000u +
         static_cast<std::uint64_t>(now.tv_nsec);
}

std::size_t resident_bytes() noexcept {
  int fd = open("/proc/self/statm", O_RDONLY | O_CLOEXEC);
  if (fd < 0) return 0;
  char buffer[128];
  const ssize_t length = read(fd, buffer, sizeof(buffer) - 1);
  close(fd);
  if (length <= 0) return 0;
  buffer[length] = '\0';
  // statm: size resident shared ...; we want the second field, in pages.
  const char* cursor = buffer;
  while (*cursor != ' ' && *cursor != '\0') ++cursor;
  std::size_t pages = 0;
  while (*cursor == ' ') ++cursor;
  while (*cursor >= '0' && *cursor <= '9') pages = pages * 10 + static_cast<std::size_t>(*cursor++ - '0');
  return pages * page_size();
}

void write_all(int fd, const char* bytes, std::size_t length) noexcept {
  while (length > 0) {
    const ssize_t written = write(fd, bytes, length);
    if (written < 0) {
      if (errno == EINTR) continue;
      return;
    }
    bytes += written;
    length -= static_cast<std::size_t>(written);
  }
}

void yield_thread() noexcept { sched_yield(); }

bool enable_process_barrier() noexcept {
  // The private expedited command interrupts only the CPUs running this process's
  // threads (Linux 4.14); the global one waits for an RCU grace period, far too slow.
  const long supported = syscall(SYS_membarrier, MEMBARRIER_CMD_QUERY, 0, 0);
  if (supported < 0 || (supported & MEMBARRIER_CMD_PRIVATE_EXPEDITED) == 0) return false;
  return syscall(SYS_membarrier, MEMBARRIER_CMD_REGISTER_PRIVATE_EXPEDITED, 0, 0) == 0;
}

void process_barrier() noexcept { syscall(SYS_membarrier, MEMBARRIER_CMD_PRIVATE_EXPEDITED, 0, 0); }

}  // namespace osp::os
