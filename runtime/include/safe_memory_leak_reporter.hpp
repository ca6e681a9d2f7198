// SafeMemoryLeakReporter: reports the blocks still live at process exit (Automatic) or when
// asked (Manual). The exit report runs after static destructors that may still free
// memory and writes with raw system calls only.
#pragma once

#include <cstddef>

class SafeMemoryLeakReporter {
 public:
  enum Mode { Automatic, Manual };

  static SafeMemoryLeakReporter& get() noexcept;

  // Automatic: report at exit. Manual: report only through report_now()/write_snapshot().
  // `verbose` lists every block, otherwise a summary per site.
  void initialize(Mode mode, bool verbose = false) noexcept;
  Mode mode() const noexcept { return mode_; }
  bool verbose() const noexcept { return verbose_; }
  bool initialized() const noexcept { return initialized_; }

  // Writes the readable leak report to stderr now; returns the number of leaked blocks.
  std::size_t report_now() noexcept;
  // Writes a JSON snapshot to `path` (null: the report_path option) through a temporary
  // file and rename. Returns false (with a message on stderr) when it could not.
  bool write_snapshot(const char* path = nullptr) noexcept;

 private:
  SafeMemoryLeakReporter() = default;
  Mode mode_ = Manual;
  bool verbose_ = false;
  bool initialized_ = false;
};
