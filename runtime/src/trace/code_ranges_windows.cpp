// Executable ranges on Windows (see code_ranges.hpp): the executable sections of the PE
// image that maps an address, asked of the loader at each lookup (GetModuleHandleExW
// with FROM_ADDRESS takes the loader's lock briefly and never allocates), so there is no
// table to rebuild and the generation never changes. PE images have no .eh_frame_hdr:
// the unwind-data fields stay 0.
#define WIN32_LEAN_AND_MEAN
#include <windows.h>

#include "trace/code_ranges.hpp"
#include "trace/pe_image.hpp"

namespace osp::trace {

namespace detail {
std::atomic<std::uint64_t> code_ranges_generation{1};
}  // namespace detail

bool find_code_range(std::uintptr_t address, CodeRange& range) noexcept {
  HMODULE module = nullptr;
  if (!GetModuleHandleExW(GET_MODULE_HANDLE_EX_FLAG_FROM_ADDRESS | GET_MODULE_HANDLE_EX_FLAG_UNCHANGED_REFCOUNT,
                          reinterpret_cast<LPCWSTR>(address), &module)) {
    return false;
  }
  bool found = false;
  for_each_pe_section(reinterpret_cast<std::uintptr_t>(module), [&](const PeSection& section) {
    if (found || !section.executable || address < section.start || address >= section.end) return;
    range = CodeRange{section.start, section.end, 0, 0, 0};
    found = true;
  });
  return found;
}

bool refresh_code_ranges_if_modules_changed() noexcept { return true; }

}  // namespace osp::trace
