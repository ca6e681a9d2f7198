// Compiled with -O2 -fomit-frame-pointer (see CMakeLists.txt): RBP (x29 on AArch64) is an
// ordinary register here, and the middle function sets it to a fake frame record on purpose.
#include "omitted_frame_pointers.hpp"

namespace osp_trace_test {

std::uintptr_t g_data_not_code[4] = {1, 2, 3, 4};

__attribute__((noinline)) int without_frame_pointer_plain(MixedChainRecord& record) {
  record.return_into_middle = reinterpret_cast<std::uintptr_t>(__builtin_return_address(0));
  with_frame_pointer_inner(record);
  __asm__ __volatile__("" : : : "memory");
  return record.depth[0];
}

__attribute__((noinline)) int without_frame_pointer_middle(MixedChainRecord& record) {
  volatile std::uintptr_t fake_record[2] = {0, reinterpret_cast<std::uintptr_t>(&g_data_not_code[1])};
  record.fake_record = reinterpret_cast<std::uintptr_t>(fake_record);
#if defined(__x86_64__)
  // RBP is callee-saved: the compiler saves it (and says where in the CFI) and the
  // callees keep this value in their frame records.
  __asm__ __volatile__("mov %0, %%rbp" : : "r"(fake_record) : "rbp");
#elif defined(__aarch64__)
  // The same with x29, the frame-record register.
  __asm__ __volatile__("mov x29, %0" : : "r"(fake_record) : "x29");
#endif
  const int result = without_frame_pointer_plain(record);
  __asm__ __volatile__("" : : : "memory");
  return result + static_cast<int>(fake_record[0]);
}

}  // namespace osp_trace_test
