/*
 * test_agentx.c — the AgentX PDU codec (src/core/wire/agentx.c): every PDU
 * type encoded and decoded back in both byte orders; PDUs written by hand
 * from RFC 2741's layouts (as net-snmp's master sends them, host order on
 * x86); the framing of a byte stream; and every truncation, and thousands
 * of mutations, of each encoding rejected or decoded without a crash.
 */
#include "wire.h"
#include "../test.h"

static smiUINT32 sub_sys[] = {1, 3, 6, 1, 2, 1, 1, 5, 0};
static smiUINT32 sub_ent[] = {1, 3, 6, 1, 4, 1, 99999, 1};
static smiUINT32 sub_long[] = {1, 2, 840, 10008, 4294967295u};

static int same_oid(const smiOID *a, const smiOID *b)
{
    return a->len == b->len && (a->len == 0 || memcmp(a->ptr, b->ptr, a->len * 4) == 0);
}

static int same_octets(const smiOCTETS *a, const smiOCTETS *b)
{
    return a->len == b->len && (a->len == 0 || memcmp(a->ptr, b->ptr, a->len) == 0);
}

static int same_value(const smiVALUE *a, const smiVALUE *b)
{
    if (a->syntax != b->syntax)
        return 0;
    switch (a->syntax) {
    case SNMP_SYNTAX_OCTETS:
    case SNMP_SYNTAX_IPADDR:
    case SNMP_SYNTAX_OPAQUE:
        return same_octets(&a->value.string, &b->value.string);
    case SNMP_SYNTAX_OID:
        return same_oid(&a->value.oid, &b->value.oid);
    case SNMP_SYNTAX_CNTR64:
        return a->value.hNumber.hipart == b->value.hNumber.hipart &&
               a->value.hNumber.lopart == b->value.hNumber.lopart;
    case SNMP_SYNTAX_NULL:
    case SNMP_SYNTAX_NOSUCHOBJECT:
    case SNMP_SYNTAX_NOSUCHINSTANCE:
    case SNMP_SYNTAX_ENDOFMIBVIEW:
        return 1;
    default:
        return a->value.uNumber == b->value.uNumber;
    }
}

static int same_pdu(const WsnmpAgentxPdu *a, const WsnmpAgentxPdu *b)
{
    if (a->type != b->type ||
        (a->flags & ~WSNMP_AGENTX_FLAG_NETWORK_BYTE_ORDER) !=
            (b->flags & ~WSNMP_AGENTX_FLAG_NETWORK_BYTE_ORDER) ||
        a->session_id != b->session_id || a->transaction_id != b->transaction_id ||
        a->packet_id != b->packet_id || !same_octets(&a->context, &b->context) ||
        a->timeout != b->timeout || a->priority != b->priority ||
        a->range_subid != b->range_subid || a->upper_bound != b->upper_bound ||
        a->reason != b->reason || !same_oid(&a->oid, &b->oid) ||
        !same_octets(&a->descr, &b->descr) || a->non_repeaters != b->non_repeaters ||
        a->max_repetitions != b->max_repetitions || a->sys_uptime != b->sys_uptime ||
        a->error != b->error || a->index != b->index || a->range_count != b->range_count ||
        a->varbind_count != b->varbind_count)
        return 0;
    for (smiUINT32 i = 0; i < a->range_count; i++)
        if (!same_oid(&a->ranges[i].start, &b->ranges[i].start) ||
            !same_oid(&a->ranges[i].end, &b->ranges[i].end) ||
            !a->ranges[i].include != !b->ranges[i].include)
            return 0;
    for (smiUINT32 i = 0; i < a->varbind_count; i++)
        if (!same_oid(&a->names[i], &b->names[i]) || !same_value(&a->values[i], &b->values[i]))
            return 0;
    return 1;
}

static uint32_t rng = 2463534242u;
static uint32_t next_random(void)
{
    rng ^= rng << 13;
    rng ^= rng >> 17;
    rng ^= rng << 5;
    return rng;
}

static long decoded_ok, decoded_bad;

/* Decodes bytes that may be anything: no crash, and a rejection leaves an
 * empty PDU. */
static void decode_any(const unsigned char *data, size_t len)
{
    WsnmpAgentxPdu p;
    const char *why = NULL;
    if (wsnmp_agentx_decode(data, len, &p, &why) == WSNMP_OK) {
        decoded_ok++;
        wsnmp_agentx_clear(&p);
    } else {
        decoded_bad++;
        CHECK(why != NULL);
        CHECK(p.names == NULL && p.ranges == NULL && p.oid.ptr == NULL);
    }
}

/* AGENTX_CORPUS=DIR: each encoding is also written there (how
 * fuzz/corpus/fuzz_agentx/seed-* were made). */
static void save_seed(const char *name, int order, const unsigned char *bytes, size_t len)
{
    static int serial;
    const char *dir = getenv("AGENTX_CORPUS");
    if (dir == NULL)
        return;
    char path[512];
    snprintf(path, sizeof path, "%s/seed-%02d-%s-%s", dir, ++serial, order ? "net" : "host", name);
    for (char *c = path + strlen(dir) + 1; *c; c++)
        if (*c == ' ' || *c == ',')
            *c = '_';
    FILE *f = fopen(path, "wb");
    if (f) {
        fwrite(bytes, 1, len, f);
        fclose(f);
    }
}

static void round_trip(const char *name, const WsnmpAgentxPdu *pdu)
{
    TEST_SECTION(name);
    for (int order = 0; order < 2; order++) {
        unsigned char *bytes = NULL;
        size_t len = 0;
        const char *why = NULL;
        CHECK_EQ_INT(wsnmp_agentx_encode(pdu, order == 1, &bytes, &len, &why), WSNMP_OK);
        if (bytes == NULL)
            continue;
        save_seed(name, order, bytes, len);
        CHECK(len % 4 == 0);
        CHECK_EQ_INT(bytes[0], 1);
        CHECK_EQ_INT(!!(bytes[2] & WSNMP_AGENTX_FLAG_NETWORK_BYTE_ORDER), order == 1);
        CHECK_EQ_INT(wsnmp_agentx_frame_length(bytes, len), (long)len);
        CHECK_EQ_INT(wsnmp_agentx_frame_length(bytes, len - 1), 0);
        WsnmpAgentxPdu back;
        CHECK_EQ_INT(wsnmp_agentx_decode(bytes, len, &back, &why), WSNMP_OK);
        CHECK(same_pdu(pdu, &back));
        wsnmp_agentx_clear(&back);
        /* every truncation, with the header's length left as it was, and
         * with it adjusted to the bytes that remain */
        for (size_t cut = 0; cut < len; cut++) {
            decode_any(bytes, cut);
            if (cut >= 20 && (cut - 20) % 4 == 0) {
                unsigned char *copy = malloc(cut);
                memcpy(copy, bytes, cut);
                size_t body = cut - 20;
                for (int k = 0; k < 4; k++)
                    copy[order ? 19 - k : 16 + k] = (unsigned char)(body >> (8 * k));
                decode_any(copy, cut);
                free(copy);
            }
        }
        /* mutations: a few bytes changed at random */
        unsigned char *m = malloc(len);
        for (int round = 0; round < 400; round++) {
            memcpy(m, bytes, len);
            int flips = 1 + (int)(next_random() % 4);
            for (int f = 0; f < flips; f++)
                m[next_random() % len] = (unsigned char)next_random();
            m[0] = 1;
            decode_any(m, len);
        }
        free(m);
        free(bytes);
    }
}

static void test_round_trips(void)
{
    smiOID sys = {9, sub_sys}, ent = {8, sub_ent}, lng = {5, sub_long}, none = {0, NULL};
    smiBYTE text[] = "winsnmp subagent";
    smiBYTE ip[] = {127, 0, 0, 1};
    smiOCTETS descr = {16, text}, ctx = {3, (smiBYTE *)"ctx"};

    WsnmpAgentxPdu open = {
        .type = WSNMP_AGENTX_OPEN, .packet_id = 1, .timeout = 5, .oid = ent, .descr = descr};
    round_trip("open", &open);
    WsnmpAgentxPdu open0 = {.type = WSNMP_AGENTX_OPEN, .packet_id = 1, .oid = none};
    round_trip("open, null id, empty descr", &open0);
    WsnmpAgentxPdu cls = {
        .type = WSNMP_AGENTX_CLOSE, .session_id = 7, .reason = WSNMP_AGENTX_REASON_SHUTDOWN};
    round_trip("close", &cls);
    WsnmpAgentxPdu reg = {.type = WSNMP_AGENTX_REGISTER,
                          .session_id = 7,
                          .packet_id = 2,
                          .priority = 127,
                          .oid = ent};
    round_trip("register", &reg);
    WsnmpAgentxPdu regr = {.type = WSNMP_AGENTX_REGISTER,
                           .session_id = 7,
                           .packet_id = 3,
                           .flags = WSNMP_AGENTX_FLAG_NON_DEFAULT_CONTEXT,
                           .context = ctx,
                           .timeout = 9,
                           .priority = 1,
                           .range_subid = 8,
                           .upper_bound = 20,
                           .oid = ent};
    round_trip("register, context and range", &regr);
    WsnmpAgentxPdu unreg = {.type = WSNMP_AGENTX_UNREGISTER,
                            .session_id = 7,
                            .packet_id = 4,
                            .priority = 127,
                            .oid = lng};
    round_trip("unregister", &unreg);

    WsnmpAgentxRange ranges[3] = {{sys, none, 1}, {ent, sys, 0}, {lng, ent, 1}};
    WsnmpAgentxPdu get = {.type = WSNMP_AGENTX_GET,
                          .session_id = 7,
                          .transaction_id = 9,
                          .packet_id = 5,
                          .ranges = ranges,
                          .range_count = 3};
    round_trip("get", &get);
    WsnmpAgentxPdu next = get;
    next.type = WSNMP_AGENTX_GETNEXT;
    next.flags = WSNMP_AGENTX_FLAG_NON_DEFAULT_CONTEXT;
    next.context = ctx;
    round_trip("getnext with context", &next);
    WsnmpAgentxPdu bulk = get;
    bulk.type = WSNMP_AGENTX_GETBULK;
    bulk.non_repeaters = 1;
    bulk.max_repetitions = 10;
    round_trip("getbulk", &bulk);

    smiOID names[11] = {sys, ent, lng, sys, ent, lng, sys, ent, lng, sys, ent};
    smiVALUE values[11];
    memset(values, 0, sizeof values);
    values[0].syntax = SNMP_SYNTAX_INT;
    values[0].value.sNumber = -42;
    values[1].syntax = SNMP_SYNTAX_OCTETS;
    values[1].value.string = descr;
    values[2].syntax = SNMP_SYNTAX_NULL;
    values[3].syntax = SNMP_SYNTAX_OID;
    values[3].value.oid = lng;
    values[4].syntax = SNMP_SYNTAX_IPADDR;
    values[4].value.string = (smiOCTETS){4, ip};
    values[5].syntax = SNMP_SYNTAX_CNTR32;
    values[5].value.uNumber = 4000000000u;
    values[6].syntax = SNMP_SYNTAX_GAUGE32;
    values[6].value.uNumber = 7;
    values[7].syntax = SNMP_SYNTAX_TIMETICKS;
    values[7].value.uNumber = 123456;
    values[8].syntax = SNMP_SYNTAX_OPAQUE;
    values[8].value.string = (smiOCTETS){3, text};
    values[9].syntax = SNMP_SYNTAX_CNTR64;
    values[9].value.hNumber = (smiCNTR64){0x01020304u, 0xA0B0C0D0u};
    values[10].syntax = SNMP_SYNTAX_ENDOFMIBVIEW;
    WsnmpAgentxPdu test = {.type = WSNMP_AGENTX_TESTSET,
                           .session_id = 7,
                           .transaction_id = 10,
                           .packet_id = 6,
                           .names = names,
                           .values = values,
                           .varbind_count = 11};
    round_trip("testset, every type", &test);
    WsnmpAgentxPdu resp = {.type = WSNMP_AGENTX_RESPONSE,
                           .session_id = 7,
                           .packet_id = 6,
                           .sys_uptime = 99,
                           .error = 14,
                           .index = 2,
                           .names = names,
                           .values = values,
                           .varbind_count = 11};
    round_trip("response", &resp);
    WsnmpAgentxPdu resp0 = {.type = WSNMP_AGENTX_RESPONSE,
                            .session_id = 7,
                            .packet_id = 1,
                            .error = WSNMP_AGENTX_DUPLICATE_REGISTRATION};
    round_trip("response, no varbinds", &resp0);
    WsnmpAgentxPdu notify = test;
    notify.type = WSNMP_AGENTX_NOTIFY;
    round_trip("notify", &notify);
    const int bare[] = {WSNMP_AGENTX_COMMITSET, WSNMP_AGENTX_UNDOSET, WSNMP_AGENTX_CLEANUPSET,
                        WSNMP_AGENTX_PING};
    for (int i = 0; i < 4; i++) {
        WsnmpAgentxPdu p = {
            .type = (smiBYTE)bare[i], .session_id = 7, .transaction_id = 10, .packet_id = 8};
        round_trip("header-only PDUs", &p);
    }
    WsnmpAgentxPdu alloc = {.type = WSNMP_AGENTX_INDEXALLOCATE,
                            .flags = WSNMP_AGENTX_FLAG_NEW_INDEX,
                            .session_id = 7,
                            .names = names,
                            .values = values,
                            .varbind_count = 1};
    round_trip("indexallocate", &alloc);
    WsnmpAgentxPdu caps = {.type = WSNMP_AGENTX_ADDAGENTCAPS, .oid = ent, .descr = descr};
    round_trip("addagentcaps", &caps);
    WsnmpAgentxPdu rcaps = {.type = WSNMP_AGENTX_REMOVEAGENTCAPS, .oid = ent};
    round_trip("removeagentcaps", &rcaps);
}

/* A GetNext as a little-endian master writes it (RFC 2741 6.2.2): one
 * SearchRange, start 1.3.6.1.4.1.99999 (prefix 4) with include, end null. */
static void test_handwritten(void)
{
    TEST_SECTION("handwritten little-endian getnext");
    const unsigned char le[] = {
        1,    6,    0x00, 0, /* version, GetNext, flags (host order), reserved */
        7,    0,    0,    0, /* sessionID 7 */
        9,    0,    0,    0, /* transactionID 9 */
        5,    0,    0,    0, /* packetID 5 */
        12,   0,    0,    0, /* payload 12 */
        1,    4,    1,    0, /* start: 1 sub-id, prefix 4, include */
        0x9F, 0x86, 1,    0, /* 99999 */
        0,    0,    0,    0, /* end: null */
        0,    0,    0,    0, /* (padding to make a second, empty-looking range: invalid) */
    };
    WsnmpAgentxPdu p;
    const char *why;
    /* the payload says 12 but 16 bytes follow the header: rejected */
    CHECK(wsnmp_agentx_decode(le, sizeof le, &p, &why) != WSNMP_OK);
    CHECK_EQ_INT(wsnmp_agentx_decode(le, sizeof le - 4, &p, &why), WSNMP_OK);
    CHECK_EQ_INT(p.type, WSNMP_AGENTX_GETNEXT);
    CHECK_EQ_INT(p.session_id, 7);
    CHECK_EQ_INT(p.transaction_id, 9);
    CHECK_EQ_INT(p.packet_id, 5);
    CHECK_EQ_INT(p.range_count, 1);
    if (p.range_count == 1) {
        CHECK_EQ_INT(p.ranges[0].start.len, 6);
        CHECK_EQ_INT(p.ranges[0].start.ptr[4], 4);
        CHECK_EQ_INT(p.ranges[0].start.ptr[5], 99999);
        CHECK_EQ_INT(p.ranges[0].include, 1);
        CHECK_EQ_INT(p.ranges[0].end.len, 0);
    }
    wsnmp_agentx_clear(&p);

    TEST_SECTION("handwritten big-endian response");
    const unsigned char be[] = {
        1, 18, 0x10, 0,  0, 0, 0, 3, 0, 0, 0, 0, 0, 0, 0, 1, 0, 0, 0, 8, /* header */
        0, 0,  0,    42,                                                 /* sysUpTime */
        1, 7,  0,    0,                                                  /* error 263, index 0 */
    };
    CHECK_EQ_INT(wsnmp_agentx_decode(be, sizeof be, &p, &why), WSNMP_OK);
    CHECK_EQ_INT(p.session_id, 3);
    CHECK_EQ_INT(p.packet_id, 1);
    CHECK_EQ_INT(p.sys_uptime, 42);
    CHECK_EQ_INT(p.error, WSNMP_AGENTX_DUPLICATE_REGISTRATION);
    wsnmp_agentx_clear(&p);

    TEST_SECTION("hostile headers");
    unsigned char h[20];
    memcpy(h, be, 20);
    h[0] = 2; /* version 2 */
    CHECK_EQ_INT(wsnmp_agentx_frame_length(h, 20), -1);
    CHECK_EQ_INT(wsnmp_agentx_frame_length(h, 1), -1);
    memcpy(h, be, 20);
    h[16] = 0x7F; /* payload of 2 GB */
    CHECK_EQ_INT(wsnmp_agentx_frame_length(h, 20), -1);
    memcpy(h, be, 20);
    h[19] = 6; /* not a multiple of 4 */
    CHECK_EQ_INT(wsnmp_agentx_frame_length(h, 20), -1);
    memcpy(h, be, 20);
    h[19] = 0;
    h[1] = 99; /* unknown type, empty payload */
    CHECK(wsnmp_agentx_decode(h, 20, &p, &why) != WSNMP_OK);
    CHECK(why && strstr(why, "unknown") != NULL);
    /* an OID announcing 255 sub-ids where 4 bytes are */
    const unsigned char big_oid[] = {1, 3, 0x10, 0, 0, 0, 0, 1, 0, 0, 0,   0, 0, 0,
                                     0, 1, 0,    0, 0, 8, 1, 0, 0, 0, 255, 0, 0, 0};
    CHECK(wsnmp_agentx_decode(big_oid, sizeof big_oid, &p, &why) != WSNMP_OK);
    /* a VarBindList whose octet string claims 4 GB */
    const unsigned char big_str[] = {1, 12, 0x10, 0, 0, 0, 0,    1,    0,    0,   0,
                                     0, 0,  0,    0, 1, 0, 0,    0,    12,   0,   4,
                                     0, 0,  0,    0, 0, 0, 0xFF, 0xFF, 0xFF, 0xFF};
    CHECK(wsnmp_agentx_decode(big_str, sizeof big_str, &p, &why) != WSNMP_OK);
}

static void test_random(void)
{
    TEST_SECTION("random bytes");
    unsigned char buf[256];
    for (int round = 0; round < 20000; round++) {
        size_t len = 20 + 4 * (next_random() % 56);
        for (size_t i = 0; i < len; i++)
            buf[i] = (unsigned char)next_random();
        buf[0] = 1;
        buf[1] = (unsigned char)(1 + next_random() % 18);
        size_t body = len - 20;
        int big = (buf[2] & WSNMP_AGENTX_FLAG_NETWORK_BYTE_ORDER) != 0;
        for (int k = 0; k < 4; k++)
            buf[big ? 19 - k : 16 + k] = (unsigned char)(body >> (8 * k));
        decode_any(buf, len);
    }
}

int main(void)
{
    test_round_trips();
    test_handwritten();
    test_random();
    printf("decoded %ld, rejected %ld\n", decoded_ok, decoded_bad);
    return TEST_REPORT();
}
