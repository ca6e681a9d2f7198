// Impossible requests through operator new only, so the same program also runs preloaded
// into a build without osp: under allocator_may_return_null=0 (the default) each is
// reported; with halt_on_error=0 the call then fails the standard way (std::bad_alloc,
// nullptr from the nothrow forms). bad_arguments_test.py runs it with the other settings.
// expect-kind: allocation-size-too-big
// expect-kind: invalid-allocation-alignment
// options: halt_on_error=0
// expect-exit: 0
#include <cstdint>
#include <cstdio>
#include <new>

namespace {

constexpr int kFailingCalls = 4;  // the requests below that must fail

template <typename Allocate>
bool throws_bad_alloc(Allocate allocate) {
  try {
    allocate();
  } catch (const std::bad_alloc&) {
    return true;
  }
  return false;
}

}  // namespace

int main() {
  volatile std::size_t huge = SIZE_MAX / 2;
  if (!throws_bad_alloc([&] { delete[] new char[huge]; })) return 2;  // @error
  if (new (std::nothrow) char[huge] != nullptr) return 3;
  if (!throws_bad_alloc([] { ::operator delete(::operator new(64, std::align_val_t{48})); })) return 4;
  if (::operator new(64, std::align_val_t{std::size_t{1} << 40}, std::nothrow) != nullptr) return 5;
  std::printf("block=%p failing_calls=%d\n", static_cast<void*>(nullptr), kFailingCalls);
  return 0;
}
