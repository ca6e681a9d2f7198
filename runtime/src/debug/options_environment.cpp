// OSP_OPTIONS on Linux: from `environ`, or from /proc/self/environ when the C library has
// not set `environ` up yet (an allocation made by the dynamic loader before libc's init).
// Programs running with AT_SECURE (setuid, setgid, capabilities) ignore it.
#include "debug/options_environment.hpp"

#include <fcntl.h>
#include <sys/auxv.h>
#include <unistd.h>

#include <cstddef>
#include <cstring>

extern char** environ;

namespace osp::debug {
namespace {

char g_environment_scratch[64 * 1024];

// Reads up to `capacity` bytes of a file with plain system calls (no stdio, no malloc).
std::size_t read_small_file(const char* path, char* buffer, std::size_t capacity) noexcept {
  int fd = ::open(path, O_RDONLY | O_CLOEXEC);
  if (fd < 0) return 0;
  std::size_t length = 0;
  while (length < capacity) {
    ssize_t got = ::read(fd, buffer + length, capacity - length);
    if (got <= 0) break;
    length += static_cast<std::size_t>(got);
  }
  ::close(fd);
  return length;
}

const char* find_environment_value(const char* name, char* scratch,
                                   unsigned long scratch_bytes) noexcept {
  std::size_t name_length = std::strlen(name);
  if (environ != nullptr) {
    for (char** entry = environ; *entry != nullptr; ++entry) {
      if (std::strncmp(*entry, name, name_length) == 0 && (*entry)[name_length] == '=') {
        return *entry + name_length + 1;
      }
    }
    return nullptr;
  }
  std::size_t length = read_small_file("/proc/self/environ", scratch, scratch_bytes - 1);
  scratch[length] = '\0';
  for (std::size_t start = 0; start < length; start += std::strlen(scratch + start) + 1) {
    if (std::strncmp(scratch + start, name, name_length) == 0 &&
        scratch[start + name_length] == '=') {
      return scratch + start + name_length + 1;
    }
  }
  return nullptr;
}

}  // namespace

const char* environment_options_text() noexcept {
  if (getauxval(AT_SECURE) != 0) return nullptr;
  return find_environment_value("OSP_OPTIONS", g_environment_scratch, sizeof g_environment_scratch);
}

}  // namespace osp::debug
