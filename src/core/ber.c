/*
 * ber.c — a direct BER encoder for SNMPv1/v2c messages.
 *
 * The benchmark showed net-snmp's generic build path (a netsnmp_pdu with a
 * malloc'd list, then snmp_build) costing more than the rest of a request,
 * so community messages are encoded here, straight from our PDU into one
 * buffer.  The output is byte-for-byte what snmp_build produces (a C test
 * compares them); v3 and SNMPv1 Trap-PDUs still go through net-snmp.
 *
 * Encoding runs backwards, from the end of the buffer, so every length is
 * known when its header is written (as net-snmp's reverse encoder does).
 */
#include "messaging.h"

#include <stdlib.h>
#include <string.h>

typedef struct {
    unsigned char *buf;
    size_t size, pos; /* bytes are written at buf[pos - 1], buf[pos - 2]... */
    bool overflow;
} rev_t;

static void put_byte(rev_t *w, unsigned char b)
{
    if (w->pos == 0) {
        w->overflow = true;
        return;
    }
    w->buf[--w->pos] = b;
}

static void put_bytes(rev_t *w, const unsigned char *p, size_t n)
{
    if (n > w->pos) {
        w->overflow = true;
        return;
    }
    w->pos -= n;
    if (n)
        memcpy(w->buf + w->pos, p, n);
}

static void put_length(rev_t *w, size_t len)
{
    if (len < 0x80) {
        put_byte(w, (unsigned char)len);
        return;
    }
    int n = 0;
    while (len) {
        put_byte(w, (unsigned char)(len & 0xFF));
        len >>= 8;
        n++;
    }
    put_byte(w, (unsigned char)(0x80 | n));
}

/* Writes tag and length in front of the `len` content bytes just written. */
static void put_header(rev_t *w, unsigned char tag, size_t len)
{
    put_length(w, len);
    put_byte(w, tag);
}

static void put_signed(rev_t *w, unsigned char tag, int64_t v)
{
    size_t end = w->pos;
    /* Minimal two's complement: stop once the remaining value is only the
     * sign extension of the byte just written. */
    for (;;) {
        unsigned char b = (unsigned char)(v & 0xFF);
        put_byte(w, b);
        v >>= 8; /* arithmetic shift (implementation-defined, but gcc/clang) */
        if ((v == 0 && !(b & 0x80)) || (v == -1 && (b & 0x80)))
            break;
    }
    put_header(w, tag, end - w->pos);
}

static void put_unsigned(rev_t *w, unsigned char tag, uint64_t v)
{
    size_t end = w->pos;
    unsigned char b;
    do {
        b = (unsigned char)(v & 0xFF);
        put_byte(w, b);
        v >>= 8;
    } while (v);
    if (b & 0x80)
        put_byte(w, 0); /* keep it positive */
    put_header(w, tag, end - w->pos);
}

static void put_subid(rev_t *w, uint64_t v)
{
    put_byte(w, (unsigned char)(v & 0x7F));
    while ((v >>= 7) != 0)
        put_byte(w, (unsigned char)(0x80 | (v & 0x7F)));
}

static void put_oid(rev_t *w, const smiOID *oid)
{
    size_t end = w->pos;
    for (smiUINT32 i = oid->len; i > 2; i--)
        put_subid(w, oid->ptr[i - 1]);
    /* The first two arcs share one sub-identifier (checked encodable before). */
    put_subid(w, (uint64_t)oid->ptr[0] * 40 + (oid->len > 1 ? oid->ptr[1] : 0));
    put_header(w, 0x06, end - w->pos);
}

static bool put_value(rev_t *w, const smiVALUE *v)
{
    switch (v->syntax) {
    case SNMP_SYNTAX_INT:
        put_signed(w, 0x02, v->value.sNumber);
        return true;
    case SNMP_SYNTAX_CNTR32:
    case SNMP_SYNTAX_GAUGE32:
    case SNMP_SYNTAX_TIMETICKS:
    case SNMP_SYNTAX_UINT32:
        put_unsigned(w, (unsigned char)v->syntax, v->value.uNumber);
        return true;
    case SNMP_SYNTAX_CNTR64:
        put_unsigned(w, 0x46,
                     (uint64_t)v->value.hNumber.hipart << 32 | v->value.hNumber.lopart);
        return true;
    case SNMP_SYNTAX_OCTETS:
    case SNMP_SYNTAX_BITS: /* BITS travels as an OCTET STRING (RFC 2578) */
    case SNMP_SYNTAX_OPAQUE:
    case SNMP_SYNTAX_NSAPADDR:
    case SNMP_SYNTAX_IPADDR:
        put_bytes(w, v->value.string.ptr, v->value.string.len);
        put_header(w, v->syntax == SNMP_SYNTAX_BITS ? 0x04 : (unsigned char)v->syntax,
                   v->value.string.len);
        return true;
    case SNMP_SYNTAX_OID:
        put_oid(w, &v->value.oid);
        return true;
    case SNMP_SYNTAX_NULL:
    case SNMP_SYNTAX_NOSUCHOBJECT:
    case SNMP_SYNTAX_NOSUCHINSTANCE:
    case SNMP_SYNTAX_ENDOFMIBVIEW:
        put_header(w, (unsigned char)v->syntax, 0);
        return true;
    default:
        return false;
    }
}

static bool encode_into(rev_t *w, const wsnmp_security *sec, const wsnmp_pdu *pdu)
{
    size_t end = w->pos;
    /* varbind list */
    for (smiUINT32 i = pdu->vbl.count; i > 0; i--) {
        const wsnmp_varbind *vb = &pdu->vbl.items[i - 1];
        size_t vb_end = w->pos;
        if (!put_value(w, &vb->value))
            return false;
        put_oid(w, &vb->name);
        put_header(w, 0x30, vb_end - w->pos);
    }
    put_header(w, 0x30, end - w->pos);
    put_signed(w, 0x02, pdu->error_index); /* max_repetitions for GETBULK */
    put_signed(w, 0x02, pdu->error_status); /* non_repeaters for GETBULK */
    put_signed(w, 0x02, pdu->request_id);
    put_header(w, (unsigned char)pdu->type, end - w->pos);
    static const unsigned char public_community[] = "public";
    const unsigned char *c = sec->community.len ? sec->community.ptr : public_community;
    size_t clen = sec->community.len ? sec->community.len : 6;
    put_bytes(w, c, clen);
    put_header(w, 0x04, clen);
    put_signed(w, 0x02, sec->version == WSNMP_VERSION_1 ? 0 : 1);
    put_header(w, 0x30, end - w->pos);
    return true;
}

bool wsnmp_ber_can_encode(const wsnmp_security *sec, const wsnmp_pdu *pdu)
{
    return sec->version != WSNMP_VERSION_3 && pdu->type != SNMP_PDU_V1TRAP;
}

SNMPAPI_STATUS wsnmp_ber_encode(const wsnmp_security *sec, const wsnmp_pdu *pdu,
                                unsigned char **out, size_t *out_len, const char **why)
{
    for (size_t size = 256;; size *= 2) {
        unsigned char *buf = malloc(size);
        if (buf == NULL) {
            *why = "out of memory";
            return SNMPAPI_ALLOC_ERROR;
        }
        rev_t w = {buf, size, size, false};
        if (!encode_into(&w, sec, pdu)) {
            free(buf);
            *why = "a value of unknown syntax";
            return SNMPAPI_SYNTAX_INVALID;
        }
        if (!w.overflow) {
            size_t len = size - w.pos;
            memmove(buf, buf + w.pos, len);
            unsigned char *fitted = realloc(buf, len);
            *out = fitted ? fitted : buf;
            *out_len = len;
            return 0;
        }
        free(buf);
        if (size > 2 * 65536) { /* no UDP datagram holds it */
            *why = "the message is too big";
            return SNMPAPI_TL_PDU_TOO_BIG;
        }
    }
}
