// print_stack (symbolizer.hpp): one line per frame in the sanitizers' format, the same on
// every platform; only symbolize() differs (symbolizer.cpp, symbolizer_windows.cpp).
// Formats into a stack buffer and writes with write(2): never allocates.
#include <cstddef>
#include <cstdint>

#include "os/os_memory.hpp"
#include "os/raw_format.hpp"
#include "trace/symbolizer.hpp"

namespace osp::trace {
namespace {

using os::RawFormatBuffer;

constexpr std::size_t kLineBufferBytes = 4096;

// "    #3 0x55d0c0de1234 in main /src/app.cpp:42 (app+0x1234)"; a frame without a name
// is "in ??", one without a module "(<unknown module>)".
void append_frame_line(RawFormatBuffer& line, int index, const SymbolizedFrame& frame) noexcept {
  line.append("    #").append_decimal(static_cast<std::uint64_t>(index));
  line.append(" 0x").append_hex(frame.address);
  line.append(" in ").append(frame.function[0] != '\0' ? frame.function : "??");
  if (frame.file[0] != '\0') {
    line.append_char(' ').append(frame.file);
    if (frame.line > 0) line.append_char(':').append_decimal(static_cast<std::uint64_t>(frame.line));
  }
  if (frame.module[0] != '\0') {
    line.append(" (").append(frame.module).append("+0x").append_hex(frame.module_offset);
    line.append_char(')');
  } else {
    line.append(" (<unknown module>)");
  }
  line.append_char('\n');
}

}  // namespace

void print_stack(int fd, const std::uintptr_t* frames, int depth) noexcept {
  if (frames == nullptr) return;
  char storage[kLineBufferBytes];
  for (int index = 0; index < depth; ++index) {
    RawFormatBuffer line(storage, sizeof(storage));
    append_frame_line(line, index, symbolize(frames[index]));
    // An over-long line (huge paths or names) is cut, but still ends the line.
    if (line.truncated()) storage[line.size() - 1] = '\n';
    os::write_all(fd, line.data(), line.size());
  }
}

}  // namespace osp::trace
