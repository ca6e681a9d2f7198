// Symbolization on Windows (see symbolizer.hpp): module path, offset (RVA) and build
// identity of each frame. Function, file and line are left unknown: the DWARF that mingw-w64
// writes with -g is read offline (osp-leakview, or addr2line at ImageBase + offset), since
// GCC for mingw-w64 ships no libbacktrace to read it in the process. Frames print as
// "?? (<module>+0x<offset>)": a name is never a guess.
#include "trace/symbolizer.hpp"

#include "os/os_memory.hpp"
#include "trace/module_lookup.hpp"

namespace osp::trace {
namespace {

// Guards the module cache (module_lookup.hpp is not thread-safe).
constinit os::SpinLock g_symbolizer_lock;

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


}  // namespace osp::trace
