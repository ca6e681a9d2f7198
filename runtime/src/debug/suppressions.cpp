// Leak suppression patterns (see suppressions.hpp). Loaded lazily on the first query, so
// only processes that report leaks ever read the file.
#include "debug/suppressions.hpp"


#include <cstring>

#include "debug/options.hpp"
#include "debug/report_writer.hpp"
#include "os/os_memory.hpp"
#include "os/posix_files.hpp"
#include "trace/symbolizer.hpp"

namespace osp::debug {
namespace {

constexpr std::size_t kSuppressionFileBytes = 64 * 1024;
constexpr int kMaxPatterns = 512;

os::SpinLock g_lock;
bool g_loaded = false;
char g_file_text[kSuppressionFileBytes];
const char* g_patterns[kMaxPatterns];
int g_pattern_count = 0;

void load_once() {
  g_lock.lock();
  if (g_loaded) {
    g_lock.unlock();
    return;
  }
  g_loaded = true;
  const char* path = options().suppressions;
  if (path != nullptr && path[0] != '\0') {
    int fd = ::open(path, O_RDONLY | O_CLOEXEC);
    if (fd < 0) {
      ReportWriter(2).text("osp: warning: cannot read suppressions file '").text(path)
          .text("' (no leak suppressions)\n");
    } else {
      std::size_t length = 0;
      while (length < kSuppressionFileBytes - 1) {
        ssize_t got = ::read(fd, g_file_text + length, kSuppressionFileBytes - 1 - length);
        if (got <= 0) break;
        length += static_cast<std::size_t>(got);
      }
      ::close(fd);
      g_file_text[length] = '\0';
      // One pattern per "leak:" line; lines are cut in place.
      for (char* line = g_file_text; line != nullptr && *line != '\0';) {
        char* end = std::strchr(line, '\n');
        if (end != nullptr) *end = '\0';
        while (*line == ' ' || *line == '\t') ++line;
        std::size_t line_length = std::strlen(line);
        while (line_length > 0 && (line[line_length - 1] == ' ' || line[line_length - 1] == '\r')) {
          line[--line_length] = '\0';
        }
        if (std::strncmp(line, "leak:", 5) == 0 && line[5] != '\0' && g_pattern_count < kMaxPatterns) {
          g_patterns[g_pattern_count++] = line + 5;
        } else if (line_length != 0 && line[0] != '#') {
          ReportWriter(2).text("osp: warning: ignoring suppression line '").text(line)
              .text("' (expected leak:<pattern>)\n");
        }
        line = end != nullptr ? end + 1 : nullptr;
      }
    }
  }
  g_lock.unlock();
}

bool matches_any(const char* text) {
  if (text == nullptr || text[0] == '\0') return false;
  for (int index = 0; index < g_pattern_count; ++index) {
    if (std::strstr(text, g_patterns[index]) != nullptr) return true;
  }
  return false;
}

}  // namespace

int leak_suppression_count() noexcept {
  load_once();
  return g_pattern_count;
}

bool leak_suppressed(const char* origin_file, trace::StackId stack) noexcept {
  if (leak_suppression_count() == 0) return false;
  if (matches_any(origin_file)) return true;
  trace::StackView view = trace::StackDepot::instance().get(stack);
  for (int index = 0; index < view.depth; ++index) {
    trace::SymbolizedFrame frame = trace::symbolize(view.frames[index]);
    if (matches_any(frame.function) || matches_any(frame.file) || matches_any(frame.module)) {
      return true;
    }
  }
  return false;
}

}  // namespace osp::debug
