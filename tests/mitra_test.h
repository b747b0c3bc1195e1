/*  mitra_test -- the small assertion kit every test executable uses.

    A failed check prints file:line and the expression, and the test goes on
    so that one run shows every failure; the exit code is the verdict.
*/
#ifndef MITRA_TEST_H
#define MITRA_TEST_H

#include <stdio.h>
#include <string.h>

static int s_test_failures = 0;
static int s_test_checks = 0;

#define CHECK(expr)                                                          \
    do {                                                                     \
        s_test_checks++;                                                     \
        if (!(expr)) {                                                       \
            s_test_failures++;                                               \
            fprintf (stderr, "%s:%d: CHECK failed: %s\n", __FILE__, __LINE__, #expr); \
        }                                                                    \
    } while (0)

#define CHECK_STR(actual, expected)                                          \
    do {                                                                     \
        const char *a_ = (actual), *e_ = (expected);                         \
        s_test_checks++;                                                     \
        if (!a_ || !e_ || strcmp (a_, e_) != 0) {                            \
            s_test_failures++;                                               \
            fprintf (stderr, "%s:%d: CHECK_STR failed: %s\n  got:      %s\n  expected: %s\n", \
                     __FILE__, __LINE__, #actual, a_ ? a_ : "(null)", e_ ? e_ : "(null)"); \
        }                                                                    \
    } while (0)

#define CHECK_INT(actual, expected)                                          \
    do {                                                                     \
        long long a_ = (long long) (actual), e_ = (long long) (expected);    \
        s_test_checks++;                                                     \
        if (a_ != e_) {                                                      \
            s_test_failures++;                                               \
            fprintf (stderr, "%s:%d: CHECK_INT failed: %s: got %lld, expected %lld\n", \
                     __FILE__, __LINE__, #actual, a_, e_);                   \
        }                                                                    \
    } while (0)

//  Call at the end of main: prints the tally, returns the exit code.
#define TEST_DONE()                                                          \
    (fprintf (stderr, "%d checks, %d failed\n", s_test_checks, s_test_failures), \
     s_test_failures ? 1 : (s_test_checks ? 0 : 1))

#endif
