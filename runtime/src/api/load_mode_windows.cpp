// Windows has no preloading: a program that uses libospdebug linked it (its import
// library or the archive), so the mode is always Linked (see load_mode.hpp).
#include "api/load_mode.hpp"

namespace osp::api {

LoadMode libospdebug_load_mode() noexcept { return LoadMode::Linked; }

}  // namespace osp::api
