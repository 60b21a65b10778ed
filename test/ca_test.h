/*
** ca_test.h: the CUnit boilerplate every test binary shares.
** MIT licence, see COPYING.
**
** A test file lists its tests in a CA_TEST table and ends with
** CA_TEST_MAIN("area", table). The binary exits 1 if any assertion
** failed (CUnit's own return value does not say so), 99 on a framework
** error, so automake's harness sees a failure as a failure.
*/
#ifndef CA_TEST_H
#define CA_TEST_H

#include <stdio.h>

#include <CUnit/CUnit.h>

typedef struct ca_test {
    const char *name;
    void (*fn)(void);
} ca_test;

int ca_test_run(const char *suite, const ca_test *tests);

#define CA_TEST_MAIN(suite, tests)                                           \
    int main(void) { return ca_test_run((suite), (tests)); }

/* Assertions that print both values when they fail. */
#define CA_ASSERT_EQ(a, b)                                                   \
    ca_test_eq((long long)(a), (long long)(b), #a, #b, __FILE__, __LINE__)
#define CA_ASSERT_RC(call, want)                                             \
    ca_test_rc((call), (want), #call, __FILE__, __LINE__)

void ca_test_eq(long long a, long long b, const char *sa, const char *sb,
                const char *file, int line);
void ca_test_rc(int got, int want, const char *expr, const char *file,
                int line);

#endif /* CA_TEST_H */
