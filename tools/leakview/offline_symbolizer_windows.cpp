// osp-leakview on Windows symbolizes nothing offline: its symbolizer reads ELF files and
// runs GNU addr2line (see offline_symbolizer.hpp), neither of which applies to the PE
// images a Windows snapshot names. Frames stay module+offset.
#include "offline_symbolizer.hpp"

namespace leakview {

std::size_t OfflineSymbolizer::symbolize(Snapshot&) { return 0; }

}  // namespace leakview
