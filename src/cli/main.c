/* placeholder: replaced by the CLI */
#include "config.h"
int main(void) { return 0; }
