// ReportWriter: builds report text in a fixed stack buffer and writes it with raw
// system calls (os::write_all). Usable inside malloc, during a crash, and at exit: it
// never allocates. Text longer than the buffer is flushed in pieces.
#pragma once

#include <cstddef>
#include <cstdint>

namespace osp::debug {

class ReportWriter {
 public:
  explicit ReportWriter(int fd) noexcept : fd_(fd) {}
  ~ReportWriter() { flush(); }
  ReportWriter(const ReportWriter&) = delete;
  ReportWriter& operator=(const ReportWriter&) = delete;

  ReportWriter& text(const char* text) noexcept;
  ReportWriter& text(const char* text, std::size_t length) noexcept;
  ReportWriter& decimal(std::uint64_t value) noexcept;
  ReportWriter& signed_decimal(std::int64_t value) noexcept;
  // "0x" followed by lower-case hex digits.
  ReportWriter& hex(std::uint64_t value) noexcept;
  ReportWriter& address(const void* pointer) noexcept {
    return hex(reinterpret_cast<std::uintptr_t>(pointer));
  }
  // Two hex digits, no prefix.
  ReportWriter& hex_byte(std::uint8_t value) noexcept;
  // "==<pid>==", the prefix of every report line that opens a report.
  ReportWriter& process_prefix() noexcept;
  void flush() noexcept;
  // The text not yet flushed. A writer made with fd -1 never flushes (up to its buffer
  // size): it builds a line to copy elsewhere.
  const char* data() const noexcept { return buffer_; }
  std::size_t size() const noexcept { return length_; }

 private:
  static constexpr std::size_t kBufferBytes = 2048;
  int fd_;
  std::size_t length_ = 0;
  char buffer_[kBufferBytes];
};

}  // namespace osp::debug
