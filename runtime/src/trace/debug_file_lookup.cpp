#include "trace/debug_file_lookup.hpp"

#include <climits>
#include <cstdlib>
#include <cstring>

#include "os/raw_format.hpp"

namespace osp::trace {
namespace {

using os::RawFormatBuffer;

constexpr std::size_t kPathBytes = PATH_MAX;

// The candidate at `path` is the module's debug file when it is the same build.
bool open_if_same_build(const char* path, const char* build_id, bool check_crc, std::uint32_t crc,
                        ElfFile& debug_file) noexcept {
  if (!debug_file.open(path)) return false;
  bool same = false;
  if (build_id[0] != '\0') {
    char candidate_id[kBuildIdHexBytes];
    same = debug_file.build_id(candidate_id) && std::strcmp(candidate_id, build_id) == 0;
  } else if (check_crc) {
    same = debug_file.crc32() == crc;
  }
  if (!same) debug_file.close();
  return same;
}

bool open_by_build_id(const char* build_id, const char* debug_root, ElfFile& debug_file) noexcept {
  if (std::strlen(build_id) < 4) return false;
  char path[kPathBytes];
  RawFormatBuffer text(path, sizeof(path));
  text.append(debug_root).append("/.build-id/").append(build_id, 2).append_char('/');
  text.append(build_id + 2).append(".debug").append_char('\0');
  return !text.truncated() && open_if_same_build(path, build_id, false, 0, debug_file);
}

// The module's directory with a trailing '/', resolved through symlinks where possible
// (Debian's /lib is a link to /usr/lib; debug files are laid out by the real path).
bool module_directory(const char* module_path, char* directory, std::size_t capacity) noexcept {
  char resolved[kPathBytes];
  const char* path = realpath(module_path, resolved) != nullptr ? resolved : module_path;
  const char* last_slash = std::strrchr(path, '/');
  if (last_slash == nullptr) return false;
  const std::size_t length = static_cast<std::size_t>(last_slash - path) + 1;
  if (length >= capacity) return false;
  std::memcpy(directory, path, length);
  directory[length] = '\0';
  return true;
}

bool open_by_debuglink(const char* module_path, const ElfFile& module_file, const char* build_id,
                       const char* debug_root, ElfFile& debug_file) noexcept {
  const char* link_name = nullptr;
  std::uint32_t crc = 0;
  if (!module_file.is_open() || !module_file.debuglink(link_name, crc)) return false;
  // A link is a file name; one with a directory part is not followed.
  if (std::strchr(link_name, '/') != nullptr) return false;
  char directory[kPathBytes];
  if (!module_directory(module_path, directory, sizeof(directory))) return false;
  char resolved_module[kPathBytes];
  const bool module_resolved = realpath(module_path, resolved_module) != nullptr;

  const char* prefixes[3][2] = {{"", directory}, {directory, ".debug/"}, {debug_root, directory}};
  for (const auto& prefix : prefixes) {
    char path[kPathBytes];
    RawFormatBuffer text(path, sizeof(path));
    text.append(prefix[0]).append(prefix[1]).append(link_name).append_char('\0');
    if (text.truncated()) continue;
    // A debuglink naming the module itself (a file that was never stripped) is no help.
    char resolved[kPathBytes];
    if (module_resolved && realpath(path, resolved) != nullptr &&
        std::strcmp(resolved, resolved_module) == 0) {
      continue;
    }
    if (open_if_same_build(path, build_id, true, crc, debug_file)) return true;
  }
  return false;
}

}  // namespace

bool open_debug_file(const char* module_path, const ElfFile& module_file, const char* build_id,
                     const char* debug_root, ElfFile& debug_file) noexcept {
  if (debug_root == nullptr || debug_root[0] == '\0') debug_root = kDefaultDebugRoot;
  return open_by_build_id(build_id, debug_root, debug_file) ||
         open_by_debuglink(module_path, module_file, build_id, debug_root, debug_file);
}

}  // namespace osp::trace
