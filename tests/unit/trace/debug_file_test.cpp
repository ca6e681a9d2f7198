// Honest names on stripped code: a library built with -g (symbolize_target.c) is copied,
// stripped and paired with its debug file the ways Debian and gdb know
// (objcopy --only-keep-debug + strip + objcopy --add-gnu-debuglink, and the build-id path
// under a debug root), then loaded and symbolized. Names and lines must come from the
// debug file; without one, a local function is left unnamed (never its exported
// neighbour's name), and addresses inside a data object are never named after it.
#include <dlfcn.h>
#include <gtest/gtest.h>
#include <link.h>
#include <sys/stat.h>
#include <unistd.h>

#include <cstdio>
#include <cstdlib>
#include <cstring>
#include <filesystem>
#include <string>

#include "trace/elf_file.hpp"
#include "trace/function_symbols.hpp"
#include "trace/symbolizer.hpp"

namespace osp_trace_test {
namespace {

using osp::trace::ElfFile;
using osp::trace::FunctionSymbolIndex;
using osp::trace::symbolize;
using osp::trace::SymbolizedFrame;

struct LoadedVariant {
  std::string path;
  void* handle = nullptr;
  std::uintptr_t local_function = 0;  // symbolize_target.c's static local_work
  std::uintptr_t table = 0;           // the exported data table
  int local_function_line = 0;
};

bool run(const std::string& command) {
  const int status = std::system((command + " >/dev/null 2>&1").c_str());
  return status == 0;
}

std::string shell_quoted(const std::string& text) { return "'" + text + "'"; }

class StrippedLibrary : public ::testing::Test {
 protected:
  static void SetUpTestSuite() {
    // Under the system's temporary folder (TMPDIR when set).
    std::string directory_template =
        (std::filesystem::temp_directory_path() / "osp-symbolize-XXXXXX").string();
    ASSERT_NE(mkdtemp(directory_template.data()), nullptr);
    root_ = directory_template;
    const std::string original = OSP_SYMBOLIZE_TARGET_PATH;

    // Stripped, its debug file next to it, found through .gnu_debuglink.
    ASSERT_TRUE(
        make_stripped(original, root_ + "/beside/libbeside.so", root_ + "/beside/libbeside.so.debug"));
    // The debug file in the module directory's .debug/.
    ASSERT_TRUE(make_stripped(original, root_ + "/dotdebug/libdotdebug.so",
                              root_ + "/dotdebug/.debug/libdotdebug.so.debug"));
    // Stripped and no debug file anywhere.
    ASSERT_TRUE(make_stripped(original, root_ + "/bare/libbare.so", ""));
    // Stripped without a debuglink; its debug file only at <root>/.build-id/xx/yyyy.debug.
    ASSERT_TRUE(
        make_stripped(original, root_ + "/by_build_id/libbyid.so", root_ + "/by_build_id/keep.debug", false));
    ElfFile file;
    char build_id[osp::trace::kBuildIdHexBytes];
    ASSERT_TRUE(file.open((root_ + "/by_build_id/libbyid.so").c_str()));
    ASSERT_TRUE(file.build_id(build_id));
    const std::string id = build_id;
    const std::string id_directory = root_ + "/debug-root/.build-id/" + id.substr(0, 2);
    ASSERT_TRUE(run("mkdir -p " + shell_quoted(id_directory) + " && mv " +
                    shell_quoted(root_ + "/by_build_id/keep.debug") + " " +
                    shell_quoted(id_directory + "/" + id.substr(2) + ".debug")));

    // No build-id: the debug file is recognised by the CRC-32 its .gnu_debuglink records;
    // a debug file changed after linking (one byte more) is not used.
    const std::string without_id = root_ + "/no_build_id/libnoid.so";
    ASSERT_TRUE(run("mkdir -p " + shell_quoted(root_ + "/no_build_id") +
                    " && " OSP_OBJCOPY " --remove-section=.note.gnu.build-id " + shell_quoted(original) + " " +
                    shell_quoted(root_ + "/no_build_id/original.so")));
    ASSERT_TRUE(make_stripped(root_ + "/no_build_id/original.so", without_id, without_id + ".debug"));
    ASSERT_TRUE(make_stripped(root_ + "/no_build_id/original.so", root_ + "/changed/libchanged.so",
                              root_ + "/changed/libchanged.so.debug"));
    std::FILE* debug_file = std::fopen((root_ + "/changed/libchanged.so.debug").c_str(), "ab");
    ASSERT_NE(debug_file, nullptr);
    std::fputc('x', debug_file);
    std::fclose(debug_file);

    for (const char* name : {"beside/libbeside.so", "dotdebug/libdotdebug.so", "bare/libbare.so",
                             "no_build_id/libnoid.so", "changed/libchanged.so"}) {
      variants_[variant_count_++] = load(root_ + "/" + name);
    }
  }

  static void TearDownTestSuite() {
    for (int index = 0; index < variant_count_; ++index) {
      if (variants_[index].handle != nullptr) dlclose(variants_[index].handle);
    }
    if (!root_.empty()) run("rm -rf " + shell_quoted(root_));
  }

  static bool make_stripped(const std::string& original, const std::string& stripped,
                            const std::string& debug, bool add_link = true) {
    const std::string directory = stripped.substr(0, stripped.rfind('/'));
    std::string command = "mkdir -p " + shell_quoted(directory) + " && cp " + shell_quoted(original) + " " +
                          shell_quoted(stripped);
    if (!debug.empty()) {
      command += " && mkdir -p " + shell_quoted(debug.substr(0, debug.rfind('/'))) +
                 " && " OSP_OBJCOPY " --only-keep-debug " + shell_quoted(stripped) + " " + shell_quoted(debug);
    }
    command += " && " OSP_STRIP " --strip-all " + shell_quoted(stripped);
    // objcopy records the debug file's name (and CRC); the reader looks for that name.
    if (!debug.empty() && add_link)
      command += " && " OSP_OBJCOPY " --add-gnu-debuglink=" + shell_quoted(debug) + " " + shell_quoted(stripped);
    return run(command);
  }

  static LoadedVariant load(const std::string& path) {
    LoadedVariant variant;
    variant.path = path;
    variant.handle = dlopen(path.c_str(), RTLD_NOW | RTLD_LOCAL);
    if (variant.handle == nullptr) return variant;
    auto local_function =
        reinterpret_cast<void* (*)()>(dlsym(variant.handle, "symbolize_target_local_function"));
    auto line = reinterpret_cast<int (*)()>(dlsym(variant.handle, "symbolize_target_local_function_line"));
    variant.local_function = reinterpret_cast<std::uintptr_t>(local_function());
    variant.local_function_line = line();
    variant.table = reinterpret_cast<std::uintptr_t>(dlsym(variant.handle, "symbolize_target_table"));
    return variant;
  }

  static const LoadedVariant& variant(int index) { return variants_[index]; }

  // The frame for a return address just past `address` (symbolize looks up address - 1).
  static SymbolizedFrame frame_at(std::uintptr_t address) { return symbolize(address + 1); }

  static std::string root_;
  static LoadedVariant variants_[5];
  static int variant_count_;
};

std::string StrippedLibrary::root_;
LoadedVariant StrippedLibrary::variants_[5];
int StrippedLibrary::variant_count_ = 0;

bool ends_with(const std::string& text, const std::string& suffix) {
  return text.size() >= suffix.size() &&
         text.compare(text.size() - suffix.size(), suffix.size(), suffix) == 0;
}

TEST_F(StrippedLibrary, DebugLinkBesideTheModuleGivesNameAndLine) {
  for (int index : {0, 1}) {
    const LoadedVariant& loaded = variant(index);
    ASSERT_NE(loaded.handle, nullptr) << loaded.path << ": " << dlerror();
    const SymbolizedFrame frame = frame_at(loaded.local_function);
    EXPECT_STREQ(frame.function, "local_work") << loaded.path;
    EXPECT_TRUE(ends_with(frame.file, "symbolize_target.c")) << loaded.path << ": " << frame.file;
    EXPECT_EQ(frame.line, loaded.local_function_line) << loaded.path;
    EXPECT_EQ(std::string(frame.module), loaded.path);
  }
}

TEST_F(StrippedLibrary, DebugLinkCrcStandsInForAMissingBuildId) {
  const LoadedVariant& matching = variant(3);
  ASSERT_NE(matching.handle, nullptr) << dlerror();
  ASSERT_STREQ(symbolize(matching.local_function + 1).build_id, "");
  EXPECT_STREQ(frame_at(matching.local_function).function, "local_work");
  EXPECT_EQ(frame_at(matching.local_function).line, matching.local_function_line);

  const LoadedVariant& changed = variant(4);
  ASSERT_NE(changed.handle, nullptr) << dlerror();
  EXPECT_STREQ(frame_at(changed.local_function).function, "");
  EXPECT_STREQ(frame_at(changed.local_function).file, "");
}

TEST_F(StrippedLibrary, NoDebugFileLeavesALocalFunctionUnnamed) {
  const LoadedVariant& bare = variant(2);
  ASSERT_NE(bare.handle, nullptr) << dlerror();
  // Every byte of local_work: its exported neighbour ends before it, so no name fits.
  for (std::uintptr_t offset = 0; offset < 8; ++offset) {
    const SymbolizedFrame frame = frame_at(bare.local_function + offset);
    EXPECT_STREQ(frame.function, "") << "offset " << offset;
    EXPECT_STREQ(frame.file, "");
    EXPECT_EQ(std::string(frame.module), bare.path);
  }
  // The exported neighbour keeps its name from .dynsym.
  auto neighbour = reinterpret_cast<std::uintptr_t>(dlsym(bare.handle, "symbolize_target_neighbour"));
  ASSERT_NE(neighbour, 0u);
  EXPECT_STREQ(frame_at(neighbour + 2).function, "symbolize_target_neighbour");
}

TEST_F(StrippedLibrary, DataObjectsNeverNameAFrame) {
  for (int index = 0; index < variant_count_; ++index) {
    const LoadedVariant& loaded = variant(index);
    ASSERT_NE(loaded.handle, nullptr);
    // Inside the exported 1 KiB table, and just past its end.
    for (std::uintptr_t offset : {0u, 40u, 1020u, 1024u, 1040u}) {
      const SymbolizedFrame frame = frame_at(loaded.table + offset);
      EXPECT_STREQ(frame.function, "") << loaded.path << " +" << offset;
      if (offset < 1024) {
        EXPECT_EQ(std::string(frame.module), loaded.path);
      }
    }
  }
}

TEST_F(StrippedLibrary, BuildIdPathUnderADebugRoot) {
  const std::string module = root_ + "/by_build_id/libbyid.so";
  // Offsets in the module's own address space, taken from the unstripped original.
  ElfFile original;
  ASSERT_TRUE(original.open(OSP_SYMBOLIZE_TARGET_PATH));
  std::uintptr_t local_start = 0;
  for (int index = 0; index < original.section_count(); ++index) {
    original.for_each_function(original.section(index),
                               [&](std::uintptr_t start, std::uintptr_t, const char* name, unsigned) {
                                 if (std::strcmp(name, "local_work") == 0) local_start = start;
                               });
  }
  ASSERT_NE(local_start, 0u);

  char build_id[osp::trace::kBuildIdHexBytes];
  ElfFile stripped;
  ASSERT_TRUE(stripped.open(module.c_str()));
  ASSERT_TRUE(stripped.build_id(build_id));

  FunctionSymbolIndex with_root;
  with_root.build(module.c_str(), build_id, (root_ + "/debug-root").c_str());
  EXPECT_TRUE(with_root.has_debug_file());
  ASSERT_NE(with_root.find(local_start + 3), nullptr);
  EXPECT_STREQ(with_root.find(local_start + 3), "local_work");

  // The same module with another build-id recorded: the debug file is not the same build.
  FunctionSymbolIndex other_build;
  other_build.build(module.c_str(), "0011223344556677889900112233445566778899",
                    (root_ + "/debug-root").c_str());
  EXPECT_FALSE(other_build.has_debug_file());
  EXPECT_EQ(other_build.find(local_start + 3), nullptr);

  // Without the root: .dynsym only, and local_work is not in it.
  FunctionSymbolIndex without_root;
  without_root.build(module.c_str(), build_id, (root_ + "/no-such-root").c_str());
  EXPECT_FALSE(without_root.has_debug_file());
  EXPECT_EQ(without_root.find(local_start + 3), nullptr);
  EXPECT_GT(without_root.symbol_count(), 0u);
}

// Debian's libc6-dbg installs libc's debug file by build-id under /usr/lib/debug: a libc
// function that is not exported (only in the debug file's .symtab) gets its name.
TEST(DebianDebugFiles, LibcInternalFunctionFromBuildIdDebugFile) {
  Dl_info info{};
  ASSERT_NE(dladdr(reinterpret_cast<void*>(&getpid), &info), 0);
  ElfFile libc;
  ASSERT_TRUE(libc.open(info.dli_fname));
  char build_id[osp::trace::kBuildIdHexBytes];
  ASSERT_TRUE(libc.build_id(build_id));
  const std::string id = build_id;
  const std::string debug_path =
      "/usr/lib/debug/.build-id/" + id.substr(0, 2) + "/" + id.substr(2) + ".debug";
  ElfFile debug;
  if (!debug.open(debug_path.c_str())) GTEST_SKIP() << "libc6-dbg is not installed (" << debug_path << ")";

  std::uintptr_t internal_start = 0;
  for (int index = 0; index < debug.section_count(); ++index) {
    debug.for_each_function(debug.section(index), [&](std::uintptr_t start, std::uintptr_t size,
                                                      const char* name, unsigned binding) {
      if (binding == STB_LOCAL && size > 16 && std::strcmp(name, "_int_malloc") == 0) internal_start = start;
    });
  }
  ASSERT_NE(internal_start, 0u) << "no local _int_malloc in " << debug_path;
  const auto base = reinterpret_cast<std::uintptr_t>(info.dli_fbase);
  const SymbolizedFrame frame = symbolize(base + internal_start + 8);
  EXPECT_STREQ(frame.function, "_int_malloc");
  EXPECT_TRUE(ends_with(frame.file, "malloc.c")) << frame.file;
}

}  // namespace
}  // namespace osp_trace_test
