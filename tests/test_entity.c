/*
 * test_entity.c — entities (address forms, canonical addresses, ports,
 * timeouts, retries, versions), contexts, friendly names (defined in code and
 * loaded from an INI file), translate modes, and that no error message ever
 * shows a community string.
 */
#define _POSIX_C_SOURCE 200809L
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "winsnmp.h"
#include "test.h"

static HSNMP_SESSION S;

/* The canonical address of e, or "(failed: CODE)". */
static const char *address(HSNMP_ENTITY e)
{
    static char buf[WSNMP_MAX_ADDRESS + 64];
    SNMPAPI_STATUS n = WsnmpEntityAddress(e, sizeof buf, buf);
    if (n == SNMPAPI_FAILURE)
        snprintf(buf, sizeof buf, "(failed: %s)", test_errname_(SnmpGetLastError(0)));
    else if (n != strlen(buf) + 1)
        snprintf(buf, sizeof buf, "(bad return %u)", (unsigned)n);
    return buf;
}

/* What SnmpEntityToStr writes, or "(failed: CODE)". */
static const char *entity_str(HSNMP_ENTITY e)
{
    static char buf[WSNMP_MAX_ADDRESS + 64];
    SNMPAPI_STATUS n = SnmpEntityToStr(e, sizeof buf, buf);
    if (n == SNMPAPI_FAILURE)
        snprintf(buf, sizeof buf, "(failed: %s)", test_errname_(SnmpGetLastError(0)));
    else if (n != strlen(buf) + 1)
        snprintf(buf, sizeof buf, "(bad return %u)", (unsigned)n);
    return buf;
}

/* SnmpContextToStr as a NUL-terminated copy (contexts here hold no NUL). */
static const char *context_str(HSNMP_CONTEXT c)
{
    static char buf[WSNMP_MAX_CONTEXT + 64];
    smiOCTETS o = {0, NULL};
    if (SnmpContextToStr(c, &o) != SNMPAPI_SUCCESS) {
        snprintf(buf, sizeof buf, "(failed: %s)", test_errname_(SnmpGetLastError(0)));
        return buf;
    }
    if (o.len >= sizeof buf || (o.len && !o.ptr)) {
        snprintf(buf, sizeof buf, "(bad descriptor)");
    } else {
        if (o.len)
            memcpy(buf, o.ptr, o.len);
        buf[o.len] = '\0';
    }
    CHECK_OK(SnmpFreeDescriptor(SNMP_SYNTAX_OCTETS, &o));
    return buf;
}

static HSNMP_CONTEXT str_context(HSNMP_SESSION s, const char *text)
{
    smiOCTETS o;
    o.len = (smiUINT32)strlen(text);
    o.ptr = (smiLPBYTE)(uintptr_t)text;
    return SnmpStrToContext(s, &o);
}

static smiUINT32 policy_timeout(HSNMP_ENTITY e)
{
    smiTIMETICKS t = 0xFFFFFFFFu;
    if (SnmpGetTimeout(e, &t, NULL) != SNMPAPI_SUCCESS)
        return 0xFFFFFFFFu;
    return t;
}

static smiUINT32 policy_retry(HSNMP_ENTITY e)
{
    smiUINT32 r = 0xFFFFFFFFu;
    if (SnmpGetRetry(e, &r, NULL) != SNMPAPI_SUCCESS)
        return 0xFFFFFFFFu;
    return r;
}

static int version(HSNMP_ENTITY e)
{
    int v = -1;
    if (WsnmpGetEntityVersion(e, &v) != SNMPAPI_SUCCESS)
        return -1;
    return v;
}

static smiUINT32 live_entities(void)
{
    WsnmpStats st;
    if (WsnmpGetStats(0, &st) != SNMPAPI_SUCCESS)
        return 0xFFFFFFFFu;
    return st.entities;
}

/* Accepted address strings and their canonical forms. */
static const struct {
    const char *in, *canonical;
} good_addresses[] = {
    {"127.0.0.1", "udp:127.0.0.1:161"},
    {"127.0.0.1:1161", "udp:127.0.0.1:1161"},
    {"127.0.0.1:65535", "udp:127.0.0.1:65535"},
    {"udp:127.0.0.1:1161", "udp:127.0.0.1:1161"},
    {"udp:127.0.0.1", "udp:127.0.0.1:161"},
    {"udp6:[::1]:1161", "udp6:[::1]:1161"},
    {"udp6:[::1]", "udp6:[::1]:161"},
    {"[::1]:1161", "udp6:[::1]:1161"},
    {"[::1]", "udp6:[::1]:161"},
    {"tcp:localhost:1161", "tcp:localhost:1161"},
    {"localhost", "udp:localhost:161"},
    {"localhost:1161", "udp:localhost:1161"},
    {"router-7.example.net:1161", "udp:router-7.example.net:1161"},
};

static const char *const bad_addresses[] = {
    "",          "127.0.0.1:99999",   "127.0.0.1:65536",      "127.0.0.1:abc",
    "udp6:[::1", "bogus:1.2.3.4:161", "host name with space", "a..b",
};

static void test_addresses(void)
{
    size_t i;
    smiUINT32 modes[] = {SNMPAPI_UNTRANSLATED_V2, SNMPAPI_TRANSLATED};
    size_t m;

    TEST_SECTION("entity addresses");
    for (m = 0; m < 2; m++) {
        CHECK_OK(SnmpSetTranslateMode(modes[m]));
        for (i = 0; i < sizeof good_addresses / sizeof good_addresses[0]; i++) {
            HSNMP_ENTITY e = SnmpStrToEntity(S, good_addresses[i].in);
            if (!e) {
                test_fail_(__FILE__, __LINE__, "SnmpStrToEntity(\"%s\") failed (mode %u): %s",
                           good_addresses[i].in, (unsigned)modes[m],
                           test_errname_(SnmpGetLastError(0)));
                continue;
            }
            test_passed_++;
            CHECK_EQ_INT(WsnmpHandleKind(e), WSNMP_KIND_ENTITY);
            CHECK_EQ_INT(WsnmpHandleOwner(e), S);
            CHECK_STR_EQ(address(e), good_addresses[i].canonical);
            CHECK_OK(SnmpFreeEntity(e));
        }
        for (i = 0; i < sizeof bad_addresses / sizeof bad_addresses[0]; i++) {
            smiUINT32 before = live_entities();
            HSNMP_ENTITY e = SnmpStrToEntity(S, bad_addresses[i]);
            if (e != 0 || SnmpGetLastError(0) != SNMPAPI_ENTITY_UNKNOWN ||
                SnmpGetLastError(S) != SNMPAPI_ENTITY_UNKNOWN) {
                test_fail_(__FILE__, __LINE__,
                           "SnmpStrToEntity(\"%s\") (mode %u) should fail with ENTITY_UNKNOWN "
                           "in both slots; got %s / %s / %s",
                           bad_addresses[i], (unsigned)modes[m], e ? "a handle" : "0",
                           test_errname_(SnmpGetLastError(0)), test_errname_(SnmpGetLastError(S)));
                if (e)
                    SnmpFreeEntity(e);
            } else
                test_passed_++;
            CHECK_EQ_INT(live_entities(), before);
        }
        CHECK_FAIL(SnmpStrToEntity(S, NULL), SNMPAPI_ALLOC_ERROR);
    }
    CHECK_EQ_INT(live_entities(), 0);
}

static void test_entity_to_str(void)
{
    HSNMP_ENTITY e;
    char buf[64];
    const char *want = "udp:127.0.0.1:1161";
    smiUINT32 n = (smiUINT32)strlen(want) + 1;

    TEST_SECTION("SnmpEntityToStr and SnmpSetPort");
    CHECK_OK(SnmpSetTranslateMode(SNMPAPI_UNTRANSLATED_V2));
    e = SnmpStrToEntity(S, "127.0.0.1:1161");
    CHECK_HANDLE(e);

    memset(buf, 'x', sizeof buf);
    CHECK_RET(SnmpEntityToStr(e, sizeof buf, buf), n);
    CHECK_STR_EQ(buf, want);
    memset(buf, 'x', sizeof buf);
    CHECK_RET(SnmpEntityToStr(e, n, buf), n);
    CHECK_STR_EQ(buf, want);
    CHECK_FAIL_S(SnmpEntityToStr(e, n - 1, buf), S, SNMPAPI_OUTPUT_TRUNCATED);
    CHECK_FAIL_S(SnmpEntityToStr(e, 0, buf), S, SNMPAPI_OUTPUT_TRUNCATED);
    CHECK_FAIL_S(WsnmpEntityAddress(e, n - 1, buf), S, SNMPAPI_OUTPUT_TRUNCATED);
    CHECK_RET(WsnmpEntityAddress(e, n, buf), n);

    /* In V1 mode too. */
    CHECK_OK(SnmpSetTranslateMode(SNMPAPI_UNTRANSLATED_V1));
    CHECK_STR_EQ(entity_str(e), want);

    /* The port is part of the address. */
    CHECK_OK(SnmpSetPort(e, 1162));
    CHECK_STR_EQ(address(e), "udp:127.0.0.1:1162");
    CHECK_STR_EQ(entity_str(e), "udp:127.0.0.1:1162");
    CHECK_OK(SnmpSetPort(e, 161));
    CHECK_STR_EQ(address(e), "udp:127.0.0.1:161");
    CHECK_OK(SnmpFreeEntity(e));

    e = SnmpStrToEntity(S, "udp6:[::1]:1161");
    CHECK_HANDLE(e);
    CHECK_OK(SnmpSetPort(e, 2000));
    CHECK_STR_EQ(address(e), "udp6:[::1]:2000");
    CHECK_OK(SnmpFreeEntity(e));

    e = SnmpStrToEntity(S, "tcp:localhost:1161");
    CHECK_HANDLE(e);
    CHECK_OK(SnmpSetPort(e, 10161));
    CHECK_STR_EQ(entity_str(e), "tcp:localhost:10161");
    CHECK_OK(SnmpFreeEntity(e));
}

static void test_timeout_retry_version(void)
{
    HSNMP_ENTITY e, e1;
    smiTIMETICKS pol = 0, act = 0;
    smiUINT32 rp = 0, ra = 0, ms = 0;

    TEST_SECTION("timeouts, retries, versions");
    CHECK_OK(SnmpSetTranslateMode(SNMPAPI_UNTRANSLATED_V2));
    e = SnmpStrToEntity(S, "127.0.0.1");
    CHECK_HANDLE(e);

    /* Centiseconds; the default is one second. */
    CHECK_OK(SnmpGetTimeout(e, &pol, &act));
    CHECK_EQ_INT(pol, 100);
    CHECK_OK(SnmpGetTimeout(e, NULL, &act));
    CHECK_FAIL_S(SnmpGetTimeout(e, NULL, NULL), S, SNMPAPI_NOOP);
    CHECK_OK(WsnmpGetTimeoutMs(e, &ms));
    CHECK_EQ_INT(ms, WSNMP_DEFAULT_TIMEOUT_MS);

    CHECK_OK(SnmpSetTimeout(e, 250));
    CHECK_EQ_INT(policy_timeout(e), 250);
    CHECK_OK(WsnmpGetTimeoutMs(e, &ms));
    CHECK_EQ_INT(ms, 2500);
    CHECK_OK(SnmpSetTimeout(e, 0)); /* 0: the library's choice */
    CHECK_EQ_INT(policy_timeout(e), 100);
    CHECK_OK(WsnmpSetTimeoutMs(e, 1500));
    CHECK_EQ_INT(policy_timeout(e), 150);
    CHECK_OK(WsnmpSetTimeoutMs(e, 1000));

    CHECK_OK(SnmpGetRetry(e, &rp, &ra));
    CHECK_EQ_INT(rp, WSNMP_DEFAULT_RETRIES);
    CHECK_OK(SnmpGetRetry(e, NULL, &ra));
    CHECK_FAIL_S(SnmpGetRetry(e, NULL, NULL), S, SNMPAPI_NOOP);
    CHECK_OK(SnmpSetRetry(e, 5));
    CHECK_EQ_INT(policy_retry(e), 5);
    CHECK_OK(SnmpSetRetry(e, 0)); /* likewise: back to the default */
    CHECK_EQ_INT(policy_retry(e), WSNMP_DEFAULT_RETRIES);

    /* The settings are per entity: an equal string is the same entity (as
     * in Windows), whose settings every holder shares; a private entity
     * has its own. */
    e1 = SnmpStrToEntity(S, "127.0.0.1");
    CHECK(e1 == e);
    CHECK_OK(SnmpSetTimeout(e1, 700));
    CHECK_EQ_INT(policy_timeout(e), 700);
    CHECK_OK(SnmpFreeEntity(e1));
    CHECK_OK(SnmpSetTimeout(e, 0));
    e1 = WsnmpStrToEntityEx(S, "127.0.0.1", WSNMP_PRIVATE);
    CHECK(e1 != e);
    CHECK_OK(SnmpSetTimeout(e1, 700));
    CHECK_OK(SnmpSetRetry(e1, 1));
    CHECK_EQ_INT(policy_timeout(e), 100);
    CHECK_EQ_INT(policy_retry(e), WSNMP_DEFAULT_RETRIES);
    CHECK_EQ_INT(policy_timeout(e1), 700);
    CHECK_EQ_INT(policy_retry(e1), 1);
    CHECK_OK(SnmpFreeEntity(e1));

    /* The version follows the translate mode at creation. */
    CHECK_EQ_INT(version(e), WSNMP_VERSION_2C);
    CHECK_OK(WsnmpSetEntityVersion(e, WSNMP_VERSION_1));
    CHECK_EQ_INT(version(e), WSNMP_VERSION_1);
    CHECK_OK(SnmpFreeEntity(e));

    CHECK_OK(SnmpSetTranslateMode(SNMPAPI_TRANSLATED));
    e = SnmpStrToEntity(S, "127.0.0.1");
    CHECK_EQ_INT(version(e), WSNMP_VERSION_2C);
    CHECK_OK(SnmpFreeEntity(e));

    CHECK_OK(SnmpSetTranslateMode(SNMPAPI_UNTRANSLATED_V1));
    e = SnmpStrToEntity(S, "127.0.0.1");
    CHECK_EQ_INT(version(e), WSNMP_VERSION_1);
    CHECK_OK(SnmpSetTranslateMode(SNMPAPI_UNTRANSLATED_V2));
    CHECK_EQ_INT(version(e), WSNMP_VERSION_1); /* fixed when it was made */
    CHECK_OK(SnmpFreeEntity(e));
}

static void test_contexts(void)
{
    static const unsigned char raw[] = {'p', 'u', 'b', 0, 'l', 'i', 'c', 0xff};
    smiOCTETS in = {sizeof raw, (smiLPBYTE)(uintptr_t)raw};
    smiOCTETS out = {0, NULL};
    HSNMP_CONTEXT c;
    WsnmpStats st;
    unsigned char buf[8];

    TEST_SECTION("contexts");
    CHECK_OK(SnmpSetTranslateMode(SNMPAPI_UNTRANSLATED_V2));

    /* 8-bit clean, and copied from the caller. */
    memcpy(buf, raw, sizeof raw);
    in.ptr = buf;
    c = SnmpStrToContext(S, &in);
    CHECK_HANDLE(c);
    CHECK_EQ_INT(WsnmpHandleKind(c), WSNMP_KIND_CONTEXT);
    buf[0] = 'X';
    CHECK_OK(SnmpContextToStr(c, &out));
    CHECK_EQ_INT(out.len, sizeof raw);
    CHECK_MEM_EQ(out.ptr, raw, sizeof raw);
    CHECK(out.ptr != buf);

    /* The output is a library descriptor. */
    CHECK_OK(WsnmpGetStats(0, &st));
    CHECK_EQ_INT(st.descriptors, 1);
    CHECK_FAIL(SnmpFreeDescriptor(SNMP_SYNTAX_OID, &out), SNMPAPI_SYNTAX_INVALID);
    CHECK_OK(SnmpFreeDescriptor(SNMP_SYNTAX_OCTETS, &out));
    CHECK(out.ptr == NULL);
    CHECK_OK(WsnmpGetStats(0, &st));
    CHECK_EQ_INT(st.descriptors, 0);

    CHECK_FAIL_S(SnmpContextToStr(c, NULL), S, SNMPAPI_ALLOC_ERROR);
    CHECK_FAIL_S(SnmpStrToContext(S, NULL), S, SNMPAPI_ALLOC_ERROR);
    CHECK_OK(SnmpFreeContext(c));
    CHECK_FAIL(SnmpFreeContext(c), SNMPAPI_CONTEXT_INVALID);

    /* Up to WSNMP_MAX_CONTEXT bytes. */
    {
        unsigned char *big = malloc(WSNMP_MAX_CONTEXT + 1);
        if (big) {
            smiOCTETS b;
            memset(big, 'c', WSNMP_MAX_CONTEXT + 1);
            b.ptr = big;
            b.len = WSNMP_MAX_CONTEXT;
            c = SnmpStrToContext(S, &b);
            CHECK_HANDLE(c);
            CHECK_OK(SnmpContextToStr(c, &out));
            CHECK_EQ_INT(out.len, WSNMP_MAX_CONTEXT);
            CHECK_OK(SnmpFreeDescriptor(SNMP_SYNTAX_OCTETS, &out));
            CHECK_OK(SnmpFreeContext(c));
            b.len = WSNMP_MAX_CONTEXT + 1;
            CHECK_FAIL_S(SnmpStrToContext(S, &b), S, SNMPAPI_SIZE_INVALID);
            free(big);
        }
    }
    CHECK_OK(WsnmpGetStats(0, &st));
    CHECK_EQ_INT(st.contexts, 0);
    CHECK_EQ_INT(st.descriptors, 0);
}

static void test_friendly_names(void)
{
    WsnmpAgent agent;
    smiOCTETS secret = {6, (smiLPBYTE) "secret"};
    HSNMP_ENTITY e, lit;
    HSNMP_CONTEXT c, c2;

    TEST_SECTION("friendly names");
    CHECK_OK(WsnmpClearFriendlyNames());
    memset(&agent, 0, sizeof agent);
    agent.address = "udp:10.0.0.1:1161";
    agent.version = WSNMP_VERSION_1;
    agent.timeout_ms = 2500;
    agent.retries = 5;
    CHECK_OK(WsnmpDefineAgent("core", &agent));
    CHECK_OK(WsnmpDefineContext("ro", &secret));

    /* Translated: the name stands for the record. */
    CHECK_OK(SnmpSetTranslateMode(SNMPAPI_TRANSLATED));
    e = SnmpStrToEntity(S, "core");
    CHECK_HANDLE(e);
    CHECK_STR_EQ(address(e), "udp:10.0.0.1:1161");
    CHECK_EQ_INT(version(e), WSNMP_VERSION_1);
    CHECK_EQ_INT(policy_timeout(e), 250);
    CHECK_EQ_INT(policy_retry(e), 5);
    CHECK_RET(SnmpEntityToStr(e, 64, (char[64]){0}), 5); /* "core" */
    CHECK_STR_EQ(entity_str(e), "core");

    /* A literal address is still a literal. */
    lit = SnmpStrToEntity(S, "127.0.0.1:1161");
    CHECK_HANDLE(lit);
    CHECK_STR_EQ(address(lit), "udp:127.0.0.1:1161");
    CHECK_EQ_INT(version(lit), WSNMP_VERSION_2C);
    CHECK_OK(SnmpFreeEntity(lit));

    c = str_context(S, "ro");
    CHECK_HANDLE(c);
    CHECK_STR_EQ(context_str(c), "ro");

    /* Untranslated: the same handles show what they really are... */
    CHECK_OK(SnmpSetTranslateMode(SNMPAPI_UNTRANSLATED_V2));
    CHECK_STR_EQ(context_str(c), "secret");
    CHECK_STR_EQ(entity_str(e), "udp:10.0.0.1:1161");
    /* ...and names are literals. */
    lit = SnmpStrToEntity(S, "core");
    CHECK_HANDLE(lit);
    CHECK_STR_EQ(address(lit), "udp:core:161");
    CHECK_EQ_INT(version(lit), WSNMP_VERSION_2C);
    CHECK_EQ_INT(policy_timeout(lit), 100);
    CHECK_EQ_INT(policy_retry(lit), WSNMP_DEFAULT_RETRIES);
    CHECK_OK(SnmpFreeEntity(lit));
    c2 = str_context(S, "ro");
    CHECK_HANDLE(c2);
    CHECK_STR_EQ(context_str(c2), "ro");
    CHECK_OK(SnmpFreeContext(c2));

    /* Library defaults in a record. */
    CHECK_OK(SnmpSetTranslateMode(SNMPAPI_TRANSLATED));
    memset(&agent, 0, sizeof agent);
    agent.address = "[::1]:1161";
    agent.timeout_ms = 0;
    agent.retries = WSNMP_DEFAULT;
    CHECK_OK(WsnmpDefineAgent("plain", &agent));
    lit = SnmpStrToEntity(S, "plain");
    CHECK_HANDLE(lit);
    CHECK_STR_EQ(address(lit), "udp6:[::1]:1161");
    CHECK_EQ_INT(version(lit), WSNMP_VERSION_2C);
    CHECK_EQ_INT(policy_timeout(lit), 100);
    CHECK_EQ_INT(policy_retry(lit), WSNMP_DEFAULT_RETRIES);
    CHECK_OK(SnmpFreeEntity(lit));

    /* Redefining replaces; undefining forgets (and "core" is then a literal
     * host name); entities made earlier keep what they had. */
    memset(&agent, 0, sizeof agent);
    agent.address = "10.0.0.2";
    agent.retries = WSNMP_DEFAULT;
    CHECK_OK(WsnmpDefineAgent("core", &agent));
    lit = SnmpStrToEntity(S, "core");
    CHECK_STR_EQ(address(lit), "udp:10.0.0.2:161");
    CHECK_OK(SnmpFreeEntity(lit));
    CHECK_OK(WsnmpUndefine("core"));
    lit = SnmpStrToEntity(S, "core");
    CHECK_STR_EQ(address(lit), "udp:core:161");
    CHECK_OK(SnmpFreeEntity(lit));
    CHECK_STR_EQ(address(e), "udp:10.0.0.1:1161");

    CHECK_OK(WsnmpClearFriendlyNames());
    lit = SnmpStrToEntity(S, "plain");
    CHECK_STR_EQ(address(lit), "udp:plain:161");
    CHECK_OK(SnmpFreeEntity(lit));

    CHECK_OK(SnmpFreeEntity(e));
    CHECK_OK(SnmpFreeContext(c));
}

static int write_file(char *path, const char *text)
{
    int fd;
    FILE *f;
    strcpy(path, "/tmp/wsnmp_names_XXXXXX");
    fd = mkstemp(path);
    if (fd < 0)
        return 0;
    f = fdopen(fd, "w");
    if (!f) {
        close(fd);
        return 0;
    }
    fputs(text, f);
    fclose(f);
    return 1;
}

static void test_load_friendly_names(void)
{
    static const char good[] = "# friendly names for the tests\n"
                               "; another comment\n"
                               "\n"
                               "[agent edge]\n"
                               "address = udp:192.0.2.7:1161\n"
                               "version = 1\n"
                               "community = edge-secret\n"
                               "timeout = 2.5\n"
                               "retries = 4\n"
                               "\n"
                               "[agent v2box]\n"
                               "address=127.0.0.1\n"
                               "version=2c\n"
                               "\n"
                               "[agent v3box]\n"
                               "address = udp6:[::1]:1161\n"
                               "version = 3\n"
                               "user = alice\n"
                               "level = authPriv\n"
                               "auth = SHA\n"
                               "auth_pass = alice-auth-pass\n"
                               "priv = AES\n"
                               "priv_pass = alice-priv-pass\n"
                               "\n"
                               "[context rw]\n"
                               "value = private-rw\n";
    static const char broken[] = "[agent okbefore]\n"
                                 "address = 127.0.0.1:1170\n"
                                 "\n"
                                 "[agent broken\n"
                                 "address = 127.0.0.1\n";
    static const char leaky[] = "[agent leaky]\n"
                                "address = 127.0.0.1\n"
                                "community s3cr3t-community\n";
    char path[64];
    HSNMP_ENTITY e;
    HSNMP_CONTEXT c;
    smiUINT32 ms = 0;
    const char *msg;

    TEST_SECTION("WsnmpLoadFriendlyNames");
    CHECK_OK(WsnmpClearFriendlyNames());
    CHECK_OK(SnmpSetTranslateMode(SNMPAPI_TRANSLATED));

    CHECK(write_file(path, good));
    CHECK_RET(WsnmpLoadFriendlyNames(path), 4);
    unlink(path);

    e = SnmpStrToEntity(S, "edge");
    CHECK_HANDLE(e);
    CHECK_STR_EQ(address(e), "udp:192.0.2.7:1161");
    CHECK_EQ_INT(version(e), WSNMP_VERSION_1);
    CHECK_EQ_INT(policy_timeout(e), 250);
    CHECK_OK(WsnmpGetTimeoutMs(e, &ms));
    CHECK_EQ_INT(ms, 2500);
    CHECK_EQ_INT(policy_retry(e), 4);
    CHECK_STR_EQ(entity_str(e), "edge");
    CHECK_OK(SnmpFreeEntity(e));

    e = SnmpStrToEntity(S, "v2box");
    CHECK_HANDLE(e);
    CHECK_STR_EQ(address(e), "udp:127.0.0.1:161");
    CHECK_EQ_INT(version(e), WSNMP_VERSION_2C);
    CHECK_EQ_INT(policy_timeout(e), 100);
    CHECK_OK(SnmpFreeEntity(e));

    e = SnmpStrToEntity(S, "v3box");
    CHECK_HANDLE(e);
    CHECK_STR_EQ(address(e), "udp6:[::1]:1161");
    CHECK_EQ_INT(version(e), WSNMP_VERSION_3);
    CHECK_OK(SnmpFreeEntity(e));

    c = str_context(S, "rw");
    CHECK_HANDLE(c);
    CHECK_STR_EQ(context_str(c), "rw");
    CHECK_OK(SnmpSetTranslateMode(SNMPAPI_UNTRANSLATED_V2));
    CHECK_STR_EQ(context_str(c), "private-rw");
    CHECK_OK(SnmpSetTranslateMode(SNMPAPI_TRANSLATED));
    CHECK_OK(SnmpFreeContext(c));

    /* A syntax error names the file and line, and keeps earlier records. */
    CHECK_OK(WsnmpClearFriendlyNames());
    CHECK(write_file(path, broken));
    CHECK_FAIL(WsnmpLoadFriendlyNames(path), SNMPAPI_OTHER_ERROR);
    msg = WsnmpGetLastErrorMessage(0);
    CHECK(msg != NULL && strstr(msg, path) != NULL);
    CHECK(msg != NULL && strstr(msg, ":4") != NULL);
    unlink(path);
    e = SnmpStrToEntity(S, "okbefore");
    CHECK_HANDLE(e);
    CHECK_STR_EQ(address(e), "udp:127.0.0.1:1170");
    CHECK_OK(SnmpFreeEntity(e));

    /* The error message does not quote the line with the community. */
    CHECK(write_file(path, leaky));
    CHECK_FAIL(WsnmpLoadFriendlyNames(path), SNMPAPI_OTHER_ERROR);
    msg = WsnmpGetLastErrorMessage(0);
    CHECK(msg != NULL && strstr(msg, ":3") != NULL);
    CHECK(msg == NULL || strstr(msg, "s3cr3t-community") == NULL);
    unlink(path);

    /* A file that is not there. */
    CHECK_EQ_INT(WsnmpLoadFriendlyNames("/nonexistent/dir/names.ini"), SNMPAPI_FAILURE);
    CHECK(SnmpGetLastError(0) != SNMPAPI_SUCCESS);

    CHECK_OK(WsnmpClearFriendlyNames());
}

/* No message in either slot contains the secret. */
#define CHECK_NO_SECRET(secret)                                                                    \
    do {                                                                                           \
        const char *g_ = WsnmpGetLastErrorMessage(0);                                              \
        const char *s_ = WsnmpGetLastErrorMessage(S);                                              \
        CHECK(g_ == NULL || strstr(g_, secret) == NULL);                                           \
        CHECK(s_ == NULL || strstr(s_, secret) == NULL);                                           \
    } while (0)

static void test_secrets_stay_secret(void)
{
    static const char secret_text[] = "s3cr3t-community";
    smiOCTETS secret = {sizeof secret_text - 1, (smiLPBYTE)(uintptr_t)secret_text};
    HSNMP_CONTEXT c;
    HSNMP_ENTITY e;
    WsnmpAgent agent;
    char tiny[2];
    unsigned char *big;

    TEST_SECTION("no community in error messages");
    CHECK_OK(SnmpSetTranslateMode(SNMPAPI_UNTRANSLATED_V2));
    c = SnmpStrToContext(S, &secret);
    CHECK_HANDLE(c);

    CHECK_FAIL_S(SnmpContextToStr(c, NULL), S, SNMPAPI_ALLOC_ERROR);
    CHECK_NO_SECRET(secret_text);

    /* A too-long community that starts with the secret. */
    big = malloc(WSNMP_MAX_CONTEXT + 1);
    if (big) {
        smiOCTETS b = {WSNMP_MAX_CONTEXT + 1, big};
        memset(big, 'x', WSNMP_MAX_CONTEXT + 1);
        memcpy(big, secret_text, sizeof secret_text - 1);
        CHECK_FAIL_S(SnmpStrToContext(S, &b), S, SNMPAPI_SIZE_INVALID);
        CHECK_NO_SECRET(secret_text);
        e = SnmpStrToEntity(S, "127.0.0.1");
        CHECK_EQ_INT(WsnmpSetEntityCommunity(e, &b), SNMPAPI_FAILURE);
        CHECK_NO_SECRET(secret_text);
        CHECK_OK(SnmpFreeEntity(e));
        free(big);
    }

    /* An entity carrying the community, failing in several ways. */
    e = SnmpStrToEntity(S, "127.0.0.1");
    CHECK_HANDLE(e);
    CHECK_OK(WsnmpSetEntityCommunity(e, &secret));
    CHECK_FAIL_S(SnmpEntityToStr(e, sizeof tiny, tiny), S, SNMPAPI_OUTPUT_TRUNCATED);
    CHECK_NO_SECRET(secret_text);
    CHECK_FAIL_S(SnmpGetTimeout(e, NULL, NULL), S, SNMPAPI_NOOP);
    CHECK_NO_SECRET(secret_text);
    CHECK_OK(SnmpFreeEntity(e));
    CHECK_FAIL(SnmpFreeEntity(e), SNMPAPI_ENTITY_INVALID);
    CHECK_NO_SECRET(secret_text);

    /* A friendly name whose address is bad. */
    memset(&agent, 0, sizeof agent);
    agent.address = "not an address";
    agent.community = secret;
    agent.retries = WSNMP_DEFAULT;
    CHECK_EQ_INT(WsnmpDefineAgent("leak", &agent), SNMPAPI_FAILURE);
    CHECK_NO_SECRET(secret_text);

    /* The context itself, freed and then used. */
    CHECK_OK(SnmpFreeContext(c));
    CHECK_FAIL(SnmpFreeContext(c), SNMPAPI_CONTEXT_INVALID);
    CHECK_NO_SECRET(secret_text);
    {
        smiOCTETS out = {0, NULL};
        CHECK_FAIL(SnmpContextToStr(c, &out), SNMPAPI_CONTEXT_INVALID);
    }
    CHECK_NO_SECRET(secret_text);
    CHECK_OK(WsnmpClearFriendlyNames());
}

int main(void)
{
    WsnmpStats st;

    CHECK_OK(SnmpStartup(NULL, NULL, NULL, NULL, NULL));
    CHECK_OK(WsnmpClearFriendlyNames());
    S = WsnmpCreateSession(NULL, NULL);
    CHECK_HANDLE(S);

    test_addresses();
    test_entity_to_str();
    test_timeout_retry_version();
    test_contexts();
    test_friendly_names();
    test_load_friendly_names();
    test_secrets_stay_secret();

    TEST_SECTION("leaks");
    CHECK_OK(WsnmpGetStats(S, &st));
    CHECK_EQ_INT(st.entities, 0);
    CHECK_EQ_INT(st.contexts, 0);
    CHECK_OK(WsnmpGetStats(0, &st));
    CHECK_EQ_INT(st.descriptors, 0);

    CHECK_OK(SnmpClose(S));
    CHECK_OK(SnmpCleanup());
    return TEST_REPORT();
}
