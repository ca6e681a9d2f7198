// Symbolization on Windows (see symbolizer.hpp): module path, offset (RVA) and build
// identity of each frame. Function, file and line are left unknown: the DWARF that mingw-w64
// writes with -g is read offline (osp-leakview, or addr2line at ImageBase + offset), since
// GCC for mingw-w64 ships no libbacktrace to read it in the process. Frames print as
// "?? (<module>+0x<offset>)": a name is never a guess.
#include "trace/symbolizer.hpp"

#include "os/os_memory.hpp"
#include "os/raw_format.hpp"
#include "trace/module_lookup.hpp"

namespace osp::trace {
namespace {

constexpr std::size_t kLineBufferBytes = 4096;

// Guards the module cache (module_lookup.hpp is not thread-safe).
constinit os::SpinLock g_symbolizer_lock;

void append_frame_line(os::RawFormatBuffer& line, int index, const SymbolizedFrame& frame) noexcept {
  line.append("    #").append_decimal(static_cast<std::uint64_t>(index));
  line.append(" 0x").append_hex(frame.address);
  line.append(" in ??");
  if (frame.module[0] != '\0') {
    line.append(" (").append(frame.module).append("+0x").append_hex(frame.module_offset);
    line.append_char(')');
  } else {
    line.append(" (<unknown module>)");
  }
  line.append_char('\n');
}

}  // namespace

SymbolizedFrame symbolize(std::uintptr_t address) noexcept {
  SymbolizedFrame frame{address, "", "", 0, "", 0, ""};
  if (address == 0) return frame;
  ModuleInfo module;
  g_symbolizer_lock.lock();
  // A return address points after the call; address - 1 lies inside the call itself.
  const bool found = find_module(address - 1, module);
  g_symbolizer_lock.unlock();
  if (found) {
    frame.module = module.path;
    frame.module_offset = address - module.load_base;
    frame.build_id = module.build_id;
  }
  return frame;
}

void print_stack(int fd, const std::uintptr_t* frames, int depth) noexcept {
  if (frames == nullptr) return;
  char storage[kLineBufferBytes];
  for (int index = 0; index < depth; ++index) {
    os::RawFormatBuffer line(storage, sizeof(storage));
    append_frame_line(line, index, symbolize(frames[index]));
    if (line.truncated()) storage[line.size() - 1] = '\n';
    os::write_all(fd, line.data(), line.size());
  }
}

}  // namespace osp::trace
