// The threads that were already running when the runtime started (the first options()
// call: the process's first allocation or the runtime's first constructor, whichever came
// first). A native process has none: every thread a program starts comes later, since
// pthread_create allocates. Under a user-mode emulator the emulator's own helper threads
// are there (qemu-user's RCU thread): they never run the program's code, hold none of its
// pointers and block every signal, so the leak scan's stop-the-world must not wait for
// them. A forked child takes the list again (qemu starts a new helper thread there).
#pragma once

#include <sys/types.h>

namespace osp::debug {

// Lists the threads of the process other than the caller (never allocates).
void remember_threads_at_start() noexcept;

// True for a thread of that list.
bool started_before_runtime(pid_t thread_id) noexcept;

}  // namespace osp::debug
