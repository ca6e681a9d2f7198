// What a fault's signal context says, read per architecture (fault_context_x86_64.cpp,
// fault_context_aarch64.cpp): the faulting instruction, the registers a stack walk starts
// from, and whether the access was a read or a write.
#pragma once

#include <cstdint>

namespace osp::guarded {

// None: not a fault (an error found by a check). Unknown: the context did not say.
enum class Access : std::uint8_t { None, Unknown, Read, Write };

struct FaultContext {
  static constexpr int kMaxRegisters = 32;
  std::uintptr_t pc = 0;     // the faulting instruction
  std::uintptr_t sp = 0;
  std::uintptr_t frame = 0;  // the frame-pointer register
  Access access = Access::Unknown;
  // The general registers, for a report that explains a wild address (a register holding
  // osp's fill pattern was loaded from freed or fresh heap memory).
  int register_count = 0;
  std::uintptr_t registers[kMaxRegisters] = {};
  const char* const* register_names = nullptr;
};

// `ucontext` is the third argument of an SA_SIGINFO handler.
FaultContext read_fault_context(const void* ucontext) noexcept;

// "READ", "WRITE" or "ACCESS" (unknown); "" for None.
inline const char* access_name(Access access) noexcept {
  switch (access) {
    case Access::None: return "";
    case Access::Read: return "READ";
    case Access::Write: return "WRITE";
    case Access::Unknown: break;
  }
  return "ACCESS";
}

}  // namespace osp::guarded
