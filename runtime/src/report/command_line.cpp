// The command line from /proc/self/cmdline (see process_info.hpp).
#include <fcntl.h>
#include <unistd.h>

#include "report/process_info.hpp"

namespace osp::report {

std::string command_line_arguments() {
  std::string text;
  int fd = ::open("/proc/self/cmdline", O_RDONLY | O_CLOEXEC);
  if (fd < 0) return text;
  char buffer[4096];
  for (ssize_t got; (got = ::read(fd, buffer, sizeof buffer)) > 0;) {
    text.append(buffer, static_cast<std::size_t>(got));
  }
  ::close(fd);
  return text;
}

}  // namespace osp::report
