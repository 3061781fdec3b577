/*
 * fuzz_agentx.c — libFuzzer target: the AgentX PDU codec (RFC 2741,
 * src/core/wire/agentx.c), what a master agent's bytes go through.
 *
 * For every input:
 *
 *  1. The stream framing (wsnmp_agentx_frame_length) on the bytes: a PDU's
 *     length is never more than the bytes given, never below the header.
 *  2. Each framed PDU in turn is decoded.  On failure a reason is given and
 *     the PDU is left empty.  On success it is encoded again, in network
 *     byte order and in the other, and each encoding decodes to the same
 *     PDU (and encodes to the same bytes again).
 *  3. Unframed input is decoded whole as well (the decoder must refuse a
 *     length that disagrees with the header).
 *
 * Any violation aborts, so libFuzzer saves the input.  ASan's leak checker
 * covers what a rejected PDU may have allocated.
 */
#include "fuzz_common.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

static void check_round_trip(const WsnmpAgentxPdu *p)
{
    unsigned char *first[2] = {NULL, NULL};
    size_t first_len[2] = {0, 0};
    for (int order = 0; order < 2; order++) {
        const char *why = NULL;
        wsnmp_result rc =
            wsnmp_agentx_encode(p, order == 1, &first[order], &first_len[order], &why);
        FUZZ_CHECK(rc == WSNMP_OK, "a decoded PDU does not encode again: %s", why ? why : "?");
        FUZZ_CHECK(wsnmp_agentx_frame_length(first[order], first_len[order]) ==
                       (long)first_len[order],
                   "an encoding does not frame to its own length");
        WsnmpAgentxPdu back;
        rc = wsnmp_agentx_decode(first[order], first_len[order], &back, &why);
        FUZZ_CHECK(rc == WSNMP_OK, "an encoding does not decode: %s", why ? why : "?");
        unsigned char *again = NULL;
        size_t again_len = 0;
        rc = wsnmp_agentx_encode(&back, order == 1, &again, &again_len, &why);
        FUZZ_CHECK(rc == WSNMP_OK && again_len == first_len[order] &&
                       memcmp(again, first[order], again_len) == 0,
                   "decode(encode(pdu)) encodes differently");
        free(again);
        wsnmp_agentx_clear(&back);
    }
    /* the two byte orders have the same length */
    FUZZ_CHECK(first_len[0] == first_len[1], "byte orders differ in length");
    free(first[0]);
    free(first[1]);
}

static void decode_one(const uint8_t *data, size_t size)
{
    WsnmpAgentxPdu p;
    const char *why = NULL;
    if (wsnmp_agentx_decode(data, size, &p, &why) != WSNMP_OK) {
        FUZZ_CHECK(why != NULL, "a rejection without a reason");
        FUZZ_CHECK(p.names == NULL && p.values == NULL && p.ranges == NULL && p.oid.ptr == NULL &&
                       p.context.ptr == NULL && p.descr.ptr == NULL,
                   "a rejected PDU is not empty");
        return;
    }
    check_round_trip(&p);
    wsnmp_agentx_clear(&p);
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
    size_t at = 0;
    while (at < size) {
        long whole = wsnmp_agentx_frame_length(data + at, size - at);
        if (whole <= 0)
            break;
        FUZZ_CHECK(whole >= 20 && (size_t)whole <= size - at, "framing beyond the bytes");
        decode_one(data + at, (size_t)whole);
        at += (size_t)whole;
    }
    decode_one(data, size);
    return 0;
}
