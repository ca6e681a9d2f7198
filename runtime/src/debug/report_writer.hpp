// Reports are written with the OS layer's RawWriter (fixed buffer, raw system calls, no
// allocation); the debug layer calls it ReportWriter.
#pragma once

#include "os/raw_writer.hpp"

namespace osp::debug {

using ReportWriter = os::RawWriter;

}  // namespace osp::debug
