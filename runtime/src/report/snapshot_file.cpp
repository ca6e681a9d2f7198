// Atomic snapshot files (see snapshot_file.hpp).
#include "report/snapshot_file.hpp"

#include <errno.h>
#include <stdio.h>
#include <string.h>

#include "debug/report_files.hpp"
#include "debug/report_writer.hpp"
#include "os/posix_files.hpp"
#include "report/process_info.hpp"

namespace osp::report {

std::string expand_snapshot_path(const char* pattern) {
  std::string path;
  for (const char* cursor = pattern; *cursor != '\0'; ++cursor) {
    if (cursor[0] != '%' || cursor[1] == '\0') {
      path += *cursor;
      continue;
    }
    ++cursor;
    if (*cursor == 'p') path += std::to_string(::getpid());
    else if (*cursor == 't') path += std::to_string(current_time());
    else if (*cursor == '%') path += '%';
    else (path += '%') += *cursor;
  }
  return path;
}

// The temporary file gets an unpredictable name and is created, never opened: a symlink
// planted beside the snapshot in a shared folder is not followed. Its bytes reach the disk
// (fsync) before the rename publishes them, and the rename reaches it after (the folder's
// fsync), so a crash of the machine leaves the old snapshot or the new one, never an empty
// file. No allocation here: the names live on the stack.
bool write_file_atomically(const std::string& path, const std::string& text) noexcept {
  char temporary[4096];
  const char* failed_step = nullptr;
  int fd = debug::create_temporary_file(path.c_str(), temporary, sizeof temporary);
  if (fd < 0) {
    failed_step = "cannot create a temporary file for";
  } else {
    std::size_t written = 0;
    while (written < text.size()) {
      ssize_t got = ::write(fd, text.data() + written, text.size() - written);
      if (got < 0 && errno == EINTR) continue;
      if (got <= 0) {
        failed_step = "cannot write";
        break;
      }
      written += static_cast<std::size_t>(got);
    }
    if (failed_step == nullptr && ::fsync(fd) != 0) failed_step = "cannot flush to disk";
    if (::close(fd) != 0 && failed_step == nullptr) failed_step = "cannot write";
    if (failed_step == nullptr && !debug::replace_file(temporary, path.c_str())) {
      failed_step = "cannot rename the temporary file to";
    }
    if (failed_step != nullptr) ::unlink(temporary);
  }
  if (failed_step == nullptr) {
    debug::sync_parent_folder(path.c_str());
    return true;
  }
  const int error = errno;
  debug::ReportWriter(2).process_prefix().text("osp: leak snapshot not written: ").text(failed_step)
      .text(" '").text(path.c_str()).text("': ").text(strerror(error)).text("\n");
  return false;
}

}  // namespace osp::report
