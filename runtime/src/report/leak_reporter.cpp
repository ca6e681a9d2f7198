// SafeMemoryLeakReporter for libospdebug: the live blocks, grouped by origin (file:line
// from ALLOCATE, or the allocation stack), largest sites first. Everything it needs lives
// in static storage and is written with raw writes, so it can run at exit after static
// destructors, or inside a broken process. A reachability scan (definite / indirect /
// reachable) and JSON snapshots are not part of this reporter yet: every live block is
// reported.
#include "safe_memory_leak_reporter.hpp"

#include <cstring>

#include "debug/block_header.hpp"
#include "debug/error_reports.hpp"
#include "debug/live_blocks.hpp"
#include "debug/options.hpp"
#include "debug/report_writer.hpp"
#include "debug/runtime_thread.hpp"
#include "debug/suppressions.hpp"
#include "os/os_memory.hpp"
#include "trace/symbolizer.hpp"

namespace {

using osp::debug::LiveBlockInfo;
using osp::debug::ReportWriter;

constexpr std::size_t kMaxSites = 4096;
constexpr std::size_t kMaxSitesPrinted = 64;
constexpr std::size_t kMaxBlocksListedPerSite = 32;

// One allocation site: same origin file/line or stack, same allocation function.
struct LeakSite {
  const char* file;
  std::uint32_t origin;  // line, or stack id when file is null
  osp::api::AllocationKind kind;
  bool used;
  bool printed;
  bool suppressed;
  std::uint16_t thread;  // thread of the first block seen
  std::size_t blocks;
  std::size_t bytes;
};

struct SiteTable {
  LeakSite sites[kMaxSites];
  std::size_t site_count;
  std::size_t unsorted_blocks;  // blocks beyond the table's capacity
  std::size_t unsorted_bytes;
};

osp::os::SpinLock g_reporter_lock;
SiteTable g_table;

LeakSite* find_or_add_site(SiteTable& table, const LiveBlockInfo& block) {
  std::uint32_t origin = block.origin_file != nullptr ? static_cast<std::uint32_t>(block.origin_line)
                                                      : block.allocation_stack;
  std::uintptr_t hash = reinterpret_cast<std::uintptr_t>(block.origin_file) * 31 + origin * 7 +
                        static_cast<std::uintptr_t>(block.kind);
  for (std::size_t probe = 0; probe < kMaxSites; ++probe) {
    LeakSite& site = table.sites[(hash + probe) % kMaxSites];
    if (!site.used) {
      if (table.site_count + 1 >= kMaxSites) return nullptr;  // keep the table probe-able
      site = LeakSite{block.origin_file, origin, block.kind, true, false, false, block.thread, 0, 0};
      ++table.site_count;
      return &site;
    }
    if (site.file == block.origin_file && site.origin == origin && site.kind == block.kind) {
      return &site;
    }
  }
  return nullptr;
}

void collect_sites(SiteTable& table) {
  std::memset(&table, 0, sizeof table);
  osp::debug::for_each_live_block(
      [](const LiveBlockInfo& block, void* raw) {
        auto* target = static_cast<SiteTable*>(raw);
        LeakSite* site = find_or_add_site(*target, block);
        if (site == nullptr) {
          ++target->unsorted_blocks;
          target->unsorted_bytes += block.requested_bytes;
          return;
        }
        ++site->blocks;
        site->bytes += block.requested_bytes;
      },
      &table);
}

LeakSite* largest_unprinted_site(SiteTable& table) {
  LeakSite* best = nullptr;
  for (LeakSite& site : table.sites) {
    if (!site.used || site.printed || site.suppressed) continue;
    if (best == nullptr || site.bytes > best->bytes) best = &site;
  }
  return best;
}

void list_site_blocks(ReportWriter& writer, const LeakSite& site) {
  struct Context {
    ReportWriter* writer;
    const LeakSite* site;
    std::size_t listed;
  } context{&writer, &site, 0};
  osp::debug::for_each_live_block(
      [](const LiveBlockInfo& block, void* raw) {
        auto* state = static_cast<Context*>(raw);
        std::uint32_t origin = block.origin_file != nullptr
                                   ? static_cast<std::uint32_t>(block.origin_line)
                                   : block.allocation_stack;
        if (block.origin_file != state->site->file || origin != state->site->origin ||
            block.kind != state->site->kind || state->listed >= kMaxBlocksListedPerSite) {
          return;
        }
        ++state->listed;
        state->writer->text("      block of ").decimal(block.requested_bytes).text(" bytes at ")
            .address(block.address).text(" (allocation #").decimal(block.sequence).text(")\n");
      },
      &context);
}

void print_site(ReportWriter& writer, int fd, const LeakSite& site, bool verbose) {
  writer.text("  ").decimal(site.bytes).text(site.bytes == 1 ? " byte in " : " bytes in ")
      .decimal(site.blocks).text(site.blocks == 1 ? " block" : " blocks")
      .text(" allocated by ").text(osp::debug::allocation_function_name(site.kind));
  if (site.file != nullptr) {
    writer.text(" at ").text(site.file).text(":").decimal(site.origin).text("\n");
  } else {
    writer.text(" from thread T").decimal(site.thread).text(" here:\n");
    osp::trace::StackView view = osp::trace::StackDepot::instance().get(site.origin);
    if (view.depth == 0) {
      writer.text("    <no stack captured (stack_depth=0)>\n");
    } else {
      writer.flush();
      osp::trace::print_stack(fd, view.frames, view.depth);
    }
  }
  if (verbose) list_site_blocks(writer, site);
}

}  // namespace

SafeMemoryLeakReporter& SafeMemoryLeakReporter::get() noexcept {
  static SafeMemoryLeakReporter reporter;
  return reporter;
}

void SafeMemoryLeakReporter::initialize(Mode mode, bool verbose) noexcept {
  mode_ = mode;
  verbose_ = verbose;
  initialized_ = true;
}

std::size_t SafeMemoryLeakReporter::report_now() noexcept {
  osp::debug::ReentrancyGuard guard;
  g_reporter_lock.lock();
  SiteTable& table = g_table;
  collect_sites(table);

  std::size_t leaked_blocks = table.unsorted_blocks;
  std::size_t leaked_bytes = table.unsorted_bytes;
  std::size_t suppressed_blocks = 0;
  std::size_t reported_sites = 0;
  for (LeakSite& site : table.sites) {
    if (!site.used) continue;
    site.suppressed = osp::debug::leak_suppressed(
        site.file, site.file == nullptr ? site.origin : osp::trace::kNoStack);
    if (site.suppressed) {
      suppressed_blocks += site.blocks;
      continue;
    }
    leaked_blocks += site.blocks;
    leaked_bytes += site.bytes;
    ++reported_sites;
  }

  int fd = osp::debug::report_fd();
  ReportWriter writer(fd);
  bool verbose = verbose_ || osp::debug::options().verbosity >= 2;
  if (leaked_blocks == 0) {
    writer.process_prefix().text("osp: no leaks (").decimal(suppressed_blocks)
        .text(" suppressed blocks)\n");
  } else {
    writer.process_prefix().text("ERROR: osp: detected memory leaks: ").decimal(leaked_bytes)
        .text(" bytes in ").decimal(leaked_blocks).text(" blocks from ").decimal(reported_sites)
        .text(" allocation sites\n");
    std::size_t printed = 0;
    while (LeakSite* site = largest_unprinted_site(table)) {
      site->printed = true;
      if (!verbose && printed == kMaxSitesPrinted) {
        writer.text("  ... ").decimal(reported_sites - printed)
            .text(" smaller sites not shown (verbose lists all)\n");
        break;
      }
      print_site(writer, fd, *site, verbose);
      ++printed;
    }
    if (table.unsorted_blocks != 0) {
      writer.text("  ").decimal(table.unsorted_bytes).text(" bytes in ").decimal(table.unsorted_blocks)
          .text(" blocks from further sites (site table full)\n");
    }
    writer.text("SUMMARY: osp: ").decimal(leaked_bytes).text(" bytes leaked in ")
        .decimal(leaked_blocks).text(" allocations");
    if (suppressed_blocks != 0) writer.text(" (").decimal(suppressed_blocks).text(" suppressed)");
    writer.text(".\n");
  }
  writer.flush();
  g_reporter_lock.unlock();
  return leaked_blocks;
}

bool SafeMemoryLeakReporter::write_snapshot(const char*) noexcept {
  ReportWriter(2).text("osp: JSON snapshots are not available yet\n");
  return false;
}
