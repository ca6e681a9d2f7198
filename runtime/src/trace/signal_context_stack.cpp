// Unwinding from a signal context (see signal_context_stack.hpp).
#define UNW_LOCAL_ONLY
#include "trace/signal_context_stack.hpp"

#include <libunwind.h>

#include "trace/code_ranges.hpp"

namespace osp::trace {

int capture_signal_context_stack(const void* ucontext, std::uintptr_t pc, std::uintptr_t* frames,
                                 int max_depth) noexcept {
  if (max_depth <= 0) return 0;
  frames[0] = pc + 1;
  int depth = 1;
  unw_cursor_t cursor;
  // The signal's ucontext is the register state libunwind starts from; the flag tells it
  // the first frame's address is exact, not a return address.
  auto* context = static_cast<unw_context_t*>(const_cast<void*>(ucontext));
  if (unw_init_local2(&cursor, context, UNW_INIT_SIGNAL_FRAME) != 0) return depth;
  while (depth < max_depth && unw_step(&cursor) > 0) {
    unw_word_t address = 0;
    if (unw_get_reg(&cursor, UNW_REG_IP, &address) != 0 || address == 0) break;
    // A walk that leaves the loaded modules' code is reading junk: it stops there.
    CodeRange range;
    if (!find_code_range(static_cast<std::uintptr_t>(address) - 1, range)) break;
    frames[depth++] = static_cast<std::uintptr_t>(address);
  }
  return depth;
}

}  // namespace osp::trace
