// The readable leak report, sanitizer style, written with raw writes: one paragraph per
// leaking site (kind, bytes, blocks, origin or allocation stack), largest first, then the
// one-line "SUMMARY: osp: N byte(s) leaked in M allocation(s)." that CI logs grep for.
#pragma once

#include "report/leak_scan.hpp"
#include "report/site_table.hpp"

namespace osp::report {

// Where the report goes (debug::report_fd): called only when there is something to
// write, because a log_path file is created on first use and a clean run leaves none.
using ReportFdSource = int (*)() noexcept;

// `counted_kinds`: bit per LeakKind that counts as a leak (see counted_leak_kinds()).
void write_text_report(ReportFdSource report_fd, const LeakScan& scan, const SiteTable& sites,
                       unsigned counted_kinds, bool verbose) noexcept;
void write_incomplete_scan_warning(ReportFdSource report_fd, const LeakScan& scan) noexcept;

}  // namespace osp::report
