// Copies of strings that live for the rest of the process, in memory from osp::os::map
// (never malloc, never freed). Used by the symbolizer so the names it hands out stay
// valid forever. Not thread-safe: callers hold the symbolizer's lock.
#pragma once

#include <cstddef>

namespace osp::trace {

// Returns a NUL-terminated copy of text[0, length), or "" when out of memory.
const char* store_permanent_string(const char* text, std::size_t length) noexcept;
const char* store_permanent_string(const char* text) noexcept;

// Bytes taken from the OS for permanent strings.
std::size_t permanent_string_bytes() noexcept;

}  // namespace osp::trace
