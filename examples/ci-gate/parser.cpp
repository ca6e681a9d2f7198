// Sample test program run under LD_PRELOAD: its leak comes from malloc, not from osp's API.
#include <cstdio>
#include <cstdlib>
#include <cstring>

__attribute__((noinline)) char* duplicate_token(const char* token) {
    char* copy = static_cast<char*>(std::malloc(std::strlen(token) + 1));
    std::strcpy(copy, token);
    return copy;
}

int main() {
    char* kept = duplicate_token("kept");
    duplicate_token("dropped");  // known leak, in the baseline
    std::printf("parser: %s\n", kept);
    std::free(kept);
    return 0;
}
