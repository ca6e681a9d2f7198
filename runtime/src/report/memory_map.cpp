// /proc/self/maps parser (see memory_map.hpp). Lines look like
// "7f3a2c000000-7f3a2c021000 rw-p 00000000 00:00 0   [heap]"; only the range and the
// permissions are kept. The kernel lists regions in address order.
#include "report/memory_map.hpp"

#include <fcntl.h>
#include <unistd.h>

#include <cstring>

namespace osp::report {
namespace {

constexpr std::size_t kReadBufferBytes = 64 * 1024;
constexpr std::size_t kInitialRegionCapacity = 4096;

int hex_digit(char character) {
  if (character >= '0' && character <= '9') return character - '0';
  if (character >= 'a' && character <= 'f') return character - 'a' + 10;
  return -1;
}

// Parses "start-end perms" at the beginning of `line`; false for a malformed line.
bool parse_line(const char* line, const char* line_end, MemoryRegion& region) {
  std::uintptr_t values[2] = {0, 0};
  const char* cursor = line;
  for (int index = 0; index < 2; ++index) {
    int digits = 0;
    for (int digit; cursor < line_end && (digit = hex_digit(*cursor)) >= 0; ++cursor, ++digits) {
      values[index] = (values[index] << 4) | static_cast<std::uintptr_t>(digit);
    }
    if (digits == 0 || cursor >= line_end) return false;
    if (*cursor != (index == 0 ? '-' : ' ')) return false;
    ++cursor;
  }
  if (line_end - cursor < 2) return false;
  region.start = values[0];
  region.end = values[1];
  region.readable = cursor[0] == 'r';
  region.writable = cursor[1] == 'w';
  return region.end > region.start;
}

}  // namespace

bool MemoryMap::load(ScratchArena& arena) noexcept {
  int fd = ::open("/proc/self/maps", O_RDONLY | O_CLOEXEC);
  if (fd < 0) return false;
  char* buffer = arena.allocate_array<char>(kReadBufferBytes);
  std::size_t capacity = kInitialRegionCapacity;
  regions_ = arena.allocate_array<MemoryRegion>(capacity);
  if (buffer == nullptr || regions_ == nullptr) {
    ::close(fd);
    return false;
  }
  count_ = 0;
  std::size_t filled = 0;
  bool ok = true;
  for (;;) {
    ssize_t got = ::read(fd, buffer + filled, kReadBufferBytes - filled);
    if (got < 0) {
      ok = false;
      break;
    }
    filled += static_cast<std::size_t>(got);
    const bool at_end = got == 0;
    std::size_t consumed = 0;
    while (consumed < filled) {
      char* line = buffer + consumed;
      auto* newline = static_cast<char*>(std::memchr(line, '\n', filled - consumed));
      if (newline == nullptr && !at_end) break;
      char* line_end = newline != nullptr ? newline : buffer + filled;
      MemoryRegion region;
      if (parse_line(line, line_end, region)) {
        if (count_ == capacity) {
          auto* grown = arena.allocate_array<MemoryRegion>(capacity * 2);
          if (grown == nullptr) {
            ::close(fd);
            return false;
          }
          std::memcpy(grown, regions_, count_ * sizeof(MemoryRegion));
          regions_ = grown;
          capacity *= 2;
        }
        regions_[count_++] = region;
      }
      consumed = static_cast<std::size_t>(line_end - buffer) + 1;
    }
    if (at_end) break;
    if (consumed == 0 && filled == kReadBufferBytes) {
      ok = false;  // a line longer than the buffer: not a maps file we understand
      break;
    }
    std::memmove(buffer, buffer + consumed, filled - consumed);
    filled -= consumed;
  }
  ::close(fd);
  return ok && count_ != 0;
}

}  // namespace osp::report
