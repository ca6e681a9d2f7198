// Symbolization with Boost.Stacktrace over libbacktrace (function, file, line; Boost
// demangles), plus module path, offset and build-id from module_lookup. Results are kept
// in a fixed open-addressing table keyed by address, mapped from the OS on first use;
// when the table is full, lookups still work, they are just not cached.
//
// Boost keeps one libbacktrace state per thread, so each thread that symbolizes reads
// the debug information once; reports come from few threads, so that is accepted.
// sources.cmake picks the backend; the default keeps a bare compile on libbacktrace.
#if !defined(BOOST_STACKTRACE_LINK) && !defined(BOOST_STACKTRACE_USE_BACKTRACE)
#define BOOST_STACKTRACE_USE_BACKTRACE
#endif
#include "trace/symbolizer.hpp"

#include <boost/stacktrace/frame.hpp>
#include <mutex>
#include <string>

#include "os/os_memory.hpp"
#include "trace/module_lookup.hpp"
#include "trace/permanent_strings.hpp"
#include "os/raw_format.hpp"

namespace osp::trace {
namespace {

using os::RawFormatBuffer;

constexpr std::size_t kCacheSlots = std::size_t{1} << 14;
constexpr std::size_t kMaxProbes = 64;
constexpr std::size_t kLineBufferBytes = 4096;

struct SymbolCache {
  std::mutex lock;
  SymbolizedFrame* slots = nullptr;  // address 0 marks an empty slot
  bool mapping_failed = false;
};

constinit SymbolCache symbol_cache{};

std::size_t slot_of(std::uintptr_t address) noexcept {
  std::uint64_t mixed = address * 0x9e3779b97f4a7c15ULL;
  return static_cast<std::size_t>(mixed >> 40) & (kCacheSlots - 1);
}

SymbolizedFrame* cache_slot_for(std::uintptr_t address) noexcept {
  if (symbol_cache.slots == nullptr && !symbol_cache.mapping_failed) {
    symbol_cache.slots = static_cast<SymbolizedFrame*>(
        os::map(kCacheSlots * sizeof(SymbolizedFrame), os::page_size(), false));
    symbol_cache.mapping_failed = symbol_cache.slots == nullptr;
  }
  if (symbol_cache.slots == nullptr) return nullptr;
  std::size_t index = slot_of(address);
  for (std::size_t probe = 0; probe < kMaxProbes; ++probe) {
    SymbolizedFrame* slot = &symbol_cache.slots[index];
    if (slot->address == address || slot->address == 0) return slot;
    index = (index + 1) & (kCacheSlots - 1);
  }
  return nullptr;
}

void describe_source(std::uintptr_t lookup_address, SymbolizedFrame& frame) noexcept {
  try {
    const boost::stacktrace::frame source(reinterpret_cast<const void*>(lookup_address));
    const std::string function = source.name();
    const std::string file = source.source_file();
    frame.function = store_permanent_string(function.c_str(), function.size());
    frame.file = store_permanent_string(file.c_str(), file.size());
    frame.line = file.empty() ? 0 : static_cast<int>(source.source_line());
  } catch (...) {
    // Out of memory or a malformed debug section: keep what is known.
  }
}

SymbolizedFrame describe(std::uintptr_t address) noexcept {
  SymbolizedFrame frame{address, "", "", 0, "", 0, ""};
  // A return address points after the call; address - 1 lies inside the call itself.
  const std::uintptr_t lookup_address = address - 1;
  ModuleInfo module;
  if (find_module(lookup_address, module)) {
    frame.module = module.path;
    frame.module_offset = address - module.load_base;
    frame.build_id = module.build_id;
  }
  describe_source(lookup_address, frame);
  return frame;
}

void append_frame_line(RawFormatBuffer& line, int index, const SymbolizedFrame& frame) noexcept {
  line.append("    #").append_decimal(static_cast<std::uint64_t>(index));
  line.append(" 0x").append_hex(frame.address);
  line.append(" in ").append(frame.function[0] != '\0' ? frame.function : "??");
  if (frame.file[0] != '\0') {
    line.append_char(' ').append(frame.file);
    if (frame.line > 0) line.append_char(':').append_decimal(static_cast<std::uint64_t>(frame.line));
  }
  if (frame.module[0] != '\0') {
    line.append(" (").append(frame.module).append("+0x").append_hex(frame.module_offset);
    line.append_char(')');
  } else {
    line.append(" (<unknown module>)");
  }
  line.append_char('\n');
}

}  // namespace

SymbolizedFrame symbolize(std::uintptr_t address) noexcept {
  if (address == 0) return {0, "", "", 0, "", 0, ""};
  std::lock_guard<std::mutex> guard(symbol_cache.lock);
  SymbolizedFrame* slot = cache_slot_for(address);
  if (slot != nullptr && slot->address == address) return *slot;
  const SymbolizedFrame frame = describe(address);
  if (slot != nullptr) *slot = frame;
  return frame;
}

void print_stack(int fd, const std::uintptr_t* frames, int depth) noexcept {
  if (frames == nullptr) return;
  char storage[kLineBufferBytes];
  for (int index = 0; index < depth; ++index) {
    RawFormatBuffer line(storage, sizeof(storage));
    append_frame_line(line, index, symbolize(frames[index]));
    // An over-long line (huge paths or names) is cut, but still ends the line.
    if (line.truncated()) storage[line.size() - 1] = '\n';
    os::write_all(fd, line.data(), line.size());
  }
}

}  // namespace osp::trace
