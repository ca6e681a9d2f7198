// How to step from a frame to its caller, read from a module's DWARF call-frame
// information (.eh_frame, found through .eh_frame_hdr's sorted table) and cached per
// return address (frame_rule_cache.hpp). x86-64 only: the rules kept are the ones a
// return-address walk needs (the CFA, the saved RBP, the return address at CFA-8);
// anything else (a CFA expression, a signal frame) is Unsupported and ends the walk
// rather than guessing.
#pragma once

#include <cstdint>

#include "trace/code_ranges.hpp"

namespace osp::trace {

enum class FrameRuleKind : std::uint8_t {
  Empty = 0,        // no rule (a cache slot that holds nothing)
  NotCode = 1,      // the address is not in any module's executable range
  NoUnwindInfo = 2, // code without an FDE: only a frame-pointer step is possible
  Step = 3,         // the CFA rule below applies
  Outermost = 4,    // the return address is undefined here: the stack ends (_start, clone)
  Unsupported = 5,  // CFI this walker does not evaluate: stop
};

// Eight bytes, so it is returned in one register: the walk asks for a rule per frame.
struct FrameRule {
  static constexpr std::uint8_t kCfaFromFramePointer = 1;  // CFA = RBP + offset (else RSP)
  static constexpr std::uint8_t kFramePointerSaved = 2;    // caller's RBP at CFA + offset
  static constexpr std::uint8_t kFramePointerLost = 4;     // caller's RBP unknown past here

  FrameRuleKind kind;
  std::uint8_t flags;
  std::int16_t frame_pointer_offset;
  std::uint32_t cfa_offset;

  bool cfa_from_frame_pointer() const noexcept { return (flags & kCfaFromFramePointer) != 0; }
  bool frame_pointer_saved() const noexcept { return (flags & kFramePointerSaved) != 0; }
  bool frame_pointer_lost() const noexcept { return (flags & kFramePointerLost) != 0; }
};
static_assert(sizeof(FrameRule) == 8);

// The rule for the frame whose return address is `return_address`, from the unwind
// tables of `range` (the code range that holds return_address - 1). Every table read is
// checked to lie in the range's unwind data segment.
FrameRule compute_frame_rule(std::uintptr_t return_address, const CodeRange& range) noexcept;

}  // namespace osp::trace
