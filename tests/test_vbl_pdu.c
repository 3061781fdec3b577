/*
 * test_vbl_pdu.c — variable-binding lists (create, count, get, set, delete,
 * duplicate; every value syntax; descriptor ownership) and PDUs (defaults,
 * get/set data, VBL copies, GETBULK fields, duplicate).
 */
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "winsnmp.h"
#include "test.h"

static smiUINT32 name1_ids[] = {1, 3, 6, 1, 2, 1, 1, 1, 0};
static smiUINT32 name2_ids[] = {1, 3, 6, 1, 2, 1, 1, 3, 0};
static smiUINT32 name3_ids[] = {1, 3, 6, 1, 2, 1, 1, 5, 0};
static smiUINT32 name4_ids[] = {1, 3, 6, 1, 2, 1, 2, 2, 1, 2, 1};
static const smiOID name1 = {9, name1_ids};
static const smiOID name2 = {9, name2_ids};
static const smiOID name3 = {9, name3_ids};
static const smiOID name4 = {11, name4_ids};

static HSNMP_SESSION S;

static smiUINT32 outstanding_descriptors(void)
{
    WsnmpStats st;
    if (WsnmpGetStats(0, &st) != SNMPAPI_SUCCESS)
        return 0xFFFFFFFFu;
    return st.descriptors;
}

static smiUINT32 live_vbls(void)
{
    WsnmpStats st;
    if (WsnmpGetStats(0, &st) != SNMPAPI_SUCCESS)
        return 0xFFFFFFFFu;
    return st.vbls;
}

static int is_octets_family(smiUINT32 syntax)
{
    return syntax == SNMP_SYNTAX_OCTETS || syntax == SNMP_SYNTAX_BITS ||
           syntax == SNMP_SYNTAX_OPAQUE || syntax == SNMP_SYNTAX_IPADDR ||
           syntax == SNMP_SYNTAX_NSAPADDR;
}

/* Frees the library-owned parts of a SnmpGetVb result. */
static void free_vb(smiOID *name, smiVALUE *val)
{
    CHECK_OK(SnmpFreeDescriptor(SNMP_SYNTAX_OID, (smiLPOPAQUE)name));
    if (is_octets_family(val->syntax)) {
        if (val->value.string.ptr)
            CHECK_OK(SnmpFreeDescriptor(val->syntax, &val->value.string));
    } else if (val->syntax == SNMP_SYNTAX_OID) {
        CHECK_OK(SnmpFreeDescriptor(SNMP_SYNTAX_OID, (smiLPOPAQUE)&val->value.oid));
    }
}

static int value_eq(const smiVALUE *a, const smiVALUE *b)
{
    if (a->syntax != b->syntax)
        return 0;
    switch (a->syntax) {
    case SNMP_SYNTAX_INT:
        return a->value.sNumber == b->value.sNumber;
    case SNMP_SYNTAX_CNTR32:
    case SNMP_SYNTAX_GAUGE32:
    case SNMP_SYNTAX_TIMETICKS:
    case SNMP_SYNTAX_UINT32:
        return a->value.uNumber == b->value.uNumber;
    case SNMP_SYNTAX_CNTR64:
        return a->value.hNumber.hipart == b->value.hNumber.hipart &&
               a->value.hNumber.lopart == b->value.hNumber.lopart;
    case SNMP_SYNTAX_OCTETS:
    case SNMP_SYNTAX_BITS:
    case SNMP_SYNTAX_OPAQUE:
    case SNMP_SYNTAX_IPADDR:
    case SNMP_SYNTAX_NSAPADDR:
        return a->value.string.len == b->value.string.len &&
               (a->value.string.len == 0 ||
                (a->value.string.ptr && b->value.string.ptr &&
                 memcmp(a->value.string.ptr, b->value.string.ptr, a->value.string.len) == 0));
    case SNMP_SYNTAX_OID:
        return oid_eq(&a->value.oid, &b->value.oid);
    default: /* NULL and the exceptions carry no value */
        return 1;
    }
}

/* Entry `index` of `v` has this name and value. */
static int vb_is(HSNMP_VBL v, smiUINT32 index, const smiOID *name, const smiVALUE *want)
{
    smiOID n = {0, NULL};
    smiVALUE val;
    int ok;
    memset(&val, 0, sizeof val);
    if (SnmpGetVb(v, index, &n, &val) != SNMPAPI_SUCCESS)
        return 0;
    ok = oid_eq(&n, name) && value_eq(&val, want);
    free_vb(&n, &val);
    return ok;
}

static smiVALUE v_int(smiINT n)
{
    smiVALUE v;
    memset(&v, 0, sizeof v);
    v.syntax = SNMP_SYNTAX_INT;
    v.value.sNumber = n;
    return v;
}

static smiVALUE v_uint(smiUINT32 syntax, smiUINT32 n)
{
    smiVALUE v;
    memset(&v, 0, sizeof v);
    v.syntax = syntax;
    v.value.uNumber = n;
    return v;
}

static smiVALUE v_octets(smiUINT32 syntax, const void *p, smiUINT32 len)
{
    smiVALUE v;
    memset(&v, 0, sizeof v);
    v.syntax = syntax;
    v.value.string.len = len;
    v.value.string.ptr = (smiLPBYTE)(uintptr_t)p;
    return v;
}

static smiVALUE v_empty(smiUINT32 syntax)
{
    smiVALUE v;
    memset(&v, 0, sizeof v);
    v.syntax = syntax;
    return v;
}

static void test_create_count(void)
{
    HSNMP_VBL empty, one, two;
    smiVALUE null_val = v_empty(SNMP_SYNTAX_NULL);
    smiVALUE i42 = v_int(42);
    smiOID n = {0, NULL};
    smiVALUE val;

    TEST_SECTION("create and count");
    empty = SnmpCreateVbl(S, NULL, NULL);
    CHECK_HANDLE(empty);
    /* An empty list "fails" with NOOP: the count is the return value. */
    CHECK_FAIL_S(SnmpCountVbl(empty), S, SNMPAPI_NOOP);
    CHECK_EQ_INT(WsnmpHandleKind(empty), WSNMP_KIND_VBL);
    CHECK_FAIL_S(SnmpGetVb(empty, 1, &n, &val), S, SNMPAPI_INDEX_INVALID);
    CHECK_FAIL_S(SnmpDeleteVb(empty, 1), S, SNMPAPI_INDEX_INVALID);

    /* A name without a value is a NULL entry. */
    one = SnmpCreateVbl(S, &name1, NULL);
    CHECK_HANDLE(one);
    CHECK_RET(SnmpCountVbl(one), 1);
    CHECK(vb_is(one, 1, &name1, &null_val));

    two = SnmpCreateVbl(S, &name2, &i42);
    CHECK_HANDLE(two);
    CHECK_RET(SnmpCountVbl(two), 1);
    CHECK(vb_is(two, 1, &name2, &i42));

    /* The caller's name is copied. */
    {
        smiUINT32 ids[] = {1, 3, 6, 1, 4, 1, 8072};
        smiUINT32 orig[] = {1, 3, 6, 1, 4, 1, 8072};
        smiOID nm = {7, ids}, want = {7, orig};
        HSNMP_VBL v = SnmpCreateVbl(S, &nm, NULL);
        CHECK_HANDLE(v);
        ids[6] = 1;
        CHECK(vb_is(v, 1, &want, &null_val));
        CHECK_OK(SnmpFreeVbl(v));
    }

    /* Bad names and values. */
    {
        smiVALUE bad = v_empty(0x99);
        smiVALUE ip3 = v_octets(SNMP_SYNTAX_IPADDR, "\x7f\x00\x01", 3);
        CHECK_FAIL_S(SnmpCreateVbl(S, &name1, &bad), S, SNMPAPI_SYNTAX_INVALID);
        CHECK_FAIL_S(SnmpCreateVbl(S, &name1, &ip3), S, SNMPAPI_SYNTAX_INVALID);
    }

    CHECK_OK(SnmpFreeVbl(empty));
    CHECK_OK(SnmpFreeVbl(one));
    CHECK_OK(SnmpFreeVbl(two));
    CHECK_FAIL(SnmpCountVbl(one), SNMPAPI_VBL_INVALID);
    CHECK_EQ_INT(live_vbls(), 0);
    CHECK_EQ_INT(outstanding_descriptors(), 0);
}

static void test_set_get(void)
{
    HSNMP_VBL v;
    smiVALUE null_val = v_empty(SNMP_SYNTAX_NULL);
    smiVALUE a = v_int(-7), b = v_uint(SNMP_SYNTAX_GAUGE32, 99), c = v_int(INT32_MIN);
    smiOID n;
    smiVALUE val;

    TEST_SECTION("SnmpSetVb and SnmpGetVb");
    v = SnmpCreateVbl(S, NULL, NULL);
    CHECK_HANDLE(v);

    /* Index 0 appends and returns the new entry's index. */
    CHECK_RET(SnmpSetVb(v, 0, &name1, &a), 1);
    CHECK_RET(SnmpSetVb(v, 0, &name2, &b), 2);
    CHECK_RET(SnmpSetVb(v, 0, &name3, NULL), 3); /* a NULL value is SNMP_SYNTAX_NULL */
    CHECK_RET(SnmpCountVbl(v), 3);
    CHECK(vb_is(v, 1, &name1, &a));
    CHECK(vb_is(v, 2, &name2, &b));
    CHECK(vb_is(v, 3, &name3, &null_val));

    /* Index 1..n replaces and returns the index. */
    CHECK_RET(SnmpSetVb(v, 2, &name4, &c), 2);
    CHECK_RET(SnmpCountVbl(v), 3);
    CHECK(vb_is(v, 1, &name1, &a));
    CHECK(vb_is(v, 2, &name4, &c));
    CHECK(vb_is(v, 3, &name3, &null_val));
    CHECK_RET(SnmpSetVb(v, 3, &name3, &a), 3);
    CHECK(vb_is(v, 3, &name3, &a));

    /* Beyond the end is not an append. */
    CHECK_FAIL_S(SnmpSetVb(v, 4, &name1, &a), S, SNMPAPI_INDEX_INVALID);
    CHECK_FAIL_S(SnmpSetVb(v, 1000, &name1, &a), S, SNMPAPI_INDEX_INVALID);
    CHECK_FAIL_S(SnmpSetVb(v, 0, NULL, &a), S, SNMPAPI_OID_INVALID);
    CHECK_FAIL_S(SnmpSetVb(v, 1, NULL, &a), S, SNMPAPI_OID_INVALID);
    {
        smiVALUE bad = v_empty(0x99);
        smiVALUE seq = v_empty(SNMP_SYNTAX_SEQUENCE);
        smiVALUE ip3 = v_octets(SNMP_SYNTAX_IPADDR, "\x0a\x00\x01", 3);
        smiVALUE ip5 = v_octets(SNMP_SYNTAX_IPADDR, "\x0a\x00\x00\x01\x02", 5);
        smiVALUE ip0 = v_octets(SNMP_SYNTAX_IPADDR, NULL, 0);
        CHECK_FAIL_S(SnmpSetVb(v, 0, &name1, &bad), S, SNMPAPI_SYNTAX_INVALID);
        CHECK_FAIL_S(SnmpSetVb(v, 1, &name1, &bad), S, SNMPAPI_SYNTAX_INVALID);
        CHECK_FAIL_S(SnmpSetVb(v, 0, &name1, &seq), S, SNMPAPI_SYNTAX_INVALID);
        CHECK_FAIL_S(SnmpSetVb(v, 0, &name1, &ip3), S, SNMPAPI_SYNTAX_INVALID);
        CHECK_FAIL_S(SnmpSetVb(v, 0, &name1, &ip5), S, SNMPAPI_SYNTAX_INVALID);
        CHECK_FAIL_S(SnmpSetVb(v, 0, &name1, &ip0), S, SNMPAPI_SYNTAX_INVALID);
    }
    /* Failed sets change nothing. */
    CHECK_RET(SnmpCountVbl(v), 3);
    CHECK(vb_is(v, 1, &name1, &a));

    /* SnmpGetVb: 1..n only. */
    memset(&val, 0, sizeof val);
    n.len = 0;
    n.ptr = NULL;
    CHECK_FAIL_S(SnmpGetVb(v, 0, &n, &val), S, SNMPAPI_INDEX_INVALID);
    CHECK_FAIL_S(SnmpGetVb(v, 4, &n, &val), S, SNMPAPI_INDEX_INVALID);
    CHECK_EQ_INT(outstanding_descriptors(), 0);

    /* Outputs are written without being read. */
    n.len = 999;
    n.ptr = (smiLPUINT32)(uintptr_t)0x10;
    val.syntax = SNMP_SYNTAX_OCTETS;
    val.value.string.len = 999;
    val.value.string.ptr = (smiLPBYTE)(uintptr_t)0x10;
    CHECK_OK(SnmpGetVb(v, 1, &n, &val));
    CHECK(oid_eq(&n, &name1));
    CHECK(value_eq(&val, &a));
    /* The name is a library-owned descriptor. */
    CHECK_EQ_INT(outstanding_descriptors(), 1);
    CHECK(n.ptr != name1_ids);
    free_vb(&n, &val);
    CHECK_EQ_INT(outstanding_descriptors(), 0);

    CHECK_OK(SnmpFreeVbl(v));
}

static void test_syntaxes(void)
{
    static const unsigned char bin[] = {'a', 0, 0xff, 0x80, '\n', 0};
    static const unsigned char ip[] = {192, 0, 2, 255};
    static const unsigned char nsap[] = {0x47, 0x00, 0x05, 0x80, 0xff, 0x00};
    static const unsigned char bits[] = {0xa5, 0x00};
    smiUINT32 oid_ids[] = {1, 3, 6, 1, 4, 1, 4294967295u};
    smiVALUE vals[18];
    smiVALUE c64;
    HSNMP_VBL v, d;
    int n = 0, i;
    smiUINT32 base = outstanding_descriptors();

    TEST_SECTION("value syntaxes");
    memset(&c64, 0, sizeof c64);
    c64.syntax = SNMP_SYNTAX_CNTR64;
    c64.value.hNumber.hipart = 0xDEADBEEFu;
    c64.value.hNumber.lopart = 0x01234567u;

    vals[n++] = v_int(0);
    vals[n++] = v_int(-1);
    vals[n++] = v_int(INT32_MIN);
    vals[n++] = v_int(INT32_MAX);
    vals[n++] = v_uint(SNMP_SYNTAX_UINT32, 0xFFFFFFFFu);
    vals[n++] = v_uint(SNMP_SYNTAX_CNTR32, 0x80000000u);
    vals[n++] = v_uint(SNMP_SYNTAX_GAUGE32, 12345);
    vals[n++] = v_uint(SNMP_SYNTAX_TIMETICKS, 0xFFFFFFFEu);
    vals[n++] = c64;
    vals[n++] = v_octets(SNMP_SYNTAX_OCTETS, bin, sizeof bin); /* 8-bit clean */
    vals[n++] = v_octets(SNMP_SYNTAX_OPAQUE, bin, sizeof bin);
    vals[n++] = v_octets(SNMP_SYNTAX_BITS, bits, sizeof bits);
    vals[n++] = v_octets(SNMP_SYNTAX_IPADDR, ip, sizeof ip);
    vals[n++] = v_octets(SNMP_SYNTAX_NSAPADDR, nsap, sizeof nsap);
    vals[n].syntax = SNMP_SYNTAX_OID;
    vals[n].value.oid.len = 7;
    vals[n++].value.oid.ptr = oid_ids;
    vals[n++] = v_empty(SNMP_SYNTAX_NOSUCHOBJECT);
    vals[n++] = v_empty(SNMP_SYNTAX_NOSUCHINSTANCE);
    vals[n++] = v_empty(SNMP_SYNTAX_ENDOFMIBVIEW);

    v = SnmpCreateVbl(S, NULL, NULL);
    CHECK_HANDLE(v);
    for (i = 0; i < n; i++)
        CHECK_RET(SnmpSetVb(v, 0, &name1, &vals[i]), i + 1);
    CHECK_RET(SnmpCountVbl(v), n);

    for (i = 0; i < n; i++) {
        smiOID nm = {0, NULL};
        smiVALUE got;
        memset(&got, 0, sizeof got);
        if (SnmpGetVb(v, (smiUINT32)i + 1, &nm, &got) != SNMPAPI_SUCCESS) {
            test_fail_(__FILE__, __LINE__, "SnmpGetVb(%d) failed: %u", i + 1,
                       (unsigned)SnmpGetLastError(0));
            continue;
        }
        if (!value_eq(&got, &vals[i]))
            test_fail_(__FILE__, __LINE__, "entry %d (syntax 0x%x) did not round-trip", i + 1,
                       (unsigned)vals[i].syntax);
        else
            test_passed_++;
        /* Octet and OID values come back as library descriptors. */
        if (is_octets_family(got.syntax))
            CHECK(got.value.string.ptr != vals[i].value.string.ptr);
        if (got.syntax == SNMP_SYNTAX_OID)
            CHECK(got.value.oid.ptr != oid_ids);
        free_vb(&nm, &got);
    }
    CHECK_EQ_INT(outstanding_descriptors(), base);

    /* Counter64 halves are kept apart. */
    {
        smiOID nm = {0, NULL};
        smiVALUE got;
        CHECK_OK(SnmpGetVb(v, 9, &nm, &got));
        CHECK_EQ_INT(got.syntax, SNMP_SYNTAX_CNTR64);
        CHECK_EQ_INT(got.value.hNumber.hipart, 0xDEADBEEFu);
        CHECK_EQ_INT(got.value.hNumber.lopart, 0x01234567u);
        free_vb(&nm, &got);
    }

    /* A descriptor's syntax must match what it is. */
    {
        smiOID nm = {0, NULL};
        smiVALUE got;
        CHECK_OK(SnmpGetVb(v, 10, &nm, &got));
        CHECK_FAIL(SnmpFreeDescriptor(SNMP_SYNTAX_OID, &got.value.string), SNMPAPI_SYNTAX_INVALID);
        CHECK_FAIL(SnmpFreeDescriptor(SNMP_SYNTAX_OCTETS, (smiLPOPAQUE)&nm),
                   SNMPAPI_SYNTAX_INVALID);
        free_vb(&nm, &got);
        CHECK_FAIL(SnmpFreeDescriptor(SNMP_SYNTAX_OCTETS, &got.value.string),
                   SNMPAPI_OPERATION_INVALID); /* already freed */
    }

    /* A copy keeps every syntax too. */
    d = SnmpDuplicateVbl(S, v);
    CHECK_HANDLE(d);
    for (i = 0; i < n; i++)
        CHECK(vb_is(d, (smiUINT32)i + 1, &name1, &vals[i]));

    /* Caller buffers are copied, not kept. */
    {
        unsigned char buf[4] = {'a', 'b', 0, 'c'};
        smiVALUE in = v_octets(SNMP_SYNTAX_OCTETS, buf, 4);
        smiVALUE want = v_octets(SNMP_SYNTAX_OCTETS, "ab\0c", 4);
        CHECK_RET(SnmpSetVb(v, 1, &name2, &in), 1);
        buf[0] = 'X';
        buf[2] = 0xff;
        CHECK(vb_is(v, 1, &name2, &want));
    }

    /* An empty octet string is a value. */
    {
        smiVALUE e = v_octets(SNMP_SYNTAX_OCTETS, NULL, 0);
        smiOID nm = {0, NULL};
        smiVALUE got;
        CHECK_RET(SnmpSetVb(v, 2, &name2, &e), 2);
        CHECK_OK(SnmpGetVb(v, 2, &nm, &got));
        CHECK_EQ_INT(got.syntax, SNMP_SYNTAX_OCTETS);
        CHECK_EQ_INT(got.value.string.len, 0);
        free_vb(&nm, &got);
    }

    /* The largest octet string. */
    {
        unsigned char *big = malloc(WSNMP_MAX_OCTETS);
        if (big) {
            smiVALUE bv;
            for (i = 0; i < WSNMP_MAX_OCTETS; i++)
                big[i] = (unsigned char)(i * 31 + 7);
            bv = v_octets(SNMP_SYNTAX_OPAQUE, big, WSNMP_MAX_OCTETS);
            CHECK_RET(SnmpSetVb(v, 0, &name3, &bv), n + 1);
            CHECK(vb_is(v, (smiUINT32)n + 1, &name3, &bv));
            free(big);
        }
    }

    CHECK_OK(SnmpFreeVbl(v));
    CHECK_OK(SnmpFreeVbl(d));
    CHECK_EQ_INT(outstanding_descriptors(), base);
}

static void test_delete(void)
{
    HSNMP_VBL v;
    smiVALUE a = v_int(1), b = v_int(2), c = v_int(3);

    TEST_SECTION("SnmpDeleteVb");
    v = SnmpCreateVbl(S, &name1, &a);
    CHECK_HANDLE(v);
    CHECK_RET(SnmpSetVb(v, 0, &name2, &b), 2);
    CHECK_RET(SnmpSetVb(v, 0, &name3, &c), 3);

    CHECK_FAIL_S(SnmpDeleteVb(v, 0), S, SNMPAPI_INDEX_INVALID);
    CHECK_FAIL_S(SnmpDeleteVb(v, 4), S, SNMPAPI_INDEX_INVALID);
    CHECK_RET(SnmpCountVbl(v), 3);

    /* Later entries shift down. */
    CHECK_OK(SnmpDeleteVb(v, 2));
    CHECK_RET(SnmpCountVbl(v), 2);
    CHECK(vb_is(v, 1, &name1, &a));
    CHECK(vb_is(v, 2, &name3, &c));
    CHECK_FAIL(SnmpDeleteVb(v, 3), SNMPAPI_INDEX_INVALID);

    CHECK_OK(SnmpDeleteVb(v, 1));
    CHECK_RET(SnmpCountVbl(v), 1);
    CHECK(vb_is(v, 1, &name3, &c));

    /* Deleting the last entry leaves a valid, empty list. */
    CHECK_OK(SnmpDeleteVb(v, 1));
    CHECK_FAIL_S(SnmpCountVbl(v), S, SNMPAPI_NOOP);
    CHECK_EQ_INT(WsnmpHandleKind(v), WSNMP_KIND_VBL);
    CHECK_FAIL(SnmpDeleteVb(v, 1), SNMPAPI_INDEX_INVALID);
    CHECK_RET(SnmpSetVb(v, 0, &name4, &b), 1);
    CHECK(vb_is(v, 1, &name4, &b));
    CHECK_OK(SnmpFreeVbl(v));
}

static void test_duplicate_vbl(void)
{
    HSNMP_SESSION other;
    HSNMP_VBL v, d, e, d2;
    smiVALUE a = v_int(1), b = v_int(2), x = v_int(99);

    TEST_SECTION("SnmpDuplicateVbl");
    v = SnmpCreateVbl(S, &name1, &a);
    CHECK_HANDLE(v);
    CHECK_RET(SnmpSetVb(v, 0, &name2, &b), 2);

    d = SnmpDuplicateVbl(S, v);
    CHECK_HANDLE(d);
    CHECK(d != v);
    CHECK_RET(SnmpCountVbl(d), 2);

    /* Deep: changes to either side stay there. */
    CHECK_RET(SnmpSetVb(v, 1, &name3, &x), 1);
    CHECK_OK(SnmpDeleteVb(v, 2));
    CHECK_RET(SnmpCountVbl(d), 2);
    CHECK(vb_is(d, 1, &name1, &a));
    CHECK(vb_is(d, 2, &name2, &b));
    CHECK_RET(SnmpSetVb(d, 0, &name4, &x), 3);
    CHECK_RET(SnmpCountVbl(v), 1);
    CHECK(vb_is(v, 1, &name3, &x));

    /* Freeing the original leaves the copy. */
    CHECK_OK(SnmpFreeVbl(v));
    CHECK_RET(SnmpCountVbl(d), 3);

    /* An empty list duplicates to an empty list. */
    e = SnmpCreateVbl(S, NULL, NULL);
    d2 = SnmpDuplicateVbl(S, e);
    CHECK_HANDLE(d2);
    CHECK_FAIL(SnmpCountVbl(d2), SNMPAPI_NOOP);

    /* Into another session. */
    other = WsnmpCreateSession(NULL, NULL);
    CHECK_HANDLE(other);
    {
        HSNMP_VBL o = SnmpDuplicateVbl(other, d);
        CHECK_HANDLE(o);
        CHECK_EQ_INT(WsnmpHandleOwner(o), other);
        CHECK_RET(SnmpCountVbl(o), 3);
    }
    CHECK_OK(SnmpClose(other));
    CHECK_RET(SnmpCountVbl(d), 3); /* the source survives the other's close */

    CHECK_OK(SnmpFreeVbl(d));
    CHECK_OK(SnmpFreeVbl(e));
    CHECK_OK(SnmpFreeVbl(d2));
}

/* Reads all fields of a PDU; returns 1 on success. */
static int pdu_data(HSNMP_PDU p, smiINT *type, smiINT32 *rid, smiINT *es, smiINT *ei)
{
    return SnmpGetPduData(p, type, rid, es, ei, NULL) == SNMPAPI_SUCCESS;
}

static void test_create_pdu(void)
{
    HSNMP_PDU p, q, r;
    HSNMP_VBL v;
    smiINT type = -1, es = -1, ei = -1;
    smiINT32 rid = -1, rid2 = -1;
    smiVALUE a = v_int(5);

    TEST_SECTION("SnmpCreatePdu");
    /* All defaults. */
    p = SnmpCreatePdu(S, 0, 0, 0, 0, 0);
    CHECK_HANDLE(p);
    CHECK_EQ_INT(WsnmpHandleKind(p), WSNMP_KIND_PDU);
    CHECK(pdu_data(p, &type, &rid, &es, &ei));
    CHECK_EQ_INT(type, SNMP_PDU_GETNEXT);
    CHECK(rid > 0); /* library-generated */
    CHECK_EQ_INT(es, 0);
    CHECK_EQ_INT(ei, 0);

    /* Generated ids differ. */
    q = SnmpCreatePdu(S, 0, 0, 0, 0, 0);
    CHECK_HANDLE(q);
    CHECK(pdu_data(q, NULL, &rid2, NULL, NULL));
    CHECK(rid2 > 0);
    CHECK(rid2 != rid);

    /* Explicit values. */
    v = SnmpCreateVbl(S, &name1, NULL);
    CHECK_RET(SnmpSetVb(v, 0, &name2, &a), 2);
    r = SnmpCreatePdu(S, SNMP_PDU_GET, 1234, 0, 0, v);
    CHECK_HANDLE(r);
    CHECK(pdu_data(r, &type, &rid, &es, &ei));
    CHECK_EQ_INT(type, SNMP_PDU_GET);
    CHECK_EQ_INT(rid, 1234);
    CHECK_EQ_INT(es, 0);
    CHECK_EQ_INT(ei, 0);

    /* Each PDU type is accepted. */
    {
        static const smiINT types[] = {
            SNMP_PDU_GET,     SNMP_PDU_GETNEXT, SNMP_PDU_RESPONSE, SNMP_PDU_SET,
            SNMP_PDU_GETBULK, SNMP_PDU_INFORM,  SNMP_PDU_TRAP,
        };
        size_t i;
        for (i = 0; i < sizeof types / sizeof types[0]; i++) {
            HSNMP_PDU t = SnmpCreatePdu(S, types[i], 0, 0, 0, 0);
            CHECK_HANDLE(t);
            CHECK(pdu_data(t, &type, NULL, NULL, NULL));
            CHECK_EQ_INT(type, types[i]);
            CHECK_OK(SnmpFreePdu(t));
        }
    }

    /* A response carries its error fields; GETBULK carries its counts there. */
    {
        HSNMP_PDU t = SnmpCreatePdu(S, SNMP_PDU_RESPONSE, 77, SNMP_ERROR_NOSUCHNAME, 2, v);
        CHECK_HANDLE(t);
        CHECK(pdu_data(t, &type, &rid, &es, &ei));
        CHECK_EQ_INT(es, SNMP_ERROR_NOSUCHNAME);
        CHECK_EQ_INT(ei, 2);
        CHECK_OK(SnmpFreePdu(t));
        t = SnmpCreatePdu(S, SNMP_PDU_GETBULK, 0, 1, 25, v);
        CHECK_HANDLE(t);
        CHECK(pdu_data(t, &type, &rid, &es, &ei));
        CHECK_EQ_INT(type, SNMP_PDU_GETBULK);
        CHECK(rid > 0);
        CHECK_EQ_INT(es, 1);
        CHECK_EQ_INT(ei, 25);
        CHECK_OK(SnmpFreePdu(t));
    }

    /* Errors. */
    CHECK_FAIL_S(SnmpCreatePdu(S, 0x42, 0, 0, 0, 0), S, SNMPAPI_PDU_INVALID);
    CHECK_FAIL_S(SnmpCreatePdu(S, SNMP_PDU_GET + 0x10, 0, 0, 0, 0), S, SNMPAPI_PDU_INVALID);
    CHECK_FAIL_S(SnmpCreatePdu(S, -1, 0, 0, 0, 0), S, SNMPAPI_PDU_INVALID);
    {
        HSNMP_VBL dead = SnmpCreateVbl(S, NULL, NULL);
        CHECK_OK(SnmpFreeVbl(dead));
        CHECK_FAIL_S(SnmpCreatePdu(S, SNMP_PDU_GET, 0, 0, 0, dead), S, SNMPAPI_VBL_INVALID);
        CHECK_FAIL_S(SnmpCreatePdu(S, SNMP_PDU_GET, 0, 0, 0, FORGE(0xDEADBEEF)), S,
                     SNMPAPI_VBL_INVALID);
    }

    /* The PDU holds a copy of the VBL. */
    CHECK_OK(SnmpDeleteVb(v, 1));
    CHECK_OK(SnmpFreeVbl(v));
    {
        HSNMP_VBL got = 0;
        CHECK_OK(SnmpGetPduData(r, NULL, NULL, NULL, NULL, &got));
        CHECK_HANDLE(got);
        CHECK_RET(SnmpCountVbl(got), 2);
        CHECK(vb_is(got, 2, &name2, &a));
        CHECK_OK(SnmpFreeVbl(got));
    }

    CHECK_OK(SnmpFreePdu(p));
    CHECK_OK(SnmpFreePdu(q));
    CHECK_OK(SnmpFreePdu(r));
    CHECK_FAIL(SnmpFreePdu(r), SNMPAPI_PDU_INVALID);
}

static void test_get_pdu_data(void)
{
    HSNMP_PDU p;
    HSNMP_VBL v, g1 = 0, g2 = 0, g3 = 0;
    smiVALUE a = v_int(1), x = v_int(2);
    smiUINT32 vbls_before;

    TEST_SECTION("SnmpGetPduData");
    v = SnmpCreateVbl(S, &name1, &a);
    CHECK_HANDLE(v);
    p = SnmpCreatePdu(S, SNMP_PDU_SET, 10, 0, 0, v);
    CHECK_HANDLE(p);

    CHECK_FAIL_S(SnmpGetPduData(p, NULL, NULL, NULL, NULL, NULL), S, SNMPAPI_NOOP);

    /* Each request for the VBL is a new handle, a copy. */
    vbls_before = live_vbls();
    CHECK_OK(SnmpGetPduData(p, NULL, NULL, NULL, NULL, &g1));
    CHECK_OK(SnmpGetPduData(p, NULL, NULL, NULL, NULL, &g2));
    CHECK_HANDLE(g1);
    CHECK_HANDLE(g2);
    CHECK(g1 != v && g2 != v && g1 != g2);
    CHECK_EQ_INT(live_vbls(), vbls_before + 2);
    CHECK_EQ_INT(WsnmpHandleKind(g1), WSNMP_KIND_VBL);
    CHECK_RET(SnmpCountVbl(g1), 1);
    CHECK(vb_is(g1, 1, &name1, &a));

    /* Changing the copy does not change the PDU. */
    CHECK_RET(SnmpSetVb(g1, 1, &name2, &x), 1);
    CHECK_RET(SnmpSetVb(g1, 0, &name3, &x), 2);
    CHECK_OK(SnmpDeleteVb(g2, 1));
    CHECK_OK(SnmpGetPduData(p, NULL, NULL, NULL, NULL, &g3));
    CHECK_RET(SnmpCountVbl(g3), 1);
    CHECK(vb_is(g3, 1, &name1, &a));

    /* ...nor does changing the VBL the PDU was built from. */
    CHECK_RET(SnmpSetVb(v, 1, &name4, &x), 1);
    CHECK_OK(SnmpFreeVbl(g3));
    CHECK_OK(SnmpGetPduData(p, NULL, NULL, NULL, NULL, &g3));
    CHECK(vb_is(g3, 1, &name1, &a));

    /* The copies are ordinary VBLs of the PDU's session. */
    CHECK_EQ_INT(WsnmpHandleOwner(g1), S);
    CHECK_OK(SnmpFreeVbl(g1));
    CHECK_OK(SnmpFreeVbl(g2));
    CHECK_OK(SnmpFreeVbl(g3));
    CHECK_OK(SnmpFreeVbl(v));
    CHECK_EQ_INT(live_vbls(), vbls_before - 1);

    /* Outputs can be picked one by one. */
    {
        smiINT type = 0;
        smiINT32 rid = 0;
        smiINT ei = -1;
        CHECK_OK(SnmpGetPduData(p, &type, NULL, NULL, NULL, NULL));
        CHECK_EQ_INT(type, SNMP_PDU_SET);
        CHECK_OK(SnmpGetPduData(p, NULL, &rid, NULL, NULL, NULL));
        CHECK_EQ_INT(rid, 10);
        CHECK_OK(SnmpGetPduData(p, NULL, NULL, NULL, &ei, NULL));
        CHECK_EQ_INT(ei, 0);
    }
    CHECK_OK(SnmpFreePdu(p));
}

static void test_set_pdu_data(void)
{
    HSNMP_PDU p, b;
    HSNMP_VBL v, got = 0;
    smiINT type, es, ei;
    smiINT32 rid;
    smiVALUE a = v_int(1), x = v_int(2);

    TEST_SECTION("SnmpSetPduData");
    p = SnmpCreatePdu(S, SNMP_PDU_GET, 500, 0, 0, 0);
    CHECK_HANDLE(p);

    CHECK_FAIL_S(SnmpSetPduData(p, NULL, NULL, NULL, NULL, NULL), S, SNMPAPI_NOOP);

    type = SNMP_PDU_SET;
    CHECK_OK(SnmpSetPduData(p, &type, NULL, NULL, NULL, NULL));
    CHECK(pdu_data(p, &type, &rid, &es, &ei));
    CHECK_EQ_INT(type, SNMP_PDU_SET);
    CHECK_EQ_INT(rid, 500); /* untouched */

    /* Request id 0 can only be had this way. */
    rid = 0;
    CHECK_OK(SnmpSetPduData(p, NULL, &rid, NULL, NULL, NULL));
    rid = -1;
    CHECK(pdu_data(p, &type, &rid, NULL, NULL));
    CHECK_EQ_INT(rid, 0);
    CHECK_EQ_INT(type, SNMP_PDU_SET);
    rid = 77;
    CHECK_OK(SnmpSetPduData(p, NULL, &rid, NULL, NULL, NULL));
    CHECK(pdu_data(p, NULL, &rid, NULL, NULL));
    CHECK_EQ_INT(rid, 77);

    /* A VBL is copied in. */
    v = SnmpCreateVbl(S, &name1, &a);
    CHECK_HANDLE(v);
    CHECK_OK(SnmpSetPduData(p, NULL, NULL, NULL, NULL, &v));
    CHECK_RET(SnmpSetVb(v, 0, &name2, &x), 2);
    CHECK_OK(SnmpFreeVbl(v));
    CHECK_OK(SnmpGetPduData(p, NULL, NULL, NULL, NULL, &got));
    CHECK_RET(SnmpCountVbl(got), 1);
    CHECK(vb_is(got, 1, &name1, &a));
    CHECK_OK(SnmpFreeVbl(got));

    /* ...and replaces the previous one. */
    v = SnmpCreateVbl(S, &name3, &x);
    CHECK_RET(SnmpSetVb(v, 0, &name4, &x), 2);
    CHECK_OK(SnmpSetPduData(p, NULL, NULL, NULL, NULL, &v));
    CHECK_OK(SnmpGetPduData(p, NULL, NULL, NULL, NULL, &got));
    CHECK_RET(SnmpCountVbl(got), 2);
    CHECK(vb_is(got, 1, &name3, &x));
    CHECK_OK(SnmpFreeVbl(got));

    /* A bad VBL handle is refused. */
    {
        HSNMP_VBL dead = SnmpCreateVbl(S, NULL, NULL);
        CHECK_OK(SnmpFreeVbl(dead));
        CHECK_FAIL_S(SnmpSetPduData(p, NULL, NULL, NULL, NULL, &dead), S, SNMPAPI_VBL_INVALID);
    }

    /* non_repeaters/max_repetitions are ignored unless the PDU is GETBULK. */
    {
        smiINT nr = 3, mr = 40;
        (void)SnmpSetPduData(p, NULL, NULL, &nr, &mr, NULL);
        CHECK(pdu_data(p, &type, NULL, &es, &ei));
        CHECK_EQ_INT(type, SNMP_PDU_SET);
        CHECK_EQ_INT(es, 0);
        CHECK_EQ_INT(ei, 0);
    }
    b = SnmpCreatePdu(S, SNMP_PDU_GETBULK, 0, 0, 10, v);
    CHECK_HANDLE(b);
    {
        smiINT nr = 3, mr = 40;
        CHECK_OK(SnmpSetPduData(b, NULL, NULL, &nr, NULL, NULL));
        CHECK(pdu_data(b, &type, NULL, &es, &ei));
        CHECK_EQ_INT(type, SNMP_PDU_GETBULK);
        CHECK_EQ_INT(es, 3);
        CHECK_EQ_INT(ei, 10);
        CHECK_OK(SnmpSetPduData(b, NULL, NULL, NULL, &mr, NULL));
        CHECK(pdu_data(b, NULL, NULL, &es, &ei));
        CHECK_EQ_INT(es, 3);
        CHECK_EQ_INT(ei, 40);
        nr = 0;
        mr = 5;
        CHECK_OK(SnmpSetPduData(b, NULL, NULL, &nr, &mr, NULL));
        CHECK(pdu_data(b, NULL, NULL, &es, &ei));
        CHECK_EQ_INT(es, 0);
        CHECK_EQ_INT(ei, 5);
    }
    /* A PDU turned into GETBULK takes the counts from then on. */
    {
        smiINT t = SNMP_PDU_GETBULK, nr = 2, mr = 7;
        CHECK_OK(SnmpSetPduData(p, &t, NULL, NULL, NULL, NULL));
        CHECK_OK(SnmpSetPduData(p, NULL, NULL, &nr, &mr, NULL));
        CHECK(pdu_data(p, &type, NULL, &es, &ei));
        CHECK_EQ_INT(type, SNMP_PDU_GETBULK);
        CHECK_EQ_INT(es, 2);
        CHECK_EQ_INT(ei, 7);
    }

    CHECK_OK(SnmpFreeVbl(v));
    CHECK_OK(SnmpFreePdu(p));
    CHECK_OK(SnmpFreePdu(b));
}

static void test_duplicate_pdu(void)
{
    HSNMP_SESSION other;
    HSNMP_PDU p, d, o;
    HSNMP_VBL v, got = 0;
    smiINT type, es, ei, t2;
    smiINT32 rid, r2;
    smiVALUE a = v_int(1), x = v_int(2);

    TEST_SECTION("SnmpDuplicatePdu");
    v = SnmpCreateVbl(S, &name1, &a);
    p = SnmpCreatePdu(S, SNMP_PDU_RESPONSE, 4242, SNMP_ERROR_GENERR, 1, v);
    CHECK_HANDLE(p);
    d = SnmpDuplicatePdu(S, p);
    CHECK_HANDLE(d);
    CHECK(d != p);
    CHECK(pdu_data(d, &type, &rid, &es, &ei));
    CHECK_EQ_INT(type, SNMP_PDU_RESPONSE);
    CHECK_EQ_INT(rid, 4242);
    CHECK_EQ_INT(es, SNMP_ERROR_GENERR);
    CHECK_EQ_INT(ei, 1);

    /* Deep: changing the original leaves the copy. */
    t2 = SNMP_PDU_GET;
    r2 = 1;
    CHECK_RET(SnmpSetVb(v, 0, &name2, &x), 2);
    CHECK_OK(SnmpSetPduData(p, &t2, &r2, NULL, NULL, &v));
    CHECK(pdu_data(d, &type, &rid, NULL, NULL));
    CHECK_EQ_INT(type, SNMP_PDU_RESPONSE);
    CHECK_EQ_INT(rid, 4242);
    CHECK_OK(SnmpGetPduData(d, NULL, NULL, NULL, NULL, &got));
    CHECK_RET(SnmpCountVbl(got), 1);
    CHECK(vb_is(got, 1, &name1, &a));
    CHECK_OK(SnmpFreeVbl(got));

    CHECK_OK(SnmpFreePdu(p));
    CHECK(pdu_data(d, &type, NULL, NULL, NULL));

    /* Into another session. */
    other = WsnmpCreateSession(NULL, NULL);
    CHECK_HANDLE(other);
    o = SnmpDuplicatePdu(other, d);
    CHECK_HANDLE(o);
    CHECK_EQ_INT(WsnmpHandleOwner(o), other);
    CHECK_OK(SnmpClose(other));
    CHECK_FAIL(SnmpFreePdu(o), SNMPAPI_PDU_INVALID);
    CHECK(pdu_data(d, &type, NULL, NULL, NULL));

    CHECK_OK(SnmpFreeVbl(v));
    CHECK_OK(SnmpFreePdu(d));
}

int main(void)
{
    WsnmpStats st;

    CHECK_OK(SnmpStartup(NULL, NULL, NULL, NULL, NULL));
    S = WsnmpCreateSession(NULL, NULL);
    CHECK_HANDLE(S);

    test_create_count();
    test_set_get();
    test_syntaxes();
    test_delete();
    test_duplicate_vbl();
    test_create_pdu();
    test_get_pdu_data();
    test_set_pdu_data();
    test_duplicate_pdu();

    /* Every test freed what it made. */
    TEST_SECTION("leaks");
    CHECK_OK(WsnmpGetStats(S, &st));
    CHECK_EQ_INT(st.pdus, 0);
    CHECK_EQ_INT(st.vbls, 0);
    CHECK_EQ_INT(outstanding_descriptors(), 0);

    CHECK_OK(SnmpClose(S));
    CHECK_OK(SnmpCleanup());
    return TEST_REPORT();
}
