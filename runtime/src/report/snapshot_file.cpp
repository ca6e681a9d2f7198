// Atomic snapshot files (see snapshot_file.hpp).
#include "report/snapshot_file.hpp"

#include <errno.h>
#include <fcntl.h>
#include <stdio.h>
#include <string.h>
#include <unistd.h>

#include "debug/report_writer.hpp"
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

bool write_file_atomically(const std::string& path, const std::string& text) noexcept {
  const std::string temporary = path + ".tmp." + std::to_string(::getpid());
  const char* failed_step = nullptr;
  int fd = ::open(temporary.c_str(), O_WRONLY | O_CREAT | O_TRUNC | O_CLOEXEC, 0644);
  if (fd < 0) {
    failed_step = "cannot create";
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
    if (::close(fd) != 0 && failed_step == nullptr) failed_step = "cannot write";
    if (failed_step == nullptr && ::rename(temporary.c_str(), path.c_str()) != 0) {
      failed_step = "cannot rename the temporary file to";
    }
    if (failed_step != nullptr) ::unlink(temporary.c_str());
  }
  if (failed_step == nullptr) return true;
  const int error = errno;
  debug::ReportWriter(2).process_prefix().text("osp: leak snapshot not written: ").text(failed_step)
      .text(" '").text(path.c_str()).text("': ").text(strerror(error)).text("\n");
  return false;
}

}  // namespace osp::report
