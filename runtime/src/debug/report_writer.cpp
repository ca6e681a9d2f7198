// Fixed-buffer text formatting for reports (see report_writer.hpp).
#include "debug/report_writer.hpp"

#include <cstring>

#include "os/os_memory.hpp"

namespace osp::debug {

ReportWriter& ReportWriter::text(const char* text) noexcept {
  return text == nullptr ? this->text("(null)", 6) : this->text(text, std::strlen(text));
}

ReportWriter& ReportWriter::text(const char* text, std::size_t length) noexcept {
  while (length > 0) {
    if (length_ == kBufferBytes) {
      if (fd_ < 0) return *this;
      flush();
    }
    std::size_t chunk = kBufferBytes - length_;
    if (chunk > length) chunk = length;
    std::memcpy(buffer_ + length_, text, chunk);
    length_ += chunk;
    text += chunk;
    length -= chunk;
  }
  return *this;
}

ReportWriter& ReportWriter::decimal(std::uint64_t value) noexcept {
  char digits[24];
  int count = 0;
  do {
    digits[sizeof digits - 1 - count++] = static_cast<char>('0' + value % 10);
    value /= 10;
  } while (value != 0);
  return text(digits + sizeof digits - count, static_cast<std::size_t>(count));
}

ReportWriter& ReportWriter::signed_decimal(std::int64_t value) noexcept {
  if (value < 0) {
    text("-", 1);
    return decimal(static_cast<std::uint64_t>(-(value + 1)) + 1);
  }
  return decimal(static_cast<std::uint64_t>(value));
}

ReportWriter& ReportWriter::hex(std::uint64_t value) noexcept {
  static const char kDigits[] = "0123456789abcdef";
  char digits[18];
  int count = 0;
  do {
    digits[sizeof digits - 1 - count++] = kDigits[value & 0xf];
    value >>= 4;
  } while (value != 0);
  text("0x", 2);
  return text(digits + sizeof digits - count, static_cast<std::size_t>(count));
}

ReportWriter& ReportWriter::hex_byte(std::uint8_t value) noexcept {
  static const char kDigits[] = "0123456789abcdef";
  char digits[2] = {kDigits[value >> 4], kDigits[value & 0xf]};
  return text(digits, 2);
}

ReportWriter& ReportWriter::process_prefix() noexcept {
  return text("==").decimal(os::process_id()).text("==");
}

void ReportWriter::flush() noexcept {
  if (length_ == 0 || fd_ < 0) return;
  os::write_all(fd_, buffer_, length_);
  length_ = 0;
}

}  // namespace osp::debug
