// Symbolization: function, file and line from the debug information through libbacktrace
// (which finds separate debug files by build-id under /usr/lib/debug/.build-id and by
// .gnu_debuglink), module path, offset and build-id from module_lookup. A function name is
// used only when it is honest:
// - from the debug information, when libbacktrace found the function whose address
//   ranges contain the address (it reports a file then), in a module whose DWARF is of
//   the loaded build (its own, or a debug file function_symbols verified);
// - otherwise from the ELF symbol tables, only for a function symbol whose extent
//   contains the address (function_symbols). Data objects never name a frame.
// Anything else is left unnamed, and the frame prints as module+offset. libbacktrace's own
// symbol-table fallback and dladdr are not used: both answer with data objects, and dladdr
// also with the nearest sizeless symbol.
//
// Results are kept in a fixed open-addressing table keyed by address, mapped from the OS on
// first use; when the table is full, lookups still work, they are just not cached. One
// libbacktrace state serves every thread: it is used only under the cache's lock.
#include "trace/symbolizer.hpp"

#include <backtrace.h>
#include <cxxabi.h>
#include <link.h>

#include <cstdlib>
#include <cstring>
#include <mutex>

#include "os/os_memory.hpp"
#include "trace/function_symbols.hpp"
#include "trace/module_lookup.hpp"
#include "trace/permanent_strings.hpp"

namespace osp::trace {
namespace {


constexpr std::size_t kCacheSlots = std::size_t{1} << 14;
constexpr std::size_t kMaxProbes = 64;
constexpr std::size_t kMaxSymbolNameBytes = 4096;
constexpr int kMaxDebugInfoStates = 8;

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
    symbol_cache.slots =
        static_cast<SymbolizedFrame*>(os::map(kCacheSlots * sizeof(SymbolizedFrame), os::page_size(), false));
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

// The outermost function of an inlined chain, with the line in it that the address
// belongs to: libbacktrace reports the innermost inlined function first and the function
// the code was compiled into last.
struct DebugInfoLocation {
  const char* function = nullptr;
  const char* file = nullptr;
  int line = 0;
};

int remember_location(void* data, std::uintptr_t, const char* file, int line, const char* function) {
  // Without a file, libbacktrace answered from its own symbol-table lookup (no debug
  // information), which also names data objects: that answer is not used.
  if (file == nullptr) return 0;
  auto* location = static_cast<DebugInfoLocation*>(data);
  location->function = function;
  location->file = file;
  location->line = line;
  return 0;
}

void ignore_error(void*, const char*, int) {}

unsigned long long modules_loaded_so_far() noexcept {
  unsigned long long loads = 0;
  dl_iterate_phdr(
      [](dl_phdr_info* module, std::size_t, void* result) {
        *static_cast<unsigned long long*>(result) = module->dlpi_adds;
        return 1;
      },
      &loads);
  return loads;
}

// libbacktrace lists the loaded modules once, when its state is first used, and never
// sees a library loaded later. The state is made anew when libraries were loaded since
// (a few times at most: the old one cannot be freed).
backtrace_state* debug_info_state() noexcept {
  static constinit backtrace_state* state = nullptr;
  static constinit unsigned long long loads_seen = 0;
  static constinit int states_made = 0;
  const unsigned long long loads = modules_loaded_so_far();
  if ((state == nullptr || loads != loads_seen) && states_made < kMaxDebugInfoStates) {
    // Not threaded: every use is under the symbol cache's lock.
    backtrace_state* fresh = backtrace_create_state(nullptr, 0, ignore_error, nullptr);
    ++states_made;
    if (fresh != nullptr) {
      state = fresh;
      loads_seen = loads;
    }
  }
  return state;
}

// A symbol name as displayed: without an ELF symbol version ("memcpy@GLIBC_2.2.5") and
// demangled when it is a C++ name. Returns a permanent string.
const char* display_name(const char* name) noexcept {
  char plain[kMaxSymbolNameBytes];
  std::size_t length = std::strcspn(name, "@");
  if (length >= sizeof(plain)) length = sizeof(plain) - 1;
  std::memcpy(plain, name, length);
  plain[length] = '\0';
  if (plain[0] == '_' && plain[1] == 'Z') {
    // Allocates: the callers' reentrancy guard sends it to the runtime's internal heap.
    int status = 0;
    char* demangled = abi::__cxa_demangle(plain, nullptr, nullptr, &status);
    if (status == 0 && demangled != nullptr) {
      const char* stored = store_permanent_string(demangled);
      std::free(demangled);
      return stored;
    }
    std::free(demangled);
  }
  return store_permanent_string(plain, length);
}

void describe_source(std::uintptr_t lookup_address, SymbolizedFrame& frame,
                     const ModuleInfo& module) noexcept {
  const FunctionSymbolIndex* symbols = function_symbols_of(module.path, module.build_id);
  DebugInfoLocation location;
  // libbacktrace takes a .gnu_debuglink file without checking that it is the same build;
  // its answer counts only where function_symbols found verified debug information.
  backtrace_state* state = symbols != nullptr && symbols->has_debug_info() ? debug_info_state() : nullptr;
  if (state != nullptr) backtrace_pcinfo(state, lookup_address, remember_location, ignore_error, &location);
  if (location.file != nullptr) {
    frame.file = store_permanent_string(location.file);
    frame.line = location.line > 0 ? location.line : 0;
  }
  const char* name = location.function;
  if (name == nullptr && symbols != nullptr) name = symbols->find(lookup_address - module.load_base);
  if (name != nullptr && name[0] != '\0') frame.function = display_name(name);
}

SymbolizedFrame describe(std::uintptr_t address) noexcept {
  SymbolizedFrame frame{address, "", "", 0, "", 0, ""};
  // A return address points after the call; address - 1 lies inside the call itself.
  const std::uintptr_t lookup_address = address - 1;
  ModuleInfo module;
  // An address in no loaded module has no name either.
  if (find_module(lookup_address, module)) {
    frame.module = module.path;
    frame.module_offset = address - module.load_base;
    frame.build_id = module.build_id;
    describe_source(lookup_address, frame, module);
  }
  return frame;
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


}  // namespace osp::trace
