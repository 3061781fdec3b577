/*
 * test_ber_decode.c — the direct v1/v2c decoder (src/core/ber.c) against
 * net-snmp's snmp_parse: on real encodings and on thousands of truncated,
 * bit-flipped and random variants, whatever the direct decoder accepts,
 * net-snmp accepts too, with the same fields; and nothing crashes.
 */
#include "wire.h"
#include "../test.h"

static uint32_t rng = 2463534242u;
static uint32_t next_random(void)
{
    rng ^= rng << 13;
    rng ^= rng >> 17;
    rng ^= rng << 5;
    return rng;
}

static int same(const wsnmp_decoded *a, const wsnmp_decoded *b)
{
    if (a->version != b->version || a->pdu.type != b->pdu.type ||
        a->pdu.request_id != b->pdu.request_id || a->pdu.error_status != b->pdu.error_status ||
        a->pdu.error_index != b->pdu.error_index || a->community.len != b->community.len ||
        memcmp(a->community.ptr, b->community.ptr, a->community.len) != 0 ||
        a->pdu.vbl.count != b->pdu.vbl.count)
        return 0;
    for (smiUINT32 i = 0; i < a->pdu.vbl.count; i++) {
        const wsnmp_varbind *x = &a->pdu.vbl.items[i], *y = &b->pdu.vbl.items[i];
        if (wsnmp_oid_cmp(&x->name, &y->name) != 0 || x->value.syntax != y->value.syntax)
            return 0;
        const smiVALUE *u = &x->value, *v = &y->value;
        if (wsnmp_value_syntax_is_octets(u->syntax)) {
            if (u->value.string.len != v->value.string.len ||
                (u->value.string.len &&
                 memcmp(u->value.string.ptr, v->value.string.ptr, u->value.string.len) != 0))
                return 0;
        } else if (u->syntax == SNMP_SYNTAX_OID) {
            if (wsnmp_oid_cmp(&u->value.oid, &v->value.oid) != 0)
                return 0;
        } else if (u->syntax == SNMP_SYNTAX_CNTR64) {
            if (u->value.hNumber.hipart != v->value.hNumber.hipart ||
                u->value.hNumber.lopart != v->value.hNumber.lopart) {
                if (getenv("BER_DIFF"))
                    fprintf(stderr, "c64: ours %08x%08x net-snmp %08x%08x\n",
                            u->value.hNumber.hipart, u->value.hNumber.lopart,
                            v->value.hNumber.hipart, v->value.hNumber.lopart);
                return 0;
            }
        } else if (u->value.uNumber != v->value.uNumber) {
            if (getenv("BER_DIFF"))
                fprintf(stderr, "syntax %x: ours %u net-snmp %u\n", (unsigned)u->syntax,
                        (unsigned)u->value.uNumber, (unsigned)v->value.uNumber);
            return 0;
        }
    }
    return 1;
}

static int accepted, rejected, left_to_netsnmp, stricter;

static void check_one(const unsigned char *msg, size_t len)
{
    wsnmp_decoded a, b;
    bool mine;
    const char *why;
    SNMPAPI_STATUS ours = wsnmp_ber_decode(msg, len, &a, &mine, &why);
    if (!mine) {
        left_to_netsnmp++;
        return;
    }
    SNMPAPI_STATUS theirs = wsnmp_codec_netsnmp_decode(msg, len, &b, &why);
    if (ours == 0) {
        accepted++;
        CHECK_EQ_INT(theirs, 0); /* never accept what net-snmp refuses */
        if (theirs != 0 && getenv("BER_DEBUG")) {
            for (size_t i = 0; i < len; i++)
                fprintf(stderr, "%02x", msg[i]);
            fprintf(stderr, " (%s)\n", why);
        }
        if (theirs == 0)
            CHECK(same(&a, &b));
        wsnmp_decoded_free(&a);
    } else {
        rejected++;
        if (theirs == 0) {
            stricter++; /* e.g. an INTEGER beyond 32 bits: refused, not truncated */
            if (getenv("BER_STRICT") && stricter < 12) {
                for (size_t i = 0; i < len; i++)
                    fprintf(stderr, "%02x", msg[i]);
                fprintf(stderr, "\n");
            }
        }
    }
    if (theirs == 0)
        wsnmp_decoded_free(&b);
}

static void exercise(const unsigned char *msg, size_t len)
{
    static unsigned char buf[70000];
    check_one(msg, len);
    for (size_t cut = 0; cut < len; cut++)
        check_one(msg, cut); /* every truncation */
    for (int i = 0; i < 300; i++) {
        memcpy(buf, msg, len);
        int flips = 1 + (int)(next_random() % 3);
        for (int f = 0; f < flips; f++)
            buf[next_random() % len] ^= (unsigned char)(1u << (next_random() % 8));
        check_one(buf, len);
    }
}

/* A v2c Response of `count` varbinds, encoded by our encoder: 0 and the
 * message (the caller frees it), or the encoder's status. */
static SNMPAPI_STATUS encode_response(wsnmp_varbind *items, smiUINT32 count, smiINT32 id,
                                      const char *community, unsigned char **msg, size_t *len)
{
    wsnmp_pdu pdu;
    memset(&pdu, 0, sizeof pdu);
    pdu.type = SNMP_PDU_RESPONSE;
    pdu.request_id = id;
    pdu.vbl.items = items;
    pdu.vbl.count = pdu.vbl.capacity = count;
    wsnmp_credentials sec;
    memset(&sec, 0, sizeof sec);
    sec.version = WSNMP_VERSION_2C;
    sec.community = (smiOCTETS){(smiUINT32)strlen(community), (smiBYTE *)community};
    const char *why;
    return wsnmp_ber_encode(&sec, &pdu, msg, len, &why);
}

int main(void)
{
    SnmpStartup(NULL, NULL, NULL, NULL, NULL);
    TEST_SECTION("differential");
    static smiUINT32 o1[] = {1, 3, 6, 1, 2, 1, 1, 5, 0};
    static smiUINT32 o2[] = {1, 3, 6, 1, 4, 1, 4294967295u, 127, 128, 16384};
    static smiUINT32 o3[] = {2, 999, 3};
    static unsigned char bytes[200], ip[4] = {192, 0, 2, 1};
    for (int i = 0; i < 200; i++)
        bytes[i] = (unsigned char)(i * 7);
    smiVALUE values[] = {
        {.syntax = SNMP_SYNTAX_INT, .value.sNumber = -123456},
        {.syntax = SNMP_SYNTAX_CNTR32, .value.uNumber = 0xFFFFFFFFu},
        {.syntax = SNMP_SYNTAX_GAUGE32, .value.uNumber = 128},
        {.syntax = SNMP_SYNTAX_TIMETICKS, .value.uNumber = 4711},
        {.syntax = SNMP_SYNTAX_CNTR64, .value.hNumber = {0xFFFFFFFFu, 0x12345678u}},
        {.syntax = SNMP_SYNTAX_OCTETS, .value.string = {200, bytes}},
        {.syntax = SNMP_SYNTAX_OCTETS, .value.string = {0, bytes}},
        {.syntax = SNMP_SYNTAX_IPADDR, .value.string = {4, ip}},
        {.syntax = SNMP_SYNTAX_OPAQUE, .value.string = {3, bytes}},
        {.syntax = SNMP_SYNTAX_OID, .value.oid = {10, o2}},
        {.syntax = SNMP_SYNTAX_OID, .value.oid = {3, o3}},
        {.syntax = SNMP_SYNTAX_NULL},
        {.syntax = SNMP_SYNTAX_NOSUCHOBJECT},
        {.syntax = SNMP_SYNTAX_NOSUCHINSTANCE},
        {.syntax = SNMP_SYNTAX_ENDOFMIBVIEW},
    };
    size_t nvalues = sizeof values / sizeof values[0];
    wsnmp_varbind items[32];
    smiINT types[] = {SNMP_PDU_RESPONSE, SNMP_PDU_GET,  SNMP_PDU_GETBULK,
                      SNMP_PDU_SET,      SNMP_PDU_TRAP, SNMP_PDU_INFORM};
    for (size_t t = 0; t < sizeof types / sizeof types[0]; t++)
        for (size_t k = 0; k < nvalues; k++) {
            for (size_t i = 0; i <= k; i++) {
                items[i].name = (smiOID){i % 2 ? 10 : 9, i % 2 ? o2 : o1};
                items[i].value = values[i];
            }
            wsnmp_pdu pdu;
            memset(&pdu, 0, sizeof pdu);
            pdu.type = types[t];
            pdu.request_id = (smiINT32)(next_random() & 0x7FFFFFFF);
            pdu.error_status = (smiINT)(k % 3);
            pdu.error_index = (smiINT)(k % 5);
            pdu.vbl.items = items;
            pdu.vbl.count = pdu.vbl.capacity = (smiUINT32)(k + 1);
            wsnmp_credentials sec;
            memset(&sec, 0, sizeof sec);
            sec.version = (t + k) % 2 && types[t] != SNMP_PDU_GETBULK &&
                                  types[t] != SNMP_PDU_TRAP && types[t] != SNMP_PDU_INFORM &&
                                  values[k].syntax != SNMP_SYNTAX_CNTR64
                              ? WSNMP_VERSION_1
                              : WSNMP_VERSION_2C;
            sec.community = (smiOCTETS){6, (smiBYTE *)"secret"};
            unsigned char *msg;
            size_t len;
            const char *why;
            if (wsnmp_ber_encode(&sec, &pdu, &msg, &len, &why) == 0) {
                exercise(msg, len);
                free(msg);
            }
        }
    /* Random datagrams. */
    static unsigned char junk[512];
    for (int i = 0; i < 20000; i++) {
        size_t len = next_random() % sizeof junk;
        for (size_t j = 0; j < len; j++)
            junk[j] = (unsigned char)next_random();
        if (len > 1)
            junk[0] = 0x30; /* get past the first byte now and then */
        check_one(junk, len);
    }
    printf("accepted %d, rejected %d (of which net-snmp accepts %d), left to net-snmp %d\n",
           accepted, rejected, stricter, left_to_netsnmp);
    CHECK(accepted > 100);

    /* OIDs of every length up to MAXOBJIDSIZE, with one-byte arcs in runs
     * of every length (the decoder widens eight at a time) between arcs
     * of two to five bytes: decoded exactly as encoded, as net-snmp does. */
    TEST_SECTION("OIDs of every length and arc size");
    {
        static smiUINT32 arcs[4][MAXOBJIDSIZE];
        int exact = 1;
        for (int round = 0; round < 2000; round++) {
            wsnmp_varbind vbs[4];
            for (int v = 0; v < 4; v++) {
                smiUINT32 n = 2 + next_random() % (MAXOBJIDSIZE - 1);
                arcs[v][0] = next_random() % 3;
                arcs[v][1] = arcs[v][0] < 2 ? next_random() % 40 : next_random() % 1000;
                for (smiUINT32 i = 2; i < n; i++) {
                    uint32_t kind = next_random() % 20;
                    arcs[v][i] = kind < 16   ? next_random() % 128
                                 : kind < 19 ? next_random() % 16384
                                             : next_random();
                }
                vbs[v].name = (smiOID){n, arcs[v]};
                vbs[v].value =
                    v == 3 ? (smiVALUE){.syntax = SNMP_SYNTAX_OID, .value.oid = {n, arcs[v]}}
                           : values[v];
            }
            unsigned char *msg;
            size_t len;
            if (encode_response(vbs, 4, round, "public", &msg, &len) != 0) {
                exact = 0;
                break;
            }
            wsnmp_decoded d;
            bool mine;
            const char *why;
            if (wsnmp_ber_decode(msg, len, &d, &mine, &why) != 0 || d.pdu.vbl.count != 4) {
                exact = 0;
                free(msg);
                break;
            }
            for (int v = 0; v < 4; v++)
                exact &= wsnmp_oid_cmp(&d.pdu.vbl.items[v].name, &vbs[v].name) == 0;
            exact &= wsnmp_oid_cmp(&d.pdu.vbl.items[3].value.value.oid, &vbs[3].name) == 0;
            wsnmp_decoded_free(&d);
            check_one(msg, len); /* (and net-snmp reads the same) */
            free(msg);
            if (!exact)
                break;
        }
        CHECK(exact);
    }

    /* A decoded list lives in one block (its arena): removing an item,
     * inserting one (which first copies the items out) and copying the list
     * keep every value, and clearing frees it all (ASan and valgrind in CI
     * see the rest). */
    TEST_SECTION("a decoded list's arena");
    {
        for (int i = 0; i < 3; i++)
            items[i].name = (smiOID){i % 2 ? 10 : 9, i % 2 ? o2 : o1};
        items[0].value = values[5]; /* 200 octets */
        items[1].value = values[9]; /* an OID */
        items[2].value = values[0]; /* an integer */
        unsigned char *msg;
        size_t len;
        CHECK_EQ_INT(encode_response(items, 3, 42, "secret", &msg, &len), 0);
        wsnmp_decoded d;
        bool mine;
        const char *why;
        CHECK_EQ_INT(wsnmp_ber_decode(msg, len, &d, &mine, &why), 0);
        free(msg);
        wsnmp_vbl *v = &d.pdu.vbl;
        CHECK(v->borrowed && v->arena != NULL && v->count == 3);
        CHECK_MEM_EQ(v->items[0].value.value.string.ptr, bytes, 200);
        wsnmp_varbinds_remove(v, 0); /* (borrowed: moved, not freed) */
        CHECK_EQ_INT(v->count, 2);
        CHECK_EQ_INT(v->items[0].value.value.oid.len, 10);
        CHECK_EQ_INT(v->items[0].value.value.oid.ptr[6], 4294967295u);
        const smiUINT32 *before = v->items[0].value.value.oid.ptr;
        CHECK(wsnmp_varbinds_insert(v, 0, &items[0].name, &items[0].value));
        CHECK(!v->borrowed && v->arena != NULL); /* items its own, block kept */
        CHECK_EQ_INT(before[6], 4294967295u);    /* read before: still valid */
        CHECK_EQ_INT(v->count, 3);
        CHECK_MEM_EQ(v->items[0].value.value.string.ptr, bytes, 200);
        CHECK_EQ_INT(v->items[1].value.value.oid.ptr[9], 16384);
        CHECK_EQ_INT(v->items[2].value.value.sNumber, -123456);
        wsnmp_vbl copy;
        CHECK(wsnmp_varbinds_copy(&copy, v));
        CHECK(!copy.borrowed && copy.arena == NULL && copy.count == 3);
        wsnmp_varbinds_clear(&copy);
        wsnmp_decoded_free(&d);
    }
    SnmpCleanup();
    return TEST_REPORT();
}
