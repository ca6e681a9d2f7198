// A program the symbolization test points a snapshot at: its functions have known names,
// and it is built with debug info and a build id, like a program run with symbolize=0.
// Linked with -rdynamic, so its global functions and data are in .dynsym, as in a program
// that exports symbols; local_step (static, after an exported function) is not.
#include <cstdio>
#include <cstdlib>

namespace fixture {

__attribute__((noinline)) void* make_leaky_buffer(std::size_t bytes) { return std::malloc(bytes); }

}  // namespace fixture

__attribute__((noinline)) static void* local_step(std::size_t bytes) { return fixture::make_leaky_buffer(bytes + 1); }

int fixture_table[256] = {1};

int main() {
    void* buffer = local_step(64);
    std::printf("%p %d\n", buffer, fixture_table[0]);
    return 0;
}
