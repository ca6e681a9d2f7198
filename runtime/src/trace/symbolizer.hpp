// Turns return addresses into function, file:line and module, demangled, with a cache per
// address. Report-time only: callers run it with the runtime's reentrancy guard held, so
// the allocations it makes go to the untracked internal heap, never the program's.
// Thread-safe (one lock around the cache and the lookups).
#pragma once

#include <cstddef>
#include <cstdint>

namespace osp::trace {

struct SymbolizedFrame {
  std::uintptr_t address;          // the return address as captured
  const char* function;            // demangled; "" when unknown
  const char* file;                // source file; "" when unknown
  int line;                        // 0 when unknown
  const char* module;              // path of the loaded object; "" when unknown
  std::uintptr_t module_offset;    // address - module load base
  const char* build_id;            // hex GNU build-id of the module; "" when none
};

// Symbolizes one address (looked up as address-1 so the call site, not the next
// instruction, is named). Strings stay valid for the life of the process. Never null.
SymbolizedFrame symbolize(std::uintptr_t address) noexcept;

// Writes "    #<index> 0x<addr> in <function> <file>:<line> (<module>+0x<offset>)\n"
// for each frame to `fd` with raw writes. Unknown parts: the function prints as "??",
// " <file>:<line>" is left out without a file (":<line>" without a line), and the
// module part prints as "(<unknown module>)". <addr> and <offset> are lower-case hex.
void print_stack(int fd, const std::uintptr_t* frames, int depth) noexcept;

}  // namespace osp::trace
