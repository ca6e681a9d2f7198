// RawWriter: builds text in a fixed stack buffer and writes it with raw system calls
// (os::write_all). Usable inside malloc, during a crash, in signal handlers and at exit: it
// never allocates. Text longer than the buffer is flushed in pieces; a writer made with
// fd -1 never flushes (up to its buffer size): it builds a line to copy elsewhere.
// Numbers are formatted by RawFormatBuffer.
#pragma once

#include <cstddef>
#include <cstdint>
#include <cstring>

#include "os/os_memory.hpp"
#include "os/raw_format.hpp"

namespace osp::os {

class RawWriter {
 public:
  explicit RawWriter(int fd) noexcept : fd_(fd) {}
  ~RawWriter() { flush(); }
  RawWriter(const RawWriter&) = delete;
  RawWriter& operator=(const RawWriter&) = delete;

  RawWriter& text(const char* value) noexcept {
    return value == nullptr ? text("(null)", 6) : text(value, std::strlen(value));
  }
  RawWriter& text(const char* value, std::size_t length) noexcept {
    while (length > 0) {
      if (length_ == kBufferBytes) {
        if (fd_ < 0) return *this;
        flush();
      }
      std::size_t chunk = kBufferBytes - length_;
      if (chunk > length) chunk = length;
      std::memcpy(buffer_ + length_, value, chunk);
      length_ += chunk;
      value += chunk;
      length -= chunk;
    }
    return *this;
  }
  RawWriter& decimal(std::uint64_t value) noexcept {
    return formatted([&](RawFormatBuffer& digits) { digits.append_decimal(value); });
  }
  RawWriter& signed_decimal(std::int64_t value) noexcept {
    return formatted([&](RawFormatBuffer& digits) { digits.append_signed_decimal(value); });
  }
  // "0x" followed by lower-case hex digits, at least `minimum_digits` of them.
  RawWriter& hex(std::uint64_t value, int minimum_digits = 1) noexcept {
    return formatted([&](RawFormatBuffer& digits) { digits.append("0x").append_hex(value, minimum_digits); });
  }
  RawWriter& address(const void* pointer) noexcept { return hex(reinterpret_cast<std::uintptr_t>(pointer)); }
  // Two hex digits, no prefix.
  RawWriter& hex_byte(std::uint8_t value) noexcept {
    return formatted([&](RawFormatBuffer& digits) { digits.append_hex(value, 2); });
  }
  // "==<pid>==", the prefix of every report line that opens a report.
  RawWriter& process_prefix() noexcept { return text("==").decimal(process_id()).text("=="); }

  void flush() noexcept {
    if (length_ == 0 || fd_ < 0) return;
    write_all(fd_, buffer_, length_);
    length_ = 0;
  }
  // The text not yet flushed.
  const char* data() const noexcept { return buffer_; }
  std::size_t size() const noexcept { return length_; }

 private:
  static constexpr std::size_t kBufferBytes = 2048;

  template <typename Format>
  RawWriter& formatted(Format format) noexcept {
    char storage[24];  // "0x" + 16 hex digits, or 20 decimal digits and a sign
    RawFormatBuffer digits(storage, sizeof(storage));
    format(digits);
    return text(storage, digits.size());
  }

  int fd_;
  std::size_t length_ = 0;
  char buffer_[kBufferBytes];
};

}  // namespace osp::os
