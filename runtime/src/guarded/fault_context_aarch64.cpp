// ARM64 Linux: the kernel appends an esr_context record to the signal frame's reserved
// area; for a data abort (exception class 0x24/0x25) bit 6 of the syndrome (WnR) is set
// for a write.
#include <asm/sigcontext.h>
#include <ucontext.h>

#include "guarded/fault_context.hpp"

namespace osp::guarded {
namespace {

constexpr std::uint64_t kWriteNotReadBit = std::uint64_t{1} << 6;
constexpr std::uint64_t kDataAbortLowerLevel = 0x24;
constexpr std::uint64_t kDataAbortSameLevel = 0x25;

Access access_from_syndrome(const mcontext_t& machine) {
  const auto* cursor = reinterpret_cast<const unsigned char*>(machine.__reserved);
  const unsigned char* const end = cursor + sizeof machine.__reserved;
  while (cursor + sizeof(_aarch64_ctx) <= end) {
    const auto* header = reinterpret_cast<const _aarch64_ctx*>(cursor);
    if (header->magic == 0 || header->size == 0) break;
    if (header->magic == ESR_MAGIC) {
      const auto* record = reinterpret_cast<const esr_context*>(header);
      const std::uint64_t exception_class = (record->esr >> 26) & 0x3f;
      if (exception_class != kDataAbortLowerLevel && exception_class != kDataAbortSameLevel) {
        return Access::Unknown;
      }
      return (record->esr & kWriteNotReadBit) != 0 ? Access::Write : Access::Read;
    }
    cursor += header->size;
  }
  return Access::Unknown;
}

constexpr const char* kRegisterNames[] = {
    "x0",  "x1",  "x2",  "x3",  "x4",  "x5",  "x6",  "x7",  "x8",  "x9",  "x10",
    "x11", "x12", "x13", "x14", "x15", "x16", "x17", "x18", "x19", "x20", "x21",
    "x22", "x23", "x24", "x25", "x26", "x27", "x28", "x29", "x30"};

}  // namespace

FaultContext read_fault_context(const void* ucontext) noexcept {
  const auto* context = static_cast<const ucontext_t*>(ucontext);
  FaultContext result;
  result.pc = static_cast<std::uintptr_t>(context->uc_mcontext.pc);
  result.sp = static_cast<std::uintptr_t>(context->uc_mcontext.sp);
  result.frame = static_cast<std::uintptr_t>(context->uc_mcontext.regs[29]);
  result.access = access_from_syndrome(context->uc_mcontext);
  for (int index = 0; index < 31; ++index) {
    result.registers[result.register_count++] =
        static_cast<std::uintptr_t>(context->uc_mcontext.regs[index]);
  }
  result.register_names = kRegisterNames;
  return result;
}

}  // namespace osp::guarded
