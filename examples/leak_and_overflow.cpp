// The demo program: a session cache that leaks (a chain of blocks, so one definite leak
// holds indirect ones), a buffer written one byte past its end, and a block that is fine.
// Run under libospdebug it gets a heap-buffer-overflow report with the allocation stack and
// a JSON leak snapshot at exit; osp-leakview then reads the snapshot.
#include <cstdio>
#include <cstring>
#include <string>

#include "global_allocator_api.hpp"

namespace {

struct Session {
  Session* next;
  char name[48];
};

__attribute__((noinline)) Session* open_sessions(int count) {
  Session* head = nullptr;
  for (int i = 0; i < count; ++i) {
    auto* session = new Session{head, {}};
    std::snprintf(session->name, sizeof(session->name), "session-%d", i);
    head = session;
  }
  return head;
}

// Drops the only pointer to the chain: 1 definite leak holding 3 indirect ones.
__attribute__((noinline)) void forget_sessions() {
  Session* sessions = open_sessions(4);
  std::printf("opened sessions up to %s\n", sessions->name);
}

// Overwrites the stack below the caller so no stale copy of a pointer survives there; a
// conservative scan would count such a copy as a reference (as LeakSanitizer does).
__attribute__((noinline)) void scrub_stack() {
  volatile char scratch[8192];
  for (char& byte : const_cast<char(&)[8192]>(scratch)) byte = 0;
}

__attribute__((noinline)) void fill_label(char* label, const char* text) {
  std::strcpy(label, text);  // one byte too many: text needs its terminator
}

}  // namespace

int main() {
  forget_sessions();
  scrub_stack();

  char* label = static_cast<char*>(std::malloc(8));
  fill_label(label, "overflow");  // 8 characters + '\0' into 8 bytes
  std::free(label);

  void* configuration = ALLOCATE(256);  // leaked, reported with this file:line
  (void)configuration;

  std::string fine(100, 'x');
  std::printf("demo finished (%zu bytes of fine data)\n", fine.size());
  return 0;
}
