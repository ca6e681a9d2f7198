// Formatting into a caller's fixed buffer without the printf family, which may allocate
// or take locks: usable inside malloc, in signal handlers and while reporting.
// Invariant: the buffer never overflows; text that does not fit is cut off and
// `truncated()` says so. The contents are not NUL-terminated unless c_str() is called.
#pragma once

#include <cstddef>
#include <cstdint>

namespace osp::os {

class RawFormatBuffer {
 public:
  RawFormatBuffer(char* storage, std::size_t capacity_bytes) noexcept
      : storage_(storage), capacity_(capacity_bytes) {}

  RawFormatBuffer& append(const char* text) noexcept {
    if (text == nullptr) return *this;
    while (*text != '\0') append_char(*text++);
    return *this;
  }

  RawFormatBuffer& append(const char* text, std::size_t length) noexcept {
    for (std::size_t i = 0; i < length; ++i) append_char(text[i]);
    return *this;
  }

  RawFormatBuffer& append_char(char character) noexcept {
    if (length_ < capacity_) {
      storage_[length_++] = character;
    } else {
      truncated_ = true;
    }
    return *this;
  }

  RawFormatBuffer& append_decimal(std::uint64_t value) noexcept {
    char digits[20];  // 2^64 - 1 has 20 decimal digits
    int count = 0;
    do {
      digits[count++] = static_cast<char>('0' + value % 10);
      value /= 10;
    } while (value != 0);
    while (count > 0) append_char(digits[--count]);
    return *this;
  }

  RawFormatBuffer& append_signed_decimal(std::int64_t value) noexcept {
    if (value < 0) {
      append_char('-');
      // Negate in unsigned arithmetic so INT64_MIN does not overflow.
      return append_decimal(0 - static_cast<std::uint64_t>(value));
    }
    return append_decimal(static_cast<std::uint64_t>(value));
  }

  // Lower-case hex without a prefix, padded with zeros to at least `minimum_digits`.
  RawFormatBuffer& append_hex(std::uint64_t value, int minimum_digits = 1) noexcept {
    char digits[16];
    int count = 0;
    do {
      digits[count++] = "0123456789abcdef"[value & 0xf];
      value >>= 4;
    } while (value != 0);
    for (int pad = count; pad < minimum_digits && pad < 16; ++pad) append_char('0');
    while (count > 0) append_char(digits[--count]);
    return *this;
  }

  // NUL-terminates (cutting off the last character if the buffer is full).
  const char* c_str() noexcept {
    if (capacity_ == 0) return "";
    if (length_ == capacity_) {
      --length_;
      truncated_ = true;
    }
    storage_[length_] = '\0';
    return storage_;
  }

  const char* data() const noexcept { return storage_; }
  std::size_t size() const noexcept { return length_; }
  bool truncated() const noexcept { return truncated_; }
  void clear() noexcept {
    length_ = 0;
    truncated_ = false;
  }

 private:
  char* storage_;
  std::size_t capacity_;
  std::size_t length_ = 0;
  bool truncated_ = false;
};

}  // namespace osp::os
