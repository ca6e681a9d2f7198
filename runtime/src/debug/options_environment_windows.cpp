// OSP_OPTIONS on Windows: GetEnvironmentVariableA copies it into static storage (kernel32
// reads the process environment block; the C runtime's heap is never touched).
#define WIN32_LEAN_AND_MEAN
#include <windows.h>

#include "debug/options_environment.hpp"

namespace osp::debug {
namespace {

char g_environment_value[8192];

}  // namespace

const char* environment_options_text() noexcept {
  const DWORD length = GetEnvironmentVariableA("OSP_OPTIONS", g_environment_value, sizeof g_environment_value);
  // 0: not set; a length at least the buffer's: too long, and the parser says so.
  if (length == 0) return nullptr;
  if (length >= sizeof g_environment_value) return "osp_options_too_long=1";
  return g_environment_value;
}

}  // namespace osp::debug
