// The calling thread's roots as the program left them when it called into the runtime:
// its stack from the caller's stack pointer up, and the callee-saved registers, which may
// hold the only pointer to a block. The runtime's own frames are not roots: beside copies
// of block pointers they hold uninitialized slots, whatever dead stack they were placed
// on, and a stale pointer there would keep a leaked block reachable.
//
// OSP_CAPTURE_CALLER_ROOTS must be the first statement of a noinline entry point that the
// program calls directly. The callee-saved registers are read by one asm statement that
// names them as clobbered, so the compiler keeps none of its own values in them there:
// they still hold the caller's. The frame register is the entry point's own frame record
// by then; the caller's value is the one saved in that record.
#pragma once

#include <cstdint>

namespace osp::report {

#if defined(__x86_64__) && defined(_WIN32)
// rbx, rsi, rdi, r12-r15, then the caller's rbp.
inline constexpr int kCallerRegisters = 8;
#define OSP_READ_CALLEE_SAVED(words)                                                   \
  __asm__ volatile(                                                                    \
      "movq %%rbx, 0(%0)\n\tmovq %%rsi, 8(%0)\n\tmovq %%rdi, 16(%0)\n\t"               \
      "movq %%r12, 24(%0)\n\tmovq %%r13, 32(%0)\n\tmovq %%r14, 40(%0)\n\t"             \
      "movq %%r15, 48(%0)"                                                             \
      :                                                                                \
      : "a"(words)                                                                     \
      : "memory", "rbx", "rsi", "rdi", "r12", "r13", "r14", "r15")
#elif defined(__x86_64__)
// rbx, r12-r15, then the caller's rbp.
inline constexpr int kCallerRegisters = 6;
#define OSP_READ_CALLEE_SAVED(words)                                                   \
  __asm__ volatile(                                                                    \
      "movq %%rbx, 0(%0)\n\tmovq %%r12, 8(%0)\n\tmovq %%r13, 16(%0)\n\t"               \
      "movq %%r14, 24(%0)\n\tmovq %%r15, 32(%0)"                                       \
      :                                                                                \
      : "a"(words)                                                                     \
      : "memory", "rbx", "r12", "r13", "r14", "r15")
#elif defined(__aarch64__)
// x19-x28, d8-d15 (a compiler may keep a pointer in a floating-point register), then the
// caller's x29.
inline constexpr int kCallerRegisters = 19;
#define OSP_READ_CALLEE_SAVED(words)                                                   \
  do {                                                                                 \
    register std::uintptr_t* osp_words_base __asm__("x9") = (words);                   \
    __asm__ volatile(                                                                  \
        "stp x19, x20, [%0, #0]\n\tstp x21, x22, [%0, #16]\n\t"                        \
        "stp x23, x24, [%0, #32]\n\tstp x25, x26, [%0, #48]\n\t"                       \
        "stp x27, x28, [%0, #64]\n\tstp d8, d9, [%0, #80]\n\t"                         \
        "stp d10, d11, [%0, #96]\n\tstp d12, d13, [%0, #112]\n\t"                      \
        "stp d14, d15, [%0, #128]"                                                     \
        :                                                                              \
        : "r"(osp_words_base)                                                          \
        : "memory", "x19", "x20", "x21", "x22", "x23", "x24", "x25", "x26", "x27",     \
          "x28", "d8", "d9", "d10", "d11", "d12", "d13", "d14", "d15");                \
  } while (false)
#else
#error "the caller's callee-saved registers are not known for this architecture"
#endif

struct CallerRoots {
  std::uintptr_t stack = 0;  // the caller's stack pointer: its stack is scanned from here up
  std::uintptr_t registers[kCallerRegisters] = {};
};

}  // namespace osp::report

// The entry point's canonical frame address is the caller's stack pointer at the call; the
// first word of its frame record is the caller's frame register.
#define OSP_CAPTURE_CALLER_ROOTS(roots)                                                       \
  do {                                                                                        \
    OSP_READ_CALLEE_SAVED((roots).registers);                                                 \
    (roots).registers[::osp::report::kCallerRegisters - 1] =                                  \
        *static_cast<const std::uintptr_t*>(__builtin_frame_address(0));                      \
    (roots).stack = reinterpret_cast<std::uintptr_t>(__builtin_dwarf_cfa());                  \
  } while (false)
