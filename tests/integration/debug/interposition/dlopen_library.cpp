// Loaded and unloaded repeatedly by dlopen_program: allocates in its constructor and
// hands blocks across the library boundary.
#include <cstdlib>
#include <cstring>
#include <string>

namespace {
std::string* g_greeting = nullptr;
struct Setup {
  Setup() { g_greeting = new std::string("hello from a loaded library"); }
  ~Setup() { delete g_greeting; }
} g_setup;
}  // namespace

extern "C" char* library_make_text() { return strdup(g_greeting->c_str()); }
extern "C" void library_free_text(char* text) { std::free(text); }
