// The debug runtime's error log as a vector, for tests that provoke errors with
// halt_on_error=0 and inspect what was recorded.
#pragma once

#include <vector>

#include "debug/error_log.hpp"

namespace osp::debug {

inline std::vector<ErrorRecord> logged_errors() {
  std::vector<ErrorRecord> found;
  // The visitor receives copies made outside the log's lock, so it may allocate.
  for_each_error([](const ErrorRecord& record, void* out) {
    static_cast<std::vector<ErrorRecord>*>(out)->push_back(record);
  }, &found);
  return found;
}

}  // namespace osp::debug
