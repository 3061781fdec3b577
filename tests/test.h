/*
 * test.h — a tiny, dependency-free test framework for the winsnmp C tests.
 *
 * Every CHECK counts as one pass or one failure.  Failures are printed to
 * stderr as "file:line: [section] message" and the run goes on, so one
 * program reports every broken rule at once.  A test program ends with
 *
 *     return TEST_REPORT();
 *
 * which prints "N passed, N failed" as its last line and returns non-zero
 * when anything failed.
 *
 * Besides the generic CHECK / CHECK_EQ_INT / CHECK_STR_EQ there are helpers
 * for the WinSNMP convention "a return of 0 means failure; read the reason
 * with SnmpGetLastError":
 *
 *     CHECK_FAIL(expr, code)          expr returns 0 and the process-wide
 *                                     slot SnmpGetLastError(0) == code
 *     CHECK_FAIL_S(expr, sess, code)  the same, and the session's slot too
 */
#ifndef WSNMP_TEST_H
#define WSNMP_TEST_H

#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "winsnmp.h"

static int test_passed_ __attribute__((unused));
static int test_failed_ __attribute__((unused));
static const char *test_section_ __attribute__((unused)) = "";

/* Names the part of the program that is running; shown with each failure. */
#define TEST_SECTION(name) (test_section_ = (name))

static inline void test_fail_(const char *file, int line, const char *fmt, ...)
    __attribute__((format(printf, 3, 4)));
static inline void test_fail_(const char *file, int line, const char *fmt, ...)
{
    va_list ap;
    test_failed_++;
    fprintf(stderr, "%s:%d: [%s] ", file, line, test_section_);
    va_start(ap, fmt);
    vfprintf(stderr, fmt, ap);
    va_end(ap);
    fputc('\n', stderr);
    fflush(stderr);
}

static inline const char *test_errname_(unsigned long long code)
{
    const char *n = WsnmpErrorName((SNMPAPI_STATUS)code);
    return n ? n : "?";
}

/* Two OIDs have the same sub-identifiers (not a check: a plain test). */
static inline int oid_eq(const smiOID *a, const smiOID *b)
{
    return a->len == b->len &&
           (a->len == 0 ||
            (a->ptr && b->ptr && memcmp(a->ptr, b->ptr, a->len * sizeof *a->ptr) == 0));
}

/* A handle made from a number, for forged and stale-handle checks. */
#define FORGE(v) WSNMP_HANDLE_FROM_VALUE(v)

#define CHECK(cond)                                                                                \
    do {                                                                                           \
        if (cond)                                                                                  \
            test_passed_++;                                                                        \
        else                                                                                       \
            test_fail_(__FILE__, __LINE__, "CHECK(%s) failed", #cond);                             \
    } while (0)

#define CHECK_EQ_INT(a, b)                                                                         \
    do {                                                                                           \
        long long a_ = (long long)(a), b_ = (long long)(b);                                        \
        if (a_ == b_)                                                                              \
            test_passed_++;                                                                        \
        else                                                                                       \
            test_fail_(__FILE__, __LINE__, "%s == %s failed: %lld != %lld", #a, #b, a_, b_);       \
    } while (0)

#define CHECK_STR_EQ(a, b)                                                                         \
    do {                                                                                           \
        const char *a_ = (a), *b_ = (b);                                                           \
        if (a_ && b_ && strcmp(a_, b_) == 0)                                                       \
            test_passed_++;                                                                        \
        else                                                                                       \
            test_fail_(__FILE__, __LINE__, "%s == %s failed: \"%s\" != \"%s\"", #a, #b,            \
                       a_ ? a_ : "(null)", b_ ? b_ : "(null)");                                    \
    } while (0)

/* Compares len bytes; both pointers must be non-NULL unless len is 0. */
#define CHECK_MEM_EQ(a, b, len)                                                                    \
    do {                                                                                           \
        const void *a_ = (a), *b_ = (b);                                                           \
        size_t n_ = (size_t)(len);                                                                 \
        if (n_ == 0 || (a_ && b_ && memcmp(a_, b_, n_) == 0))                                      \
            test_passed_++;                                                                        \
        else                                                                                       \
            test_fail_(__FILE__, __LINE__, "memcmp(%s, %s, %zu) != 0", #a, #b, n_);                \
    } while (0)

/* The process-wide last error is `code`. */
#define CHECK_ERR(code)                                                                            \
    do {                                                                                           \
        unsigned long long e_ = SnmpGetLastError(0), c_ = (code);                                  \
        if (e_ == c_)                                                                              \
            test_passed_++;                                                                        \
        else                                                                                       \
            test_fail_(__FILE__, __LINE__, "SnmpGetLastError(0) is %llu %s, expected %s (%llu)",   \
                       e_, test_errname_(e_), #code, c_);                                          \
    } while (0)

/* Session `sess`'s last error is `code`. */
#define CHECK_ERR_S(sess, code)                                                                    \
    do {                                                                                           \
        unsigned long long e_ = SnmpGetLastError(sess), c_ = (code);                               \
        if (e_ == c_)                                                                              \
            test_passed_++;                                                                        \
        else                                                                                       \
            test_fail_(__FILE__, __LINE__, "SnmpGetLastError(%s) is %llu %s, expected %s (%llu)",  \
                       #sess, e_, test_errname_(e_), #code, c_);                                   \
    } while (0)

/* expr fails (returns 0) and the process-wide slot holds `code`. */
#define CHECK_FAIL(expr, code)                                                                     \
    do {                                                                                           \
        unsigned long long r_ = (unsigned long long)(expr);                                        \
        unsigned long long e_ = SnmpGetLastError(0), c_ = (code);                                  \
        if (r_ == 0 && e_ == c_)                                                                   \
            test_passed_++;                                                                        \
        else                                                                                       \
            test_fail_(__FILE__, __LINE__,                                                         \
                       "%s: expected failure %s (%llu), got return %llu and "                      \
                       "last error %llu %s",                                                       \
                       #expr, #code, c_, r_, e_, test_errname_(e_));                               \
    } while (0)

/* expr fails, and both the session slot and the process-wide slot hold code. */
#define CHECK_FAIL_S(expr, sess, code)                                                             \
    do {                                                                                           \
        unsigned long long r_ = (unsigned long long)(expr);                                        \
        unsigned long long e_ = SnmpGetLastError(0), c_ = (code);                                  \
        unsigned long long s_ = SnmpGetLastError(sess);                                            \
        if (r_ == 0 && e_ == c_ && s_ == c_)                                                       \
            test_passed_++;                                                                        \
        else                                                                                       \
            test_fail_(__FILE__, __LINE__,                                                         \
                       "%s: expected failure %s (%llu) in both slots, got "                        \
                       "return %llu, global %llu %s, session %llu %s",                             \
                       #expr, #code, c_, r_, e_, test_errname_(e_), s_, test_errname_(s_));        \
    } while (0)

/* expr returns exactly `want` (reporting the last error if it does not). */
#define CHECK_RET(expr, want)                                                                      \
    do {                                                                                           \
        unsigned long long r_ = (unsigned long long)(expr);                                        \
        unsigned long long w_ = (unsigned long long)(want);                                        \
        if (r_ == w_)                                                                              \
            test_passed_++;                                                                        \
        else {                                                                                     \
            unsigned long long e_ = SnmpGetLastError(0);                                           \
            test_fail_(__FILE__, __LINE__, "%s returned %llu, expected %llu (last error %llu %s)", \
                       #expr, r_, w_, e_, test_errname_(e_));                                      \
        }                                                                                          \
    } while (0)

/* A handle-returning call succeeded (non-zero); otherwise shows the error. */
#define CHECK_HANDLE(h)                                                                            \
    do {                                                                                           \
        unsigned long long h_ = (unsigned long long)(h);                                           \
        if (h_ != 0)                                                                               \
            test_passed_++;                                                                        \
        else {                                                                                     \
            unsigned long long e_ = SnmpGetLastError(0);                                           \
            test_fail_(__FILE__, __LINE__, "%s is 0 (last error %llu %s)", #h, e_,                 \
                       test_errname_(e_));                                                         \
        }                                                                                          \
    } while (0)

/* expr succeeds: returns SNMPAPI_SUCCESS. */
#define CHECK_OK(expr) CHECK_RET(expr, SNMPAPI_SUCCESS)

/* Prints the summary line; the value is main's exit status. */
#define TEST_REPORT()                                                                              \
    (fflush(stderr), printf("%d passed, %d failed\n", test_passed_, test_failed_), fflush(stdout), \
     test_failed_ ? 1 : 0)

#endif /* WSNMP_TEST_H */
