/* A program with its own SIGSEGV handler, installed after start (as a JVM or an
   interpreter does): its own faults reach its handler as without osp. With an argument,
   it reads past a block first: in guard_pages=all that fault also reaches the program's
   handler, which replaced osp's (documented). */
#include <setjmp.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

static sigjmp_buf recovery;

static void on_segv(int signal_number) {
  (void)signal_number;
  siglongjmp(recovery, 1);
}

int main(int argc, char** argv) {
  (void)argv;
  struct sigaction action;
  memset(&action, 0, sizeof action);
  action.sa_handler = on_segv;
  sigaction(SIGSEGV, &action, NULL);
  int caught = 0;
  if (sigsetjmp(recovery, 1) == 0) {
    if (argc > 1) {
      char* bytes = malloc(32);
      volatile char past = bytes[32];
      (void)past;
    } else {
      volatile int* nothing = NULL;
      (void)*nothing;
    }
  } else {
    caught = 1;
  }
  printf("handler caught=%d\n", caught);
  return caught ? 0 : 1;
}
