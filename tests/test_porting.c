/*
 * test_porting.c — what Windows programs rely on (issue 16): Windows'
 * startup report and defaults, NULL for every handle, entity and context
 * handles shared and reference-counted, SnmpListenEx and Microsoft's names.
 * The same rules over the network are in tests/windows_style.c.
 */
#include "test.h"

#include <string.h>

static HSNMP_CONTEXT context(HSNMP_SESSION s, const char *text)
{
    smiOCTETS o = {(smiUINT32)strlen(text), (smiLPBYTE)text};
    return SnmpStrToContext(s, &o);
}

static void test_defaults(void)
{
    TEST_SECTION("startup reports Windows' 2, 0, 2, 1, 1");
    smiUINT32 v[5] = {99, 99, 99, 99, 99};
    CHECK_OK(SnmpStartup(&v[0], &v[1], &v[2], &v[3], &v[4]));
    CHECK_EQ_INT(v[0], 2);
    CHECK_EQ_INT(v[1], 0);
    CHECK_EQ_INT(v[2], SNMPAPI_V2_SUPPORT);
    CHECK_EQ_INT(v[3], SNMPAPI_UNTRANSLATED_V1);
    CHECK_EQ_INT(v[4], SNMPAPI_ON);
    /* So a literal address is a v1 agent, as on Windows. */
    HSNMP_SESSION s = SnmpCreateSession(NULL, 0, NULL, NULL);
    CHECK(s == NULL); /* neither a window nor a callback */
    s = WsnmpCreateSession(NULL, NULL);
    HSNMP_ENTITY e = SnmpStrToEntity(s, "127.0.0.1");
    int version = 0;
    CHECK_OK(WsnmpGetEntityVersion(e, &version));
    CHECK_EQ_INT(version, WSNMP_VERSION_1);
    CHECK_OK(SnmpClose(s));
    CHECK_OK(SnmpCleanup());

    PFNSNMPSTARTUPEX startup = SnmpStartupEx;
    PFNSNMPCLEANUPEX cleanup = SnmpCleanupEx;
    memset(v, 0, sizeof v);
    CHECK_OK(startup(&v[0], &v[1], &v[2], &v[3], &v[4]));
    CHECK(v[0] == 2 && v[1] == 0 && v[2] == 2 && v[3] == 1 && v[4] == 1);
    CHECK_OK(cleanup());
}

static void test_null_handles(HSNMP_SESSION s)
{
    TEST_SECTION("NULL handles");
    HSNMP_ENTITY none = NULL;
    CHECK_FAIL(SnmpFreeEntity(none), SNMPAPI_ENTITY_INVALID);
    CHECK_FAIL(SnmpFreeContext(NULL), SNMPAPI_CONTEXT_INVALID);
    CHECK_FAIL(SnmpClose(NULL), SNMPAPI_SESSION_INVALID);
    CHECK_EQ_INT(WsnmpHandleKind(NULL), WSNMP_KIND_NONE);
    CHECK(WsnmpHandleOwner(NULL) == NULL);
    CHECK_EQ_INT(WsnmpHandleRefs(NULL), 0);
    /* SnmpRegister with NULL filters: every sender, context and trap (the
     * registration ends with the session). */
    HSNMP_ENTITY local = SnmpStrToEntity(s, "udp:127.0.0.1:0");
    CHECK_OK(SnmpRegister(s, local, NULL, NULL, NULL, SNMPAPI_ON));
    CHECK_OK(SnmpFreeEntity(local));
    /* The value of a handle is its encoding, never NULL when live. */
    HSNMP_VBL v = SnmpCreateVbl(s, NULL, NULL);
    CHECK(v != NULL);
    CHECK(WSNMP_HANDLE_FROM_VALUE(WSNMP_HANDLE_VALUE(v)) == v);
    CHECK_EQ_INT(WSNMP_HANDLE_VALUE(v) >> 56, WSNMP_KIND_VBL);
    CHECK_OK(SnmpFreeVbl(v));
}

static void test_shared(HSNMP_SESSION s, HSNMP_SESSION other)
{
    TEST_SECTION("equal strings, same handle; each free balances one");
    WsnmpStats before;
    CHECK_OK(WsnmpGetStats(s, &before));
    HSNMP_ENTITY a = SnmpStrToEntity(s, "127.0.0.1:1161");
    HSNMP_ENTITY b = SnmpStrToEntity(s, "127.0.0.1:1161");
    HSNMP_ENTITY c = SnmpStrToEntity(s, "udp:127.0.0.1:1161"); /* another string */
    HSNMP_ENTITY d = SnmpStrToEntity(other, "127.0.0.1:1161"); /* another session */
    CHECK_HANDLE(a);
    CHECK(a == b);
    CHECK(c != a && d != a);
    CHECK_EQ_INT(WsnmpHandleRefs(a), 2);
    WsnmpStats st;
    CHECK_OK(WsnmpGetStats(s, &st));
    CHECK_EQ_INT(st.entities, before.entities + 2);
    /* Settings are the entity's: every holder sees them (as in Windows). */
    CHECK_OK(SnmpSetTimeout(b, 300));
    smiTIMETICKS t = 0;
    CHECK_OK(SnmpGetTimeout(a, &t, NULL));
    CHECK_EQ_INT(t, 300);
    CHECK_OK(SnmpSetRetry(a, 7));
    smiUINT32 r = 0;
    CHECK_OK(SnmpGetRetry(b, &r, NULL));
    CHECK_EQ_INT(r, 7);
    CHECK_OK(SnmpFreeEntity(a));
    CHECK_EQ_INT(WsnmpHandleKind(b), WSNMP_KIND_ENTITY); /* one reference left */
    CHECK_OK(SnmpFreeEntity(b));
    CHECK_EQ_INT(WsnmpHandleKind(a), WSNMP_KIND_NONE);
    CHECK_FAIL(SnmpFreeEntity(a), SNMPAPI_ENTITY_INVALID); /* one free too many */
    /* The stale handle never names what comes next, even from the same
     * string in the same slot. */
    HSNMP_ENTITY again = SnmpStrToEntity(s, "127.0.0.1:1161");
    CHECK_HANDLE(again);
    CHECK(again != a);
    CHECK_EQ_INT(WsnmpHandleRefs(again), 1);
    CHECK_FAIL(SnmpGetTimeout(a, &t, NULL), SNMPAPI_ENTITY_INVALID);
    CHECK_OK(SnmpGetTimeout(again, &t, NULL));
    CHECK_EQ_INT(t, 100); /* a new entity: the defaults */
    CHECK_OK(SnmpFreeEntity(again));
    CHECK_OK(SnmpFreeEntity(c));
    CHECK_OK(SnmpFreeEntity(d));

    /* The translate mode is part of the string's meaning. */
    CHECK_OK(SnmpSetTranslateMode(SNMPAPI_UNTRANSLATED_V2));
    HSNMP_ENTITY v2 = SnmpStrToEntity(s, "127.0.0.1");
    CHECK_OK(SnmpSetTranslateMode(SNMPAPI_UNTRANSLATED_V1));
    HSNMP_ENTITY v1 = SnmpStrToEntity(s, "127.0.0.1");
    CHECK(v1 != v2);
    CHECK_OK(SnmpFreeEntity(v1));
    CHECK_OK(SnmpFreeEntity(v2));

    /* Contexts likewise. */
    HSNMP_CONTEXT x = context(s, "public");
    HSNMP_CONTEXT y = context(s, "public");
    HSNMP_CONTEXT z = context(s, "private");
    CHECK(x == y && x != z);
    CHECK_EQ_INT(WsnmpHandleRefs(x), 2);
    CHECK_OK(SnmpFreeContext(y));
    smiOCTETS out;
    CHECK_OK(SnmpContextToStr(x, &out));
    CHECK(out.len == 6 && memcmp(out.ptr, "public", 6) == 0);
    CHECK_OK(SnmpFreeDescriptor(SNMP_SYNTAX_OCTETS, &out));
    CHECK_OK(SnmpFreeContext(x));
    CHECK_FAIL(SnmpFreeContext(x), SNMPAPI_CONTEXT_INVALID);
    CHECK_OK(SnmpFreeContext(z));

    /* Private handles are never returned for a string. */
    HSNMP_ENTITY p = WsnmpStrToEntityEx(s, "127.0.0.1", WSNMP_PRIVATE);
    HSNMP_ENTITY q = WsnmpStrToEntityEx(s, "127.0.0.1", WSNMP_PRIVATE);
    HSNMP_ENTITY shared = SnmpStrToEntity(s, "127.0.0.1");
    CHECK(p != q && p != shared && q != shared);
    CHECK_OK(SnmpFreeEntity(p));
    CHECK_OK(SnmpFreeEntity(q));
    CHECK_OK(SnmpFreeEntity(shared));

    /* SnmpClose frees what the session owns, whatever the references. */
    HSNMP_SESSION t2 = WsnmpCreateSession(NULL, NULL);
    HSNMP_ENTITY held = SnmpStrToEntity(t2, "10.0.0.1");
    CHECK(SnmpStrToEntity(t2, "10.0.0.1") == held);
    CHECK_OK(SnmpClose(t2));
    CHECK_EQ_INT(WsnmpHandleKind(held), WSNMP_KIND_NONE);
    CHECK_FAIL(SnmpFreeEntity(held), SNMPAPI_ENTITY_INVALID);

    CHECK_OK(WsnmpGetStats(s, &st));
    CHECK_EQ_INT(st.entities, before.entities);
    CHECK_EQ_INT(st.contexts, before.contexts);
}

static void test_listen_ex(HSNMP_SESSION s)
{
    TEST_SECTION("SnmpListenEx");
    char bound[128];
    HSNMP_ENTITY all = WsnmpStrToEntityEx(s, "udp:127.0.0.1:0", WSNMP_PRIVATE);
    CHECK_OK(SnmpListenEx(all, SNMPAPI_ON, SNMPLISTEN_ALL_ADDR));
    CHECK(WsnmpGetListenAddress(all, sizeof bound, bound) > 0);
    CHECK(strncmp(bound, "udp:0.0.0.0:", 12) == 0);
    CHECK(strcmp(bound, "udp:0.0.0.0:0") != 0); /* the real port */
    CHECK_FAIL_S(SnmpListenEx(all, SNMPAPI_ON, SNMPLISTEN_ALL_ADDR), s, SNMPAPI_NOOP);
    CHECK_OK(SnmpListenEx(all, SNMPAPI_OFF, SNMPLISTEN_ALL_ADDR));
    CHECK_OK(SnmpFreeEntity(all));

    HSNMP_ENTITY own = WsnmpStrToEntityEx(s, "udp:127.0.0.1:0", WSNMP_PRIVATE);
    CHECK_OK(SnmpListenEx(own, SNMPAPI_ON, SNMPLISTEN_USEENTITY_ADDR));
    CHECK(WsnmpGetListenAddress(own, sizeof bound, bound) > 0);
    CHECK(strncmp(bound, "udp:127.0.0.1:", 14) == 0);
    CHECK_FAIL_S(SnmpListenEx(own, SNMPAPI_OFF, 2), s, SNMPAPI_MODE_INVALID);
    CHECK_FAIL_S(SnmpListenEx(own, 5, SNMPLISTEN_USEENTITY_ADDR), s, SNMPAPI_MODE_INVALID);
    CHECK_FAIL(SnmpListenEx(NULL, SNMPAPI_ON, SNMPLISTEN_ALL_ADDR), SNMPAPI_ENTITY_INVALID);
    CHECK_OK(SnmpFreeEntity(own)); /* stops the agent role */
}

static void test_names(void)
{
    TEST_SECTION("Microsoft's names");
    smiOCTETS o = {0, NULL};
    smiLPOPAQUE op = &o; /* smiLPOPAQUE is smiOCTETS * */
    smiCNTR32 c = 5;
    smiGAUGE32 g = 6;
    smiLPCNTR32 pc = &c;
    smiLPGAUGE32 pg = &g;
    CHECK(op->len == 0 && *pc == 5 && *pg == 6);
    CHECK_EQ_INT(sizeof(HSNMP_SESSION), sizeof(void *));
}

int main(void)
{
    test_defaults();
    CHECK_OK(SnmpStartup(NULL, NULL, NULL, NULL, NULL));
    HSNMP_SESSION s = WsnmpCreateSession(NULL, NULL);
    HSNMP_SESSION other = WsnmpCreateSession(NULL, NULL);
    test_null_handles(s);
    test_shared(s, other);
    test_listen_ex(s);
    test_names();
    CHECK_OK(SnmpClose(other));
    CHECK_OK(SnmpClose(s));
    WsnmpStats st;
    CHECK_OK(WsnmpGetStats(NULL, &st));
    CHECK_EQ_INT(st.sessions + st.entities + st.contexts + st.pdus + st.vbls, 0);
    CHECK_OK(SnmpCleanup());
    return TEST_REPORT();
}
