// Wraps the program's main (by interposing __libc_start_main, which the executable calls
// through the dynamic linker) so the runtime can act once main is about to run: today, to
// register the handler that records the exit status for the exit snapshot (see
// report/process_info.hpp for why it cannot be registered earlier).
#include <dlfcn.h>

#include "report/process_info.hpp"

namespace {

using MainFunction = int (*)(int, char**, char**);
using StartFunction = int (*)(MainFunction, int, char**, void (*)(), void (*)(), void (*)(), void*);

MainFunction program_main = nullptr;

int wrapped_main(int argc, char** argv, char** environment) {
  osp::report::note_main_starting();
  return program_main(argc, argv, environment);
}

}  // namespace

extern "C" int __libc_start_main(MainFunction main, int argc, char** argv, void (*init)(), void (*fini)(),
                                 void (*rtld_fini)(), void* stack_end) {
  auto real_start = reinterpret_cast<StartFunction>(dlsym(RTLD_NEXT, "__libc_start_main"));
  program_main = main;
  return real_start(wrapped_main, argc, argv, init, fini, rtld_fini, stack_end);
}
