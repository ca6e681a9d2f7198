/* Small-object churn with random lifetimes over 20,000 slots (about 5 MB live): the
   common case of interpreters, parsers and object-heavy servers. */
#include "random_churn.h"

int main(int argc, char** argv) {
  return run_random_churn(argc, argv, "small_object_churn", 20000, 5e6);
}
