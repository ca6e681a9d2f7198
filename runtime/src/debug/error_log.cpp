// Fixed-size error table (see error_log.hpp).
#include "debug/error_log.hpp"

#include "os/os_memory.hpp"

namespace osp::debug {
namespace {

constexpr std::size_t kErrorLogCapacity = 256;

os::SpinLock g_lock;
ErrorRecord g_records[kErrorLogCapacity];
std::size_t g_total_errors = 0;

}  // namespace

const char* error_kind_name(ErrorKind kind) noexcept {
  switch (kind) {
    case ErrorKind::DoubleFree: return "double-free";
    case ErrorKind::InvalidFree: return "bad-free";
    case ErrorKind::HeapBufferOverflow: return "heap-buffer-overflow";
    case ErrorKind::HeapBufferUnderflow: return "heap-buffer-underflow";
    case ErrorKind::UseAfterFree: return "heap-use-after-free";
    case ErrorKind::AllocDeallocMismatch: return "alloc-dealloc-mismatch";
    case ErrorKind::InvalidAlignment: return "invalid-allocation-alignment";
    case ErrorKind::CallocOverflow: return "calloc-overflow";
    case ErrorKind::ReallocArrayOverflow: return "reallocarray-overflow";
    case ErrorKind::AllocationSizeTooBig: return "allocation-size-too-big";
    case ErrorKind::UseAfterFreeAccess: return "heap-use-after-free";
    case ErrorKind::Segv: return "SEGV";
  }
  return "unknown-error";
}

void record_error(const ErrorRecord& record) noexcept {
  g_lock.lock();
  if (g_total_errors < kErrorLogCapacity) g_records[g_total_errors] = record;
  ++g_total_errors;
  g_lock.unlock();
}

void for_each_error(ErrorVisitor visit, void* context) noexcept {
  for (std::size_t index = 0;; ++index) {
    g_lock.lock();
    bool present = index < g_total_errors && index < kErrorLogCapacity;
    ErrorRecord copy;
    if (present) copy = g_records[index];
    g_lock.unlock();
    if (!present) return;
    visit(copy, context);
  }
}

std::size_t error_count() noexcept {
  g_lock.lock();
  std::size_t total = g_total_errors;
  g_lock.unlock();
  return total;
}

void lock_error_log() noexcept { g_lock.lock(); }
void unlock_error_log() noexcept { g_lock.unlock(); }

}  // namespace osp::debug
