/* dlopen/dlclose a library many times; blocks cross the boundary both ways. */
#include <dlfcn.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

int main(int argc, char** argv) {
  if (argc < 2) return 1;
  for (int round = 0; round < 50; ++round) {
    void* library = dlopen(argv[1], RTLD_NOW | RTLD_LOCAL);
    if (library == NULL) {
      fprintf(stderr, "dlopen failed: %s\n", dlerror());
      return 2;
    }
    char* (*make_text)(void) = (char* (*)(void))dlsym(library, "library_make_text");
    void (*free_text)(char*) = (void (*)(char*))dlsym(library, "library_free_text");
    if (make_text == NULL || free_text == NULL) return 3;
    char* first = make_text();
    char* second = make_text();
    if (strcmp(first, "hello from a loaded library") != 0) return 4;
    free(first);       /* made in the library, freed here */
    free_text(second); /* and the other way round */
    dlclose(library);
  }
  puts("dlopen ok");
  return 0;
}
