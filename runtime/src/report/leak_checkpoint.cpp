// The checkpoint ABI of osp/leak_checkpoint.hpp: a scan, then the sites of the counted
// leak kinds restricted to a window of allocation sequence numbers.
#include "osp/leak_checkpoint.hpp"

#include <string>

#include "debug/live_blocks.hpp"
#include "debug/options.hpp"
#include "debug/runtime_thread.hpp"
#include "os/raw_format.hpp"
#include "report/leak_report.hpp"
#include "report/leak_scan.hpp"
#include "report/site_table.hpp"

namespace osp::report {
namespace {

struct SequenceWindow {
  std::uint64_t after;
  std::uint64_t until;
};

bool in_window(const ScannedBlock& block, void* context) {
  const auto* window = static_cast<const SequenceWindow*>(context);
  return block.sequence > window->after && block.sequence <= window->until;
}

// "function file:line" of the first frame outside the runtime, or the ALLOCATE origin.
std::string describe_location(const LeakSite& site, const ModuleTable& modules) {
  if (site.origin_file != nullptr) return std::string(site.origin_file) + ":" + std::to_string(site.origin);
  SiteFrame frames[trace::kMaxStackDepth];
  const int depth = resolve_frames(site.stack(), modules, true, frames);
  for (int index = 0; index < depth; ++index) {
    const SiteFrame& frame = frames[index];
    if (is_runtime_frame(frame)) continue;
    std::string text = frame.function != nullptr ? frame.function : "??";
    // Appended piece by piece: GCC 12 warns (-Wrestrict, falsely) on "literal" + string.
    if (frame.file != nullptr) {
      text.append(" ").append(frame.file).append(":").append(std::to_string(frame.line));
    } else {
      // module+offset, as report frames show it, for a symbolizer to resolve later.
      char offset[24];
      os::RawFormatBuffer hex(offset, sizeof offset);
      text.append(" (").append(frame.module).append("+").append(hex.append("0x").append_hex(frame.module_offset).c_str()).append(")");
    }
    return text;
  }
  return "<no stack captured>";
}

std::string hex_key(std::uint64_t key) {
  std::string text(16, '0');
  for (int digit = 0; digit < 16; ++digit) text[digit] = "0123456789abcdef"[(key >> (60 - 4 * digit)) & 0xf];
  return text;
}

}  // namespace
}  // namespace osp::report

extern "C" uint64_t osp_allocation_sequence(void) {
  return osp::debug::live_blocks::checkpoint_sequence();
}

namespace osp::report {
namespace {

long leaks_between(std::uint64_t after_sequence, std::uint64_t until_sequence,
                   osp_leak_site_visitor visit, void* context, const CallerRoots& caller) {
  osp::debug::ReentrancyGuard guard;
  long sites_found = 0;
  try {
    LeakScan scan;
    run_leak_scan(scan, caller);
    SequenceWindow window{after_sequence, until_sequence};
    SiteTable sites;
    const unsigned counted = counted_leak_kinds();
    if (!scan.complete || !sites.build(scan, scan.arena, counted, in_window, &window)) {
      return -1;
    }
    for (std::size_t index = 0; index < sites.size(); ++index) {
      const LeakSite& site = sites[index];
      if (site.suppressed || (counted & (1u << static_cast<int>(site.kind))) == 0) continue;
      const std::string location = describe_location(site, scan.modules);
      const std::string key = hex_key(site.key);
      osp_leak_site summary{leak_kind_name(site.kind), location.c_str(), key.c_str(),
                            site.total.blocks, site.total.bytes};
      if (visit != nullptr) visit(&summary, context);
      ++sites_found;
    }
  } catch (...) {
    sites_found = -1;
  }
  return sites_found;
}

}  // namespace
}  // namespace osp::report

extern "C" __attribute__((noinline)) long osp_leaks_between(uint64_t after_sequence,
                                                             uint64_t until_sequence,
                                                             osp_leak_site_visitor visit,
                                                             void* context) {
  osp::report::CallerRoots caller;
  OSP_CAPTURE_CALLER_ROOTS(caller);
  return osp::report::leaks_between(after_sequence, until_sequence, visit, context, caller);
}
