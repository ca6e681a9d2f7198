// Sample test program: a known leak (a registry never freed, recorded in the baseline)
// and, built with SAMPLE_NEW_LEAK, a new one the gate must catch.
#include <cstdio>
#include <cstring>

struct Item {
    char name[48];
    int count;
};

Item** registry = nullptr;

// Known leak: the registry's items are dropped without delete when it is reset.
__attribute__((noinline)) void load_registry() {
    registry = new Item*[4];
    for (int index = 0; index < 4; ++index) {
        registry[index] = new Item{};
        std::snprintf(registry[index]->name, sizeof registry[index]->name, "item %d", index);
    }
    registry = nullptr;
}

#ifdef SAMPLE_NEW_LEAK
__attribute__((noinline)) char* format_report(int total) {
    char* text = new char[256];
    std::snprintf(text, 256, "total %d", total);
    return text;
}
#endif

int main() {
    load_registry();
    int total = 4;
#ifdef SAMPLE_NEW_LEAK
    std::puts(format_report(total));  // the new leak: the report is never freed
#endif
    std::printf("inventory: %d items\n", total);
    return 0;
}
