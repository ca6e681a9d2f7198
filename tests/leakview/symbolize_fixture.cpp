// A program the symbolization test points a snapshot at: its functions have known names,
// and it is built with debug info and a build id, like a program run with symbolize=0.
#include <cstdio>
#include <cstdlib>

namespace fixture {

__attribute__((noinline)) void* make_leaky_buffer(std::size_t bytes) { return std::malloc(bytes); }

}  // namespace fixture

int main() {
    void* buffer = fixture::make_leaky_buffer(64);
    std::printf("%p\n", buffer);
    return 0;
}
