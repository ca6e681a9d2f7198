/* The same random-lifetime churn over 65,536 slots: about 17 MB live, several times
   the per-core L2 cache, so most blocks the program reads or the allocator reuses have
   left the near caches (where free-list layout and block placement decide the time). */
#include "random_churn.h"

int main(int argc, char** argv) {
  return run_random_churn(argc, argv, "working_set_churn", 65536, 5e6);
}
