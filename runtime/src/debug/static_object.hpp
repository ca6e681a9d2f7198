// Which loaded module holds a global or static object, for reports about a pointer that
// is not a heap block (an invalid free of a global). static_object.cpp (Linux: dladdr)
// and static_object_windows.cpp (the PE image that maps the address) implement it.
#pragma once

namespace osp::debug {

struct StaticObject {
  const char* module;  // path of the module
  const char* symbol;  // nearest exported symbol at or below the address, or null
};

// False when no loaded module maps `address`. Called while reporting.
bool find_static_object(const void* address, StaticObject& object) noexcept;

}  // namespace osp::debug
