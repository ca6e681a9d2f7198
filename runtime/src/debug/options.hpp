// The runtime options of libospdebug (table in options.inc). Parsed lazily on first use
// from OSP_OPTIONS without calling malloc, so the first allocation of a process (made
// before any constructor ran) can read them. Programs running setuid/setgid ignore the
// environment and keep the defaults.
#pragma once

#include <atomic>
#include <type_traits>

namespace osp::debug {

struct Options {
#define OSP_OPTION(type, name, default_value, description) type name;
#include "debug/options.inc"
#undef OSP_OPTION
  // Set when OSP_OPTIONS or a mode preset chose detect_leaks; otherwise its default
  // depends on how libospdebug was loaded (resolve_detect_leaks_default). No member
  // initializer: Options must stay trivial, or the global copy would be constructed again
  // after the first malloc parsed it.
  bool detect_leaks_given;
};
static_assert(std::is_trivially_default_constructible_v<Options>);

namespace detail {
extern Options g_options;
extern std::atomic<int> g_options_state;  // 0 unparsed, 1 parsing, 2 ready
const Options& parse_environment_options() noexcept;
}  // namespace detail

// The options in effect; parsed on the first call (thread-safe, never allocates). Called
// on every allocation, so the parsed case is one inline acquire load.
inline const Options& options() noexcept {
  if (detail::g_options_state.load(std::memory_order_acquire) == 2) [[likely]] {
    return detail::g_options;
  }
  return detail::parse_environment_options();
}

// Parses `text` ("key=value:key=value") over the defaults into `out`, writing one warning
// line per unknown key or bad value to stderr. `storage` keeps the string values and must
// outlive `out`. Exposed for tests; options() uses it on OSP_OPTIONS.
void parse_options(const char* text, char* storage, unsigned long storage_bytes,
                   Options& out) noexcept;

// Sets detect_leaks to `on` unless OSP_OPTIONS or a mode preset set it: leak checks are on
// by default for programs linked with libospdebug and off for preloaded ones, which only
// the runtime's constructor can tell apart (api/load_mode.hpp).
void resolve_detect_leaks_default(bool on) noexcept;

// Writes every option with its default and description to `fd`.
void print_option_help(int fd) noexcept;

}  // namespace osp::debug
