// RawWriter: formats text into a fixed stack buffer and writes it with raw system calls.
// For reports made where malloc must not be called (inside the allocator, at exit).
#pragma once

#include <cstddef>
#include <cstdint>
#include <cstring>

#include "os/os_memory.hpp"

namespace osp::os {

class RawWriter {
 public:
  explicit RawWriter(int fd) noexcept : fd_(fd) {}
  ~RawWriter() { flush(); }
  RawWriter(const RawWriter&) = delete;
  RawWriter& operator=(const RawWriter&) = delete;

  RawWriter& text(const char* value) noexcept {
    if (value == nullptr) value = "(null)";
    return bytes(value, std::strlen(value));
  }
  RawWriter& bytes(const char* value, std::size_t length) noexcept {
    for (std::size_t i = 0; i < length; ++i) put(value[i]);
    return *this;
  }
  RawWriter& decimal(std::uint64_t value) noexcept {
    char digits[20];
    int count = 0;
    do {
      digits[count++] = static_cast<char>('0' + value % 10);
      value /= 10;
    } while (value != 0);
    while (count > 0) put(digits[--count]);
    return *this;
  }
  RawWriter& signed_decimal(std::int64_t value) noexcept {
    if (value < 0) {
      put('-');
      return decimal(static_cast<std::uint64_t>(-(value + 1)) + 1);
    }
    return decimal(static_cast<std::uint64_t>(value));
  }
  // "0x" followed by lowercase hex digits, at least `min_digits`.
  RawWriter& hex(std::uint64_t value, int min_digits = 1) noexcept {
    char digits[16];
    int count = 0;
    do {
      digits[count++] = "0123456789abcdef"[value & 0xf];
      value >>= 4;
    } while (value != 0);
    while (count < min_digits && count < 16) digits[count++] = '0';
    put('0');
    put('x');
    while (count > 0) put(digits[--count]);
    return *this;
  }
  RawWriter& pointer(const void* value) noexcept {
    return hex(reinterpret_cast<std::uintptr_t>(value));
  }
  void flush() noexcept {
    if (used_ > 0) write_all(fd_, buffer_, used_);
    used_ = 0;
  }

 private:
  void put(char value) noexcept {
    if (used_ == sizeof(buffer_)) flush();
    buffer_[used_++] = value;
  }

  int fd_;
  std::size_t used_ = 0;
  char buffer_[1024];
};

}  // namespace osp::os
