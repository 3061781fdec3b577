/*
 * test_library.c — startup and cleanup, the SnmpStartupEx reference count,
 * vendor information, process-wide modes, the two last-error slots, and the
 * error-name tables.
 */
#include <stdint.h>
#include <stdio.h>
#include <string.h>

#include "winsnmp.h"
#include "test.h"

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

/* Every call that needs the library fails with NOT_INITIALIZED. */
static void check_not_initialized(void)
{
    smiUINT32 mode = 0;
    smiOID oid = {0, NULL};
    smiINT cmp = 0;
    smiUINT32 sub[2] = {1, 3};
    smiOID two = {2, sub};
    WsnmpStats st;
    WsnmpLimits lim;

    CHECK_EQ_INT(WsnmpIsStarted(), 0);

    CHECK_FAIL(SnmpCreateSession(NULL, 0, cb_noop, NULL), SNMPAPI_NOT_INITIALIZED);
    CHECK_FAIL(WsnmpCreateSession(NULL, NULL), SNMPAPI_NOT_INITIALIZED);
    CHECK_FAIL(SnmpOpen(NULL, 0), SNMPAPI_NOT_INITIALIZED);
    CHECK_FAIL(SnmpCleanup(), SNMPAPI_NOT_INITIALIZED);
    CHECK_FAIL(SnmpCleanupEx(), SNMPAPI_NOT_INITIALIZED);
    CHECK_FAIL(SnmpGetTranslateMode(&mode), SNMPAPI_NOT_INITIALIZED);
    CHECK_FAIL(SnmpSetTranslateMode(SNMPAPI_TRANSLATED), SNMPAPI_NOT_INITIALIZED);
    CHECK_FAIL(SnmpGetRetransmitMode(&mode), SNMPAPI_NOT_INITIALIZED);
    CHECK_FAIL(SnmpSetRetransmitMode(SNMPAPI_ON), SNMPAPI_NOT_INITIALIZED);
    CHECK_FAIL(SnmpStrToOid("1.3.6.1", &oid), SNMPAPI_NOT_INITIALIZED);
    CHECK_FAIL(SnmpOidCompare(&two, &two, 0, &cmp), SNMPAPI_NOT_INITIALIZED);
    CHECK_FAIL(SnmpFreeDescriptor(SNMP_SYNTAX_OID, (smiLPOPAQUE)&oid), SNMPAPI_NOT_INITIALIZED);
    /* Accounting works without the library: limits can be set before
     * startup, and counts read back as zero after cleanup. */
    CHECK_OK(WsnmpGetStats(0, &st));
    CHECK_EQ_INT(st.sessions + st.entities + st.contexts + st.pdus + st.vbls, 0);
    CHECK_OK(WsnmpGetLimits(&lim));
    CHECK_FAIL(SnmpClose(FORGE(1)), SNMPAPI_NOT_INITIALIZED);
    CHECK_FAIL(SnmpFreeVbl(FORGE(1)), SNMPAPI_NOT_INITIALIZED);
    CHECK_FAIL(SnmpStrToEntity(FORGE(1), "127.0.0.1"), SNMPAPI_NOT_INITIALIZED);
}

static void test_before_startup(void)
{
    smiVENDORINFO vi;

    TEST_SECTION("before startup");
    check_not_initialized();

    /* These work without the library. */
    memset(&vi, 0, sizeof vi);
    CHECK_OK(SnmpGetVendorInfo(&vi));
    CHECK(vi.vendorName[0] != '\0');
    CHECK_STR_EQ(WsnmpErrorName(SNMPAPI_NOT_INITIALIZED), "SNMPAPI_NOT_INITIALIZED");
    CHECK_EQ_INT(WsnmpErrorCode("SNMPAPI_NOOP"), SNMPAPI_NOOP);
    CHECK_EQ_INT(WsnmpHandleKind(FORGE(1)), WSNMP_KIND_NONE);

    /* SnmpGetLastError itself never fails with NOT_INITIALIZED... */
    CHECK_FAIL(SnmpCleanup(), SNMPAPI_NOT_INITIALIZED);
    /* ...and reading it does not change it. */
    CHECK_ERR(SNMPAPI_NOT_INITIALIZED);
    CHECK_ERR(SNMPAPI_NOT_INITIALIZED);
}

static void test_startup_reports(void)
{
    smiUINT32 major = 99, minor = 99, level = 99, tmode = 99, rmode = 99;

    TEST_SECTION("startup reports");
    CHECK_OK(SnmpStartup(&major, &minor, &level, &tmode, &rmode));
    CHECK_EQ_INT(major, 2);
    CHECK_EQ_INT(minor, 0);
    CHECK_EQ_INT(level, SNMPAPI_V2_SUPPORT);
    CHECK_EQ_INT(tmode, SNMPAPI_UNTRANSLATED_V1); /* Windows: "2, 0, 2, 1, 1" */
    CHECK_EQ_INT(rmode, SNMPAPI_ON);
    CHECK_EQ_INT(WsnmpIsStarted(), 1);
    CHECK_OK(SnmpCleanup());
    CHECK_EQ_INT(WsnmpIsStarted(), 0);

    /* NULL output pointers are fine. */
    CHECK_OK(SnmpStartup(NULL, NULL, NULL, NULL, NULL));
    CHECK_EQ_INT(WsnmpIsStarted(), 1);
    CHECK_OK(SnmpCleanup());

    /* Some outputs NULL, some not. */
    major = minor = 99;
    CHECK_OK(SnmpStartup(&major, NULL, NULL, NULL, &rmode));
    CHECK_EQ_INT(major, 2);
    CHECK_EQ_INT(rmode, SNMPAPI_ON);
    CHECK_OK(SnmpCleanup());

    /* SnmpStartupEx reports the same. */
    major = minor = level = tmode = rmode = 99;
    CHECK_OK(SnmpStartupEx(&major, &minor, &level, &tmode, &rmode));
    CHECK_EQ_INT(major, 2);
    CHECK_EQ_INT(minor, 0);
    CHECK_EQ_INT(level, SNMPAPI_V2_SUPPORT);
    CHECK_EQ_INT(tmode, SNMPAPI_UNTRANSLATED_V1); /* Windows: "2, 0, 2, 1, 1" */
    CHECK_EQ_INT(rmode, SNMPAPI_ON);
    CHECK_OK(SnmpCleanupEx());
    CHECK_EQ_INT(WsnmpIsStarted(), 0);
}

static void test_startup_not_counted(void)
{
    HSNMP_SESSION s;

    TEST_SECTION("SnmpStartup is not counted");
    CHECK_OK(SnmpStartup(NULL, NULL, NULL, NULL, NULL));
    CHECK_OK(SnmpStartup(NULL, NULL, NULL, NULL, NULL));
    CHECK_OK(SnmpStartup(NULL, NULL, NULL, NULL, NULL));
    s = WsnmpCreateSession(NULL, NULL);
    CHECK_HANDLE(s);

    /* One SnmpCleanup covers all three SnmpStartup calls. */
    CHECK_OK(SnmpCleanup());
    CHECK_EQ_INT(WsnmpIsStarted(), 0);
    check_not_initialized();
    CHECK_EQ_INT(WsnmpHandleKind(s), WSNMP_KIND_NONE);

    /* A second SnmpCleanup has nothing left to clean. */
    CHECK_FAIL(SnmpCleanup(), SNMPAPI_NOT_INITIALIZED);
}

static void test_startup_ex_refcount(void)
{
    HSNMP_SESSION s1, s2;
    WsnmpStats st;

    TEST_SECTION("SnmpStartupEx reference count");
    CHECK_OK(SnmpStartupEx(NULL, NULL, NULL, NULL, NULL));
    s1 = WsnmpCreateSession(NULL, NULL);
    CHECK_HANDLE(s1);
    CHECK_OK(SnmpStartupEx(NULL, NULL, NULL, NULL, NULL));
    CHECK_OK(SnmpStartupEx(NULL, NULL, NULL, NULL, NULL));
    s2 = WsnmpCreateSession(NULL, NULL);
    CHECK_HANDLE(s2);

    /* 3 -> 2: nothing is cleaned up. */
    CHECK_OK(SnmpCleanupEx());
    CHECK_EQ_INT(WsnmpIsStarted(), 1);
    CHECK_EQ_INT(WsnmpHandleKind(s1), WSNMP_KIND_SESSION);
    CHECK_EQ_INT(WsnmpHandleKind(s2), WSNMP_KIND_SESSION);
    CHECK_OK(WsnmpGetStats(0, &st));
    CHECK_EQ_INT(st.sessions, 2);

    /* 2 -> 1: still running. */
    CHECK_OK(SnmpCleanupEx());
    CHECK_EQ_INT(WsnmpIsStarted(), 1);
    CHECK_EQ_INT(WsnmpHandleKind(s1), WSNMP_KIND_SESSION);

    /* 1 -> 0: the real cleanup. */
    CHECK_OK(SnmpCleanupEx());
    CHECK_EQ_INT(WsnmpIsStarted(), 0);
    CHECK_EQ_INT(WsnmpHandleKind(s1), WSNMP_KIND_NONE);
    CHECK_EQ_INT(WsnmpHandleKind(s2), WSNMP_KIND_NONE);
    check_not_initialized();

    /* Below zero is not possible. */
    CHECK_FAIL(SnmpCleanupEx(), SNMPAPI_NOT_INITIALIZED);

    /* The count starts again from zero after a full cleanup. */
    CHECK_OK(SnmpStartupEx(NULL, NULL, NULL, NULL, NULL));
    CHECK_EQ_INT(WsnmpIsStarted(), 1);
    CHECK_OK(SnmpCleanupEx());
    CHECK_EQ_INT(WsnmpIsStarted(), 0);
}

static void test_vendor_info(void)
{
    smiVENDORINFO vi;

    TEST_SECTION("vendor info");
    CHECK_OK(SnmpStartup(NULL, NULL, NULL, NULL, NULL));

    memset(&vi, 0x7f, sizeof vi); /* no NUL anywhere to start with */
    CHECK_OK(SnmpGetVendorInfo(&vi));
    CHECK(memchr(vi.vendorName, '\0', sizeof vi.vendorName) != NULL);
    CHECK(memchr(vi.vendorContact, '\0', sizeof vi.vendorContact) != NULL);
    CHECK(memchr(vi.vendorVersionId, '\0', sizeof vi.vendorVersionId) != NULL);
    CHECK(memchr(vi.vendorVersionDate, '\0', sizeof vi.vendorVersionDate) != NULL);
    CHECK(vi.vendorName[0] != '\0');
    CHECK(vi.vendorVersionId[0] != '\0');

    CHECK_FAIL(SnmpGetVendorInfo(NULL), SNMPAPI_NOOP);

    CHECK_OK(SnmpCleanup());

    /* Also without the library. */
    CHECK_FAIL(SnmpGetVendorInfo(NULL), SNMPAPI_NOOP);
}

static void test_modes(void)
{
    smiUINT32 mode = 99;
    smiUINT32 m;

    TEST_SECTION("translate and retransmit modes");
    CHECK_OK(SnmpStartup(NULL, NULL, NULL, NULL, NULL));

    CHECK_OK(SnmpGetTranslateMode(&mode));
    CHECK_EQ_INT(mode, SNMPAPI_UNTRANSLATED_V1);
    for (m = SNMPAPI_TRANSLATED; m <= SNMPAPI_UNTRANSLATED_V2; m++) {
        CHECK_OK(SnmpSetTranslateMode(m));
        mode = 99;
        CHECK_OK(SnmpGetTranslateMode(&mode));
        CHECK_EQ_INT(mode, m);
    }
    CHECK_FAIL(SnmpSetTranslateMode(5), SNMPAPI_MODE_INVALID);
    CHECK_FAIL(SnmpSetTranslateMode(3), SNMPAPI_MODE_INVALID);
    CHECK_FAIL(SnmpSetTranslateMode(0xFFFFFFFFu), SNMPAPI_MODE_INVALID);
    mode = 99;
    CHECK_OK(SnmpGetTranslateMode(&mode));
    CHECK_EQ_INT(mode, SNMPAPI_UNTRANSLATED_V2); /* a bad value changes nothing */

    CHECK_OK(SnmpGetRetransmitMode(&mode));
    CHECK_EQ_INT(mode, SNMPAPI_ON);
    CHECK_OK(SnmpSetRetransmitMode(SNMPAPI_OFF));
    CHECK_OK(SnmpGetRetransmitMode(&mode));
    CHECK_EQ_INT(mode, SNMPAPI_OFF);
    CHECK_OK(SnmpSetRetransmitMode(SNMPAPI_ON));
    CHECK_OK(SnmpGetRetransmitMode(&mode));
    CHECK_EQ_INT(mode, SNMPAPI_ON);
    CHECK_FAIL(SnmpSetRetransmitMode(7), SNMPAPI_MODE_INVALID);
    CHECK_FAIL(SnmpSetRetransmitMode(2), SNMPAPI_MODE_INVALID);
    CHECK_OK(SnmpGetRetransmitMode(&mode));
    CHECK_EQ_INT(mode, SNMPAPI_ON);

    /* A NULL output cannot be written: the call fails (NOOP or ALLOC_ERROR). */
    CHECK_EQ_INT(SnmpGetTranslateMode(NULL), SNMPAPI_FAILURE);
    CHECK(SnmpGetLastError(0) == SNMPAPI_ALLOC_ERROR || SnmpGetLastError(0) == SNMPAPI_NOOP);
    CHECK_EQ_INT(SnmpGetRetransmitMode(NULL), SNMPAPI_FAILURE);
    CHECK(SnmpGetLastError(0) == SNMPAPI_ALLOC_ERROR || SnmpGetLastError(0) == SNMPAPI_NOOP);

    /* A fresh start after a full cleanup has the default modes again. */
    CHECK_OK(SnmpSetTranslateMode(SNMPAPI_TRANSLATED));
    CHECK_OK(SnmpSetRetransmitMode(SNMPAPI_OFF));
    CHECK_OK(SnmpCleanup());
    {
        smiUINT32 tmode = 99, rmode = 99;
        CHECK_OK(SnmpStartup(NULL, NULL, NULL, &tmode, &rmode));
        CHECK_EQ_INT(tmode, SNMPAPI_UNTRANSLATED_V1);
        CHECK_EQ_INT(rmode, SNMPAPI_ON);
        CHECK_OK(SnmpGetTranslateMode(&mode));
        CHECK_EQ_INT(mode, SNMPAPI_UNTRANSLATED_V1);
        CHECK_OK(SnmpGetRetransmitMode(&mode));
        CHECK_EQ_INT(mode, SNMPAPI_ON);
    }
    CHECK_OK(SnmpCleanup());

    /* Modes are unreachable after cleanup. */
    CHECK_FAIL(SnmpGetTranslateMode(&mode), SNMPAPI_NOT_INITIALIZED);
    CHECK_FAIL(SnmpSetRetransmitMode(SNMPAPI_OFF), SNMPAPI_NOT_INITIALIZED);
}

static void test_session_modes(void)
{
    int marker = 0;
    HSNMP_SESSION s;

    TEST_SECTION("session notification modes");
    CHECK_OK(SnmpStartup(NULL, NULL, NULL, NULL, NULL));

    /* There are no windows on Linux. */
    CHECK_FAIL(SnmpCreateSession((HWND)&marker, 0x400, NULL, NULL), SNMPAPI_HWND_INVALID);
    CHECK_FAIL(SnmpCreateSession((HWND)&marker, 0x400, cb_noop, &marker), SNMPAPI_HWND_INVALID);
    CHECK_FAIL(SnmpOpen((HWND)&marker, 0x400), SNMPAPI_HWND_INVALID);
    /* Neither a window nor a callback. */
    CHECK_FAIL(SnmpCreateSession(NULL, 0, NULL, NULL), SNMPAPI_OPERATION_INVALID);
    CHECK_FAIL(SnmpOpen(NULL, 0), SNMPAPI_OPERATION_INVALID);

    s = SnmpCreateSession(NULL, 0, cb_noop, &marker);
    CHECK_HANDLE(s);
    CHECK_EQ_INT(WsnmpHandleKind(s), WSNMP_KIND_SESSION);
    CHECK_OK(SnmpClose(s));

    s = SnmpCreateSession(NULL, 0, cb_noop, NULL); /* client data may be NULL */
    CHECK_HANDLE(s);
    CHECK_OK(SnmpClose(s));

    s = WsnmpCreateSession(NULL, NULL); /* queue mode */
    CHECK_HANDLE(s);
    CHECK_EQ_INT(WsnmpHandleKind(s), WSNMP_KIND_SESSION);
    CHECK_OK(SnmpClose(s));

    s = WsnmpCreateSession(cb_noop, &marker);
    CHECK_HANDLE(s);
    CHECK_OK(SnmpClose(s));

    CHECK_OK(SnmpCleanup());
}

static void test_last_error_slots(void)
{
    HSNMP_SESSION a, b;
    HSNMP_VBL v;
    smiOID oid = {0, NULL};
    smiUINT32 mode;
    const char *msg;
    SNMPAPI_STATUS a_before;

    TEST_SECTION("last-error slots");
    CHECK_OK(SnmpStartup(NULL, NULL, NULL, NULL, NULL));
    CHECK_OK(SnmpSetTranslateMode(SNMPAPI_UNTRANSLATED_V2));
    a = WsnmpCreateSession(NULL, NULL);
    b = WsnmpCreateSession(NULL, NULL);
    CHECK_HANDLE(a);
    CHECK_HANDLE(b);
    v = SnmpCreateVbl(a, NULL, NULL);
    CHECK_HANDLE(v);

    /* A failure with a session argument writes that session's slot and the
     * process-wide one. */
    CHECK_FAIL_S(SnmpStrToEntity(a, ""), a, SNMPAPI_ENTITY_UNKNOWN);
    a_before = SnmpGetLastError(a);
    CHECK_EQ_INT(a_before, SNMPAPI_ENTITY_UNKNOWN);

    /* A failure without a session writes only the process-wide slot. */
    CHECK_FAIL(SnmpStrToOid("1.3.x", &oid), SNMPAPI_OID_INVALID);
    CHECK_ERR_S(a, SNMPAPI_ENTITY_UNKNOWN);

    /* A failure on a handle writes its owner's slot. */
    CHECK_FAIL_S(SnmpDeleteVb(v, 5), a, SNMPAPI_INDEX_INVALID);

    /* Session b never failed: its slot did not receive a's errors. */
    {
        SNMPAPI_STATUS eb = SnmpGetLastError(b);
        CHECK(eb != SNMPAPI_ENTITY_UNKNOWN);
        CHECK(eb != SNMPAPI_INDEX_INVALID);
        CHECK(eb != SNMPAPI_OID_INVALID);
    }
    CHECK_FAIL_S(SnmpStrToEntity(b, "127.0.0.1:abc"), b, SNMPAPI_ENTITY_UNKNOWN);
    CHECK_ERR_S(a, SNMPAPI_INDEX_INVALID);

    /* Successful calls do not reset the slots. */
    CHECK_FAIL_S(SnmpDeleteVb(v, 0), a, SNMPAPI_INDEX_INVALID);
    CHECK_OK(SnmpGetTranslateMode(&mode));
    {
        HSNMP_ENTITY e = SnmpStrToEntity(a, "127.0.0.1");
        CHECK_HANDLE(e);
        CHECK_OK(SnmpFreeEntity(e));
    }
    CHECK_ERR(SNMPAPI_INDEX_INVALID);
    CHECK_ERR_S(a, SNMPAPI_INDEX_INVALID);

    /* A message accompanies the process-wide error. */
    msg = WsnmpGetLastErrorMessage(0);
    CHECK(msg != NULL);

    /* An unknown session has no slot. */
    CHECK_EQ_INT(SnmpGetLastError((HSNMP_SESSION)0xDEADBEEF), SNMPAPI_SESSION_INVALID);
    CHECK_EQ_INT(SnmpGetLastError(v), SNMPAPI_SESSION_INVALID); /* a VBL is not a session */
    CHECK_OK(SnmpClose(b));
    CHECK_EQ_INT(SnmpGetLastError(b), SNMPAPI_SESSION_INVALID);

    /* An invalid session argument writes only the process-wide slot. */
    CHECK_FAIL(SnmpCreateVbl(b, NULL, NULL), SNMPAPI_SESSION_INVALID);
    CHECK_FAIL(SnmpClose(b), SNMPAPI_SESSION_INVALID);
    CHECK_ERR_S(a, SNMPAPI_INDEX_INVALID);

    /* WsnmpSetLastError records an outside failure in both slots. */
    WsnmpSetLastError(a, SNMPAPI_OTHER_ERROR, "binding said no");
    CHECK_ERR(SNMPAPI_OTHER_ERROR);
    CHECK_ERR_S(a, SNMPAPI_OTHER_ERROR);
    msg = WsnmpGetLastErrorMessage(a);
    CHECK(msg != NULL && strstr(msg, "binding said no") != NULL);
    msg = WsnmpGetLastErrorMessage(0);
    CHECK(msg != NULL && strstr(msg, "binding said no") != NULL);
    /* ...and only the process-wide one for a session that is not valid. */
    WsnmpSetLastError(b, SNMPAPI_TL_TIMEOUT, "late");
    CHECK_ERR(SNMPAPI_TL_TIMEOUT);
    CHECK_ERR_S(a, SNMPAPI_OTHER_ERROR);

    CHECK_OK(SnmpCleanup());

    /* After cleanup the slots still answer, and calls fail. */
    CHECK_FAIL(SnmpFreeVbl(v), SNMPAPI_NOT_INITIALIZED);
    CHECK_FAIL(WsnmpCreateSession(NULL, NULL), SNMPAPI_NOT_INITIALIZED);
    CHECK_FAIL(SnmpCountVbl(v), SNMPAPI_NOT_INITIALIZED);
    CHECK_ERR(SNMPAPI_NOT_INITIALIZED);
}

static void test_error_names(void)
{
    static const struct {
        SNMPAPI_STATUS code;
        const char *name;
    } codes[] = {
        {SNMPAPI_ALLOC_ERROR, "SNMPAPI_ALLOC_ERROR"},
        {SNMPAPI_CONTEXT_INVALID, "SNMPAPI_CONTEXT_INVALID"},
        {SNMPAPI_CONTEXT_UNKNOWN, "SNMPAPI_CONTEXT_UNKNOWN"},
        {SNMPAPI_ENTITY_INVALID, "SNMPAPI_ENTITY_INVALID"},
        {SNMPAPI_ENTITY_UNKNOWN, "SNMPAPI_ENTITY_UNKNOWN"},
        {SNMPAPI_INDEX_INVALID, "SNMPAPI_INDEX_INVALID"},
        {SNMPAPI_NOOP, "SNMPAPI_NOOP"},
        {SNMPAPI_OID_INVALID, "SNMPAPI_OID_INVALID"},
        {SNMPAPI_OPERATION_INVALID, "SNMPAPI_OPERATION_INVALID"},
        {SNMPAPI_OUTPUT_TRUNCATED, "SNMPAPI_OUTPUT_TRUNCATED"},
        {SNMPAPI_PDU_INVALID, "SNMPAPI_PDU_INVALID"},
        {SNMPAPI_SESSION_INVALID, "SNMPAPI_SESSION_INVALID"},
        {SNMPAPI_SYNTAX_INVALID, "SNMPAPI_SYNTAX_INVALID"},
        {SNMPAPI_VBL_INVALID, "SNMPAPI_VBL_INVALID"},
        {SNMPAPI_MODE_INVALID, "SNMPAPI_MODE_INVALID"},
        {SNMPAPI_SIZE_INVALID, "SNMPAPI_SIZE_INVALID"},
        {SNMPAPI_NOT_INITIALIZED, "SNMPAPI_NOT_INITIALIZED"},
        {SNMPAPI_MESSAGE_INVALID, "SNMPAPI_MESSAGE_INVALID"},
        {SNMPAPI_HWND_INVALID, "SNMPAPI_HWND_INVALID"},
        {SNMPAPI_OTHER_ERROR, "SNMPAPI_OTHER_ERROR"},
        {SNMPAPI_TL_NOT_INITIALIZED, "SNMPAPI_TL_NOT_INITIALIZED"},
        {SNMPAPI_TL_NOT_SUPPORTED, "SNMPAPI_TL_NOT_SUPPORTED"},
        {SNMPAPI_TL_NOT_AVAILABLE, "SNMPAPI_TL_NOT_AVAILABLE"},
        {SNMPAPI_TL_RESOURCE_ERROR, "SNMPAPI_TL_RESOURCE_ERROR"},
        {SNMPAPI_TL_UNDELIVERABLE, "SNMPAPI_TL_UNDELIVERABLE"},
        {SNMPAPI_TL_SRC_INVALID, "SNMPAPI_TL_SRC_INVALID"},
        {SNMPAPI_TL_INVALID_PARAM, "SNMPAPI_TL_INVALID_PARAM"},
        {SNMPAPI_TL_IN_USE, "SNMPAPI_TL_IN_USE"},
        {SNMPAPI_TL_TIMEOUT, "SNMPAPI_TL_TIMEOUT"},
        {SNMPAPI_TL_PDU_TOO_BIG, "SNMPAPI_TL_PDU_TOO_BIG"},
        {SNMPAPI_TL_OTHER, "SNMPAPI_TL_OTHER"},
    };
    static const char *const pdu_errors[] = {
        "SNMP_ERROR_NOERROR",
        "SNMP_ERROR_TOOBIG",
        "SNMP_ERROR_NOSUCHNAME",
        "SNMP_ERROR_BADVALUE",
        "SNMP_ERROR_READONLY",
        "SNMP_ERROR_GENERR",
        "SNMP_ERROR_NOACCESS",
        "SNMP_ERROR_WRONGTYPE",
        "SNMP_ERROR_WRONGLENGTH",
        "SNMP_ERROR_WRONGENCODING",
        "SNMP_ERROR_WRONGVALUE",
        "SNMP_ERROR_NOCREATION",
        "SNMP_ERROR_INCONSISTENTVALUE",
        "SNMP_ERROR_RESOURCEUNAVAILABLE",
        "SNMP_ERROR_COMMITFAILED",
        "SNMP_ERROR_UNDOFAILED",
        "SNMP_ERROR_AUTHORIZATIONERROR",
        "SNMP_ERROR_NOTWRITABLE",
        "SNMP_ERROR_INCONSISTENTNAME",
    };
    size_t i;

    TEST_SECTION("error names");
    CHECK_STR_EQ(WsnmpErrorName(108), "SNMPAPI_TL_TIMEOUT");
    CHECK_EQ_INT(WsnmpErrorCode("SNMPAPI_TL_TIMEOUT"), 108);
    CHECK_STR_EQ(WsnmpPduErrorName(2), "SNMP_ERROR_NOSUCHNAME");

    for (i = 0; i < sizeof codes / sizeof codes[0]; i++) {
        CHECK_STR_EQ(WsnmpErrorName(codes[i].code), codes[i].name);
        CHECK_EQ_INT(WsnmpErrorCode(codes[i].name), codes[i].code);
    }
    CHECK(WsnmpErrorName(12345) == NULL);
    CHECK(WsnmpErrorName(21) == NULL);
    CHECK_EQ_INT(WsnmpErrorCode("SNMPAPI_NO_SUCH_THING"), 0);
    CHECK_EQ_INT(WsnmpErrorCode(""), 0);

    CHECK_OK(SnmpStartup(NULL, NULL, NULL, NULL, NULL));
    for (i = 0; i < sizeof pdu_errors / sizeof pdu_errors[0]; i++)
        CHECK_STR_EQ(WsnmpPduErrorName((smiINT)i), pdu_errors[i]);
    CHECK_OK(SnmpCleanup());
}

static void test_local_engine(void)
{
    TEST_SECTION("local engine");
    WsnmpLocalEngine e;
    CHECK_FAIL(WsnmpGetLocalEngine(&e), SNMPAPI_NOT_INITIALIZED);
    CHECK(SnmpStartup(NULL, NULL, NULL, NULL, NULL));
    CHECK(WsnmpGetLocalEngine(&e));
    CHECK(e.id_len >= 5 && e.id_len <= 32);
    CHECK_EQ_INT(e.boots, 1);
    smiBYTE id[] = {0x80, 0x00, 0x07, 0xe5, 0x80, 0x01, 0x02};
    smiOCTETS set = {sizeof id, id};
    CHECK(WsnmpSetLocalEngine(&set, NULL));
    CHECK(WsnmpGetLocalEngine(&e));
    CHECK(e.id_len == sizeof id && memcmp(e.id, id, sizeof id) == 0);
    CHECK_EQ_INT(e.boots, 1);
    smiBYTE zeros[6] = {0};
    smiOCTETS bad = {sizeof zeros, zeros};
    CHECK_FAIL(WsnmpSetLocalEngine(&bad, NULL), SNMPAPI_OTHER_ERROR);
    bad.len = 4;
    CHECK_FAIL(WsnmpSetLocalEngine(&bad, NULL), SNMPAPI_OTHER_ERROR);
    CHECK_FAIL(WsnmpGetLocalEngine(NULL), SNMPAPI_NOOP);
    CHECK(SnmpCleanup());
}

int main(void)
{
    test_before_startup();
    test_startup_reports();
    test_startup_not_counted();
    test_startup_ex_refcount();
    test_vendor_info();
    test_modes();
    test_session_modes();
    test_last_error_slots();
    test_error_names();
    test_local_engine();
    return TEST_REPORT();
}
