// The next version of shop_v1.cpp (see there): Session::open no longer leaks,
// grow_log_buffer leaks more rounds, WorkerPool::spawn leaks a new block, and the worker
// pool code above Cache::insert moves that unchanged leak further down the file.
#include <cstdio>
#include <cstdlib>
#include <cstring>
#include <string>

namespace shop {

struct Worker {
    unsigned id;
    char stack_name[60];
};

// New in this version: leaks the worker it starts.
__attribute__((noinline)) unsigned spawn_worker(unsigned id) {
    auto* worker = new Worker{};
    worker->id = id;
    return worker->id;
}

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

// Fixed: the session is closed again.
__attribute__((noinline)) long open_session(long user_id) {
    auto* session = new Session{};
    session->user_id = user_id;
    long id = session->user_id;
    delete session;
    return id;
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
    for (int round = 0; round < 5; ++round) logged += shop::grow_log_buffer(256);
    unsigned worker = shop::spawn_worker(1);
    shop::registry = new int[32]();
    std::printf("shop v2: %d cents, session %ld, %zu log bytes, worker %u\n", cache.last_price_cents, sessions,
                logged, worker);
    return 0;
}
