// Report files on Windows (see report_files.hpp). CreateFileA with CREATE_NEW never opens
// what is already at the name, and FILE_FLAG_OPEN_REPARSE_POINT keeps a planted symbolic
// link or junction from being followed when an existing log is appended to. The
// descriptors handed back are C runtime descriptors over those handles, in binary mode
// (no CR inserted before LF). Random names come from RtlGenRandom (SystemFunction036).
#define WIN32_LEAN_AND_MEAN
#include <windows.h>

#include <errno.h>
#include <fcntl.h>
#include <io.h>

#include <atomic>
#include <cstdint>
#include <cstring>

#include "debug/report_files.hpp"

extern "C" BOOLEAN NTAPI SystemFunction036(PVOID buffer, ULONG length);  // RtlGenRandom

namespace osp::debug {
namespace {

constexpr int kTemporaryNameAttempts = 16;

std::uint64_t random_bits() {
  std::uint64_t value = 0;
  if (SystemFunction036(&value, sizeof value)) return value;
  static std::atomic<std::uint64_t> counter{0};
  LARGE_INTEGER now{};
  QueryPerformanceCounter(&now);
  return static_cast<std::uint64_t>(now.QuadPart) * 0x9e3779b97f4a7c15ull ^
         (static_cast<std::uint64_t>(GetCurrentProcessId()) << 32) ^
         counter.fetch_add(1, std::memory_order_relaxed);
}

int errno_of(DWORD error) {
  switch (error) {
    case ERROR_FILE_EXISTS:
    case ERROR_ALREADY_EXISTS: return EEXIST;
    case ERROR_ACCESS_DENIED: return EACCES;
    case ERROR_PATH_NOT_FOUND:
    case ERROR_FILE_NOT_FOUND: return ENOENT;
    case ERROR_FILENAME_EXCED_RANGE: return ENAMETOOLONG;
    default: return EIO;
  }
}

int descriptor_of(HANDLE handle, int flags) {
  if (handle == INVALID_HANDLE_VALUE) {
    errno = errno_of(GetLastError());
    return -1;
  }
  const int fd = _open_osfhandle(reinterpret_cast<intptr_t>(handle), flags | _O_BINARY);
  if (fd < 0) CloseHandle(handle);
  return fd;
}

}  // namespace

int open_log_file(const char* path) noexcept {
  const DWORD share = FILE_SHARE_READ | FILE_SHARE_WRITE;
  HANDLE handle = CreateFileA(path, FILE_APPEND_DATA, share, nullptr, CREATE_NEW, FILE_ATTRIBUTE_NORMAL, nullptr);
  if (handle == INVALID_HANDLE_VALUE && GetLastError() == ERROR_FILE_EXISTS) {
    handle = CreateFileA(path, FILE_APPEND_DATA, share, nullptr, OPEN_EXISTING,
                         FILE_ATTRIBUTE_NORMAL | FILE_FLAG_OPEN_REPARSE_POINT, nullptr);
    BY_HANDLE_FILE_INFORMATION facts{};
    if (handle != INVALID_HANDLE_VALUE &&
        (!GetFileInformationByHandle(handle, &facts) ||
         (facts.dwFileAttributes & (FILE_ATTRIBUTE_REPARSE_POINT | FILE_ATTRIBUTE_DIRECTORY)) != 0 ||
         facts.nNumberOfLinks != 1)) {
      CloseHandle(handle);
      errno = EEXIST;
      return -1;
    }
  }
  return descriptor_of(handle, _O_WRONLY | _O_APPEND);
}

int create_temporary_file(const char* path, char* name, std::size_t name_bytes) noexcept {
  static constexpr char kSuffix[] = ".tmp.";
  constexpr std::size_t kHexDigits = 16;
  const std::size_t length = std::strlen(path);
  if (length + sizeof kSuffix - 1 + kHexDigits + 1 > name_bytes) {
    errno = ENAMETOOLONG;
    return -1;
  }
  std::memcpy(name, path, length);
  std::memcpy(name + length, kSuffix, sizeof kSuffix - 1);
  char* digits = name + length + sizeof kSuffix - 1;
  for (int attempt = 0; attempt < kTemporaryNameAttempts; ++attempt) {
    std::uint64_t bits = random_bits();
    for (std::size_t index = 0; index < kHexDigits; ++index, bits >>= 4) {
      digits[index] = "0123456789abcdef"[bits & 0xf];
    }
    digits[kHexDigits] = '\0';
    HANDLE handle = CreateFileA(name, GENERIC_WRITE, 0, nullptr, CREATE_NEW, FILE_ATTRIBUTE_NORMAL, nullptr);
    if (handle != INVALID_HANDLE_VALUE || GetLastError() != ERROR_FILE_EXISTS) {
      return descriptor_of(handle, _O_WRONLY);
    }
  }
  errno = EEXIST;
  return -1;
}

// MOVEFILE_WRITE_THROUGH: the call returns once the rename is on disk, which is what
// sync_parent_folder() does on Linux.
bool replace_file(const char* from, const char* to) noexcept {
  return MoveFileExA(from, to, MOVEFILE_REPLACE_EXISTING | MOVEFILE_WRITE_THROUGH) != 0;
}

bool sync_parent_folder(const char*) noexcept { return true; }

}  // namespace osp::debug
