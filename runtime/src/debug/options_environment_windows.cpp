// OSP_OPTIONS on Windows: GetEnvironmentVariableA copies it into static storage (kernel32
// reads the process environment block; the C runtime's heap is never touched). The buffer
// is larger than the parser takes, so a value too long for the parser reaches it and is
// reported there; a value longer than the buffer is reported here.
#define WIN32_LEAN_AND_MEAN
#include <windows.h>

#include "debug/options_environment.hpp"
#include "debug/report_writer.hpp"

namespace osp::debug {
namespace {

char g_environment_value[64 * 1024];

}  // namespace

const char* environment_options_text() noexcept {
  const DWORD length = GetEnvironmentVariableA("OSP_OPTIONS", g_environment_value, sizeof g_environment_value);
  if (length == 0) return nullptr;  // not set (or empty)
  if (length >= sizeof g_environment_value) {
    ReportWriter(2).text("osp: warning: OSP_OPTIONS is too long (ignored)\n");
    return nullptr;
  }
  return g_environment_value;
}

}  // namespace osp::debug
