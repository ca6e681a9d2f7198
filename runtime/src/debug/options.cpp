// Parses OSP_OPTIONS without malloc: the value is copied into static storage, split in
// place, and string options point into that copy. A `mode` preset is applied first so
// that explicit keys override it wherever they appear.
#include "debug/options.hpp"

#include <atomic>
#include <cstdlib>
#include <cstring>

#include "debug/options_environment.hpp"
#include "debug/report_writer.hpp"
#include "debug/threads_at_start.hpp"
#include "os/os_memory.hpp"

namespace osp::debug {
namespace {

constexpr unsigned long kOptionStorageBytes = 8192;
constexpr int kMaxStackDepthFrames = 64;
constexpr int kMaxQuarantineMebibytes = 1 << 20;

Options default_options() noexcept {
  Options defaults;
#define OSP_OPTION(type, name, default_value, description) defaults.name = default_value;
#include "debug/options.inc"
#undef OSP_OPTION
  defaults.detect_leaks_given = false;
  return defaults;
}

void warn(const char* message, const char* key, const char* value, const char* expected) {
  ReportWriter writer(2);
  writer.text("osp: warning: ").text(message).text(" '").text(key);
  if (value != nullptr) writer.text("=").text(value);
  writer.text("' in OSP_OPTIONS");
  if (expected != nullptr) writer.text(" (expected ").text(expected).text("; keeping the default)");
  else writer.text(" (ignored)");
  writer.text("\n");
}

bool parse_value(const char* text, bool& out) noexcept {
  if (std::strcmp(text, "1") == 0 || std::strcmp(text, "true") == 0 ||
      std::strcmp(text, "yes") == 0) {
    out = true;
    return true;
  }
  if (std::strcmp(text, "0") == 0 || std::strcmp(text, "false") == 0 ||
      std::strcmp(text, "no") == 0) {
    out = false;
    return true;
  }
  return false;
}

bool parse_value(const char* text, int& out) noexcept {
  if (*text == '\0') return false;
  bool negative = *text == '-';
  if (negative) ++text;
  long long value = 0;
  for (; *text != '\0'; ++text) {
    if (*text < '0' || *text > '9') return false;
    value = value * 10 + (*text - '0');
    if (value > 0x7fffffff) return false;
  }
  out = static_cast<int>(negative ? -value : value);
  return true;
}

bool parse_value(const char* text, const char*& out) noexcept {
  out = text;
  return true;
}

const char* expected_form(bool) { return "0 or 1"; }
const char* expected_form(int) { return "an integer"; }
const char* expected_form(const char*) { return "a string"; }

void apply_preset(const char* mode, Options& out) noexcept {
  if (std::strcmp(mode, "hardened") == 0) {
    out.stack_depth = 0;
    out.quarantine_mb = 0;
    out.fill = false;
    out.detect_leaks = false;
    out.detect_leaks_given = true;
  } else if (std::strcmp(mode, "leaks") == 0) {
    out.quarantine_mb = 0;
    out.fill = false;
    out.detect_leaks = true;
    out.detect_leaks_given = true;
  } else if (std::strcmp(mode, "full") == 0) {
    out.detect_leaks = true;
    out.detect_leaks_given = true;
    out.guard_pages = "sampled";
    out.quarantine_heap_percent = 0;
    out.fill = true;
    out.check_on_exit = true;
  }
}

// A value below `minimum` goes back to its default, with a warning.
void keep_at_least(int& value, int minimum, int fallback, const char* name, const char* expected) {
  if (value >= minimum) return;
  warn("bad value for option", name, nullptr, expected);
  value = fallback;
}

// Checks the values a type alone cannot; a bad one goes back to its default.
void validate(Options& out, const Options& defaults) noexcept {
  if (out.stack_depth < 0 || out.stack_depth > kMaxStackDepthFrames) {
    warn("bad value for option", "stack_depth", nullptr, "0 to 64");
    out.stack_depth = defaults.stack_depth;
  }
  if (out.free_stack_depth < 0 || out.free_stack_depth > kMaxStackDepthFrames) {
    warn("bad value for option", "free_stack_depth", nullptr, "0 to 64");
    out.free_stack_depth = defaults.free_stack_depth;
  }
  if (out.quarantine_mb < 0 || out.quarantine_mb > kMaxQuarantineMebibytes) {
    warn("bad value for option", "quarantine_mb", nullptr, "0 to 1048576");
    out.quarantine_mb = defaults.quarantine_mb;
  }
  if (out.quarantine_heap_percent < 0 || out.quarantine_heap_percent > 100) {
    warn("bad value for option", "quarantine_heap_percent", nullptr, "0 to 100");
    out.quarantine_heap_percent = defaults.quarantine_heap_percent;
  }
  if (std::strcmp(out.unwind, "eh_frame") != 0 && std::strcmp(out.unwind, "fp") != 0 &&
      std::strcmp(out.unwind, "libunwind") != 0) {
    warn("bad value for option", "unwind", out.unwind, "eh_frame, fp or libunwind");
    out.unwind = defaults.unwind;
  }
  if (std::strcmp(out.guard_pages, "off") != 0 && std::strcmp(out.guard_pages, "sampled") != 0 &&
      std::strcmp(out.guard_pages, "all") != 0) {
    warn("bad value for option", "guard_pages", out.guard_pages, "off, sampled or all");
    out.guard_pages = defaults.guard_pages;
  }
  keep_at_least(out.guard_sample_rate, 1, defaults.guard_sample_rate, "guard_sample_rate", "1 or more");
  keep_at_least(out.guard_max_bytes, 0, defaults.guard_max_bytes, "guard_max_bytes", "0 or more");
  keep_at_least(out.guard_address_space_mb, 1, defaults.guard_address_space_mb,
                "guard_address_space_mb", "1 or more");
  keep_at_least(out.guard_max_live, 0, defaults.guard_max_live, "guard_max_live", "0 or more");
  if (out.mode[0] != '\0' && std::strcmp(out.mode, "hardened") != 0 &&
      std::strcmp(out.mode, "leaks") != 0 && std::strcmp(out.mode, "full") != 0) {
    warn("bad value for option", "mode", out.mode, "hardened, leaks or full");
    out.mode = defaults.mode;
  }
}

// Applies one "key=value" pair (already split) to `out`; presets are handled elsewhere.
void apply_pair(const char* key, const char* value, Options& out) noexcept {
  if (std::strcmp(key, "mode") == 0) return;
  bool given;
  if (std::strcmp(key, "detect_leaks") == 0 && parse_value(value, given)) {
    out.detect_leaks_given = true;
  }
#define OSP_OPTION(type, name, default_value, description)         \
  if (std::strcmp(key, #name) == 0) {                                \
    if (!parse_value(value, out.name)) {                             \
      warn("bad value for option", key, value, expected_form(out.name)); \
    }                                                                \
    return;                                                          \
  }
#include "debug/options.inc"
#undef OSP_OPTION
  warn("unknown option", key, nullptr, nullptr);
}

}  // namespace

void parse_options(const char* text, char* storage, unsigned long storage_bytes,
                   Options& out) noexcept {
  const Options defaults = default_options();
  out = defaults;
  if (text == nullptr || storage_bytes == 0) return;
  std::size_t length = std::strlen(text);
  if (length >= storage_bytes) {
    ReportWriter(2).text("osp: warning: OSP_OPTIONS is too long (ignored)\n");
    return;
  }
  std::memcpy(storage, text, length + 1);
  // Split in place into NUL-terminated "key=value" pieces.
  for (std::size_t i = 0; i < length; ++i) {
    if (storage[i] == ':') storage[i] = '\0';
  }
  // Pass 1: the preset. Pass 2: everything else, overriding it.
  for (int pass = 0; pass < 2; ++pass) {
    for (std::size_t start = 0; start < length;) {
      char* piece = storage + start;
      std::size_t piece_length = std::strlen(piece);
      start += piece_length + 1;
      if (piece_length == 0) continue;
      char* equals = std::strchr(piece, '=');
      if (equals == nullptr) {
        if (pass == 1) warn("option without a value", piece, nullptr, nullptr);
        continue;
      }
      *equals = '\0';
      const char* value = equals + 1;
      if (pass == 0 && std::strcmp(piece, "mode") == 0) {
        out.mode = value;
        apply_preset(value, out);
      } else if (pass == 1) {
        apply_pair(piece, value, out);
      }
      *equals = '=';  // pass 2 splits again; values stay NUL-terminated at the piece end
    }
  }
  validate(out, defaults);
}

namespace {
const char* type_label(const char* type) noexcept {
  return std::strcmp(type, "const char*") == 0 ? "string" : type;
}
}  // namespace

void print_option_help(int fd) noexcept {
  ReportWriter writer(fd);
  writer.text("osp: options (OSP_OPTIONS=key=value:key=value):\n");
#define OSP_OPTION(type, name, default_value, description) \
  writer.text("  ").text(#name).text(" (").text(type_label(#type)).text(", default ").text(#default_value).text(")\n      ").text(description).text("\n");
#include "debug/options.inc"
#undef OSP_OPTION
}

namespace {

char g_option_storage[kOptionStorageBytes];

}  // namespace

namespace detail {

Options g_options;
std::atomic<int> g_options_state{0};

const Options& parse_environment_options() noexcept {
  if (g_options_state.load(std::memory_order_acquire) == 2) return g_options;
  int expected = 0;
  if (g_options_state.compare_exchange_strong(expected, 1, std::memory_order_acq_rel)) {
    const char* text = environment_options_text();
    parse_options(text, g_option_storage, sizeof g_option_storage, g_options);
    // The runtime's first moment: every thread the program starts comes after it.
    remember_threads_at_start();
    g_options_state.store(2, std::memory_order_release);
    if (g_options.help) print_option_help(2);
    return g_options;
  }
  // Another thread is parsing (it never allocates, so this is short).
  while (g_options_state.load(std::memory_order_acquire) != 2) {
  }
  return g_options;
}

}  // namespace detail

void resolve_detect_leaks_default(bool on) noexcept {
  const Options& current = options();
  if (!current.detect_leaks_given) detail::g_options.detect_leaks = on;
}

}  // namespace osp::debug
