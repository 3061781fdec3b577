/*
 * fuzz_authority.c — libFuzzer target: what arrives for this process as
 * the authoritative SNMPv3 engine (requests to a listener's v3 users, informs
 * to a v3 registration, discovery probes), decoded by
 * wsnmp_codec_decode_as_authority, with the reports net-snmp's USM makes
 * for what it refuses, and the unsupportedSecLevels report of the agent role
 * (wsnmp_codec_report).
 *
 * The seed corpus (fuzz/corpus/fuzz_authority) is net-snmp's snmpget,
 * snmpgetnext, snmpbulkget, snmpset and snmpinform -v3 talking to a winsnmp
 * listener with the engine id and users below: probes, requests at every
 * level, a wrong key, an unknown user, an inform.  For every input:
 *
 *  1. decode as the authority; a report, when there is one, must be an
 *     SNMPv3 message from our engine id, not reportable itself, with the
 *     input's msgID;
 *  2. the same for the unsupportedSecLevels report;
 *  3. nothing is left behind (handles, descriptors), and net-snmp learns no
 *     engine id but ours (its engine table is what a flood would grow).
 *
 * Any violation aborts, so libFuzzer saves the input.
 */
#include "fuzz_common.h"

int LLVMFuzzerInitialize(int *argc, char ***argv);
int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

static WsnmpStats baseline;

/* The engine id and users the seed corpus was captured with. */
static const smiBYTE local_id[] = {0x80, 0x00, 0x07, 0xe5, 0x80, 0xfa, 0x11, 0xfa, 0x11};
static const WsnmpUsm users[] = {
    {.user = "fuzzPriv",
     .level = WSNMP_LEVEL_AUTH_PRIV,
     .auth = WSNMP_AUTH_SHA,
     .auth_pass = "fuzz-auth-pass",
     .priv = WSNMP_PRIV_AES,
     .priv_pass = "fuzz-priv-pass"},
    {.user = "fuzzAuth",
     .level = WSNMP_LEVEL_AUTH_NOPRIV,
     .auth = WSNMP_AUTH_MD5,
     .auth_pass = "fuzz-auth-pass"},
    {.user = "fuzzPlain", .level = WSNMP_LEVEL_NOAUTH_NOPRIV},
};

int LLVMFuzzerInitialize(int *argc, char ***argv)
{
    (void)argc;
    (void)argv;
    if (!SnmpStartup(NULL, NULL, NULL, NULL, NULL))
        FUZZ_FAIL("SnmpStartup failed");
    smiOCTETS id = {sizeof local_id, (smiBYTE *)local_id};
    FUZZ_CHECK(WsnmpSetLocalEngine(&id, NULL), "WsnmpSetLocalEngine failed");
    for (size_t i = 0; i < sizeof users / sizeof users[0]; i++) {
        wsnmp_credentials c;
        memset(&c, 0, sizeof c);
        c.version = WSNMP_VERSION_3;
        FUZZ_CHECK(wsnmp_credentials_set_usm(&c, &users[i]), "credentials");
        const char *why = "";
        FUZZ_CHECK(wsnmp_usm_ensure(&c, &id, &why) == WSNMP_OK, "user %s: %s", users[i].user, why);
        wsnmp_credentials_clear(&c);
    }
    baseline = fuzz_stats();
    return 0;
}

/* A report made for `data` decodes as an SNMPv3 Report with the same msgID. */
static void check_report(const uint8_t *data, size_t size, const unsigned char *report,
                         size_t report_len)
{
    int32_t in_id, out_id;
    FUZZ_CHECK(wsnmp_ber_v3_msg_id(data, size, &in_id), "a report for a message without msgID");
    FUZZ_CHECK(wsnmp_ber_v3_msg_id(report, report_len, &out_id) && out_id == in_id,
               "the report's msgID differs from the request's");
    FUZZ_CHECK(!wsnmp_ber_v3_reportable(report, report_len), "a report asks for a report");
    /* It comes from our engine: its authoritative engine id is ours. */
    smiOCTETS engine;
    char user[64];
    FUZZ_CHECK(wsnmp_ber_v3_sender(report, report_len, &engine, user, sizeof user) &&
                   engine.len == sizeof local_id &&
                   memcmp(engine.ptr, local_id, sizeof local_id) == 0,
               "the report does not name our engine");
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
    wsnmp_decoded d;
    unsigned char *report;
    size_t report_len;
    const char *why;
    wsnmp_result code = wsnmp_codec_decode_as_authority(data, size, &d, &report, &report_len, &why);
    if (code == WSNMP_OK) {
        FUZZ_CHECK(report == NULL, "a report for a message that decoded");
        wsnmp_decoded_free(&d);
    } else if (report) {
        check_report(data, size, report, report_len);
        free(report);
    }
    if (wsnmp_codec_report(data, size, WSNMP_REPORT_UNSUPPORTED_LEVEL, &report, &report_len)) {
        check_report(data, size, report, report_len);
        free(report);
    }
    fuzz_check_clean(&baseline);
    return 0;
}
