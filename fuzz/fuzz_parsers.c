/*
 * fuzz_parsers.c — libFuzzer target: the string parsers.
 *
 * The first byte of the input picks the mode:
 *
 *   'i'  the rest is a friendly-names INI file: WsnmpLoadFriendlyNames
 *        (from a memfd, through /proc/self/fd/N: no file system writes),
 *        then every [agent NAME] / [context NAME] of the text is looked up
 *        with SnmpStrToEntity / SnmpStrToContext (translate mode
 *        SNMPAPI_TRANSLATED) and the table is cleared again.
 *   else the rest (after an optional 'o', 'e' or 'c' tag) goes to every
 *        string parser:
 *        - SnmpStrToOid, against the Lua binding's own parser wsl_parse_oid
 *          (src/lua/values.c: what winsnmp.oid_compare and every varbind
 *          name from Lua go through): both must agree; SnmpOidToStr of the
 *          result parses back to the same OID;
 *        - SnmpStrToEntity: on success the canonical address
 *          (WsnmpEntityAddress) parses again to itself, SnmpEntityToStr
 *          honours its buffer size; on failure an error is recorded;
 *        - SnmpStrToContext on the raw bytes, SnmpContextToStr gives them
 *          back.
 *
 * No DNS: entity.c only checks the syntax of host names (they are resolved
 * when a message is sent, which never happens here), and getaddrinfo is
 * wrapped to abort (fuzz_common.h).
 */
#define _GNU_SOURCE /* memfd_create */
#include "fuzz_common.h"

#include "../src/lua/binding.h"

#include <sys/mman.h>
#include <unistd.h>

static HSNMP_SESSION session;
static WsnmpStats baseline; /* the totals after set-up */
static int ini_fd = -1;
static char ini_path[64];

int LLVMFuzzerInitialize(int *argc, char ***argv);
int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

int LLVMFuzzerInitialize(int *argc, char ***argv)
{
    (void)argc;
    (void)argv;
    if (!SnmpStartup(NULL, NULL, NULL, NULL, NULL))
        FUZZ_FAIL("SnmpStartup failed");
    session = WsnmpCreateSession(NULL, NULL);
    FUZZ_CHECK(session != 0, "WsnmpCreateSession failed");
    ini_fd = memfd_create("winsnmp-fuzz-ini", MFD_CLOEXEC);
    FUZZ_CHECK(ini_fd >= 0, "memfd_create failed");
    snprintf(ini_path, sizeof ini_path, "/proc/self/fd/%d", ini_fd);
    baseline = fuzz_stats();
    return 0;
}

static void check_oid(const char *text)
{
    smiOID oid = {0, NULL};
    SNMPAPI_STATUS n = SnmpStrToOid(text, &oid);
    smiUINT32 buf[MAXOBJIDSIZE];
    smiUINT32 m = wsl_parse_oid(NULL, 0, text, buf);
    FUZZ_CHECK(n == m, "SnmpStrToOid says %u sub-identifiers, wsl_parse_oid %u", (unsigned)n,
               (unsigned)m);
    if (n == 0) {
        FUZZ_CHECK(SnmpGetLastError(0) == SNMPAPI_OID_INVALID, "bad OID without OID_INVALID");
        return;
    }
    FUZZ_CHECK(n >= 2 && n <= MAXOBJIDSIZE && oid.len == n, "bad OID length %u", (unsigned)n);
    FUZZ_CHECK(memcmp(buf, oid.ptr, n * sizeof *buf) == 0, "the two OID parsers disagree");
    char out[MAXOBJIDSTRSIZE];
    SNMPAPI_STATUS len = SnmpOidToStr(&oid, sizeof out, out);
    FUZZ_CHECK(len == strlen(out) + 1, "SnmpOidToStr returned %u", (unsigned)len);
    smiOID back;
    FUZZ_CHECK(SnmpStrToOid(out, &back) == n, "SnmpOidToStr output '%s' does not parse", out);
    int cmp = 1;
    FUZZ_CHECK(SnmpOidCompare(&oid, &back, 0, &cmp) && cmp == 0, "OID text round trip differs");
    /* A buffer one byte short is refused, not overrun. */
    char shorter[MAXOBJIDSTRSIZE];
    FUZZ_CHECK(SnmpOidToStr(&oid, len - 1, shorter) == 0 &&
                   SnmpGetLastError(0) == SNMPAPI_OUTPUT_TRUNCATED,
               "SnmpOidToStr wrote into a buffer too small");
    SnmpFreeDescriptor(SNMP_SYNTAX_OID, (smiLPOPAQUE)&back);
    SnmpFreeDescriptor(SNMP_SYNTAX_OID, (smiLPOPAQUE)&oid);
}

static void check_entity(const char *text)
{
    HSNMP_ENTITY e = SnmpStrToEntity(session, text);
    if (e == 0) {
        SNMPAPI_STATUS code = SnmpGetLastError(session);
        FUZZ_CHECK(code == SNMPAPI_ENTITY_UNKNOWN, "SnmpStrToEntity failed with %u", code);
        return;
    }
    char canonical[WSNMP_MAX_ADDRESS + 32], shown[WSNMP_MAX_ADDRESS + 32];
    SNMPAPI_STATUS n = WsnmpEntityAddress(e, sizeof canonical, canonical);
    FUZZ_CHECK(n == strlen(canonical) + 1, "WsnmpEntityAddress returned %u", (unsigned)n);
    SNMPAPI_STATUS m = SnmpEntityToStr(e, sizeof shown, shown);
    FUZZ_CHECK(m == strlen(shown) + 1, "SnmpEntityToStr returned %u", (unsigned)m);
    FUZZ_CHECK(SnmpEntityToStr(e, m - 1, shown) == 0 &&
                   SnmpGetLastError(session) == SNMPAPI_OUTPUT_TRUNCATED,
               "SnmpEntityToStr wrote into a buffer too small");
    int version;
    FUZZ_CHECK(WsnmpGetEntityVersion(e, &version) && WsnmpVersionName(version),
               "entity without a version");
    /* The canonical form is an address that gives itself back. */
    HSNMP_ENTITY again = SnmpStrToEntity(session, canonical);
    FUZZ_CHECK(again != 0, "canonical address '%s' of '%s' is refused: %s", canonical, text,
               WsnmpGetLastErrorMessage(session));
    char twice[WSNMP_MAX_ADDRESS + 32];
    WsnmpEntityAddress(again, sizeof twice, twice);
    FUZZ_CHECK(strcmp(canonical, twice) == 0, "canonical address '%s' becomes '%s'", canonical,
               twice);
    SnmpFreeEntity(again);
    FUZZ_CHECK(SnmpSetPort(e, 65535) && SnmpSetPort(e, 65536) == 0, "SnmpSetPort");
    FUZZ_CHECK(SnmpFreeEntity(e), "SnmpFreeEntity failed");
}

static void check_context(const unsigned char *bytes, size_t len)
{
    smiOCTETS in = {(smiUINT32)len, (smiBYTE *)(len ? bytes : (const unsigned char *)"")};
    HSNMP_CONTEXT c = SnmpStrToContext(session, &in);
    if (len > WSNMP_MAX_CONTEXT) {
        FUZZ_CHECK(c == 0 && SnmpGetLastError(session) == SNMPAPI_SIZE_INVALID,
                   "a context of %zu bytes was accepted", len);
        return;
    }
    FUZZ_CHECK(c != 0, "SnmpStrToContext refused %zu bytes", len);
    smiOCTETS out;
    FUZZ_CHECK(SnmpContextToStr(c, &out), "SnmpContextToStr failed");
    FUZZ_CHECK(out.len == len && (len == 0 || memcmp(out.ptr, bytes, len) == 0),
               "a context does not give its bytes back");
    SnmpFreeDescriptor(SNMP_SYNTAX_OCTETS, &out);
    FUZZ_CHECK(SnmpFreeContext(c), "SnmpFreeContext failed");
}

/* Looks up every [agent NAME] and [context NAME] the INI text names. */
static void use_names(const char *text)
{
    for (const char *p = strchr(text, '['); p; p = strchr(p + 1, '[')) {
        const char *close = strchr(p, ']');
        if (close == NULL)
            return;
        const char *name = NULL;
        bool agent = strncmp(p + 1, "agent ", 6) == 0;
        if (agent)
            name = p + 7;
        else if (strncmp(p + 1, "context ", 8) == 0)
            name = p + 9;
        if (name == NULL || close <= name)
            continue;
        char buf[WSNMP_MAX_NAME + 8];
        size_t n = (size_t)(close - name);
        if (n >= sizeof buf)
            continue;
        memcpy(buf, name, n);
        buf[n] = '\0';
        if (agent) {
            HSNMP_ENTITY e = SnmpStrToEntity(session, buf);
            if (e) {
                char out[WSNMP_MAX_ADDRESS + 32];
                FUZZ_CHECK(SnmpEntityToStr(e, sizeof out, out) &&
                               WsnmpEntityAddress(e, sizeof out, out),
                           "entity text of a friendly name");
                smiUINT32 t;
                FUZZ_CHECK(WsnmpGetTimeoutMs(e, &t), "timeout of a friendly name");
                SnmpFreeEntity(e);
            }
        } else {
            smiOCTETS in = {(smiUINT32)n, (smiBYTE *)buf};
            HSNMP_CONTEXT c = SnmpStrToContext(session, &in);
            if (c) {
                smiOCTETS out;
                FUZZ_CHECK(SnmpContextToStr(c, &out), "context text of a friendly name");
                SnmpFreeDescriptor(SNMP_SYNTAX_OCTETS, &out);
                SnmpFreeContext(c);
            }
        }
    }
}

static void check_ini(const unsigned char *bytes, size_t len)
{
    FUZZ_CHECK(ftruncate(ini_fd, 0) == 0 && pwrite(ini_fd, bytes, len, 0) == (ssize_t)len,
               "cannot write the INI memfd");
    SNMPAPI_STATUS n = WsnmpLoadFriendlyNames(ini_path);
    if (n == 0) {
        const char *msg = WsnmpGetLastErrorMessage(0);
        FUZZ_CHECK(SnmpGetLastError(0) != 0 && msg && strlen(msg) < 256,
                   "a failed load without an error");
    }
    char *text = malloc(len + 1);
    FUZZ_CHECK(text != NULL, "out of memory");
    memcpy(text, bytes, len);
    text[len] = '\0';
    use_names(text);
    free(text);
    WsnmpClearFriendlyNames();
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
    if (size == 0)
        return 0;
    if (size > 16384)
        return -1;
    if (data[0] == 'i') {
        check_ini(data + 1, size - 1);
    } else {
        const unsigned char *rest = data;
        size_t len = size;
        if (data[0] == 'o' || data[0] == 'e' || data[0] == 'c')
            rest++, len--;
        char *text = malloc(len + 1);
        FUZZ_CHECK(text != NULL, "out of memory");
        memcpy(text, rest, len);
        text[len] = '\0';
        check_oid(text);
        check_entity(text);
        check_context(rest, len);
        free(text);
    }
    fuzz_check_clean(&baseline);
    return 0;
}
