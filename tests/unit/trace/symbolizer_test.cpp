// symbolize/print_stack on the known call chain: function names, files and lines the
// chain recorded with __LINE__, module path/offset checked against dladdr, build-id
// checked against readelf, and the printed format.
#include <dlfcn.h>
#include <gtest/gtest.h>
#include <unistd.h>

#include <cstdio>
#include <cstdlib>
#include <cstring>
#include <regex>
#include <string>
#include <thread>
#include <vector>

#include "call_chain.hpp"
#include "trace/symbolizer.hpp"

namespace osp_trace_test {
namespace {

using osp::trace::symbolize;
using osp::trace::SymbolizedFrame;
using osp::trace::UnwindMethod;

bool ends_with(const std::string& text, const std::string& suffix) {
  return text.size() >= suffix.size() &&
         text.compare(text.size() - suffix.size(), suffix.size(), suffix) == 0;
}

CallChainRecord captured_chain() {
  CallChainRecord record{};
  record.method = UnwindMethod::FramePointer;
  chain_outer(record);
  return record;
}

// The build-id of the running executable as readelf reports it ("" when unavailable).
std::string build_id_from_readelf() {
  char path[4096];
  const ssize_t length = readlink("/proc/self/exe", path, sizeof(path) - 1);
  if (length <= 0) return "";
  path[length] = '\0';
  const std::string command = std::string("readelf -n '") + path + "' 2>/dev/null";
  FILE* pipe = popen(command.c_str(), "r");
  if (pipe == nullptr) return "";
  std::string output;
  char chunk[512];
  while (std::fgets(chunk, sizeof(chunk), pipe) != nullptr) output += chunk;
  pclose(pipe);
  std::smatch match;
  static const std::regex build_id_line("Build ID: ([0-9a-f]+)");
  return std::regex_search(output, match, build_id_line) ? match[1].str() : "";
}

TEST(Symbolizer, NamesFunctionFileAndLineOfTheChain) {
  const CallChainRecord record = captured_chain();
  ASSERT_GE(record.depth, 3);
  const SymbolizedFrame inner = symbolize(record.frames[0]);
  const SymbolizedFrame middle = symbolize(record.frames[1]);
  EXPECT_NE(std::string(inner.function).find("chain_inner"), std::string::npos) << inner.function;
  EXPECT_TRUE(ends_with(inner.file, "call_chain.cpp")) << inner.file;
  EXPECT_EQ(inner.line, record.inner_capture_line);
  EXPECT_NE(std::string(middle.function).find("chain_middle"), std::string::npos)
      << middle.function;
  EXPECT_TRUE(ends_with(middle.file, "call_chain.cpp")) << middle.file;
  EXPECT_EQ(middle.line, record.middle_call_line);
  // Demangled: the C++ namespace appears, the mangled prefix does not.
  EXPECT_NE(std::string(middle.function).find("osp_trace_test::"), std::string::npos);
  EXPECT_EQ(std::string(middle.function).find("_Z"), std::string::npos);
}

TEST(Symbolizer, ModulePathOffsetAndBuildId) {
  const CallChainRecord record = captured_chain();
  ASSERT_GE(record.depth, 2);
  const SymbolizedFrame middle = symbolize(record.frames[1]);
  Dl_info info{};
  ASSERT_NE(dladdr(reinterpret_cast<void*>(record.frames[1]), &info), 0);
  EXPECT_TRUE(ends_with(middle.module, "osp_trace_tests")) << middle.module;
  EXPECT_EQ(middle.module_offset,
            record.frames[1] - reinterpret_cast<std::uintptr_t>(info.dli_fbase));
  const std::string expected_build_id = build_id_from_readelf();
  if (expected_build_id.empty()) GTEST_SKIP() << "readelf unavailable or no build-id note";
  EXPECT_EQ(std::string(middle.build_id), expected_build_id);
}

TEST(Symbolizer, SharedLibraryFunction) {
  // An address inside libc's getpid: the module is libc, which Debian builds with a
  // build-id; the name comes from its dynamic symbol table.
  const auto address = reinterpret_cast<std::uintptr_t>(&getpid) + 1;
  const SymbolizedFrame frame = symbolize(address);
  EXPECT_NE(std::string(frame.module).find("libc"), std::string::npos) << frame.module;
  EXPECT_NE(std::string(frame.function).find("getpid"), std::string::npos) << frame.function;
  EXPECT_GT(std::strlen(frame.build_id), 0u);
}

TEST(Symbolizer, UnknownAddressesGiveEmptyFields) {
  for (std::uintptr_t address : {std::uintptr_t{0}, std::uintptr_t{0x10}}) {
    const SymbolizedFrame frame = symbolize(address);
    EXPECT_STREQ(frame.function, "");
    EXPECT_STREQ(frame.file, "");
    EXPECT_EQ(frame.line, 0);
    EXPECT_STREQ(frame.module, "");
    EXPECT_STREQ(frame.build_id, "");
  }
}

TEST(Symbolizer, CachedAndConsistentAcrossThreads) {
  const CallChainRecord record = captured_chain();
  ASSERT_GE(record.depth, 3);
  constexpr int kThreads = 4;
  std::vector<std::vector<SymbolizedFrame>> results(kThreads);
  std::vector<std::thread> threads;
  for (int t = 0; t < kThreads; ++t) {
    threads.emplace_back([&, t] {
      for (int i = 0; i < record.depth; ++i) results[t].push_back(symbolize(record.frames[i]));
    });
  }
  for (auto& thread : threads) thread.join();
  for (int i = 0; i < record.depth; ++i) {
    const SymbolizedFrame again = symbolize(record.frames[i]);
    for (int t = 0; t < kThreads; ++t) {
      // The cache hands out the same permanent strings to everyone.
      EXPECT_EQ(results[t][i].function, again.function);
      EXPECT_EQ(results[t][i].file, again.file);
      EXPECT_EQ(results[t][i].line, again.line);
      EXPECT_EQ(results[t][i].module, again.module);
    }
  }
}

TEST(PrintStack, WritesOneFormattedLinePerFrame) {
  const CallChainRecord record = captured_chain();
  ASSERT_GE(record.depth, 3);
  std::FILE* file = std::tmpfile();
  ASSERT_NE(file, nullptr);
  osp::trace::print_stack(fileno(file), record.frames, 3);
  std::rewind(file);
  std::vector<std::string> lines;
  char buffer[8192];
  while (std::fgets(buffer, sizeof(buffer), file) != nullptr) lines.emplace_back(buffer);
  std::fclose(file);
  ASSERT_EQ(lines.size(), 3u);

  const std::regex format(
      R"(    #(\d+) 0x([0-9a-f]+) in (.+) (\S+):(\d+) \((\S+)\+0x([0-9a-f]+)\)\n)");
  const int expected_lines[2] = {record.inner_capture_line, record.middle_call_line};
  const char* expected_functions[3] = {"chain_inner", "chain_middle", "chain_outer"};
  for (int i = 0; i < 3; ++i) {
    std::smatch match;
    ASSERT_TRUE(std::regex_match(lines[i], match, format)) << lines[i];
    EXPECT_EQ(std::stoi(match[1].str()), i);
    EXPECT_EQ(std::stoull(match[2].str(), nullptr, 16), record.frames[i]);
    EXPECT_NE(match[3].str().find(expected_functions[i]), std::string::npos) << lines[i];
    EXPECT_TRUE(ends_with(match[4].str(), "call_chain.cpp")) << lines[i];
    if (i < 2) {
      EXPECT_EQ(std::stoi(match[5].str()), expected_lines[i]);
    }
    EXPECT_TRUE(ends_with(match[6].str(), "osp_trace_tests")) << lines[i];
  }
}

TEST(PrintStack, UnknownFrameStillPrintsALine) {
  std::FILE* file = std::tmpfile();
  ASSERT_NE(file, nullptr);
  const std::uintptr_t frames[1] = {0x10};
  osp::trace::print_stack(fileno(file), frames, 1);
  std::rewind(file);
  char buffer[512] = {};
  ASSERT_NE(std::fgets(buffer, sizeof(buffer), file), nullptr);
  std::fclose(file);
  EXPECT_STREQ(buffer, "    #0 0x10 in ?? (<unknown module>)\n");
}

}  // namespace
}  // namespace osp_trace_test
