// Process facts for the snapshot (see process_info.hpp).
#include "report/process_info.hpp"

#include <time.h>

#include <atomic>

namespace osp::report {
namespace {

std::atomic<std::int64_t> g_start_time{0};

// Priority 101: before ordinary constructors, so the start time is close to exec.
__attribute__((constructor(101))) void note_process_start() {
  g_start_time.store(current_time(), std::memory_order_relaxed);
}

struct CivilTime {
  long tm_year, tm_mon, tm_mday, tm_hour, tm_min, tm_sec;  // struct tm's meanings
};

// UTC calendar fields of a time since the epoch, by arithmetic (H. Hinnant's
// civil_from_days): no C library time zone state, the same on every platform.
CivilTime civil_time_of(std::int64_t seconds) {
  std::int64_t days = seconds / 86400;
  std::int64_t rest = seconds % 86400;
  if (rest < 0) {
    rest += 86400;
    --days;
  }
  days += 719468;
  const std::int64_t era = (days >= 0 ? days : days - 146096) / 146097;
  const std::int64_t day_of_era = days - era * 146097;
  const std::int64_t year_of_era = (day_of_era - day_of_era / 1460 + day_of_era / 36524 - day_of_era / 146096) / 365;
  const std::int64_t day_of_year = day_of_era - (365 * year_of_era + year_of_era / 4 - year_of_era / 100);
  const std::int64_t month_index = (5 * day_of_year + 2) / 153;  // March = 0
  const std::int64_t day = day_of_year - (153 * month_index + 2) / 5 + 1;
  const std::int64_t month = month_index < 10 ? month_index + 3 : month_index - 9;
  const std::int64_t year = year_of_era + era * 400 + (month <= 2 ? 1 : 0);
  return CivilTime{static_cast<long>(year - 1900), static_cast<long>(month - 1), static_cast<long>(day),
                   static_cast<long>(rest / 3600), static_cast<long>(rest / 60 % 60), static_cast<long>(rest % 60)};
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

void format_utc_time(std::int64_t seconds, char* out) noexcept {
  const CivilTime parts = civil_time_of(seconds);
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
