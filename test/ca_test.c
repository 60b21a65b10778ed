/*
** ca_test.c: the shared CUnit runner. MIT licence, see COPYING.
*/
#include "ca_test.h"

#include <CUnit/Basic.h>

#include <coreasync.h>

void ca_test_eq(long long a, long long b, const char *sa, const char *sb,
                const char *file, int line)
{
    char msg[256];

    snprintf(msg, sizeof msg, "%s == %s (%lld != %lld)", sa, sb, a, b);
    CU_assertImplementation(a == b, (unsigned)line, msg, file, "", CU_FALSE);
}

void ca_test_rc(int got, int want, const char *expr, const char *file,
                int line)
{
    char msg[256];

    snprintf(msg, sizeof msg, "%s gave %s, wanted %s", expr,
             ca_err_name(got), ca_err_name(want));
    CU_assertImplementation(got == want, (unsigned)line, msg, file, "",
                            CU_FALSE);
}

int ca_test_run(const char *name, const ca_test *tests)
{
    CU_pSuite suite;
    unsigned failed_tests, failures, failed_suites, ran;

    if (CU_initialize_registry() != CUE_SUCCESS)
        return 99;
    if ((suite = CU_add_suite(name, NULL, NULL)) == NULL)
        goto framework_error;
    for (; tests->name != NULL; tests++)
        if (CU_add_test(suite, tests->name, tests->fn) == NULL)
            goto framework_error;
    CU_basic_set_mode(CU_BRM_VERBOSE);
    if (CU_basic_run_tests() != CUE_SUCCESS)
        goto framework_error;
    /* Read the counts now: CU_cleanup_registry() zeroes them. */
    ran = CU_get_number_of_tests_run();
    failed_tests = CU_get_number_of_tests_failed();
    failures = CU_get_number_of_failures();
    failed_suites = CU_get_number_of_suites_failed();
    CU_cleanup_registry();
    /* One line for .ci/run to add up across binaries. */
    printf("\n# ca_test %s: %u passed, %u failed\n", name,
           ran - failed_tests, failed_tests);
    return (failed_tests || failures || failed_suites) ? 1 : 0;

framework_error:
    fprintf(stderr, "CUnit: %s\n", CU_get_error_msg());
    CU_cleanup_registry();
    return 99;
}
