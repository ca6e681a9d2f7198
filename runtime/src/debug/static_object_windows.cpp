// Static objects on Windows (see static_object.hpp): the PE image whose mapping holds the
// address, found by the trace layer's module lookup. Names of static objects are not in
// a PE's export table, so no symbol is given.
#include "debug/static_object.hpp"

#include <cstdint>

#include "trace/module_lookup.hpp"

namespace osp::debug {

bool find_static_object(const void* address, StaticObject& object) noexcept {
  trace::ModuleInfo module;
  if (!trace::find_module(reinterpret_cast<std::uintptr_t>(address), module)) return false;
  object.module = module.path;
  object.symbol = nullptr;
  return true;
}

}  // namespace osp::debug
