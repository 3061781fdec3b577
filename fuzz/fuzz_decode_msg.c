/*
 * fuzz_decode_msg.c — libFuzzer target: SnmpDecodeMsg on arbitrary bytes.
 *
 * v1/v2c messages go through the direct decoder (src/core/ber.c), v3
 * messages, v1 Trap-PDUs and what ber.c leaves through net-snmp
 * (src/core/codec.c).  For every input:
 *
 *  1. SnmpDecodeMsg.  On failure: the session's last error must be set,
 *     with a name and a message.  On success every decoded field is read
 *     back through the public API: SnmpContextToStr, SnmpGetPduData (a VBL
 *     copy), SnmpGetVb + SnmpOidToStr on each name and OID value, every
 *     octet read, WsnmpPeekPduVb compared with SnmpGetVb, SnmpDuplicatePdu;
 *     then everything is freed.
 *  2. Round trip: a decoded v1/v2c message is encoded again (SnmpEncodeMsg,
 *     an entity of the same version, the decoded community) and decoded
 *     again; the varbinds must come back the same.
 *  3. The invariant of tests/internal/test_ber_decode.c: whatever the direct
 *     decoder accepts, net-snmp's decoder accepts too, with the same fields.
 *  4. A decoded SNMPv1 Trap-PDU goes through the RFC 3584 translations the
 *     receive and send paths use (notify.c), to v2 form and back, which must
 *     give the same trap, and through net-snmp's Trap-PDU encoder.
 *  5. Every handle and descriptor is gone afterwards (WsnmpGetStats).
 *
 * Any violation aborts, so libFuzzer saves the input.
 */
#include "fuzz_common.h"

static HSNMP_SESSION session;
static WsnmpStats baseline; /* the totals after set-up */
static bool verbose;        /* FUZZ_VERBOSE=1: one line per input (for corpus work) */

int LLVMFuzzerInitialize(int *argc, char ***argv);
int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

int LLVMFuzzerInitialize(int *argc, char ***argv)
{
    (void)argc;
    (void)argv;
    if (!SnmpStartup(NULL, NULL, NULL, NULL, NULL))
        FUZZ_FAIL("SnmpStartup failed");
    SnmpSetTranslateMode(SNMPAPI_UNTRANSLATED_V2); /* no friendly names */
    session = WsnmpCreateSession(NULL, NULL);
    FUZZ_CHECK(session != 0, "WsnmpCreateSession failed");
    fuzz_register_v3_users();
    verbose = getenv("FUZZ_VERBOSE") != NULL;
    baseline = fuzz_stats();
    return 0;
}

static volatile unsigned sink; /* keeps the reads of decoded bytes */

static void touch(const void *p, size_t n)
{
    const unsigned char *b = p;
    unsigned sum = 0;
    for (size_t i = 0; i < n; i++)
        sum += b[i];
    sink += sum;
}

/* SnmpOidToStr of a decoded OID: must succeed, with the length it says. */
static void oid_text(const smiOID *oid, char *buf, size_t size)
{
    SNMPAPI_STATUS n = SnmpOidToStr(oid, (smiUINT32)size, buf);
    FUZZ_CHECK(n != 0 && n == strlen(buf) + 1, "SnmpOidToStr of a decoded OID (len %u) failed",
               (unsigned)oid->len);
    FUZZ_CHECK(oid->len <= MAXOBJIDSIZE, "decoded OID of %u sub-identifiers", (unsigned)oid->len);
    if (oid->len >= 2) { /* and parses back to itself */
        smiOID back;
        FUZZ_CHECK(SnmpStrToOid(buf, &back) == oid->len, "SnmpStrToOid('%s') != %u", buf,
                   (unsigned)oid->len);
        int cmp = 1;
        SnmpOidCompare(oid, &back, 0, &cmp);
        FUZZ_CHECK(cmp == 0, "OID text '%s' does not parse back to the same OID", buf);
        SnmpFreeDescriptor(SNMP_SYNTAX_OID, (smiLPOPAQUE)&back);
    }
}

static bool same_value(const smiVALUE *a, const smiVALUE *b)
{
    smiUINT32 sa = a->syntax == SNMP_SYNTAX_BITS ? SNMP_SYNTAX_OCTETS : a->syntax;
    smiUINT32 sb = b->syntax == SNMP_SYNTAX_BITS ? SNMP_SYNTAX_OCTETS : b->syntax;
    if (sa != sb)
        return false;
    switch (a->syntax) {
    case SNMP_SYNTAX_INT:
        return a->value.sNumber == b->value.sNumber;
    case SNMP_SYNTAX_CNTR32:
    case SNMP_SYNTAX_GAUGE32:
    case SNMP_SYNTAX_TIMETICKS:
    case SNMP_SYNTAX_UINT32:
        return a->value.uNumber == b->value.uNumber;
    case SNMP_SYNTAX_CNTR64:
        return a->value.hNumber.hipart == b->value.hNumber.hipart &&
               a->value.hNumber.lopart == b->value.hNumber.lopart;
    case SNMP_SYNTAX_OID:
        return wsnmp_oid_cmp(&a->value.oid, &b->value.oid) == 0;
    case SNMP_SYNTAX_NULL:
    case SNMP_SYNTAX_NOSUCHOBJECT:
    case SNMP_SYNTAX_NOSUCHINSTANCE:
    case SNMP_SYNTAX_ENDOFMIBVIEW:
        return true;
    default:
        return a->value.string.len == b->value.string.len &&
               (a->value.string.len == 0 ||
                memcmp(a->value.string.ptr, b->value.string.ptr, a->value.string.len) == 0);
    }
}

/* Reads everything out of a decoded PDU through the public API. */
static void walk_pdu(HSNMP_PDU pdu, HSNMP_CONTEXT ctx)
{
    smiOCTETS text;
    FUZZ_CHECK(SnmpContextToStr(ctx, &text), "SnmpContextToStr failed");
    touch(text.ptr, text.len);
    FUZZ_CHECK(text.len <= 65535, "context of %u bytes", (unsigned)text.len);
    FUZZ_CHECK(SnmpFreeDescriptor(SNMP_SYNTAX_OCTETS, &text), "freeing the context text");

    smiINT type, status, index;
    smiINT32 id;
    HSNMP_VBL vbl = 0;
    FUZZ_CHECK(SnmpGetPduData(pdu, &type, &id, &status, &index, &vbl), "SnmpGetPduData failed");
    touch(&id, sizeof id);
    const char *name = WsnmpPduErrorName(status);
    if (name)
        touch(name, strlen(name));
    smiUINT32 count = 0, peek_count = 0;
    FUZZ_CHECK(WsnmpCountVbl(vbl, &count), "WsnmpCountVbl failed");
    FUZZ_CHECK(WsnmpPduVarbindCount(pdu, &peek_count) && peek_count == count,
               "varbind counts disagree");
    FUZZ_CHECK(count <= WSNMP_MAX_VARBINDS, "%u varbinds", (unsigned)count);
    char buf[MAXOBJIDSTRSIZE + 16];
    for (smiUINT32 i = 1; i <= count; i++) {
        smiOID vname;
        smiVALUE value;
        FUZZ_CHECK(SnmpGetVb(vbl, i, &vname, &value), "SnmpGetVb(%u) failed", (unsigned)i);
        oid_text(&vname, buf, sizeof buf);
        FUZZ_CHECK(vname.len >= 1, "varbind %u has an empty name", (unsigned)i);
        switch (value.syntax) {
        case SNMP_SYNTAX_OID:
            oid_text(&value.value.oid, buf, sizeof buf);
            break;
        case SNMP_SYNTAX_OCTETS:
        case SNMP_SYNTAX_BITS:
        case SNMP_SYNTAX_OPAQUE:
        case SNMP_SYNTAX_NSAPADDR:
        case SNMP_SYNTAX_IPADDR:
            FUZZ_CHECK(value.value.string.len <= WSNMP_MAX_OCTETS, "octets of %u bytes",
                       (unsigned)value.value.string.len);
            touch(value.value.string.ptr, value.value.string.len);
            break;
        case SNMP_SYNTAX_INT:
        case SNMP_SYNTAX_CNTR32:
        case SNMP_SYNTAX_GAUGE32:
        case SNMP_SYNTAX_TIMETICKS:
        case SNMP_SYNTAX_UINT32:
        case SNMP_SYNTAX_CNTR64:
        case SNMP_SYNTAX_NULL:
        case SNMP_SYNTAX_NOSUCHOBJECT:
        case SNMP_SYNTAX_NOSUCHINSTANCE:
        case SNMP_SYNTAX_ENDOFMIBVIEW:
            touch(&value.value, sizeof value.value.hNumber);
            break;
        default:
            FUZZ_FAIL("varbind %u decoded with unknown syntax 0x%x", (unsigned)i,
                      (unsigned)value.syntax);
        }
        smiLPCOID pname;
        smiLPCVALUE pvalue;
        FUZZ_CHECK(WsnmpPeekPduVb(pdu, i, &pname, &pvalue), "WsnmpPeekPduVb(%u) failed",
                   (unsigned)i);
        FUZZ_CHECK(wsnmp_oid_cmp(pname, &vname) == 0 && same_value(pvalue, &value) &&
                       pvalue->syntax == value.syntax,
                   "WsnmpPeekPduVb and SnmpGetVb disagree on varbind %u", (unsigned)i);
        FUZZ_CHECK(SnmpFreeDescriptor(SNMP_SYNTAX_OID, (smiLPOPAQUE)&vname), "freeing a name");
        if (value.syntax == SNMP_SYNTAX_OID)
            FUZZ_CHECK(SnmpFreeDescriptor(SNMP_SYNTAX_OID, (smiLPOPAQUE)&value.value.oid),
                       "freeing an OID");
        else if (wsnmp_value_syntax_is_octets(value.syntax))
            FUZZ_CHECK(SnmpFreeDescriptor(value.syntax, &value.value.string), "freeing octets");
    }
    FUZZ_CHECK(SnmpFreeVbl(vbl), "SnmpFreeVbl failed");
    HSNMP_PDU dup = SnmpDuplicatePdu(session, pdu);
    FUZZ_CHECK(dup != 0, "SnmpDuplicatePdu failed");
    FUZZ_CHECK(SnmpFreePdu(dup), "SnmpFreePdu(dup) failed");
}

static bool same_vbl(const wsnmp_vbl *a, const wsnmp_vbl *b, smiUINT32 *where)
{
    if (a->count != b->count) {
        *where = 0;
        return false;
    }
    for (smiUINT32 i = 0; i < a->count; i++)
        if (wsnmp_oid_cmp(&a->items[i].name, &b->items[i].name) != 0 ||
            !same_value(&a->items[i].value, &b->items[i].value)) {
            *where = i + 1;
            return false;
        }
    return true;
}

/* Encodes a decoded v1/v2c message again and decodes the result. */
static void round_trip(HSNMP_PDU pdu, HSNMP_CONTEXT ctx, int version)
{
    HSNMP_ENTITY e = SnmpStrToEntity(session, "udp:127.0.0.1:161");
    FUZZ_CHECK(e != 0, "SnmpStrToEntity failed");
    FUZZ_CHECK(WsnmpSetEntityVersion(e, version), "WsnmpSetEntityVersion failed");
    smiOCTETS bytes;
    SNMPAPI_STATUS n = SnmpEncodeMsg(session, 0, e, ctx, pdu, &bytes);
    SnmpFreeEntity(e);
    if (n == 0)
        return; /* e.g. a response field a request may not carry: refused, fine */
    const wsnmp_pdu *p = wsnmp_handle_get(pdu, WSNMP_KIND_PDU, NULL);
    wsnmp_decoded d;
    const char *why;
    SNMPAPI_STATUS code = wsnmp_codec_decode(bytes.ptr, bytes.len, &d, &why);
    FUZZ_CHECK(code == 0, "a message SnmpEncodeMsg made does not decode: %s", why);
    if (d.pdu.type == p->type) { /* a v2 trap for v1 becomes a Trap-PDU */
        smiUINT32 where;
        FUZZ_CHECK(d.pdu.request_id == p->request_id, "request id changed in a round trip");
        FUZZ_CHECK(same_vbl(&d.pdu.vbl, &p->vbl, &where),
                   "varbinds changed in a round trip (varbind %u of %u/%u)", (unsigned)where,
                   (unsigned)p->vbl.count, (unsigned)d.pdu.vbl.count);
    }
    wsnmp_decoded_free(&d);
    SnmpFreeDescriptor(SNMP_SYNTAX_OCTETS, &bytes);
}

/* RFC 3584 on a decoded SNMPv1 Trap-PDU, as the notification receive path
 * does (notify.c): to v2 form, then back to a Trap-PDU as the send path
 * does, which must give the same trap, and that encoded and decoded again. */
static void trap_translations(HSNMP_PDU pdu)
{
    const wsnmp_pdu *p = wsnmp_handle_get(pdu, WSNMP_KIND_PDU, NULL);
    FUZZ_CHECK(p != NULL, "the decoded PDU is gone");
    wsnmp_pdu v2, v1;
    FUZZ_CHECK(wsnmp_pdu_data_copy(&v2, p), "out of memory");
    if (!wsnmp_rfc3584_trap_to_v2(&v2)) {
        FUZZ_CHECK(p->enterprise.len + 2 > MAXOBJIDSIZE, "wsnmp_rfc3584_trap_to_v2 refused a trap");
        wsnmp_pdu_data_clear(&v2);
        return;
    }
    FUZZ_CHECK(v2.type == SNMP_PDU_TRAP && v2.vbl.count == p->vbl.count + 4,
               "a translated trap has %u varbinds for %u", (unsigned)v2.vbl.count,
               (unsigned)p->vbl.count);
    const smiOID *trap_oid = &v2.vbl.items[1].value.value.oid;
    FUZZ_CHECK(v2.vbl.items[1].value.syntax == SNMP_SYNTAX_OID && trap_oid->len >= 2 &&
                   trap_oid->len <= MAXOBJIDSIZE,
               "snmpTrapOID.0 of a translated trap is no OID (%u arcs)", (unsigned)trap_oid->len);
    FUZZ_CHECK(wsnmp_pdu_data_copy(&v1, &v2), "out of memory");
    const char *why;
    SNMPAPI_STATUS code = wsnmp_rfc3584_trap_to_v1(&v1, &why);
    if (code == SNMPAPI_OPERATION_INVALID) { /* a Counter64 (v1 has none) */
        bool c64 = false;
        for (smiUINT32 i = 0; i < p->vbl.count; i++)
            c64 |= p->vbl.items[i].value.syntax == SNMP_SYNTAX_CNTR64;
        FUZZ_CHECK(c64, "a translated trap does not go back: %s", why);
        wsnmp_pdu_data_clear(&v1);
        wsnmp_pdu_data_clear(&v2);
        return;
    }
    FUZZ_CHECK(code == 0, "a translated trap does not go back: %s", why);
    smiUINT32 where;
    bool generic = p->generic_trap >= 0 && p->generic_trap < 6;
    if (p->enterprise.len >= 1) {
        FUZZ_CHECK(wsnmp_oid_cmp(&v1.enterprise, &p->enterprise) == 0,
                   "enterprise changed by the v1 -> v2 -> v1 translation");
        FUZZ_CHECK(v1.generic_trap == (generic ? p->generic_trap : SNMP_TRAP_ENTERPRISESPECIFIC) &&
                       (generic || v1.specific_trap == p->specific_trap),
                   "generic %d / specific %d became %d / %d", p->generic_trap, p->specific_trap,
                   v1.generic_trap, v1.specific_trap);
    }
    /* The varbinds come back, but for snmpTrapEnterprise.0 (dropped) and
     * snmpTrapAddress.0 (appended by the v2 form, kept). */
    static const smiUINT32 ent_arcs[] = {1, 3, 6, 1, 6, 3, 1, 1, 4, 3, 0};
    const smiOID ent = {11, (smiUINT32 *)ent_arcs};
    smiUINT32 k = 0;
    for (smiUINT32 i = 0; i < p->vbl.count; i++) {
        if (wsnmp_oid_cmp(&p->vbl.items[i].name, &ent) == 0)
            continue;
        FUZZ_CHECK(k < v1.vbl.count &&
                       wsnmp_oid_cmp(&v1.vbl.items[k].name, &p->vbl.items[i].name) == 0 &&
                       same_value(&v1.vbl.items[k].value, &p->vbl.items[i].value),
                   "varbind %u changed by the trap translations", (unsigned)i + 1);
        k++;
    }
    FUZZ_CHECK(k + 1 == v1.vbl.count, "the trap translations give %u varbinds for %u",
               (unsigned)v1.vbl.count, (unsigned)k);
    /* net-snmp's encoder for the Trap-PDU, then our decoder. */
    wsnmp_credentials sec;
    memset(&sec, 0, sizeof sec);
    sec.version = WSNMP_VERSION_1;
    unsigned char *bytes;
    size_t len;
    if (wsnmp_codec_encode(&sec, &v1, NULL, 0, &bytes, &len, &why) == 0) {
        wsnmp_decoded d;
        FUZZ_CHECK(wsnmp_codec_decode(bytes, len, &d, &why) == 0,
                   "an encoded Trap-PDU does not decode: %s", why);
        FUZZ_CHECK(d.pdu.type == SNMP_PDU_V1TRAP &&
                       wsnmp_oid_cmp(&d.pdu.enterprise, &v1.enterprise) == 0 &&
                       d.pdu.generic_trap == v1.generic_trap &&
                       d.pdu.specific_trap == v1.specific_trap && d.pdu.time_stamp == v1.time_stamp,
                   "an encoded Trap-PDU decodes differently");
        FUZZ_CHECK(same_vbl(&d.pdu.vbl, &v1.vbl, &where),
                   "an encoded Trap-PDU decodes with other varbinds (varbind %u)", (unsigned)where);
        wsnmp_decoded_free(&d);
        free(bytes);
    }
    wsnmp_pdu_data_clear(&v1);
    wsnmp_pdu_data_clear(&v2);
}

/* The version field of a message (the API does not report it). */
static int message_version(const unsigned char *data, size_t len)
{
    const unsigned char *end = data + len, *p, *q;
    unsigned char tag;
    size_t n;
    int64_t v;
    if ((p = wsnmp_ber_tlv(data, end, &tag, &n)) == NULL || tag != 0x30 ||
        (q = wsnmp_ber_tlv(p, p + n, &tag, &n)) == NULL || tag != 0x02 ||
        !wsnmp_ber_signed(q, n, 0, 3, &v))
        return 0;
    return v == 0 ? WSNMP_VERSION_1 : v == 1 ? WSNMP_VERSION_2C : v == 3 ? WSNMP_VERSION_3 : 0;
}

/* Whatever ber.c accepts, net-snmp accepts with the same fields. */
static void differential(const unsigned char *data, size_t len)
{
    wsnmp_decoded a, b;
    bool mine;
    const char *why;
    if (wsnmp_ber_decode(data, len, &a, &mine, &why) != 0 || !mine)
        return;
    SNMPAPI_STATUS theirs = wsnmp_codec_netsnmp_decode(data, len, &b, &why);
    FUZZ_CHECK(theirs == 0, "ber.c accepts a message net-snmp refuses (%s)", why);
    smiUINT32 where;
    FUZZ_CHECK(a.version == b.version && a.pdu.type == b.pdu.type &&
                   a.pdu.request_id == b.pdu.request_id &&
                   a.pdu.error_status == b.pdu.error_status &&
                   a.pdu.error_index == b.pdu.error_index && a.community.len == b.community.len &&
                   (a.community.len == 0 ||
                    memcmp(a.community.ptr, b.community.ptr, a.community.len) == 0),
               "ber.c and net-snmp decode different headers");
    FUZZ_CHECK(same_vbl(&a.pdu.vbl, &b.pdu.vbl, &where),
               "ber.c and net-snmp decode different varbinds (varbind %u)", (unsigned)where);
    for (smiUINT32 i = 0; i < a.pdu.vbl.count; i++)
        FUZZ_CHECK(a.pdu.vbl.items[i].value.syntax == b.pdu.vbl.items[i].value.syntax,
                   "ber.c and net-snmp decode varbind %u with different syntaxes", (unsigned)i + 1);
    wsnmp_decoded_free(&a);
    wsnmp_decoded_free(&b);
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
    if (size > 70000)
        return -1; /* beyond any datagram: not worth the time */
    smiOCTETS msg = {(smiUINT32)size, (smiBYTE *)(size ? data : (const uint8_t *)"")};
    HSNMP_ENTITY src = WSNMP_HANDLE_FROM_VALUE(1), dst = WSNMP_HANDLE_FROM_VALUE(1);
    HSNMP_CONTEXT ctx = 0;
    HSNMP_PDU pdu = 0;
    SNMPAPI_STATUS used = SnmpDecodeMsg(session, &src, &dst, &ctx, &pdu, &msg);
    if (used == 0) {
        SNMPAPI_STATUS code = SnmpGetLastError(session);
        FUZZ_CHECK(code != 0 && WsnmpErrorName(code) != NULL, "a failure without an error code");
        const char *text = WsnmpGetLastErrorMessage(session);
        FUZZ_CHECK(text != NULL && strlen(text) < 256, "a failure without a message");
        FUZZ_CHECK(ctx == 0 && pdu == 0, "a failed decode returned handles");
        if (verbose)
            fprintf(stderr, "decode: %s: %s\n", WsnmpErrorName(code), text);
    } else {
        FUZZ_CHECK(used <= size, "SnmpDecodeMsg used %u of %zu bytes", (unsigned)used, size);
        FUZZ_CHECK(src == 0 && dst == 0, "a decoded message has no entities");
        FUZZ_CHECK(ctx != 0 && pdu != 0, "a decoded message without context or PDU");
        walk_pdu(pdu, ctx);
        if (verbose) {
            smiINT type;
            smiUINT32 count = 0;
            SnmpGetPduData(pdu, &type, NULL, NULL, NULL, NULL);
            WsnmpPduVarbindCount(pdu, &count);
            fprintf(stderr, "decode: %u bytes, PDU 0x%02x, %u varbinds\n", (unsigned)used,
                    (unsigned)type, (unsigned)count);
        }
        smiINT type;
        SnmpGetPduData(pdu, &type, NULL, NULL, NULL, NULL);
        if (type == SNMP_PDU_V1TRAP)
            trap_translations(pdu);
        int version = message_version(data, used);
        if (version == WSNMP_VERSION_1 || version == WSNMP_VERSION_2C)
            round_trip(pdu, ctx, version);
        FUZZ_CHECK(SnmpFreePdu(pdu) && SnmpFreeContext(ctx), "freeing the decoded handles");
    }
    long whole = wsnmp_ber_message_length(data, size);
    if (whole > 0)
        differential(data, (size_t)whole);
    fuzz_check_clean(&baseline);
    return 0;
}
