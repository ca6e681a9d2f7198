// Bump allocation from 64 KiB blocks; a string longer than a block gets a mapping of its
// own. The unused tail of a block is abandoned when the next string does not fit.
#include "trace/permanent_strings.hpp"

#include <cstring>

#include "os/os_memory.hpp"

namespace osp::trace {
namespace {

constexpr std::size_t kBlockBytes = 64 * 1024;

struct PermanentStringState {
  char* block = nullptr;
  std::size_t used_bytes = 0;
  std::size_t mapped_bytes = 0;
};

constinit PermanentStringState string_state{};

char* reserve_bytes(std::size_t bytes) noexcept {
  if (bytes > kBlockBytes) {
    const std::size_t page = os::page_size();
    const std::size_t rounded = (bytes + page - 1) / page * page;
    auto* own = static_cast<char*>(os::map(rounded, page, false));
    if (own != nullptr) string_state.mapped_bytes += rounded;
    return own;
  }
  if (string_state.block == nullptr || string_state.used_bytes + bytes > kBlockBytes) {
    auto* block = static_cast<char*>(os::map(kBlockBytes, os::page_size(), false));
    if (block == nullptr) return nullptr;
    string_state.mapped_bytes += kBlockBytes;
    string_state.block = block;
    string_state.used_bytes = 0;
  }
  char* result = string_state.block + string_state.used_bytes;
  string_state.used_bytes += bytes;
  return result;
}

}  // namespace

const char* store_permanent_string(const char* text, std::size_t length) noexcept {
  if (text == nullptr || length == 0) return "";
  char* copy = reserve_bytes(length + 1);
  if (copy == nullptr) return "";
  std::memcpy(copy, text, length);
  copy[length] = '\0';
  return copy;
}

const char* store_permanent_string(const char* text) noexcept {
  return text == nullptr ? "" : store_permanent_string(text, std::strlen(text));
}

std::size_t permanent_string_bytes() noexcept { return string_state.mapped_bytes; }

}  // namespace osp::trace
