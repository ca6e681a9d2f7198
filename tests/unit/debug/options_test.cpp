// The OSP_OPTIONS parser: defaults, presets, overrides and bad input.
#include <gtest/gtest.h>

#include <cstring>

#include "debug/options.hpp"

namespace osp::debug {
namespace {

Options parse(const char* text, char (&storage)[512]) {
  Options options{};
  parse_options(text, storage, sizeof storage, options);
  return options;
}

TEST(Options, DefaultsComeFromTheTable) {
  char storage[512];
  Options options = parse(nullptr, storage);
  EXPECT_TRUE(options.halt_on_error);
  EXPECT_EQ(options.stack_depth, 16);
  EXPECT_STREQ(options.unwind, "eh_frame");
  EXPECT_EQ(options.quarantine_mb, 16);
  // On unless given: the runtime's constructor turns it off for a preloaded library.
  EXPECT_TRUE(options.detect_leaks);
  EXPECT_FALSE(options.detect_leaks_given);
  EXPECT_FALSE(options.allocator_may_return_null);
  EXPECT_STREQ(options.log_path, "");
}

TEST(Options, DetectLeaksIsGivenByTheKeyOrAPresetOnly) {
  char storage[512];
  Options off = parse("detect_leaks=0", storage);
  EXPECT_FALSE(off.detect_leaks);
  EXPECT_TRUE(off.detect_leaks_given);
  Options on = parse("detect_leaks=yes", storage);
  EXPECT_TRUE(on.detect_leaks);
  EXPECT_TRUE(on.detect_leaks_given);
  EXPECT_TRUE(parse("mode=hardened", storage).detect_leaks_given);
  EXPECT_FALSE(parse("verbosity=1", storage).detect_leaks_given);
  testing::internal::CaptureStderr();
  Options bad = parse("detect_leaks=maybe", storage);
  testing::internal::GetCapturedStderr();
  EXPECT_FALSE(bad.detect_leaks_given);  // a bad value keeps the default, undecided
}

TEST(Options, ParsesEveryType) {
  char storage[512];
  Options options =
      parse("halt_on_error=0:stack_depth=24:unwind=libunwind:log_path=/tmp/x:fill=false", storage);
  EXPECT_FALSE(options.halt_on_error);
  EXPECT_EQ(options.stack_depth, 24);
  EXPECT_STREQ(options.unwind, "libunwind");
  EXPECT_STREQ(options.log_path, "/tmp/x");
  EXPECT_FALSE(options.fill);
}

TEST(Options, ExplicitKeysOverrideThePresetWhereverTheyAre) {
  char storage[512];
  Options options = parse("stack_depth=8:mode=hardened", storage);
  EXPECT_STREQ(options.mode, "hardened");
  EXPECT_EQ(options.stack_depth, 8);     // explicit, before the preset in the text
  EXPECT_EQ(options.quarantine_mb, 0);   // from the preset
  EXPECT_FALSE(options.fill);
  Options leaks = parse("mode=leaks", storage);
  EXPECT_TRUE(leaks.detect_leaks);
  EXPECT_EQ(leaks.stack_depth, 16);
}

TEST(Options, BadInputKeepsDefaultsAndLosesNothingElse) {
  char storage[512];
  testing::internal::CaptureStderr();
  Options options = parse("foo=1:stack_depth=deep:quarantine_mb=-3:unwind=magic:verbosity=2:novalue",
                          storage);
  std::string warnings = testing::internal::GetCapturedStderr();
  EXPECT_EQ(options.stack_depth, 16);
  EXPECT_EQ(options.quarantine_mb, 16);
  EXPECT_STREQ(options.unwind, "eh_frame");
  EXPECT_EQ(options.verbosity, 2);  // the good key among bad ones still applies
  EXPECT_NE(warnings.find("osp: warning: unknown option 'foo' in OSP_OPTIONS (ignored)"),
            std::string::npos);
  EXPECT_NE(warnings.find("'stack_depth=deep'"), std::string::npos);
  EXPECT_NE(warnings.find("quarantine_mb"), std::string::npos);
  EXPECT_NE(warnings.find("'unwind=magic'"), std::string::npos);
  EXPECT_NE(warnings.find("'novalue'"), std::string::npos);
}

TEST(Options, StackDepthAboveTheDepotLimitIsRejected) {
  char storage[512];
  testing::internal::CaptureStderr();
  Options options = parse("stack_depth=65", storage);
  testing::internal::GetCapturedStderr();
  EXPECT_EQ(options.stack_depth, 16);
}

TEST(Options, QuarantineShareAndFreeStackDepthAreCheckedAndPreset) {
  char storage[512];
  Options defaults = parse(nullptr, storage);
  EXPECT_EQ(defaults.quarantine_heap_percent, 25);
  EXPECT_EQ(defaults.free_stack_depth, 8);
  // mode=full keeps the whole quarantine_mb whatever the heap; an explicit key still wins.
  EXPECT_EQ(parse("mode=full", storage).quarantine_heap_percent, 0);
  EXPECT_EQ(parse("quarantine_heap_percent=50:mode=full", storage).quarantine_heap_percent, 50);
  testing::internal::CaptureStderr();
  Options bad = parse("quarantine_heap_percent=101:free_stack_depth=-1", storage);
  std::string warnings = testing::internal::GetCapturedStderr();
  EXPECT_EQ(bad.quarantine_heap_percent, 25);
  EXPECT_EQ(bad.free_stack_depth, 8);
  EXPECT_NE(warnings.find("quarantine_heap_percent"), std::string::npos);
  EXPECT_NE(warnings.find("free_stack_depth"), std::string::npos);
}

TEST(Options, TooLongTextIsIgnoredWithAWarning) {
  char storage[16];
  Options options{};
  testing::internal::CaptureStderr();
  parse_options("stack_depth=8:halt_on_error=0", storage, sizeof storage, options);
  std::string warnings = testing::internal::GetCapturedStderr();
  EXPECT_EQ(options.stack_depth, 16);
  EXPECT_NE(warnings.find("too long"), std::string::npos);
}

}  // namespace
}  // namespace osp::debug
