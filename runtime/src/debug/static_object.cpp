// Static objects by dladdr (see static_object.hpp).
#include "debug/static_object.hpp"

#include <dlfcn.h>

namespace osp::debug {

bool find_static_object(const void* address, StaticObject& object) noexcept {
  Dl_info info;
  if (dladdr(address, &info) == 0 || info.dli_fname == nullptr) return false;
  object.module = info.dli_fname;
  object.symbol = info.dli_sname;
  return true;
}

}  // namespace osp::debug
