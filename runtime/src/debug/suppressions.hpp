// Leak suppressions: the file named by the `suppressions` option holds lines
// "leak:<pattern>" ('#' starts a comment). A leak site is suppressed when a pattern is a
// substring of its origin file or of a function, file or module name in its allocation
// stack. The file is read once, with plain system calls, into static storage.
#pragma once

#include "trace/stack_depot.hpp"

namespace osp::debug {

// Symbolizes `stack` (call with the reentrancy guard held).
bool leak_suppressed(const char* origin_file, trace::StackId stack) noexcept;
// Number of leak patterns loaded (loads the file on first use).
int leak_suppression_count() noexcept;

}  // namespace osp::debug
