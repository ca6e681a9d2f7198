// Frame rules by return address, shared by every thread. A program allocates from the
// same paths over and over, so after the first walk through a function each of its
// frames costs one load here instead of a search of its module's unwind tables. A rule
// also says whether the address is code at all (NotCode), so a cached frame needs no
// lookup in the code-range table either.
//
// Each slot is one 64-bit word (key, table generation, rule): a reader sees a whole entry
// or none. Entries of an older code-range generation never match, and the slots are
// cleared when the generation changes (a module was loaded or unloaded).
#pragma once

#include <cstdint>

#include "trace/frame_rules.hpp"

namespace osp::trace {

// The rule for the frame whose return address is `return_address`.
FrameRule frame_rule_for(std::uintptr_t return_address) noexcept;

}  // namespace osp::trace
