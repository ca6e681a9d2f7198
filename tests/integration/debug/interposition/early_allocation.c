/* Runs with the early_constructor library preloaded: allocation keeps working. */
#include <stdio.h>
#include <stdlib.h>

int main(void) {
  char* text = malloc(32);
  if (text == NULL) return 1;
  snprintf(text, 32, "main ran");
  puts(text);
  free(text);
  return 0;
}
