// Every function of the replaced allocation surface, used correctly: each must return
// usable memory with the promised alignment and size, and nothing may be reported.
#include <errno.h>
#include <malloc.h>
#include <stdlib.h>
#include <unistd.h>

#include <cstdint>
#include <cstdlib>
#include <cstdio>
#include <cstring>
#include <new>

namespace {

int g_failures = 0;

void expect(bool condition, const char* what) {
  if (!condition) {
    std::fprintf(stderr, "surface check failed: %s\n", what);
    ++g_failures;
  }
}

bool aligned(const void* block, std::size_t alignment) {
  return reinterpret_cast<std::uintptr_t>(block) % alignment == 0;
}

// malloc's alignment for a block of `bytes`: 16, or in osp's guard-page modes the C rule
// (the largest power of two dividing the size, 8 to 16), which lets the block end at the
// inaccessible page.
std::size_t malloc_alignment(std::size_t bytes) {
  const char* options = std::getenv("OSP_OPTIONS");
  if (options == nullptr || std::strstr(options, "guard_pages=") == nullptr ||
      std::strstr(options, "guard_pages=off") != nullptr) {
    return 16;
  }
  const std::size_t lowest_bit = bytes & (~bytes + 1);
  return lowest_bit < 8 ? 8 : lowest_bit > 16 ? 16 : lowest_bit;
}

struct alignas(256) OverAligned {
  char bytes[256];
};

void c_functions() {
  const std::size_t page = static_cast<std::size_t>(sysconf(_SC_PAGESIZE));
  char* block = static_cast<char*>(malloc(100));
  expect(block != nullptr && aligned(block, malloc_alignment(100)), "malloc");
  expect(malloc_usable_size(block) >= 100, "malloc_usable_size");
  std::memset(block, 7, 100);
  block = static_cast<char*>(realloc(block, 5000));
  expect(block != nullptr && block[99] == 7, "realloc keeps the contents");
  block = static_cast<char*>(reallocarray(block, 10, 30));
  expect(block != nullptr && block[0] == 7, "reallocarray");
  free(block);

  // Growing a buffer of MiBs step by step (in place where the allocator can), then
  // shrinking it: the contents stay, and the whole new size is writable.
  std::size_t bytes = std::size_t{3} << 19;
  auto* buffer = static_cast<unsigned char*>(malloc(bytes));
  for (std::size_t offset = 0; buffer != nullptr && offset < bytes; offset += 4096) {
    buffer[offset] = static_cast<unsigned char>(offset >> 12);
  }
  bool kept = buffer != nullptr;
  while (kept && bytes < (std::size_t{32} << 20)) {
    bytes += bytes / 2;
    buffer = static_cast<unsigned char*>(realloc(buffer, bytes));
    kept = buffer != nullptr && malloc_usable_size(buffer) >= bytes && buffer[4096 * 300] == 44;
    if (kept) buffer[bytes - 1] = 1;
  }
  expect(kept, "realloc grows a MiB buffer to 32 MiB keeping its contents");
  buffer = static_cast<unsigned char*>(realloc(buffer, std::size_t{5} << 20));
  expect(buffer != nullptr && buffer[4096 * 300] == 44 && buffer[4096 * 100] == 100,
         "realloc shrinks it keeping its contents");
  free(buffer);

  auto* zeroed = static_cast<unsigned char*>(calloc(300, 7));
  bool all_zero = zeroed != nullptr;
  for (int i = 0; all_zero && i < 2100; ++i) all_zero = zeroed[i] == 0;
  expect(all_zero, "calloc zeroes");
  free(zeroed);

  void* result = nullptr;
  expect(posix_memalign(&result, 4096, 10) == 0 && aligned(result, 4096), "posix_memalign");
  free(result);
  void* by_aligned_alloc = aligned_alloc(128, 256);
  expect(by_aligned_alloc != nullptr && aligned(by_aligned_alloc, 128), "aligned_alloc");
  free(by_aligned_alloc);
  void* by_memalign = memalign(64, 33);
  expect(by_memalign != nullptr && aligned(by_memalign, 64), "memalign");
  free(by_memalign);
  void* by_valloc = valloc(10);
  expect(by_valloc != nullptr && aligned(by_valloc, page), "valloc");
  free(by_valloc);
  void* by_pvalloc = pvalloc(10);
  expect(by_pvalloc != nullptr && aligned(by_pvalloc, page) &&
             malloc_usable_size(by_pvalloc) >= page,
         "pvalloc rounds up to a page");
  free(by_pvalloc);

  expect(realloc(nullptr, 10) != nullptr, "realloc(null) allocates");  // left live on purpose
  void* gone = malloc(10);
  expect(realloc(gone, 0) == nullptr, "realloc(p, 0) frees");
  free(nullptr);
  expect(malloc(0) != nullptr, "malloc(0) gives a unique pointer");
}

void cpp_operators() {
  int* one = new int(3);
  delete one;
  int* many = new int[10];
  delete[] many;
  int* sized = new int(4);
  ::operator delete(sized, sizeof(int));
  int* sized_array = new int[5];
  ::operator delete[](sized_array, sizeof(int) * 5);
  int* quiet = new (std::nothrow) int(5);
  expect(quiet != nullptr, "nothrow new");
  delete quiet;
  int* quiet_array = new (std::nothrow) int[5];
  delete[] quiet_array;

  auto* over = new OverAligned;
  expect(aligned(over, 256), "aligned new");
  delete over;
  auto* over_array = new OverAligned[3];
  expect(aligned(over_array, 256), "aligned new[]");
  delete[] over_array;
  void* raw = ::operator new(64, std::align_val_t{512});
  expect(aligned(raw, 512), "operator new(size, align)");
  ::operator delete(raw, 64, std::align_val_t{512});
  void* raw_array = ::operator new[](64, std::align_val_t{1024}, std::nothrow);
  expect(raw_array != nullptr && aligned(raw_array, 1024), "operator new[](size, align, nothrow)");
  ::operator delete[](raw_array, std::align_val_t{1024}, std::nothrow);
  void* zero = ::operator new(0);
  expect(zero != nullptr, "operator new(0)");
  ::operator delete(zero);
}

}  // namespace

int main() {
  c_functions();
  cpp_operators();
  if (g_failures == 0) std::puts("surface ok");
  return g_failures == 0 ? 0 : 1;
}
