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

struct FrameRule {
  FrameRuleKind kind;
  bool cfa_from_frame_pointer;  // CFA = RBP + offset (else RSP + offset)
  bool frame_pointer_saved;     // the caller's RBP is at CFA + frame_pointer_offset
  bool frame_pointer_lost;      // the caller's RBP cannot be known past this frame
  std::uint32_t cfa_offset;
  std::int32_t frame_pointer_offset;
};

// The rule for the frame whose return address is `return_address`, from the unwind
// tables of `range` (the code range that holds return_address - 1). Every table read is
// checked to lie in the range's unwind data segment.
FrameRule compute_frame_rule(std::uintptr_t return_address, const CodeRange& range) noexcept;

}  // namespace osp::trace
