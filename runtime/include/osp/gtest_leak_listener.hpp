// A GoogleTest event listener that fails every test that leaks (libospdebug):
//
//   ::testing::UnitTest::GetInstance()->listeners().Append(new osp::GtestLeakListener);
//
// At the start of each test it takes a LeakCheckpoint; when the test has finished (after
// TearDown, before the result is printed) it scans and adds a failure naming each site of
// the blocks the test allocated that nothing reaches any more. Allocations of the test
// framework are not blamed: they stay reachable from its globals, and blocks allocated
// after the test body (while results are recorded) are outside the checked window.
//
// To print the failure as part of the test's own result, the listener takes over the
// default result printer and forwards every event to it.
#pragma once

#include <gtest/gtest.h>

#include <sstream>

#include "osp/leak_checkpoint.hpp"

namespace osp {

class GtestLeakListener : public ::testing::TestEventListener {
 public:
  GtestLeakListener() {
    ::testing::TestEventListeners& listeners = ::testing::UnitTest::GetInstance()->listeners();
    printer_ = listeners.Release(listeners.default_result_printer());
  }
  ~GtestLeakListener() override { delete printer_; }
  GtestLeakListener(const GtestLeakListener&) = delete;
  GtestLeakListener& operator=(const GtestLeakListener&) = delete;

  void OnTestStart(const ::testing::TestInfo& test) override {
    forward([&](auto* printer) { printer->OnTestStart(test); });
    checkpoint_.reset();
  }

  void OnTestEnd(const ::testing::TestInfo& test) override {
    const std::uint64_t end = osp_allocation_sequence();
    const std::vector<LeakSiteSummary> leaks = checkpoint_.leaks_until(end);
    if (!leaks.empty()) {
      std::ostringstream message;
      std::uint64_t bytes = 0;
      std::uint64_t blocks = 0;
      for (const LeakSiteSummary& site : leaks) {
        bytes += site.bytes;
        blocks += site.blocks;
      }
      message << "osp: this test leaked " << bytes << " byte(s) in " << blocks
              << " allocation(s):";
      for (const LeakSiteSummary& site : leaks) {
        message << "\n  " << site.kind << " leak: " << site.bytes << " byte(s) in " << site.blocks
                << " block(s) allocated at " << site.location;
      }
      ADD_FAILURE() << message.str();
    }
    forward([&](auto* printer) { printer->OnTestEnd(test); });
  }

  void OnTestProgramStart(const ::testing::UnitTest& unit) override {
    forward([&](auto* printer) { printer->OnTestProgramStart(unit); });
  }
  void OnTestIterationStart(const ::testing::UnitTest& unit, int iteration) override {
    forward([&](auto* printer) { printer->OnTestIterationStart(unit, iteration); });
  }
  void OnEnvironmentsSetUpStart(const ::testing::UnitTest& unit) override {
    forward([&](auto* printer) { printer->OnEnvironmentsSetUpStart(unit); });
  }
  void OnEnvironmentsSetUpEnd(const ::testing::UnitTest& unit) override {
    forward([&](auto* printer) { printer->OnEnvironmentsSetUpEnd(unit); });
  }
  void OnTestSuiteStart(const ::testing::TestSuite& suite) override {
    forward([&](auto* printer) { printer->OnTestSuiteStart(suite); });
  }
  void OnTestDisabled(const ::testing::TestInfo& test) override {
    forward([&](auto* printer) { printer->OnTestDisabled(test); });
  }
  void OnTestPartResult(const ::testing::TestPartResult& result) override {
    forward([&](auto* printer) { printer->OnTestPartResult(result); });
  }
  void OnTestSuiteEnd(const ::testing::TestSuite& suite) override {
    forward([&](auto* printer) { printer->OnTestSuiteEnd(suite); });
  }
  void OnEnvironmentsTearDownStart(const ::testing::UnitTest& unit) override {
    forward([&](auto* printer) { printer->OnEnvironmentsTearDownStart(unit); });
  }
  void OnEnvironmentsTearDownEnd(const ::testing::UnitTest& unit) override {
    forward([&](auto* printer) { printer->OnEnvironmentsTearDownEnd(unit); });
  }
  void OnTestIterationEnd(const ::testing::UnitTest& unit, int iteration) override {
    forward([&](auto* printer) { printer->OnTestIterationEnd(unit, iteration); });
  }
  void OnTestProgramEnd(const ::testing::UnitTest& unit) override {
    forward([&](auto* printer) { printer->OnTestProgramEnd(unit); });
  }

 private:
  template <typename Call>
  void forward(Call&& call) {
    if (printer_ != nullptr) call(printer_);
  }

  ::testing::TestEventListener* printer_ = nullptr;
  LeakCheckpoint checkpoint_;
};

}  // namespace osp
