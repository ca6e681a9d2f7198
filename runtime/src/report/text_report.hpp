// The readable leak report, sanitizer style, written with raw writes: one paragraph per
// leaking site (kind, bytes, blocks, origin or allocation stack), largest first, then the
// one-line "SUMMARY: osp: N byte(s) leaked in M allocation(s)." that CI logs grep for.
#pragma once

#include "report/leak_scan.hpp"
#include "report/site_table.hpp"

namespace osp::report {

// `counted_kinds`: bit per LeakKind that counts as a leak (see counted_leak_kinds()).
void write_text_report(int fd, const LeakScan& scan, const SiteTable& sites, unsigned counted_kinds,
                       bool verbose) noexcept;
void write_incomplete_scan_warning(int fd, const LeakScan& scan) noexcept;

}  // namespace osp::report
