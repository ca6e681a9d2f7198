/* fork while other threads allocate, then allocate in the child and either exit (no
   exec) or exec a program; the parent checks the child's exit status. */
#include <pthread.h>
#include <stdatomic.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/wait.h>
#include <unistd.h>

static atomic_int stop_churning;

static void* churn(void* unused) {
  (void)unused;
  while (!atomic_load(&stop_churning)) {
    void* blocks[16];
    for (int i = 0; i < 16; ++i) blocks[i] = malloc(16 + i * 40);
    for (int i = 0; i < 16; ++i) free(blocks[i]);
  }
  return NULL;
}

static int run_child(int exec_program) {
  char* text = strdup("child allocation");
  if (text == NULL) return 3;
  free(text);
  if (exec_program) {
    execl("/bin/sh", "sh", "-c", "exit 0", (char*)NULL);
    return 4; /* exec failed */
  }
  return 0;
}

int main(int argc, char** argv) {
  int exec_program = argc > 1 && strcmp(argv[1], "exec") == 0;
  pthread_t threads[2];
  for (int i = 0; i < 2; ++i) pthread_create(&threads[i], NULL, churn, NULL);
  for (int round = 0; round < 20; ++round) {
    pid_t child = fork();
    if (child < 0) return 1;
    if (child == 0) _exit(run_child(exec_program));
    int status = 0;
    if (waitpid(child, &status, 0) != child || !WIFEXITED(status) || WEXITSTATUS(status) != 0) {
      fprintf(stderr, "child of round %d failed (status %d)\n", round, status);
      return 2;
    }
  }
  atomic_store(&stop_churning, 1);
  for (int i = 0; i < 2; ++i) pthread_join(threads[i], NULL);
  puts("fork ok");
  return 0;
}
