/* Parent and forked child each make one double free (run with halt_on_error=0 and a
   log_path): each report must land in the file of the process that made it. */
#include <stdio.h>
#include <stdlib.h>
#include <sys/wait.h>
#include <unistd.h>

static void free_twice(void) {
  char* block = malloc(16);
  free(block);
  free(block);
}

int main(void) {
  pid_t child = fork();
  if (child < 0) return 1;
  if (child == 0) {
    free_twice();
    _exit(0);
  }
  int status = 0;
  if (waitpid(child, &status, 0) != child || !WIFEXITED(status) || WEXITSTATUS(status) != 0) {
    return 2;
  }
  free_twice();
  printf("parent=%d child=%d\n", (int)getpid(), (int)child);
  return 0;
}
