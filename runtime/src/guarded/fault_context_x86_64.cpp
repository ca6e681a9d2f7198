// x86-64 Linux: the page-fault error code the kernel stores in the context has bit 1 set
// for a write.
#include <ucontext.h>

#include "guarded/fault_context.hpp"

namespace osp::guarded {
namespace {

constexpr int kGeneralRegisters[] = {REG_RAX, REG_RBX, REG_RCX, REG_RDX, REG_RSI, REG_RDI,
                                     REG_RBP, REG_RSP, REG_R8,  REG_R9,  REG_R10, REG_R11,
                                     REG_R12, REG_R13, REG_R14, REG_R15};
constexpr const char* kRegisterNames[] = {"rax", "rbx", "rcx", "rdx", "rsi", "rdi", "rbp", "rsp",
                                          "r8",  "r9",  "r10", "r11", "r12", "r13", "r14", "r15"};

}  // namespace

FaultContext read_fault_context(const void* ucontext) noexcept {
  constexpr unsigned long kWriteBit = 2;
  const auto* context = static_cast<const ucontext_t*>(ucontext);
  const auto& registers = context->uc_mcontext.gregs;
  FaultContext result;
  result.pc = static_cast<std::uintptr_t>(registers[REG_RIP]);
  result.sp = static_cast<std::uintptr_t>(registers[REG_RSP]);
  result.frame = static_cast<std::uintptr_t>(registers[REG_RBP]);
  const auto error_code = static_cast<unsigned long>(registers[REG_ERR]);
  result.access = (error_code & kWriteBit) != 0 ? Access::Write : Access::Read;
  for (int index : kGeneralRegisters) {
    result.registers[result.register_count++] = static_cast<std::uintptr_t>(registers[index]);
  }
  result.register_names = kRegisterNames;
  return result;
}

}  // namespace osp::guarded
