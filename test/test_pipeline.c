#include "ca_test.h"
static const ca_test tests[] = {{NULL, NULL}};
CA_TEST_MAIN("pipeline", tests)
