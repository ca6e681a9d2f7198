// The command line on Windows (see process_info.hpp): the C runtime's own copy of the
// arguments (__argc, __argv: split from GetCommandLine at start-up, in the ANSI code page),
// which programs do not change (mingw-w64 hands main a copy).
#include <stdlib.h>

#include "report/process_info.hpp"

namespace osp::report {

std::string command_line_arguments() {
  std::string text;
  if (__argv == nullptr) return text;
  for (int index = 0; index < __argc; ++index) {
    if (__argv[index] == nullptr) break;
    text.append(__argv[index]);
    text.push_back('\0');
  }
  return text;
}

}  // namespace osp::report
