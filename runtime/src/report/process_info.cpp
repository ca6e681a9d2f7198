// Process facts for the snapshot (see process_info.hpp).
#include "report/process_info.hpp"

#include <stdlib.h>
#include <time.h>

#include <atomic>

namespace osp::report {
namespace {

std::atomic<std::int64_t> g_start_time{0};
std::atomic<bool> g_exiting{false};
std::atomic<int> g_exit_status{0};

void note_exit_status(int status, void*) {
  g_exit_status.store(status, std::memory_order_relaxed);
  g_exiting.store(true, std::memory_order_release);
}

// Priority 101: before ordinary constructors, so the start time is close to exec.
__attribute__((constructor(101))) void note_process_start() {
  g_start_time.store(current_time(), std::memory_order_relaxed);
  on_exit(note_exit_status, nullptr);
}

void append_digits(char*& cursor, long value, int digits) {
  for (int index = digits - 1; index >= 0; --index) {
    cursor[index] = static_cast<char>('0' + value % 10);
    value /= 10;
  }
  cursor += digits;
}

}  // namespace

std::int64_t current_time() noexcept {
  struct timespec now;
  clock_gettime(CLOCK_REALTIME, &now);
  return now.tv_sec;
}

std::int64_t process_start_time() noexcept {
  std::int64_t start = g_start_time.load(std::memory_order_relaxed);
  return start != 0 ? start : current_time();
}

void note_main_starting() noexcept { on_exit(note_exit_status, nullptr); }

bool exit_status_known(int& status) noexcept {
  if (!g_exiting.load(std::memory_order_acquire)) return false;
  status = g_exit_status.load(std::memory_order_relaxed);
  return true;
}

void format_utc_time(std::int64_t seconds, char* out) noexcept {
  struct tm parts;
  time_t value = static_cast<time_t>(seconds);
  gmtime_r(&value, &parts);
  char* cursor = out;
  append_digits(cursor, parts.tm_year + 1900, 4);
  *cursor++ = '-';
  append_digits(cursor, parts.tm_mon + 1, 2);
  *cursor++ = '-';
  append_digits(cursor, parts.tm_mday, 2);
  *cursor++ = 'T';
  append_digits(cursor, parts.tm_hour, 2);
  *cursor++ = ':';
  append_digits(cursor, parts.tm_min, 2);
  *cursor++ = ':';
  append_digits(cursor, parts.tm_sec, 2);
  *cursor++ = 'Z';
  *cursor = '\0';
}

}  // namespace osp::report
