// PE image headers (see pe_image.hpp): DOS header -> NT headers -> section table and the
// debug directory. Only PE32+ (x86-64 images) are read.
#define WIN32_LEAN_AND_MEAN
#include <windows.h>

#include "trace/pe_image.hpp"

#include <cstring>

namespace osp::trace {
namespace {

// The CodeView record of a PDB 7.0 reference ("RSDS").
struct CodeViewRecord {
  DWORD signature;
  GUID guid;
  DWORD age;
};
constexpr DWORD kCodeViewSignature = 0x53445352;  // "RSDS"

const IMAGE_NT_HEADERS64* nt_headers(std::uintptr_t base) noexcept {
  if (base == 0) return nullptr;
  const auto* dos = reinterpret_cast<const IMAGE_DOS_HEADER*>(base);
  if (dos->e_magic != IMAGE_DOS_SIGNATURE) return nullptr;
  const auto* nt = reinterpret_cast<const IMAGE_NT_HEADERS64*>(base + static_cast<std::uintptr_t>(dos->e_lfanew));
  if (nt->Signature != IMAGE_NT_SIGNATURE || nt->OptionalHeader.Magic != IMAGE_NT_OPTIONAL_HDR64_MAGIC) {
    return nullptr;
  }
  return nt;
}

char* append_hex(char* cursor, std::uint64_t value, int digits) noexcept {
  for (int index = digits - 1; index >= 0; --index) {
    cursor[index] = "0123456789abcdef"[value & 0xf];
    value >>= 4;
  }
  return cursor + digits;
}

bool codeview_build_id(std::uintptr_t base, const IMAGE_NT_HEADERS64& nt, char* out) noexcept {
  const IMAGE_DATA_DIRECTORY& directory = nt.OptionalHeader.DataDirectory[IMAGE_DIRECTORY_ENTRY_DEBUG];
  if (directory.VirtualAddress == 0 || directory.Size < sizeof(IMAGE_DEBUG_DIRECTORY)) return false;
  const auto* entries = reinterpret_cast<const IMAGE_DEBUG_DIRECTORY*>(base + directory.VirtualAddress);
  const std::size_t count = directory.Size / sizeof(IMAGE_DEBUG_DIRECTORY);
  for (std::size_t index = 0; index < count; ++index) {
    const IMAGE_DEBUG_DIRECTORY& entry = entries[index];
    if (entry.Type != IMAGE_DEBUG_TYPE_CODEVIEW || entry.AddressOfRawData == 0 ||
        entry.SizeOfData < sizeof(CodeViewRecord)) {
      continue;
    }
    CodeViewRecord record;
    std::memcpy(&record, reinterpret_cast<const void*>(base + entry.AddressOfRawData), sizeof record);
    if (record.signature != kCodeViewSignature) continue;
    // The GUID in its text order (Data1-3 as numbers, Data4 as bytes), then the age: the
    // form symbol servers use.
    char* cursor = append_hex(out, record.guid.Data1, 8);
    cursor = append_hex(cursor, record.guid.Data2, 4);
    cursor = append_hex(cursor, record.guid.Data3, 4);
    for (unsigned char byte : record.guid.Data4) cursor = append_hex(cursor, byte, 2);
    cursor = append_hex(cursor, record.age, 8);
    *cursor = '\0';
    return true;
  }
  return false;
}

}  // namespace

std::size_t pe_image_bytes(std::uintptr_t base) noexcept {
  const IMAGE_NT_HEADERS64* nt = nt_headers(base);
  return nt != nullptr ? nt->OptionalHeader.SizeOfImage : 0;
}

void pe_build_id(std::uintptr_t base, char* out) noexcept {
  out[0] = '\0';
  const IMAGE_NT_HEADERS64* nt = nt_headers(base);
  if (nt == nullptr || codeview_build_id(base, *nt, out)) return;
  char* cursor = append_hex(out, nt->FileHeader.TimeDateStamp, 8);
  cursor = append_hex(cursor, nt->OptionalHeader.SizeOfImage, 8);
  *cursor = '\0';
}

namespace detail {

int pe_section_count(std::uintptr_t base) noexcept {
  const IMAGE_NT_HEADERS64* nt = nt_headers(base);
  return nt != nullptr ? nt->FileHeader.NumberOfSections : 0;
}

PeSection pe_section(std::uintptr_t base, int index) noexcept {
  const IMAGE_NT_HEADERS64* nt = nt_headers(base);
  const IMAGE_SECTION_HEADER& header = IMAGE_FIRST_SECTION(nt)[index];
  const std::uintptr_t start = base + header.VirtualAddress;
  return PeSection{start, start + header.Misc.VirtualSize,
                   (header.Characteristics & IMAGE_SCN_MEM_EXECUTE) != 0,
                   (header.Characteristics & IMAGE_SCN_MEM_WRITE) != 0};
}

}  // namespace detail

}  // namespace osp::trace
