// Reading a loaded PE image (an .exe or .dll mapped by the Windows loader) from its base
// address: its size, its sections and its build identity. Everything is read from the
// mapped headers, which the loader keeps readable for the life of the module; nothing is
// opened and nothing allocates.
#pragma once

#include <cstddef>
#include <cstdint>

namespace osp::trace {

struct PeSection {
  std::uintptr_t start;  // base + VirtualAddress
  std::uintptr_t end;    // start + VirtualSize
  bool executable;
  bool writable;
};

// SizeOfImage of the image at `base`; 0 when `base` holds no PE image.
std::size_t pe_image_bytes(std::uintptr_t base) noexcept;

// Calls visit(section) for each section of the image at `base`.
template <typename Visitor>
void for_each_pe_section(std::uintptr_t base, Visitor&& visit) noexcept;

// The build identity symbolizers match debug information against, in lower-case hex,
// into `out` (at least kPeBuildIdBytes): the CodeView record's GUID and age when the image
// has one (MSVC always; GNU ld with --build-id, where the GUID is the build id), else the
// link time stamp and image size (the key symbol servers file PE images under).
inline constexpr std::size_t kPeBuildIdBytes = 41;
void pe_build_id(std::uintptr_t base, char* out) noexcept;

namespace detail {
int pe_section_count(std::uintptr_t base) noexcept;
PeSection pe_section(std::uintptr_t base, int index) noexcept;
}  // namespace detail

template <typename Visitor>
void for_each_pe_section(std::uintptr_t base, Visitor&& visit) noexcept {
  const int count = detail::pe_section_count(base);
  for (int index = 0; index < count; ++index) visit(detail::pe_section(base, index));
}

}  // namespace osp::trace
