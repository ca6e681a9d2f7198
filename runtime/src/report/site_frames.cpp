// Frame resolution and the site key (see site_frames.hpp; the reference implementation
// of the key is tests/leakview/site_key.py).
#include "report/site_frames.hpp"

#include <cstring>

#include "os/raw_format.hpp"
#include "trace/symbolizer.hpp"

namespace osp::report {
namespace {

constexpr std::uint64_t kFnvOffsetBasis = 0xcbf29ce484222325ull;
constexpr std::uint64_t kFnvPrime = 0x100000001b3ull;
constexpr int kKeyFrameCount = 4;

const char* const kRuntimeFunctionPrefixes[] = {"osp::", "os_memory::", "osp_", "operator new",
                                                "operator delete"};
const char* const kRuntimeFunctions[] = {"malloc", "calloc", "realloc", "reallocarray",
                                         "free", "aligned_alloc", "posix_memalign",
                                         "memalign", "valloc", "pvalloc"};

// After the last '/' or '\\' (Windows paths): keys must not depend on where a program ran.
const char* base_name(const char* path) {
  const char* name = path;
  for (const char* cursor = path; *cursor != '\0'; ++cursor) {
    if (*cursor == '/' || *cursor == '\\') name = cursor + 1;
  }
  return name;
}

struct Fnv {
  std::uint64_t value = kFnvOffsetBasis;
  void add(const char* text) {
    for (; *text != '\0'; ++text) add_byte(static_cast<unsigned char>(*text));
  }
  void add_byte(unsigned char byte) {
    value ^= byte;
    value *= kFnvPrime;
  }
  void add_hex(std::uint64_t number) {
    char storage[24];
    os::RawFormatBuffer text(storage, sizeof(storage));
    add(text.append("0x").append_hex(number).c_str());
  }
};

}  // namespace

bool is_runtime_frame(const SiteFrame& frame) noexcept {
  if (std::strncmp(base_name(frame.module), "libosp", 6) == 0) return true;
  if (frame.function == nullptr) return false;
  for (const char* prefix : kRuntimeFunctionPrefixes) {
    if (std::strncmp(frame.function, prefix, std::strlen(prefix)) == 0) return true;
  }
  for (const char* name : kRuntimeFunctions) {
    if (std::strcmp(frame.function, name) == 0) return true;
  }
  return false;
}

int resolve_frames(trace::StackId stack, const ModuleTable& modules, bool symbolize,
                   SiteFrame* frames) noexcept {
  trace::StackView view = trace::StackDepot::instance().get(stack);
  int depth = view.depth < trace::kMaxStackDepth ? view.depth : trace::kMaxStackDepth;
  for (int index = 0; index < depth; ++index) {
    SiteFrame& frame = frames[index];
    frame = SiteFrame{view.frames[index], "", 0, nullptr, nullptr, 0};
    if (const LoadedModule* module = modules.find(frame.address)) {
      frame.module = module->path;
      frame.module_offset = frame.address - module->base;
    }
    if (!symbolize) continue;
    trace::SymbolizedFrame symbol = trace::symbolize(frame.address);
    if (symbol.function != nullptr && symbol.function[0] != '\0') {
      frame.function = symbol.function;
      if (symbol.file != nullptr && symbol.file[0] != '\0') {
        frame.file = symbol.file;
        frame.line = symbol.line;
      }
    }
    if (frame.module[0] == '\0' && symbol.module != nullptr && symbol.module[0] != '\0') {
      frame.module = symbol.module;
      frame.module_offset = symbol.module_offset;
    }
  }
  return depth;
}

std::uint64_t site_key(const char* kind_name, const char* origin_file, const SiteFrame* frames,
                       int depth) noexcept {
  Fnv hash;
  hash.add(kind_name);
  int tokens = 0;
  for (int index = 0; index < depth && tokens < kKeyFrameCount; ++index) {
    const SiteFrame& frame = frames[index];
    if (is_runtime_frame(frame)) continue;
    hash.add("\n");
    if (frame.function != nullptr) {
      hash.add(frame.function);
      hash.add("\t");
      hash.add(frame.file != nullptr ? base_name(frame.file) : "");
    } else {
      hash.add(base_name(frame.module));
      hash.add("+");
      hash.add_hex(frame.module_offset);
    }
    ++tokens;
  }
  if (tokens == 0 && origin_file != nullptr && origin_file[0] != '\0') {
    hash.add("\nALLOCATE\t");
    hash.add(base_name(origin_file));
  }
  return hash.value;
}

}  // namespace osp::report
