// A small shop service that leaks, built with -lospdebug to produce real leak snapshots
// (tests/data/snapshots/real/shop_v1.json). shop_v2.cpp is the next version of this file:
// one leak fixed (Session::open), one grown (Logger::grow_buffer), one added
// (WorkerPool::spawn), and Cache::insert unchanged but moved further down the file.
#include <cstdio>
#include <cstdlib>
#include <cstring>
#include <string>

namespace shop {

struct Entry {
    char name[48];
    int price_cents;
};

struct Cache {
    // Leaks every entry: the cache forgets its entries without freeing them.
    __attribute__((noinline)) void insert(const char* name, int price_cents) {
        auto* entry = new Entry{};
        std::strncpy(entry->name, name, sizeof entry->name - 1);
        entry->price_cents = price_cents;
        last_price_cents = entry->price_cents;
    }
    int last_price_cents = 0;
};

struct Session {
    long user_id;
    char token[120];
};

// Leaks the session: nothing closes it.
__attribute__((noinline)) long open_session(long user_id) {
    auto* session = new Session{};
    session->user_id = user_id;
    return session->user_id;
}

// Leaks each buffer it grows.
__attribute__((noinline)) std::size_t grow_log_buffer(std::size_t bytes) {
    auto* buffer = static_cast<char*>(std::malloc(bytes));
    std::memset(buffer, 'x', bytes);
    return bytes;
}

// Still pointed to at exit: reachable, not a leak.
int* registry = nullptr;

}  // namespace shop

int main() {
    shop::Cache cache;
    const char* products[] = {"tea", "coffee", "cocoa"};
    for (const char* product : products) cache.insert(product, 250);
    long sessions = shop::open_session(7);
    std::size_t logged = 0;
    for (int round = 0; round < 2; ++round) logged += shop::grow_log_buffer(256);
    shop::registry = new int[32]();
    std::printf("shop v1: %d cents, session %ld, %zu log bytes\n", cache.last_price_cents, sessions, logged);
    return 0;
}
