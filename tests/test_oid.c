/*
 * test_oid.c — SnmpStrToOid, SnmpOidToStr, SnmpOidCopy, SnmpOidCompare and
 * SnmpFreeDescriptor: return values, limits, error codes and descriptor
 * ownership.
 */
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "winsnmp.h"
#include "test.h"

static smiUINT32 outstanding_descriptors(void)
{
    WsnmpStats st;
    memset(&st, 0xff, sizeof st);
    if (WsnmpGetStats(0, &st) != SNMPAPI_SUCCESS)
        return 0xFFFFFFFFu;
    return st.descriptors;
}

/* "n.n.n..." with `count` components, each `value`. */
static char *repeat_oid(int count, const char *value, int leading_dot)
{
    size_t vlen = strlen(value);
    char *s = malloc((size_t)count * (vlen + 1) + 2);
    char *p = s;
    int i;
    if (!s)
        return NULL;
    if (leading_dot)
        *p++ = '.';
    for (i = 0; i < count; i++) {
        if (i)
            *p++ = '.';
        memcpy(p, value, vlen);
        p += vlen;
    }
    *p = '\0';
    return s;
}

static void test_str_to_oid(void)
{
    smiOID oid = {0, NULL};
    smiUINT32 base;
    char *s;
    int i, ok;

    TEST_SECTION("SnmpStrToOid");
    base = outstanding_descriptors();
    CHECK_EQ_INT(base, 0);

    CHECK_RET(SnmpStrToOid("1.3.6.1.2.1.1.1.0", &oid), 9);
    CHECK_EQ_INT(oid.len, 9);
    CHECK(oid.ptr != NULL);
    if (oid.ptr && oid.len == 9) {
        static const smiUINT32 want[] = {1, 3, 6, 1, 2, 1, 1, 1, 0};
        CHECK_MEM_EQ(oid.ptr, want, sizeof want);
    }
    CHECK_EQ_INT(outstanding_descriptors(), base + 1);
    CHECK_OK(SnmpFreeDescriptor(SNMP_SYNTAX_OID, (smiLPOPAQUE)&oid));
    CHECK(oid.ptr == NULL);
    CHECK_EQ_INT(oid.len, 0);
    CHECK_EQ_INT(outstanding_descriptors(), base);

    /* One leading dot is allowed. */
    CHECK_RET(SnmpStrToOid(".1.3.6", &oid), 3);
    CHECK_EQ_INT(oid.len, 3);
    if (oid.ptr && oid.len == 3)
        CHECK(oid.ptr[0] == 1 && oid.ptr[1] == 3 && oid.ptr[2] == 6);
    CHECK_OK(SnmpFreeDescriptor(SNMP_SYNTAX_OID, (smiLPOPAQUE)&oid));

    /* Two components is the minimum; 0 and the 32-bit maximum are fine. */
    CHECK_RET(SnmpStrToOid("0.0", &oid), 2);
    CHECK_OK(SnmpFreeDescriptor(SNMP_SYNTAX_OID, (smiLPOPAQUE)&oid));
    CHECK_RET(SnmpStrToOid("1.4294967295", &oid), 2);
    if (oid.ptr && oid.len == 2)
        CHECK_EQ_INT(oid.ptr[1], 4294967295u);
    CHECK_OK(SnmpFreeDescriptor(SNMP_SYNTAX_OID, (smiLPOPAQUE)&oid));

    /* The output descriptor is written, never read. */
    oid.len = 12345;
    oid.ptr = (smiLPUINT32)(uintptr_t)0x10;
    CHECK_RET(SnmpStrToOid("1.3", &oid), 2);
    CHECK_OK(SnmpFreeDescriptor(SNMP_SYNTAX_OID, (smiLPOPAQUE)&oid));

    /* 128 components of the widest value: strlen exactly 1407. */
    s = repeat_oid(128, "4294967295", 0);
    CHECK(s != NULL && strlen(s) == 1407);
    CHECK_RET(SnmpStrToOid(s, &oid), 128);
    ok = oid.ptr != NULL && oid.len == 128;
    for (i = 0; ok && i < 128; i++)
        ok = oid.ptr[i] == 4294967295u;
    CHECK(ok);
    CHECK_OK(SnmpFreeDescriptor(SNMP_SYNTAX_OID, (smiLPOPAQUE)&oid));
    free(s);

    /* The same with a leading dot is 1408 characters: too long. */
    s = repeat_oid(128, "4294967295", 1);
    CHECK(s != NULL && strlen(s) == 1408);
    CHECK_FAIL(SnmpStrToOid(s, &oid), SNMPAPI_OID_INVALID);
    free(s);

    /* 128 short components with a leading dot is fine. */
    s = repeat_oid(128, "1", 1);
    CHECK_RET(SnmpStrToOid(s, &oid), 128);
    CHECK_OK(SnmpFreeDescriptor(SNMP_SYNTAX_OID, (smiLPOPAQUE)&oid));
    free(s);

    /* 129 components is too many. */
    s = repeat_oid(129, "1", 0);
    CHECK_FAIL(SnmpStrToOid(s, &oid), SNMPAPI_OID_INVALID);
    free(s);

    {
        static const char *const bad[] = {
            "1.3.x",  "1..3",         "1.3.",         "",
            "1",      "4294967296.1", "1.4294967296", "1.99999999999999999999",
            ".",      "..1.3",        ".1",           "1.3 ",
            " 1.3",   "-1.3",         "1.-3",         "+1.3",
            "1.3.6a", "1,3",          "1.3\n",        "a.b",
            "0x1.3",  "1. 3",         "iso.3.6",
        };
        size_t k;
        for (k = 0; k < sizeof bad / sizeof bad[0]; k++) {
            oid.len = 0;
            oid.ptr = NULL;
            if (SnmpStrToOid(bad[k], &oid) != 0 || SnmpGetLastError(0) != SNMPAPI_OID_INVALID) {
                test_fail_(__FILE__, __LINE__,
                           "SnmpStrToOid(\"%s\") should fail with OID_INVALID (got error %u)",
                           bad[k], (unsigned)SnmpGetLastError(0));
                if (oid.ptr)
                    SnmpFreeDescriptor(SNMP_SYNTAX_OID, (smiLPOPAQUE)&oid);
            } else
                test_passed_++;
        }
    }
    /* Failures allocate nothing. */
    CHECK_EQ_INT(outstanding_descriptors(), base);

    /* Bad pointers. */
    CHECK_FAIL(SnmpStrToOid(NULL, &oid), SNMPAPI_ALLOC_ERROR);
    CHECK_FAIL(SnmpStrToOid("1.3.6", NULL), SNMPAPI_ALLOC_ERROR);
    CHECK_EQ_INT(outstanding_descriptors(), base);
}

static void test_oid_to_str(void)
{
    smiUINT32 ids[] = {1, 3, 6, 1};
    smiOID oid = {4, ids};
    smiUINT32 big_ids[] = {0, 4294967295u, 10};
    smiOID big = {3, big_ids};
    smiUINT32 many[MAXOBJIDSIZE + 1];
    smiOID long_oid = {MAXOBJIDSIZE + 1, many};
    smiOID empty = {0, NULL};
    char buf[MAXOBJIDSTRSIZE];
    char *s;
    smiOID back = {0, NULL};
    int i;

    TEST_SECTION("SnmpOidToStr");
    memset(buf, 'x', sizeof buf);
    CHECK_RET(SnmpOidToStr(&oid, sizeof buf, buf), 8); /* strlen("1.3.6.1") + 1 */
    CHECK_STR_EQ(buf, "1.3.6.1");

    /* An exactly sized buffer is enough; one byte less is not. */
    memset(buf, 'x', sizeof buf);
    CHECK_RET(SnmpOidToStr(&oid, 8, buf), 8);
    CHECK_STR_EQ(buf, "1.3.6.1");
    CHECK_FAIL(SnmpOidToStr(&oid, 7, buf), SNMPAPI_OUTPUT_TRUNCATED);
    CHECK_FAIL(SnmpOidToStr(&oid, 1, buf), SNMPAPI_OUTPUT_TRUNCATED);
    CHECK_FAIL(SnmpOidToStr(&oid, 0, buf), SNMPAPI_OUTPUT_TRUNCATED);

    CHECK_RET(SnmpOidToStr(&big, sizeof buf, buf), strlen("0.4294967295.10") + 1);
    CHECK_STR_EQ(buf, "0.4294967295.10");

    /* A zero-length OID is the empty string. */
    memset(buf, 'x', sizeof buf);
    CHECK_RET(SnmpOidToStr(&empty, sizeof buf, buf), 1);
    CHECK_EQ_INT(buf[0], '\0');

    /* More than 128 components is not an OID. */
    for (i = 0; i <= MAXOBJIDSIZE; i++)
        many[i] = (smiUINT32)i;
    CHECK_FAIL(SnmpOidToStr(&long_oid, sizeof buf, buf), SNMPAPI_OID_INVALID);

    CHECK_FAIL(SnmpOidToStr(&oid, sizeof buf, NULL), SNMPAPI_ALLOC_ERROR);
    CHECK_FAIL(SnmpOidToStr(NULL, sizeof buf, buf), SNMPAPI_ALLOC_ERROR);

    /* The longest OID fits a MAXOBJIDSTRSIZE buffer exactly, and round-trips. */
    s = repeat_oid(128, "4294967295", 0);
    CHECK_RET(SnmpStrToOid(s, &back), 128);
    memset(buf, 'x', sizeof buf);
    CHECK_RET(SnmpOidToStr(&back, sizeof buf, buf), MAXOBJIDSTRSIZE);
    CHECK_STR_EQ(buf, s);
    CHECK_FAIL(SnmpOidToStr(&back, MAXOBJIDSTRSIZE - 1, buf), SNMPAPI_OUTPUT_TRUNCATED);
    CHECK_OK(SnmpFreeDescriptor(SNMP_SYNTAX_OID, (smiLPOPAQUE)&back));
    free(s);

    /* A leading dot is not reproduced. */
    CHECK_RET(SnmpStrToOid(".1.3.6.1.4.1", &back), 6);
    CHECK_RET(SnmpOidToStr(&back, sizeof buf, buf), 12);
    CHECK_STR_EQ(buf, "1.3.6.1.4.1");
    CHECK_OK(SnmpFreeDescriptor(SNMP_SYNTAX_OID, (smiLPOPAQUE)&back));

    CHECK_EQ_INT(outstanding_descriptors(), 0);
}

static void test_oid_copy(void)
{
    smiUINT32 ids[] = {1, 3, 6, 1, 4, 1, 311};
    smiOID src = {7, ids};
    smiOID dst = {0, NULL};
    smiOID dst2 = {0, NULL};
    smiUINT32 many[MAXOBJIDSIZE + 1];
    smiOID long_oid = {MAXOBJIDSIZE + 1, many};
    smiOID max_oid = {MAXOBJIDSIZE, many};
    smiOID empty = {0, ids};
    smiUINT32 base = outstanding_descriptors();
    int i;

    TEST_SECTION("SnmpOidCopy");
    CHECK_RET(SnmpOidCopy(&src, &dst), 7);
    CHECK_EQ_INT(dst.len, 7);
    CHECK(dst.ptr != NULL && dst.ptr != ids);
    CHECK_MEM_EQ(dst.ptr, ids, sizeof ids);
    CHECK_EQ_INT(outstanding_descriptors(), base + 1);

    /* A deep copy: changing the source does not change it. */
    ids[6] = 9999;
    if (dst.ptr && dst.len == 7)
        CHECK_EQ_INT(dst.ptr[6], 311);
    ids[6] = 311;

    /* A copy of a library descriptor is a separate descriptor. */
    CHECK_RET(SnmpOidCopy(&dst, &dst2), 7);
    CHECK(dst2.ptr != dst.ptr);
    CHECK_EQ_INT(outstanding_descriptors(), base + 2);
    CHECK_OK(SnmpFreeDescriptor(SNMP_SYNTAX_OID, (smiLPOPAQUE)&dst));
    CHECK_MEM_EQ(dst2.ptr, ids, sizeof ids);
    CHECK_OK(SnmpFreeDescriptor(SNMP_SYNTAX_OID, (smiLPOPAQUE)&dst2));
    CHECK_EQ_INT(outstanding_descriptors(), base);

    for (i = 0; i <= MAXOBJIDSIZE; i++)
        many[i] = (smiUINT32)i * 7u;
    CHECK_RET(SnmpOidCopy(&max_oid, &dst), MAXOBJIDSIZE);
    CHECK_MEM_EQ(dst.ptr, many, MAXOBJIDSIZE * sizeof many[0]);
    CHECK_OK(SnmpFreeDescriptor(SNMP_SYNTAX_OID, (smiLPOPAQUE)&dst));

    CHECK_FAIL(SnmpOidCopy(&empty, &dst), SNMPAPI_OID_INVALID);
    CHECK_FAIL(SnmpOidCopy(&long_oid, &dst), SNMPAPI_OID_INVALID);
    CHECK_FAIL(SnmpOidCopy(NULL, &dst), SNMPAPI_ALLOC_ERROR);
    CHECK_FAIL(SnmpOidCopy(&src, NULL), SNMPAPI_ALLOC_ERROR);
    CHECK_EQ_INT(outstanding_descriptors(), base);
}

/* Compares and returns the sign of the result (or 99 on failure). */
static int cmp(const char *x, const char *y, smiUINT32 maxlen)
{
    smiOID a = {0, NULL}, b = {0, NULL};
    smiUINT32 none[1] = {0};
    smiINT r = 12345;
    int sign = 99;

    if (*x) {
        if (SnmpStrToOid(x, &a) == 0)
            return 98;
    } else
        a.ptr = none; /* "" is the zero-length OID */
    if (*y) {
        if (SnmpStrToOid(y, &b) == 0)
            return 97;
    } else
        b.ptr = none;
    if (SnmpOidCompare(&a, &b, maxlen, &r) == SNMPAPI_SUCCESS)
        sign = r < 0 ? -1 : r > 0 ? 1 : 0;
    if (*x)
        SnmpFreeDescriptor(SNMP_SYNTAX_OID, (smiLPOPAQUE)&a);
    if (*y)
        SnmpFreeDescriptor(SNMP_SYNTAX_OID, (smiLPOPAQUE)&b);
    return sign;
}

static void test_oid_compare(void)
{
    smiUINT32 ids[] = {1, 3, 6};
    smiOID oid = {3, ids};
    smiINT r = 0;

    TEST_SECTION("SnmpOidCompare");
    CHECK_EQ_INT(cmp("1.3.6.1", "1.3.6.1", 0), 0);
    CHECK_EQ_INT(cmp("1.3.6.1", "1.3.6.2", 0), -1);
    CHECK_EQ_INT(cmp("1.3.6.2", "1.3.6.1", 0), 1);
    CHECK_EQ_INT(cmp("1.3.6.2", "1.3.6.10", 0), -1);    /* numeric, not textual */
    CHECK_EQ_INT(cmp("1.3.4294967295", "1.3.1", 0), 1); /* unsigned */
    CHECK_EQ_INT(cmp("1.3.1", "1.3.4294967295", 0), -1);
    CHECK_EQ_INT(cmp("1.4", "1.3.6.1", 0), 1);

    /* A proper prefix sorts first. */
    CHECK_EQ_INT(cmp("1.3", "1.3.6", 0), -1);
    CHECK_EQ_INT(cmp("1.3.6", "1.3", 0), 1);
    CHECK_EQ_INT(cmp("1.3", "1.3.6", 5), -1);
    CHECK_EQ_INT(cmp("1.3.6", "1.3", 128), 1);

    /* maxlen n: equal when the first n agree. */
    CHECK_EQ_INT(cmp("1.3.6.1", "1.3.6.2", 3), 0);
    CHECK_EQ_INT(cmp("1.3.6.1", "1.3.6.2", 4), -1);
    CHECK_EQ_INT(cmp("1.3.6.2", "1.3.6.1", 4), 1);
    CHECK_EQ_INT(cmp("1.3", "1.3.6", 2), 0);
    CHECK_EQ_INT(cmp("1.3.6.1", "1.3.7", 2), 0);
    CHECK_EQ_INT(cmp("1.3.6.1", "1.3.7", 3), -1);
    CHECK_EQ_INT(cmp("1.3.6.1", "1.3.6.1", 128), 0);

    /* Zero-length OIDs are allowed. */
    CHECK_EQ_INT(cmp("", "", 0), 0);
    CHECK_EQ_INT(cmp("", "1.3", 0), -1);
    CHECK_EQ_INT(cmp("1.3", "", 0), 1);

    /* maxlen above 128 is a size error; pointers must be valid. */
    CHECK_OK(SnmpOidCompare(&oid, &oid, MAXOBJIDSIZE, &r));
    CHECK_EQ_INT(r, 0);
    CHECK_FAIL(SnmpOidCompare(&oid, &oid, MAXOBJIDSIZE + 1, &r), SNMPAPI_SIZE_INVALID);
    CHECK_FAIL(SnmpOidCompare(&oid, &oid, 0xFFFFFFFFu, &r), SNMPAPI_SIZE_INVALID);
    CHECK_FAIL(SnmpOidCompare(NULL, &oid, 0, &r), SNMPAPI_ALLOC_ERROR);
    CHECK_FAIL(SnmpOidCompare(&oid, NULL, 0, &r), SNMPAPI_ALLOC_ERROR);
    CHECK_FAIL(SnmpOidCompare(&oid, &oid, 0, NULL), SNMPAPI_ALLOC_ERROR);

    /* Caller-owned OIDs compare the same as library ones. */
    {
        smiUINT32 x_ids[] = {1, 3, 6, 1, 2};
        smiUINT32 y_ids[] = {1, 3, 6, 1, 3};
        smiOID x = {5, x_ids}, y = {5, y_ids};
        CHECK_OK(SnmpOidCompare(&x, &y, 0, &r));
        CHECK(r < 0);
        CHECK_OK(SnmpOidCompare(&y, &x, 0, &r));
        CHECK(r > 0);
        CHECK_OK(SnmpOidCompare(&x, &y, 4, &r));
        CHECK_EQ_INT(r, 0);
    }
    CHECK_EQ_INT(outstanding_descriptors(), 0);
}

static void test_free_descriptor(void)
{
    smiOID oid = {0, NULL}, copy;
    smiUINT32 mine[3] = {1, 3, 6};
    smiOID foreign = {3, mine};
    smiOCTETS foreign_octets = {3, (smiLPBYTE) "abc"};
    smiUINT32 base = outstanding_descriptors();
    static const smiUINT32 not_descriptors[] = {
        SNMP_SYNTAX_INT,
        SNMP_SYNTAX_NULL,
        SNMP_SYNTAX_CNTR32,
        SNMP_SYNTAX_GAUGE32,
        SNMP_SYNTAX_TIMETICKS,
        SNMP_SYNTAX_CNTR64,
        SNMP_SYNTAX_UINT32,
        SNMP_SYNTAX_NOSUCHOBJECT,
        SNMP_SYNTAX_NOSUCHINSTANCE,
        SNMP_SYNTAX_ENDOFMIBVIEW,
        SNMP_SYNTAX_SEQUENCE,
        0,
        0x99,
        0xFFFFFFFFu,
    };
    size_t i;
    void *heap;

    TEST_SECTION("SnmpFreeDescriptor");
    CHECK_RET(SnmpStrToOid("1.3.6.1.2", &oid), 5);
    CHECK_EQ_INT(outstanding_descriptors(), base + 1);

    /* Syntaxes without a descriptor are rejected, and free nothing. */
    for (i = 0; i < sizeof not_descriptors / sizeof not_descriptors[0]; i++)
        CHECK_FAIL(SnmpFreeDescriptor(not_descriptors[i], (smiLPOPAQUE)&oid),
                   SNMPAPI_SYNTAX_INVALID);
    /* An OID descriptor is not an octet string. */
    CHECK_FAIL(SnmpFreeDescriptor(SNMP_SYNTAX_OCTETS, (smiLPOPAQUE)&oid), SNMPAPI_SYNTAX_INVALID);
    CHECK_FAIL(SnmpFreeDescriptor(SNMP_SYNTAX_IPADDR, (smiLPOPAQUE)&oid), SNMPAPI_SYNTAX_INVALID);
    CHECK_EQ_INT(oid.len, 5);
    CHECK(oid.ptr != NULL);
    CHECK_EQ_INT(outstanding_descriptors(), base + 1);

    /* The right syntax frees it, once. */
    copy = oid;
    CHECK_OK(SnmpFreeDescriptor(SNMP_SYNTAX_OID, (smiLPOPAQUE)&oid));
    CHECK(oid.ptr == NULL);
    CHECK_EQ_INT(oid.len, 0);
    CHECK_EQ_INT(outstanding_descriptors(), base);
    CHECK_FAIL(SnmpFreeDescriptor(SNMP_SYNTAX_OID, (smiLPOPAQUE)&copy), SNMPAPI_OPERATION_INVALID);
    CHECK_FAIL(SnmpFreeDescriptor(SNMP_SYNTAX_OID, (smiLPOPAQUE)&oid), SNMPAPI_OPERATION_INVALID);

    /* Memory the library did not allocate. */
    CHECK_FAIL(SnmpFreeDescriptor(SNMP_SYNTAX_OID, (smiLPOPAQUE)&foreign),
               SNMPAPI_OPERATION_INVALID);
    CHECK_EQ_INT(foreign.len, 3);
    CHECK(foreign.ptr == mine);
    CHECK_FAIL(SnmpFreeDescriptor(SNMP_SYNTAX_OCTETS, &foreign_octets), SNMPAPI_OPERATION_INVALID);
    heap = malloc(16);
    if (heap) {
        smiOCTETS h = {16, heap};
        CHECK_FAIL(SnmpFreeDescriptor(SNMP_SYNTAX_OPAQUE, &h), SNMPAPI_OPERATION_INVALID);
        free(heap);
    }
    /* A pointer into the middle of a library descriptor is not one either. */
    CHECK_RET(SnmpStrToOid("1.3.6.1.2", &oid), 5);
    if (oid.ptr) {
        smiOID mid = {4, oid.ptr + 1};
        CHECK_FAIL(SnmpFreeDescriptor(SNMP_SYNTAX_OID, (smiLPOPAQUE)&mid),
                   SNMPAPI_OPERATION_INVALID);
    }
    CHECK_OK(SnmpFreeDescriptor(SNMP_SYNTAX_OID, (smiLPOPAQUE)&oid));

    CHECK_FAIL(SnmpFreeDescriptor(SNMP_SYNTAX_OID, NULL), SNMPAPI_ALLOC_ERROR);

    /* Many descriptors: the count follows. */
    {
        smiOID many[50];
        for (i = 0; i < 50; i++)
            CHECK_RET(SnmpStrToOid("1.3.6.1.4.1.99999.1", &many[i]), 8);
        CHECK_EQ_INT(outstanding_descriptors(), base + 50);
        for (i = 0; i < 50; i += 2)
            CHECK_OK(SnmpFreeDescriptor(SNMP_SYNTAX_OID, (smiLPOPAQUE)&many[i]));
        CHECK_EQ_INT(outstanding_descriptors(), base + 25);
        for (i = 1; i < 50; i += 2)
            CHECK_OK(SnmpFreeDescriptor(SNMP_SYNTAX_OID, (smiLPOPAQUE)&many[i]));
        CHECK_EQ_INT(outstanding_descriptors(), base);
    }
}

static void test_cleanup_descriptors(void)
{
    smiOID oid = {0, NULL};

    TEST_SECTION("descriptors and cleanup");
    CHECK_RET(SnmpStrToOid("1.3.6.1", &oid), 4);
    CHECK_EQ_INT(outstanding_descriptors(), 1);
    /* SnmpCleanup frees everything, descriptors included. */
    CHECK_OK(SnmpCleanup());
    CHECK_OK(SnmpStartup(NULL, NULL, NULL, NULL, NULL));
    CHECK_EQ_INT(outstanding_descriptors(), 0);
    CHECK_FAIL(SnmpFreeDescriptor(SNMP_SYNTAX_OID, (smiLPOPAQUE)&oid), SNMPAPI_OPERATION_INVALID);
}

int main(void)
{
    CHECK_OK(SnmpStartup(NULL, NULL, NULL, NULL, NULL));
    test_str_to_oid();
    test_oid_to_str();
    test_oid_copy();
    test_oid_compare();
    test_free_descriptor();
    test_cleanup_descriptors();
    CHECK_OK(SnmpCleanup());
    return TEST_REPORT();
}
