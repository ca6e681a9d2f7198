// The code-range table is built at load, before the program's threads could race to build
// it: a thread that lost that race while the build outlasted its wait found no code ranges
// and captured an empty stack.
#include <gtest/gtest.h>

#include "trace/code_ranges.hpp"

namespace osp_trace_test {
namespace {

// ctest runs each test in a process of its own, where nothing has captured a stack yet.
TEST(CodeRanges, TableIsBuiltAtLoad) { EXPECT_NE(osp::trace::code_ranges_generation(), 0u); }

}  // namespace
}  // namespace osp_trace_test
