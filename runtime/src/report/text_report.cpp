// Readable leak report (see text_report.hpp).
#include "report/text_report.hpp"

#include "debug/block_header.hpp"
#include "debug/report_writer.hpp"
#include "trace/symbolizer.hpp"

namespace osp::report {
namespace {

// Without verbose, the report stops after this many sites (the snapshot has them all).
constexpr std::size_t kMaxSitesPrinted = 64;

bool counted(const LeakSite& site, unsigned counted_kinds) {
  return !site.suppressed && (counted_kinds & (1u << static_cast<int>(site.kind))) != 0;
}

void print_site(debug::ReportWriter& writer, int fd, const LeakSite& site, bool verbose) {
  writer.text("  ").text(leak_kind_name(site.kind)).text(" leak: ").decimal(site.total.bytes)
      .text(site.total.bytes == 1 ? " byte in " : " bytes in ").decimal(site.total.blocks)
      .text(site.total.blocks == 1 ? " block" : " blocks").text(" allocated by ")
      .text(debug::allocation_function_name(static_cast<api::AllocationKind>(site.allocation_kind)));
  if (site.origin_file != nullptr) {
    writer.text(" at ").text(site.origin_file).text(":").decimal(site.origin).text("\n");
  } else {
    writer.text(" from thread T").decimal(site.thread).text(" here:\n");
    trace::StackView view = trace::StackDepot::instance().get(site.origin);
    if (view.depth == 0) {
      writer.text("    <no stack captured (stack_depth=0)>\n");
    } else {
      writer.flush();
      trace::print_stack(fd, view.frames, view.depth);
    }
  }
  if (!verbose) return;
  for (int sample = 0; sample < site.sample_count; ++sample) {
    writer.text("      block of ").decimal(site.sample_bytes[sample]).text(" bytes at ")
        .hex(site.sample_address[sample]).text("\n");
  }
}

}  // namespace

void write_incomplete_scan_warning(ReportFdSource report_fd, const LeakScan& scan) noexcept {
  if (scan.complete) return;
  debug::ReportWriter(report_fd()).process_prefix()
      .text("osp: warning: ").decimal(scan.unanswered_threads)
      .text(" thread(s) did not pause for the leak scan (signal blocked?): no block is reported as leaked\n");
}

void write_text_report(ReportFdSource report_fd, const LeakScan& scan, const SiteTable& sites,
                       unsigned counted_kinds, bool verbose) noexcept {
  write_incomplete_scan_warning(report_fd, scan);
  BlockCount leaked;
  std::size_t leaking_sites = 0;
  for (std::size_t index = 0; index < sites.size(); ++index) {
    if (!counted(sites[index], counted_kinds)) continue;
    leaked.blocks += sites[index].total.blocks;
    leaked.bytes += sites[index].total.bytes;
    ++leaking_sites;
  }
  if (leaked.blocks == 0) {
    if (sites.suppressed().blocks != 0) {
      debug::ReportWriter(report_fd()).process_prefix()
          .text("osp: no leaks (").decimal(sites.suppressed().blocks).text(" suppressed blocks)\n");
    }
    return;
  }
  const int fd = report_fd();
  debug::ReportWriter writer(fd);
  writer.process_prefix().text("ERROR: osp: detected memory leaks: ").decimal(leaked.bytes)
      .text(" bytes in ").decimal(leaked.blocks).text(" blocks from ").decimal(leaking_sites)
      .text(" allocation sites\n");
  std::size_t printed = 0;
  for (std::size_t index = 0; index < sites.size(); ++index) {
    if (!counted(sites[index], counted_kinds)) continue;
    if (!verbose && printed == kMaxSitesPrinted) {
      writer.text("  ... ").decimal(leaking_sites - printed)
          .text(" smaller sites not shown (verbosity=2 lists all; the snapshot has every site)\n");
      break;
    }
    print_site(writer, fd, sites[index], verbose);
    ++printed;
  }
  writer.text("SUMMARY: osp: ").decimal(leaked.bytes).text(" byte(s) leaked in ")
      .decimal(leaked.blocks).text(" allocation(s).");
  if (sites.suppressed().blocks != 0) {
    writer.text(" (").decimal(sites.suppressed().blocks).text(" suppressed blocks)");
  }
  writer.text("\n");
}

}  // namespace osp::report
