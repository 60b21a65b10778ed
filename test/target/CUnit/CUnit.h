/*
** CUnit/CUnit.h for the target: the part of CUnit's assertion API that
** test/test_*.c use, so that the same test sources run on a board, where
** CUnit itself does not (it needs a hosted C library and the heap).
** test/target/runner.c implements it. MIT licence, see COPYING.
*/
#ifndef CA_TARGET_CUNIT_H
#define CA_TARGET_CUNIT_H

#include <string.h>

typedef unsigned char CU_BOOL;
#define CU_TRUE 1
#define CU_FALSE 0

/* Records one assertion; a failed fatal one ends the test (longjmp). */
CU_BOOL CU_assertImplementation(CU_BOOL value, unsigned line,
                                const char *condition, const char *file,
                                const char *function, CU_BOOL fatal);

#define CU_ASSERT_IMPL_(value, text, fatal)                                  \
    ((void)CU_assertImplementation((CU_BOOL)((value) ? 1 : 0), __LINE__,     \
                                   (text), __FILE__, "", (fatal)))

#define CU_ASSERT(value) CU_ASSERT_IMPL_(value, #value, CU_FALSE)
#define CU_ASSERT_FATAL(value) CU_ASSERT_IMPL_(value, #value, CU_TRUE)
#define CU_ASSERT_TRUE(value) CU_ASSERT(value)
#define CU_ASSERT_FALSE(value) CU_ASSERT(!(value))
#define CU_ASSERT_EQUAL(a, b) CU_ASSERT_IMPL_((a) == (b), #a " == " #b, CU_FALSE)
#define CU_ASSERT_PTR_NULL(p)                                                \
    CU_ASSERT_IMPL_((const void *)(p) == NULL, #p " == NULL", CU_FALSE)
#define CU_ASSERT_PTR_NOT_NULL(p)                                            \
    CU_ASSERT_IMPL_((const void *)(p) != NULL, #p " != NULL", CU_FALSE)
#define CU_ASSERT_PTR_NOT_NULL_FATAL(p)                                      \
    CU_ASSERT_IMPL_((const void *)(p) != NULL, #p " != NULL", CU_TRUE)
#define CU_ASSERT_STRING_EQUAL(a, b)                                         \
    CU_ASSERT_IMPL_(strcmp((const char *)(a), (const char *)(b)) == 0,       \
                    "strcmp(" #a ", " #b ") == 0", CU_FALSE)
#define CU_FAIL(msg) CU_ASSERT_IMPL_(0, (msg), CU_FALSE)

#endif /* CA_TARGET_CUNIT_H */
