// The command line on Windows (see process_info.hpp): GetCommandLineW split the way the C
// runtime splits it for main (CommandLineToArgvW), each argument in UTF-8.
#define WIN32_LEAN_AND_MEAN
#include <windows.h>
#include <shellapi.h>

#include "report/process_info.hpp"

namespace osp::report {

std::string command_line_arguments() {
  std::string text;
  int count = 0;
  LPWSTR* arguments = CommandLineToArgvW(GetCommandLineW(), &count);
  if (arguments == nullptr) return text;
  for (int index = 0; index < count; ++index) {
    const int bytes = WideCharToMultiByte(CP_UTF8, 0, arguments[index], -1, nullptr, 0, nullptr, nullptr);
    if (bytes <= 0) continue;
    const std::size_t start = text.size();
    text.resize(start + static_cast<std::size_t>(bytes));  // the terminating NUL included
    WideCharToMultiByte(CP_UTF8, 0, arguments[index], -1, text.data() + start, bytes, nullptr, nullptr);
  }
  LocalFree(arguments);
  return text;
}

}  // namespace osp::report
