/*
 * test_ber.c — the direct v1/v2c encoder (src/core/ber.c) must produce
 * exactly the bytes net-snmp's snmp_build does, for every syntax and the
 * edges of every integer and OID encoding.  Built from the core's objects,
 * so it can reach the internal functions.
 */
#include "wire.h"
#include "../test.h"

static void compare(const char *what, int version, const char *community, smiINT type, smiINT32 id,
                    smiINT es, smiINT ei, smiUINT32 n, const smiOID *names, const smiVALUE *values)
{
    wsnmp_varbind items[16];
    for (smiUINT32 i = 0; i < n; i++) {
        items[i].name = names[i];
        items[i].value = values[i];
    }
    wsnmp_pdu pdu;
    memset(&pdu, 0, sizeof pdu);
    pdu.type = type;
    pdu.request_id = id;
    pdu.error_status = es;
    pdu.error_index = ei;
    pdu.vbl.items = items;
    pdu.vbl.count = pdu.vbl.capacity = n;
    wsnmp_credentials sec;
    memset(&sec, 0, sizeof sec);
    sec.version = version;
    sec.community.ptr = (smiBYTE *)community;
    sec.community.len = (smiUINT32)strlen(community);
    unsigned char *a = NULL, *b = NULL;
    size_t alen = 0, blen = 0;
    const char *why;
    TEST_SECTION(what);
    CHECK_EQ_INT(wsnmp_ber_encode(&sec, &pdu, &a, &alen, &why), 0);
    CHECK_EQ_INT(wsnmp_codec_netsnmp_encode(&sec, &pdu, NULL, id, &b, &blen, &why), 0);
    CHECK_EQ_INT(alen, blen);
    CHECK(a && b && alen == blen && memcmp(a, b, alen) == 0);
    free(a);
    free(b);
}

int main(void)
{
    SnmpStartup(NULL, NULL, NULL, NULL, NULL);
    static smiUINT32 o1[] = {1, 3, 6, 1, 2, 1, 1, 5, 0};
    static smiUINT32 o2[] = {1, 3, 6, 1, 4, 1, 4294967295u, 127, 128, 16383, 16384, 2097151};
    static smiUINT32 o3[] = {2, 999, 3};
    static smiUINT32 o4[] = {0, 39};
    static unsigned char bytes[300];
    for (int i = 0; i < 300; i++)
        bytes[i] = (unsigned char)i;
    static unsigned char ip[4] = {10, 0, 0, 255};
    smiOID names[12] = {{9, o1}, {12, o2}, {3, o3}, {2, o4}};
    for (int i = 4; i < 12; i++)
        names[i] = names[i % 4];
    smiINT ints[] = {0, 1, -1, 127, 128, -128, -129, 255, 256, 32767, -32768, INT32_MAX, INT32_MIN};
    for (size_t i = 0; i < sizeof ints / sizeof ints[0]; i++) {
        smiVALUE v = {.syntax = SNMP_SYNTAX_INT, .value.sNumber = ints[i]};
        compare("int", WSNMP_VERSION_2C, "public", SNMP_PDU_SET, ints[i] ? ints[i] : 1, 0, 0, 1,
                names, &v);
    }
    smiUINT32 uints[] = {0, 1, 127, 128, 255, 256, 0x7FFFFFFF, 0x80000000u, 0xFFFFFFFFu};
    const smiUINT32 usyn[] = {SNMP_SYNTAX_CNTR32, SNMP_SYNTAX_GAUGE32, SNMP_SYNTAX_TIMETICKS,
                              SNMP_SYNTAX_UINT32};
    for (size_t i = 0; i < sizeof uints / sizeof uints[0]; i++)
        for (size_t k = 0; k < 4; k++) {
            smiVALUE v = {.syntax = usyn[k], .value.uNumber = uints[i]};
            compare("unsigned", WSNMP_VERSION_2C, "c", SNMP_PDU_SET, 7, 0, 0, 1, names + 1, &v);
        }
    smiCNTR64 c64[] = {{0, 0},
                       {0, 0x80},
                       {0, 0xFFFFFFFFu},
                       {1, 0},
                       {0x7FFFFFFF, 0xFFFFFFFFu},
                       {0x80000000u, 0},
                       {0xFFFFFFFFu, 0xFFFFFFFFu}};
    for (size_t i = 0; i < sizeof c64 / sizeof c64[0]; i++) {
        smiVALUE v = {.syntax = SNMP_SYNTAX_CNTR64, .value.hNumber = c64[i]};
        compare("cntr64", WSNMP_VERSION_2C, "public", SNMP_PDU_SET, 99, 0, 0, 1, names, &v);
    }
    smiUINT32 lens[] = {0, 1, 127, 128, 255, 256, 300};
    for (size_t i = 0; i < sizeof lens / sizeof lens[0]; i++) {
        smiVALUE v = {.syntax = SNMP_SYNTAX_OCTETS, .value.string = {lens[i], bytes}};
        compare("octets", WSNMP_VERSION_1, "private", SNMP_PDU_SET, 5, 0, 0, 1, names, &v);
        v.syntax = SNMP_SYNTAX_OPAQUE;
        compare("opaque", WSNMP_VERSION_2C, "private", SNMP_PDU_SET, 5, 0, 0, 1, names, &v);
    }
    smiVALUE misc[] = {
        {.syntax = SNMP_SYNTAX_IPADDR, .value.string = {4, ip}},
        {.syntax = SNMP_SYNTAX_OID, .value.oid = {12, o2}},
        {.syntax = SNMP_SYNTAX_OID, .value.oid = {3, o3}},
        {.syntax = SNMP_SYNTAX_NULL},
        {.syntax = SNMP_SYNTAX_NOSUCHOBJECT},
        {.syntax = SNMP_SYNTAX_NOSUCHINSTANCE},
        {.syntax = SNMP_SYNTAX_ENDOFMIBVIEW},
        {.syntax = SNMP_SYNTAX_NSAPADDR, .value.string = {5, bytes}},
    };
    size_t nmisc = sizeof misc / sizeof misc[0];
    compare("misc response", WSNMP_VERSION_2C, "public", SNMP_PDU_RESPONSE, 123456, 2, 3,
            (smiUINT32)nmisc, names, misc);
    smiINT types[] = {SNMP_PDU_GET, SNMP_PDU_GETNEXT, SNMP_PDU_TRAP, SNMP_PDU_INFORM};
    smiVALUE nulls[12];
    for (int i = 0; i < 12; i++)
        nulls[i] = (smiVALUE){.syntax = SNMP_SYNTAX_NULL};
    for (size_t i = 0; i < sizeof types / sizeof types[0]; i++)
        compare("requests", WSNMP_VERSION_2C, "public", types[i], INT32_MAX, 0, 0, 12, names,
                nulls);
    compare("getbulk", WSNMP_VERSION_2C, "public", SNMP_PDU_GETBULK, 1, 1, 25, 3, names, nulls);
    compare("no varbinds", WSNMP_VERSION_1, "", SNMP_PDU_GET, 1, 0, 0, 0, names, nulls);
    /* A long message: lengths in two bytes. */
    smiVALUE big[12];
    for (int i = 0; i < 12; i++)
        big[i] = (smiVALUE){.syntax = SNMP_SYNTAX_OCTETS, .value.string = {300, bytes}};
    compare("long", WSNMP_VERSION_2C, "public", SNMP_PDU_RESPONSE, 77, 0, 0, 12, names, big);
    SnmpCleanup();
    return TEST_REPORT();
}
