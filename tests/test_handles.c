/*
 * test_handles.c — sessions and the handle table: handle kinds and owners,
 * stale, forged and wrong-kind handles, generations (a freed handle never
 * aliases a newer object in its slot), SnmpClose freeing what the session
 * owns, sharing handles between sessions, resource limits and SnmpCleanup.
 */
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "winsnmp.h"
#include "test.h"

static smiUINT32 sysdescr_ids[] = {1, 3, 6, 1, 2, 1, 1, 1, 0};
static const smiOID sysdescr = {9, sysdescr_ids};

static SNMPAPI_STATUS cb_noop(HSNMP_SESSION s, HWND w, UINT m, WPARAM wp, LPARAM lp, LPVOID d)
{
    (void)s;
    (void)w;
    (void)m;
    (void)wp;
    (void)lp;
    (void)d;
    return SNMPAPI_SUCCESS;
}

static void start(void)
{
    CHECK_OK(SnmpStartup(NULL, NULL, NULL, NULL, NULL));
    CHECK_OK(SnmpSetTranslateMode(SNMPAPI_UNTRANSLATED_V2));
}

static void stop(void)
{
    CHECK_OK(SnmpCleanup());
}

static int stats_all_zero(const WsnmpStats *st)
{
    return st->sessions == 0 && st->entities == 0 && st->contexts == 0 && st->pdus == 0 &&
           st->vbls == 0 && st->pending == 0 && st->registrations == 0 && st->descriptors == 0;
}

static HSNMP_CONTEXT make_context(HSNMP_SESSION s, const char *text)
{
    smiOCTETS o;
    o.len = (smiUINT32)strlen(text);
    o.ptr = (smiLPBYTE)text;
    return WsnmpStrToContextEx(s, &o, WSNMP_PRIVATE); /* a new one each time */
}

/* A set of live handles, one of each kind, owned by one session. */
typedef struct {
    HSNMP_SESSION s;
    HSNMP_ENTITY e;
    HSNMP_CONTEXT c;
    HSNMP_PDU p;
    HSNMP_VBL v;
} objs;

static objs make_objs(HSNMP_SESSION s)
{
    objs o;
    o.s = s;
    o.e = WsnmpStrToEntityEx(s, "127.0.0.1:1161", WSNMP_PRIVATE); /* a new one each time */
    o.c = make_context(s, "public");
    o.v = SnmpCreateVbl(s, &sysdescr, NULL);
    o.p = SnmpCreatePdu(s, SNMP_PDU_GET, 0, 0, 0, o.v);
    CHECK_HANDLE(o.e);
    CHECK_HANDLE(o.c);
    CHECK_HANDLE(o.v);
    CHECK_HANDLE(o.p);
    return o;
}

/*
 * Every function that takes a handle of the given kinds rejects these
 * handles with the kind it expected.  `sess` is a live session to use as the
 * creating session where one is needed.
 */
static void check_entity_invalid(HSNMP_ENTITY e)
{
    char buf[256];
    smiTIMETICKS t1, t2;
    smiUINT32 r1, r2;
    int ver;

    CHECK_FAIL(SnmpEntityToStr(e, sizeof buf, buf), SNMPAPI_ENTITY_INVALID);
    CHECK_FAIL(SnmpSetPort(e, 1162), SNMPAPI_ENTITY_INVALID);
    CHECK_FAIL(SnmpGetTimeout(e, &t1, &t2), SNMPAPI_ENTITY_INVALID);
    CHECK_FAIL(SnmpSetTimeout(e, 200), SNMPAPI_ENTITY_INVALID);
    CHECK_FAIL(SnmpGetRetry(e, &r1, &r2), SNMPAPI_ENTITY_INVALID);
    CHECK_FAIL(SnmpSetRetry(e, 2), SNMPAPI_ENTITY_INVALID);
    CHECK_FAIL(WsnmpEntityAddress(e, sizeof buf, buf), SNMPAPI_ENTITY_INVALID);
    CHECK_FAIL(WsnmpGetEntityVersion(e, &ver), SNMPAPI_ENTITY_INVALID);
    CHECK_FAIL(SnmpFreeEntity(e), SNMPAPI_ENTITY_INVALID);
}

static void check_context_invalid(HSNMP_CONTEXT c)
{
    smiOCTETS out = {0, NULL};
    CHECK_FAIL(SnmpContextToStr(c, &out), SNMPAPI_CONTEXT_INVALID);
    CHECK_FAIL(SnmpFreeContext(c), SNMPAPI_CONTEXT_INVALID);
}

static void check_pdu_invalid(HSNMP_SESSION sess, HSNMP_PDU p)
{
    smiINT type, es, ei;
    smiINT32 rid;
    HSNMP_VBL vout = 0;
    smiINT newtype = SNMP_PDU_GET;

    CHECK_FAIL(SnmpGetPduData(p, &type, &rid, &es, &ei, &vout), SNMPAPI_PDU_INVALID);
    CHECK_FAIL(SnmpSetPduData(p, &newtype, NULL, NULL, NULL, NULL), SNMPAPI_PDU_INVALID);
    CHECK_FAIL(SnmpDuplicatePdu(sess, p), SNMPAPI_PDU_INVALID);
    CHECK_FAIL(SnmpFreePdu(p), SNMPAPI_PDU_INVALID);
}

static void check_vbl_invalid(HSNMP_SESSION sess, HSNMP_VBL v)
{
    smiOID name = {0, NULL};
    smiVALUE val;
    smiVALUE null_val;

    memset(&val, 0, sizeof val);
    memset(&null_val, 0, sizeof null_val);
    null_val.syntax = SNMP_SYNTAX_NULL;

    CHECK_FAIL(SnmpCountVbl(v), SNMPAPI_VBL_INVALID);
    CHECK_FAIL(SnmpGetVb(v, 1, &name, &val), SNMPAPI_VBL_INVALID);
    CHECK_FAIL(SnmpSetVb(v, 0, &sysdescr, &null_val), SNMPAPI_VBL_INVALID);
    CHECK_FAIL(SnmpDeleteVb(v, 1), SNMPAPI_VBL_INVALID);
    CHECK_FAIL(SnmpDuplicateVbl(sess, v), SNMPAPI_VBL_INVALID);
    if (v != 0) /* 0 is "no VBL" in SnmpCreatePdu */
        CHECK_FAIL(SnmpCreatePdu(sess, SNMP_PDU_GET, 0, 0, 0, v), SNMPAPI_VBL_INVALID);
    CHECK_FAIL(SnmpFreeVbl(v), SNMPAPI_VBL_INVALID);
}

static void check_session_invalid(HSNMP_SESSION s)
{
    smiOCTETS ctx = {6, (smiLPBYTE) "public"};
    WsnmpStats st;

    CHECK_FAIL(SnmpStrToEntity(s, "127.0.0.1"), SNMPAPI_SESSION_INVALID);
    CHECK_FAIL(SnmpStrToContext(s, &ctx), SNMPAPI_SESSION_INVALID);
    CHECK_FAIL(SnmpCreateVbl(s, NULL, NULL), SNMPAPI_SESSION_INVALID);
    CHECK_FAIL(SnmpCreatePdu(s, 0, 0, 0, 0, 0), SNMPAPI_SESSION_INVALID);
    if (s != 0) /* 0 asks for the process totals */
        CHECK_FAIL(WsnmpGetStats(s, &st), SNMPAPI_SESSION_INVALID);
    CHECK_FAIL(SnmpClose(s), SNMPAPI_SESSION_INVALID);
    CHECK_EQ_INT(SnmpGetLastError(s), SNMPAPI_SESSION_INVALID);
}

static void check_all_invalid(HSNMP_SESSION live, const objs *o)
{
    CHECK_EQ_INT(WsnmpHandleKind(o->e), WSNMP_KIND_NONE);
    CHECK_EQ_INT(WsnmpHandleKind(o->c), WSNMP_KIND_NONE);
    CHECK_EQ_INT(WsnmpHandleKind(o->p), WSNMP_KIND_NONE);
    CHECK_EQ_INT(WsnmpHandleKind(o->v), WSNMP_KIND_NONE);
    CHECK_EQ_INT(WsnmpHandleOwner(o->e), 0);
    CHECK_EQ_INT(WsnmpHandleOwner(o->v), 0);
    check_entity_invalid(o->e);
    check_context_invalid(o->c);
    check_pdu_invalid(live, o->p);
    check_vbl_invalid(live, o->v);
}

static void test_sessions(void)
{
    HSNMP_SESSION a, b;
    WsnmpStats st;

    TEST_SECTION("sessions");
    start();
    CHECK_OK(WsnmpGetStats(0, &st));
    CHECK(stats_all_zero(&st));

    a = WsnmpCreateSession(NULL, NULL);
    b = WsnmpCreateSession(NULL, NULL);
    CHECK_HANDLE(a);
    CHECK_HANDLE(b);
    CHECK(a != b);
    CHECK_EQ_INT(WsnmpHandleKind(a), WSNMP_KIND_SESSION);
    CHECK_OK(WsnmpGetStats(0, &st));
    CHECK_EQ_INT(st.sessions, 2);

    CHECK_OK(WsnmpGetStats(a, &st));
    CHECK_EQ_INT(st.entities + st.contexts + st.pdus + st.vbls, 0);

    CHECK_OK(SnmpClose(a));
    CHECK_EQ_INT(WsnmpHandleKind(a), WSNMP_KIND_NONE);
    check_session_invalid(a);
    CHECK_OK(WsnmpGetStats(0, &st));
    CHECK_EQ_INT(st.sessions, 1);

    /* Forged session handles. */
    check_session_invalid(0);
    check_session_invalid(FORGE(1));
    check_session_invalid(FORGE(0xDEADBEEFu));
    check_session_invalid(FORGE(UINT64_MAX));
    check_session_invalid(FORGE(WSNMP_HANDLE_VALUE(b) ^ (1ULL << 63)));
    check_session_invalid(FORGE(WSNMP_HANDLE_VALUE(b) ^ (1ULL << 40)));
    CHECK_EQ_INT(WsnmpHandleKind(b), WSNMP_KIND_SESSION); /* untouched */

    CHECK_OK(SnmpClose(b));
    CHECK_OK(WsnmpGetStats(0, &st));
    CHECK(stats_all_zero(&st));
    stop();
}

static void test_kinds_and_owners(void)
{
    HSNMP_SESSION a;
    objs o;
    WsnmpStats st;

    TEST_SECTION("handle kinds and owners");
    start();
    a = WsnmpCreateSession(NULL, NULL);
    CHECK_HANDLE(a);
    o = make_objs(a);

    CHECK_EQ_INT(WsnmpHandleKind(o.e), WSNMP_KIND_ENTITY);
    CHECK_EQ_INT(WsnmpHandleKind(o.c), WSNMP_KIND_CONTEXT);
    CHECK_EQ_INT(WsnmpHandleKind(o.p), WSNMP_KIND_PDU);
    CHECK_EQ_INT(WsnmpHandleKind(o.v), WSNMP_KIND_VBL);
    CHECK_EQ_INT(WsnmpHandleOwner(o.e), a);
    CHECK_EQ_INT(WsnmpHandleOwner(o.c), a);
    CHECK_EQ_INT(WsnmpHandleOwner(o.p), a);
    CHECK_EQ_INT(WsnmpHandleOwner(o.v), a);
    /* All handles are distinct numbers. */
    CHECK(o.e != o.c && o.e != o.p && o.e != o.v && o.c != o.p && o.c != o.v && o.p != o.v &&
          a != o.e && a != o.c && a != o.p && a != o.v);

    CHECK_EQ_INT(WsnmpHandleKind(0), WSNMP_KIND_NONE);
    CHECK_EQ_INT(WsnmpHandleOwner(0), 0);
    CHECK_EQ_INT(WsnmpHandleKind(FORGE(UINT64_MAX)), WSNMP_KIND_NONE);
    CHECK_EQ_INT(WsnmpHandleKind(FORGE(WSNMP_HANDLE_VALUE(o.v) ^ (1ULL << 63))), WSNMP_KIND_NONE);

    CHECK_OK(WsnmpGetStats(a, &st));
    CHECK_EQ_INT(st.entities, 1);
    CHECK_EQ_INT(st.contexts, 1);
    CHECK_EQ_INT(st.pdus, 1);
    CHECK_EQ_INT(st.vbls, 1);
    CHECK_OK(WsnmpGetStats(0, &st));
    CHECK_EQ_INT(st.sessions, 1);
    CHECK_EQ_INT(st.entities, 1);
    CHECK_EQ_INT(st.contexts, 1);
    CHECK_EQ_INT(st.pdus, 1);
    CHECK_EQ_INT(st.vbls, 1);

    /* Introspection never sets an error. */
    CHECK_FAIL(SnmpDeleteVb(o.v, 77), SNMPAPI_INDEX_INVALID);
    (void)WsnmpHandleKind(FORGE(0xDEAD));
    (void)WsnmpHandleOwner(FORGE(0xDEAD));
    CHECK_ERR(SNMPAPI_INDEX_INVALID);

    CHECK_OK(SnmpClose(a));
    stop();
}

static void test_stale_handles(void)
{
    HSNMP_SESSION a;
    objs o;
    WsnmpStats st;

    TEST_SECTION("freed handles");
    start();
    a = WsnmpCreateSession(NULL, NULL);
    CHECK_HANDLE(a);
    o = make_objs(a);

    CHECK_OK(SnmpFreeEntity(o.e));
    CHECK_OK(SnmpFreeContext(o.c));
    CHECK_OK(SnmpFreePdu(o.p));
    CHECK_OK(SnmpFreeVbl(o.v));
    CHECK_OK(WsnmpGetStats(a, &st));
    CHECK_EQ_INT(st.entities + st.contexts + st.pdus + st.vbls, 0);

    check_all_invalid(a, &o);

    /* Forged handles of every kind. */
    {
        static const uint64_t forged[] = {0, 1, 2, 0xDEADBEEFu, 0x123456789ABCDEFull, UINT64_MAX};
        size_t i;
        for (i = 0; i < sizeof forged / sizeof forged[0]; i++) {
            objs f;
            f.s = FORGE(forged[i]);
            f.e = f.c = f.p = f.v = FORGE(forged[i]);
            check_all_invalid(a, &f);
        }
    }
    CHECK_OK(SnmpClose(a));
    stop();
}

static void test_wrong_kind(void)
{
    HSNMP_SESSION a;
    objs o;
    smiOCTETS out = {0, NULL};
    smiINT type;

    TEST_SECTION("wrong-kind handles");
    start();
    a = WsnmpCreateSession(NULL, NULL);
    CHECK_HANDLE(a);
    o = make_objs(a);

    /* Each call reports the kind it expected, and frees nothing. */
    CHECK_FAIL(SnmpFreePdu(o.v), SNMPAPI_PDU_INVALID);
    CHECK_FAIL(SnmpGetPduData(o.e, &type, NULL, NULL, NULL, NULL), SNMPAPI_PDU_INVALID);
    CHECK_FAIL(SnmpFreeVbl(o.p), SNMPAPI_VBL_INVALID);
    CHECK_FAIL(SnmpCountVbl(o.c), SNMPAPI_VBL_INVALID);
    CHECK_FAIL(SnmpFreeEntity(o.c), SNMPAPI_ENTITY_INVALID);
    CHECK_FAIL(SnmpSetPort(o.v, 1), SNMPAPI_ENTITY_INVALID);
    CHECK_FAIL(SnmpFreeContext(o.e), SNMPAPI_CONTEXT_INVALID);
    CHECK_FAIL(SnmpContextToStr(o.p, &out), SNMPAPI_CONTEXT_INVALID);
    CHECK_FAIL(SnmpFreeVbl(a), SNMPAPI_VBL_INVALID);
    CHECK_FAIL(SnmpFreeEntity(a), SNMPAPI_ENTITY_INVALID);
    CHECK_FAIL(SnmpClose(o.v), SNMPAPI_SESSION_INVALID);
    CHECK_FAIL(SnmpCreateVbl(o.e, NULL, NULL), SNMPAPI_SESSION_INVALID);
    CHECK_FAIL(SnmpCreatePdu(a, SNMP_PDU_GET, 0, 0, 0, o.p), SNMPAPI_VBL_INVALID);
    CHECK_FAIL(SnmpDuplicatePdu(a, o.v), SNMPAPI_PDU_INVALID);
    CHECK_FAIL(SnmpDuplicateVbl(a, o.p), SNMPAPI_VBL_INVALID);

    CHECK_EQ_INT(WsnmpHandleKind(o.e), WSNMP_KIND_ENTITY);
    CHECK_EQ_INT(WsnmpHandleKind(o.c), WSNMP_KIND_CONTEXT);
    CHECK_EQ_INT(WsnmpHandleKind(o.p), WSNMP_KIND_PDU);
    CHECK_EQ_INT(WsnmpHandleKind(o.v), WSNMP_KIND_VBL);
    CHECK_EQ_INT(WsnmpHandleKind(a), WSNMP_KIND_SESSION);
    CHECK_RET(SnmpCountVbl(o.v), 1);

    CHECK_OK(SnmpClose(a));
    stop();
}

/* Allocate and free in a loop; no old handle may come back to life. */
#define CHURN 20000
static void test_generations(void)
{
    HSNMP_SESSION a;
    HSNMP_VBL *old;
    HSNMP_VBL first, live;
    HSNMP_PDU pdu;
    WsnmpStats st;
    int i, bad_kind = 0, bad_free = 0, dup = 0;

    TEST_SECTION("generations");
    start();
    a = WsnmpCreateSession(NULL, NULL);
    CHECK_HANDLE(a);

    old = calloc(CHURN, sizeof *old);
    CHECK(old != NULL);
    if (!old) {
        stop();
        return;
    }
    for (i = 0; i < CHURN; i++) {
        old[i] = SnmpCreateVbl(a, NULL, NULL);
        if (!old[i] || SnmpFreeVbl(old[i]) != SNMPAPI_SUCCESS) {
            CHECK(!"create/free VBL in the churn loop");
            break;
        }
    }
    /* A new VBL very probably sits in a slot one of the old ones used. */
    live = SnmpCreateVbl(a, &sysdescr, NULL);
    CHECK_HANDLE(live);
    pdu = SnmpCreatePdu(a, 0, 0, 0, 0, 0);
    CHECK_HANDLE(pdu);

    for (i = 0; i < CHURN; i++) {
        if (old[i] == live)
            dup++;
        if (WsnmpHandleKind(old[i]) != WSNMP_KIND_NONE)
            bad_kind++;
        if (SnmpFreeVbl(old[i]) != SNMPAPI_FAILURE || SnmpGetLastError(0) != SNMPAPI_VBL_INVALID)
            bad_free++;
        if (SnmpFreePdu(old[i]) != SNMPAPI_FAILURE)
            bad_free++;
    }
    CHECK_EQ_INT(dup, 0);
    CHECK_EQ_INT(bad_kind, 0);
    CHECK_EQ_INT(bad_free, 0);
    CHECK_EQ_INT(WsnmpHandleKind(live), WSNMP_KIND_VBL);
    CHECK_RET(SnmpCountVbl(live), 1);
    CHECK_EQ_INT(WsnmpHandleKind(pdu), WSNMP_KIND_PDU);

    /* The handles handed out were all different numbers. */
    {
        int j, same = 0;
        for (i = 0; i < 2000; i++)
            for (j = i + 1; j < 2000; j++)
                same += old[i] == old[j];
        CHECK_EQ_INT(same, 0);
    }
    CHECK_OK(SnmpFreeVbl(live));
    CHECK_OK(SnmpFreePdu(pdu));

    /* Across kinds: a freed VBL's slot reused by a PDU (if the table is
     * shared) does not make the old VBL handle a PDU handle. */
    for (i = 0; i < 100; i++) {
        HSNMP_VBL v = SnmpCreateVbl(a, NULL, NULL);
        HSNMP_PDU p;
        CHECK_OK(SnmpFreeVbl(v));
        p = SnmpCreatePdu(a, 0, 0, 0, 0, 0);
        if (p == v || SnmpFreePdu(v) != SNMPAPI_FAILURE || SnmpCountVbl(v) != 0 ||
            WsnmpHandleKind(p) != WSNMP_KIND_PDU) {
            CHECK(!"stale VBL handle reached a new PDU");
            break;
        }
        CHECK_OK(SnmpFreePdu(p));
    }

    /* Sessions too: churn them and keep the old handles dead. */
    for (i = 0; i < 2000; i++) {
        HSNMP_SESSION s = WsnmpCreateSession(NULL, NULL);
        old[i] = s;
        if (!s || SnmpClose(s) != SNMPAPI_SUCCESS) {
            CHECK(!"create/close session in the churn loop");
            break;
        }
    }
    {
        HSNMP_SESSION s = WsnmpCreateSession(NULL, NULL);
        HSNMP_VBL v = SnmpCreateVbl(s, NULL, NULL);
        CHECK_HANDLE(s);
        bad_kind = bad_free = 0;
        for (i = 0; i < 2000; i++) {
            if (old[i] == s || WsnmpHandleKind(old[i]) != WSNMP_KIND_NONE)
                bad_kind++;
            if (SnmpCreateVbl(old[i], NULL, NULL) != 0 ||
                SnmpGetLastError(0) != SNMPAPI_SESSION_INVALID)
                bad_free++;
        }
        CHECK_EQ_INT(bad_kind, 0);
        CHECK_EQ_INT(bad_free, 0);
        CHECK_OK(WsnmpGetStats(s, &st));
        CHECK_EQ_INT(st.vbls, 1); /* nothing was created through a dead handle */
        CHECK_OK(SnmpFreeVbl(v));
        CHECK_OK(SnmpClose(s));
    }

    /* Many reuses of one slot: the generation must not wrap quickly. */
    first = SnmpCreateVbl(a, NULL, NULL);
    CHECK_OK(SnmpFreeVbl(first));
    for (i = 0; i < 200000; i++) {
        HSNMP_VBL v = SnmpCreateVbl(a, NULL, NULL);
        if (!v || v == first || SnmpFreeVbl(v) != SNMPAPI_SUCCESS) {
            CHECK(!"slot reuse handed back an old handle");
            break;
        }
    }
    live = SnmpCreateVbl(a, NULL, NULL);
    CHECK(live != first);
    CHECK_FAIL(SnmpCountVbl(first), SNMPAPI_VBL_INVALID);
    CHECK_EQ_INT(WsnmpHandleKind(live), WSNMP_KIND_VBL);

    CHECK_OK(WsnmpGetStats(a, &st));
    CHECK_EQ_INT(st.vbls, 1);
    CHECK_EQ_INT(st.pdus, 0);

    free(old);
    CHECK_OK(SnmpClose(a));
    stop();
}

static void test_close_frees_everything(void)
{
    HSNMP_SESSION a, b, c;
    objs o, o2, keep;
    WsnmpStats st;
    int i;

    TEST_SECTION("SnmpClose frees what the session owns");
    start();
    a = WsnmpCreateSession(NULL, NULL);
    b = WsnmpCreateSession(NULL, NULL);
    CHECK_HANDLE(a);
    CHECK_HANDLE(b);
    o = make_objs(a);
    o2 = make_objs(a);
    keep = make_objs(b);
    for (i = 0; i < 50; i++)
        CHECK_HANDLE(SnmpDuplicateVbl(a, o.v));

    CHECK_OK(WsnmpGetStats(a, &st));
    CHECK_EQ_INT(st.entities, 2);
    CHECK_EQ_INT(st.contexts, 2);
    CHECK_EQ_INT(st.pdus, 2);
    CHECK_EQ_INT(st.vbls, 52);

    CHECK_OK(SnmpClose(a));
    check_session_invalid(a);
    check_all_invalid(b, &o);
    check_all_invalid(b, &o2);

    /* b's objects are untouched; the totals are b's alone. */
    CHECK_EQ_INT(WsnmpHandleKind(keep.e), WSNMP_KIND_ENTITY);
    CHECK_EQ_INT(WsnmpHandleKind(keep.v), WSNMP_KIND_VBL);
    CHECK_RET(SnmpCountVbl(keep.v), 1);
    CHECK_OK(WsnmpGetStats(0, &st));
    CHECK_EQ_INT(st.sessions, 1);
    CHECK_EQ_INT(st.entities, 1);
    CHECK_EQ_INT(st.contexts, 1);
    CHECK_EQ_INT(st.pdus, 1);
    CHECK_EQ_INT(st.vbls, 1);

    CHECK_OK(SnmpClose(b));
    c = WsnmpCreateSession(NULL, NULL);
    CHECK_HANDLE(c);
    check_all_invalid(c, &keep);
    CHECK_OK(SnmpClose(c));
    CHECK_OK(WsnmpGetStats(0, &st));
    CHECK(stats_all_zero(&st));
    stop();
}

static void test_sharing(void)
{
    HSNMP_SESSION a, b;
    HSNMP_VBL va, vb_copy, vout = 0;
    HSNMP_PDU pb, pa_copy;
    smiINT type = 0;
    WsnmpStats st;

    TEST_SECTION("sharing handles between sessions");
    start();
    a = WsnmpCreateSession(NULL, NULL);
    b = WsnmpCreateSession(NULL, NULL);
    CHECK_HANDLE(a);
    CHECK_HANDLE(b);

    /* A VBL of session a, used to build a PDU in session b. */
    va = SnmpCreateVbl(a, &sysdescr, NULL);
    CHECK_HANDLE(va);
    pb = SnmpCreatePdu(b, SNMP_PDU_GET, 0, 0, 0, va);
    CHECK_HANDLE(pb);
    CHECK_EQ_INT(WsnmpHandleOwner(pb), b);

    /* Duplicates belong to the session that made them. */
    vb_copy = SnmpDuplicateVbl(b, va);
    CHECK_HANDLE(vb_copy);
    CHECK_EQ_INT(WsnmpHandleOwner(vb_copy), b);
    pa_copy = SnmpDuplicatePdu(a, pb);
    CHECK_HANDLE(pa_copy);
    CHECK_EQ_INT(WsnmpHandleOwner(pa_copy), a);

    /* A handle of a can be freed without naming a. */
    CHECK_OK(SnmpFreePdu(pa_copy));

    /* The PDU copied the VBL: closing a does not hurt b's PDU. */
    CHECK_OK(SnmpClose(a));
    CHECK_EQ_INT(WsnmpHandleKind(va), WSNMP_KIND_NONE);
    CHECK_OK(SnmpGetPduData(pb, &type, NULL, NULL, NULL, &vout));
    CHECK_EQ_INT(type, SNMP_PDU_GET);
    CHECK_HANDLE(vout);
    CHECK_RET(SnmpCountVbl(vout), 1);
    CHECK_RET(SnmpCountVbl(vb_copy), 1);

    CHECK_OK(WsnmpGetStats(b, &st));
    CHECK_EQ_INT(st.pdus, 1);
    CHECK_EQ_INT(st.vbls, 2);

    CHECK_OK(SnmpClose(b));
    stop();
}

static void test_limits(void)
{
    WsnmpLimits saved, lim, now;
    WsnmpStats st;
    HSNMP_SESSION a, b, s[4];
    HSNMP_VBL va, vb[5];
    HSNMP_ENTITY e1, e2;
    HSNMP_CONTEXT c1;
    HSNMP_PDU p1;
    int i;

    TEST_SECTION("limits");
    start();
    CHECK_OK(WsnmpGetLimits(&saved));
    CHECK(saved.sessions >= 10000);
    CHECK(saved.handles >= 1000000);
    CHECK(saved.handles_per_session >= 1);

    CHECK_EQ_INT(WsnmpSetLimits(NULL), SNMPAPI_FAILURE);
    CHECK_ERR(SNMPAPI_ALLOC_ERROR);

    /* At most 3 sessions; a 0 field leaves a limit unchanged. */
    memset(&lim, 0, sizeof lim);
    lim.sessions = 3;
    CHECK_OK(WsnmpSetLimits(&lim));
    CHECK_OK(WsnmpGetLimits(&now));
    CHECK_EQ_INT(now.sessions, 3);
    CHECK_EQ_INT(now.handles, saved.handles);
    CHECK_EQ_INT(now.handles_per_session, saved.handles_per_session);
    CHECK_EQ_INT(now.pending, saved.pending);
    for (i = 0; i < 3; i++) {
        s[i] = WsnmpCreateSession(NULL, NULL);
        CHECK_HANDLE(s[i]);
    }
    CHECK_FAIL(WsnmpCreateSession(NULL, NULL), SNMPAPI_ALLOC_ERROR);
    CHECK_FAIL(SnmpCreateSession(NULL, 0, cb_noop, NULL), SNMPAPI_ALLOC_ERROR);
    CHECK_OK(WsnmpGetStats(0, &st));
    CHECK_EQ_INT(st.sessions, 3);
    CHECK_OK(SnmpClose(s[0]));
    s[0] = WsnmpCreateSession(NULL, NULL);
    CHECK_HANDLE(s[0]);
    for (i = 0; i < 3; i++)
        CHECK_OK(SnmpClose(s[i]));

    /* At most 5 handles per session, of any kind. */
    memset(&lim, 0, sizeof lim);
    lim.sessions = saved.sessions;
    lim.handles_per_session = 5;
    CHECK_OK(WsnmpSetLimits(&lim));
    a = WsnmpCreateSession(NULL, NULL);
    b = WsnmpCreateSession(NULL, NULL);
    CHECK_HANDLE(a);
    CHECK_HANDLE(b);
    e1 = SnmpStrToEntity(a, "127.0.0.1");
    e2 = SnmpStrToEntity(a, "127.0.0.2");
    c1 = make_context(a, "public");
    p1 = SnmpCreatePdu(a, SNMP_PDU_GET, 0, 0, 0, 0);
    va = SnmpCreateVbl(a, NULL, NULL);
    CHECK_HANDLE(e1);
    CHECK_HANDLE(e2);
    CHECK_HANDLE(c1);
    CHECK_HANDLE(p1);
    CHECK_HANDLE(va);
    CHECK_FAIL_S(SnmpCreateVbl(a, NULL, NULL), a, SNMPAPI_ALLOC_ERROR);
    CHECK_FAIL_S(SnmpDuplicateVbl(a, va), a, SNMPAPI_ALLOC_ERROR);
    CHECK_FAIL_S(SnmpStrToEntity(a, "127.0.0.3"), a, SNMPAPI_ALLOC_ERROR);
    CHECK_FAIL_S(make_context(a, "private"), a, SNMPAPI_ALLOC_ERROR);
    CHECK_FAIL_S(SnmpCreatePdu(a, SNMP_PDU_GET, 0, 0, 0, 0), a, SNMPAPI_ALLOC_ERROR);
    CHECK_FAIL_S(SnmpDuplicatePdu(a, p1), a, SNMPAPI_ALLOC_ERROR);
    CHECK_OK(WsnmpGetStats(a, &st));
    CHECK_EQ_INT(st.entities + st.contexts + st.pdus + st.vbls, 5);
    CHECK(WsnmpGetLastErrorMessage(a) != NULL);

    /* Another session has its own allowance, and can use a's handles. */
    for (i = 0; i < 5; i++) {
        vb[i] = SnmpDuplicateVbl(b, va);
        CHECK_HANDLE(vb[i]);
        CHECK_EQ_INT(WsnmpHandleOwner(vb[i]), b);
    }
    CHECK_FAIL_S(SnmpCreateVbl(b, NULL, NULL), b, SNMPAPI_ALLOC_ERROR);

    /* Freeing one makes room again. */
    CHECK_OK(SnmpFreeEntity(e2));
    CHECK_HANDLE(SnmpCreateVbl(a, NULL, NULL));
    CHECK_FAIL_S(SnmpCreateVbl(a, NULL, NULL), a, SNMPAPI_ALLOC_ERROR);
    CHECK_OK(SnmpClose(a));
    CHECK_OK(SnmpClose(b));

    /* At most (live + 4) handles in the process, across sessions. */
    a = WsnmpCreateSession(NULL, NULL);
    b = WsnmpCreateSession(NULL, NULL);
    CHECK_HANDLE(a);
    CHECK_HANDLE(b);
    CHECK_OK(WsnmpGetStats(0, &st));
    CHECK_EQ_INT(st.entities + st.contexts + st.pdus + st.vbls, 0);
    memset(&lim, 0, sizeof lim);
    lim.handles_per_session = saved.handles_per_session;
    lim.handles = 4;
    CHECK_OK(WsnmpSetLimits(&lim));
    CHECK_HANDLE(SnmpCreateVbl(a, NULL, NULL));
    CHECK_HANDLE(SnmpCreateVbl(a, NULL, NULL));
    CHECK_HANDLE(SnmpCreateVbl(b, NULL, NULL));
    CHECK_HANDLE(SnmpStrToEntity(b, "127.0.0.1"));
    CHECK_FAIL_S(SnmpCreateVbl(a, NULL, NULL), a, SNMPAPI_ALLOC_ERROR);
    CHECK_FAIL_S(SnmpStrToEntity(b, "127.0.0.2"), b, SNMPAPI_ALLOC_ERROR);
    {
        /* An equal string needs no new handle: the shared one is acquired. */
        HSNMP_ENTITY again = SnmpStrToEntity(b, "127.0.0.1");
        CHECK_HANDLE(again);
        CHECK_OK(SnmpFreeEntity(again));
    }
    CHECK_FAIL_S(SnmpCreatePdu(b, 0, 0, 0, 0, 0), b, SNMPAPI_ALLOC_ERROR);
    CHECK_OK(WsnmpGetStats(0, &st));
    CHECK_EQ_INT(st.entities + st.contexts + st.pdus + st.vbls, 4);
    /* Closing a session returns its handles to the pool. */
    CHECK_OK(SnmpClose(a));
    CHECK_HANDLE(SnmpCreateVbl(b, NULL, NULL));
    CHECK_HANDLE(SnmpCreateVbl(b, NULL, NULL));
    CHECK_FAIL_S(SnmpCreateVbl(b, NULL, NULL), b, SNMPAPI_ALLOC_ERROR);
    CHECK_OK(SnmpClose(b));

    /* Restore the defaults. */
    CHECK_OK(WsnmpSetLimits(&saved));
    CHECK_OK(WsnmpGetLimits(&now));
    CHECK_EQ_INT(now.sessions, saved.sessions);
    CHECK_EQ_INT(now.handles, saved.handles);
    CHECK_EQ_INT(now.handles_per_session, saved.handles_per_session);
    CHECK_EQ_INT(now.pending, saved.pending);
    a = WsnmpCreateSession(NULL, NULL);
    CHECK_HANDLE(a);
    for (i = 0; i < 100; i++)
        CHECK_HANDLE(SnmpCreateVbl(a, NULL, NULL));
    CHECK_OK(SnmpClose(a));
    stop();
}

/* The default limits get in the way of no real program: 10,000 sessions. */
#define MANY_SESSIONS 10000
static void test_default_limits_are_roomy(void)
{
    HSNMP_SESSION *s;
    WsnmpStats st;
    int i, made = 0;

    TEST_SECTION("default limits");
    start();
    s = calloc(MANY_SESSIONS, sizeof *s);
    CHECK(s != NULL);
    if (!s) {
        stop();
        return;
    }
    for (i = 0; i < MANY_SESSIONS; i++) {
        s[i] = WsnmpCreateSession(NULL, NULL);
        if (!s[i]) {
            test_fail_(__FILE__, __LINE__, "session %d of %d: %s", i + 1, MANY_SESSIONS,
                       test_errname_(SnmpGetLastError(0)));
            break;
        }
        made++;
    }
    CHECK_EQ_INT(made, MANY_SESSIONS);
    /* Each can own handles. */
    for (i = 0; i < made; i += 97)
        CHECK_HANDLE(SnmpCreateVbl(s[i], NULL, NULL));
    CHECK_OK(WsnmpGetStats(0, &st));
    CHECK_EQ_INT(st.sessions, made);
    /* Closing half by hand, the rest by SnmpCleanup. */
    for (i = 0; i < made; i += 2)
        CHECK_OK(SnmpClose(s[i]));
    CHECK_OK(WsnmpGetStats(0, &st));
    CHECK_EQ_INT(st.sessions, made - (made + 1) / 2);
    CHECK_OK(SnmpCleanup());
    start();
    CHECK_OK(WsnmpGetStats(0, &st));
    CHECK(stats_all_zero(&st));
    free(s);
    stop();
}

static void test_cleanup_frees_everything(void)
{
    HSNMP_SESSION a, b;
    objs o1, o2;
    objs after1, after2;
    WsnmpStats st;

    TEST_SECTION("SnmpCleanup frees everything");
    start();
    a = WsnmpCreateSession(NULL, NULL);
    b = WsnmpCreateSession(NULL, NULL);
    CHECK_HANDLE(a);
    CHECK_HANDLE(b);
    o1 = make_objs(a);
    o2 = make_objs(b);
    CHECK_OK(SnmpCleanup());

    /* Without the library, every call reports NOT_INITIALIZED. */
    CHECK_FAIL(SnmpFreeVbl(o1.v), SNMPAPI_NOT_INITIALIZED);
    CHECK_FAIL(SnmpClose(a), SNMPAPI_NOT_INITIALIZED);
    CHECK_EQ_INT(WsnmpHandleKind(a), WSNMP_KIND_NONE);
    CHECK_EQ_INT(WsnmpHandleKind(o1.v), WSNMP_KIND_NONE);
    CHECK_EQ_INT(WsnmpHandleKind(o2.e), WSNMP_KIND_NONE);

    start();
    CHECK_OK(WsnmpGetStats(0, &st));
    CHECK(stats_all_zero(&st));
    check_session_invalid(a);
    check_session_invalid(b);

    /* The same sequence of creations after a restart does not bring back
     * the old handle numbers. */
    {
        HSNMP_SESSION a2 = WsnmpCreateSession(NULL, NULL);
        HSNMP_SESSION b2 = WsnmpCreateSession(NULL, NULL);
        CHECK_HANDLE(a2);
        CHECK_HANDLE(b2);
        after1 = make_objs(a2);
        after2 = make_objs(b2);
        CHECK(a2 != a && a2 != b && b2 != a && b2 != b);
        CHECK(after1.e != o1.e && after1.c != o1.c && after1.p != o1.p && after1.v != o1.v);
        CHECK(after2.e != o2.e && after2.c != o2.c && after2.p != o2.p && after2.v != o2.v);
        check_all_invalid(a2, &o1);
        check_all_invalid(a2, &o2);
        CHECK_EQ_INT(WsnmpHandleKind(after1.v), WSNMP_KIND_VBL);
        CHECK_OK(WsnmpGetStats(0, &st));
        CHECK_EQ_INT(st.sessions, 2);
        CHECK_EQ_INT(st.vbls, 2);
    }
    stop();
}

int main(void)
{
    test_sessions();
    test_kinds_and_owners();
    test_stale_handles();
    test_wrong_kind();
    test_generations();
    test_close_frees_everything();
    test_sharing();
    test_limits();
    test_default_limits_are_roomy();
    test_cleanup_frees_everything();
    return TEST_REPORT();
}
