// expect-kind: heap-buffer-underflow
// expect-exit: abort
// expect-function: make_record
#include <cstdio>

struct Record {
  long id;
  long payload[3];
};

__attribute__((noinline)) Record* make_record() {
  return new Record{};  // @alloc
}

int main() {
  Record* record = make_record();
  std::printf("block=%p\n", static_cast<void*>(record));
  std::fflush(stdout);
  reinterpret_cast<volatile char*>(record)[-1] = 1;
  delete record;  // @error
}
