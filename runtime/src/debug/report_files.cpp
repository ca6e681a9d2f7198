// Report files created without following planted names (see report_files.hpp).
#include "debug/report_files.hpp"

#include <errno.h>
#include <fcntl.h>
#include <stdio.h>
#include <sys/random.h>
#include <sys/stat.h>
#include <time.h>
#include <unistd.h>

#include <atomic>
#include <cstdint>
#include <cstring>

namespace osp::debug {
namespace {

constexpr mode_t kReportFileMode = 0644;
constexpr int kTemporaryNameAttempts = 16;

std::uint64_t mix(std::uint64_t value) {  // splitmix64's finalizer
  value = (value ^ (value >> 30)) * 0xbf58476d1ce4e5b9ull;
  value = (value ^ (value >> 27)) * 0x94d049bb133111ebull;
  return value ^ (value >> 31);
}

// 64 unpredictable bits: getrandom, or (when the kernel has none to give yet) the clock,
// the pid, an address under ASLR and a counter, mixed.
std::uint64_t random_bits() {
  std::uint64_t value = 0;
  if (getrandom(&value, sizeof value, GRND_NONBLOCK) == static_cast<ssize_t>(sizeof value)) {
    return value;
  }
  static std::atomic<std::uint64_t> counter{0};
  timespec now{};
  clock_gettime(CLOCK_MONOTONIC, &now);
  value = mix(static_cast<std::uint64_t>(now.tv_nsec) ^ (static_cast<std::uint64_t>(now.tv_sec) << 32));
  value = mix(value ^ static_cast<std::uint64_t>(getpid()));
  value = mix(value ^ reinterpret_cast<std::uintptr_t>(&value));
  return mix(value ^ counter.fetch_add(1, std::memory_order_relaxed));
}

}  // namespace

int open_log_file(const char* path) noexcept {
  const int flags = O_WRONLY | O_APPEND | O_NOFOLLOW | O_CLOEXEC;
  int fd = ::open(path, flags | O_CREAT | O_EXCL, kReportFileMode);
  if (fd >= 0 || errno != EEXIST) return fd;
  // O_NONBLOCK: opening a planted FIFO for writing would otherwise wait for a reader.
  fd = ::open(path, flags | O_NONBLOCK);
  if (fd < 0) return -1;
  struct stat status {};
  if (::fstat(fd, &status) != 0 || !S_ISREG(status.st_mode) || status.st_uid != ::geteuid() ||
      status.st_nlink != 1) {
    ::close(fd);
    errno = EEXIST;
    return -1;
  }
  ::fcntl(fd, F_SETFL, O_APPEND);  // back to blocking writes
  return fd;
}

int create_temporary_file(const char* path, char* name, std::size_t name_bytes) noexcept {
  static constexpr char kSuffix[] = ".tmp.";
  constexpr std::size_t kHexDigits = 16;
  const std::size_t length = std::strlen(path);
  if (length + sizeof kSuffix - 1 + kHexDigits + 1 > name_bytes) {
    errno = ENAMETOOLONG;
    return -1;
  }
  std::memcpy(name, path, length);
  std::memcpy(name + length, kSuffix, sizeof kSuffix - 1);
  char* digits = name + length + sizeof kSuffix - 1;
  for (int attempt = 0; attempt < kTemporaryNameAttempts; ++attempt) {
    std::uint64_t bits = random_bits();
    for (std::size_t index = 0; index < kHexDigits; ++index, bits >>= 4) {
      digits[index] = "0123456789abcdef"[bits & 0xf];
    }
    digits[kHexDigits] = '\0';
    int fd = ::open(name, O_WRONLY | O_CREAT | O_EXCL | O_NOFOLLOW | O_CLOEXEC, kReportFileMode);
    if (fd >= 0 || errno != EEXIST) return fd;
  }
  return -1;
}

bool replace_file(const char* from, const char* to) noexcept { return ::rename(from, to) == 0; }

bool sync_parent_folder(const char* path) noexcept {
  char folder[4096];
  const char* slash = std::strrchr(path, '/');
  if (slash == nullptr) {
    std::strcpy(folder, ".");
  } else {
    std::size_t length = slash == path ? 1 : static_cast<std::size_t>(slash - path);
    if (length >= sizeof folder) return false;
    std::memcpy(folder, path, length);
    folder[length] = '\0';
  }
  int fd = ::open(folder, O_RDONLY | O_DIRECTORY | O_CLOEXEC);
  if (fd < 0) return false;
  const bool synced = ::fsync(fd) == 0;
  ::close(fd);
  return synced;
}

}  // namespace osp::debug
