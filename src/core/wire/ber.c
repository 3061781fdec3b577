/*
 * ber.c — our own BER: the direct encoder and decoder for SNMPv1/v2c
 * messages, the TLV reader, the peeks at SNMPv3 headers (message id,
 * sender) that run before net-snmp sees a message, and TCP stream framing.
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
#include "wire.h"

#include <stdint.h>
#include <stdlib.h>
#include <string.h>
#if defined(__SSE2__)
#include <emmintrin.h>
#endif

/* The byte writers below run for every byte of every request: inlined
 * into their callers, they cost a third of what they do as calls. */
#define HOT static inline __attribute__((always_inline))

typedef struct {
    unsigned char *buf;
    size_t pos; /* bytes are written at buf[pos - 1], buf[pos - 2]... */
    bool overflow;
} rev_t;

HOT void put_byte(rev_t *w, unsigned char b)
{
    if (w->pos == 0) {
        w->overflow = true;
        return;
    }
    w->buf[--w->pos] = b;
}

HOT void put_bytes(rev_t *w, const unsigned char *p, size_t n)
{
    if (n > w->pos) {
        w->overflow = true;
        return;
    }
    w->pos -= n;
    if (n)
        memcpy(w->buf + w->pos, p, n);
}

HOT void put_length(rev_t *w, size_t len)
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
HOT void put_header(rev_t *w, unsigned char tag, size_t len)
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
        v = v < 0 ? ~(~v >> 8) : v >> 8; /* an arithmetic shift, portably */
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

HOT void put_subid(rev_t *w, uint64_t v)
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
        put_unsigned(w, 0x46, (uint64_t)v->value.hNumber.hipart << 32 | v->value.hNumber.lopart);
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

static bool encode_into(rev_t *w, const wsnmp_credentials *sec, const wsnmp_pdu *pdu)
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
    put_signed(w, 0x02, pdu->error_index);  /* max_repetitions for GETBULK */
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

bool wsnmp_ber_can_encode(const wsnmp_credentials *sec, const wsnmp_pdu *pdu)
{
    return sec->version != WSNMP_VERSION_3 && pdu->type != SNMP_PDU_V1TRAP;
}

wsnmp_result wsnmp_ber_encode(const wsnmp_credentials *sec, const wsnmp_pdu *pdu,
                              unsigned char **out, size_t *out_len, const char **why)
{
    /* Most messages fit a stack buffer: then one allocation of the exact
     * size; bigger ones take heap buffers of doubling size. */
    unsigned char stack[1472];
    for (size_t size = sizeof stack;; size *= 2) {
        unsigned char *buf = size == sizeof stack ? stack : malloc(size);
        if (buf == NULL) {
            *why = "out of memory";
            return SNMPAPI_ALLOC_ERROR;
        }
        rev_t w = {buf, size, false};
        bool encoded = encode_into(&w, sec, pdu);
        if (encoded && !w.overflow) {
            size_t len = size - w.pos;
            unsigned char *fitted = malloc(len);
            if (fitted)
                memcpy(fitted, buf + w.pos, len);
            if (buf != stack)
                free(buf);
            if (fitted == NULL) {
                *why = "out of memory";
                return SNMPAPI_ALLOC_ERROR;
            }
            *out = fitted;
            *out_len = len;
            return WSNMP_OK;
        }
        if (buf != stack)
            free(buf);
        if (!encoded) {
            *why = "a value of unknown syntax";
            return SNMPAPI_SYNTAX_INVALID;
        }
        if (size > 2 * 65536) { /* no UDP datagram holds it */
            *why = "the message is too big";
            return SNMPAPI_TL_PDU_TOO_BIG;
        }
    }
}

/* ---- decoding ------------------------------------------------------------------ */

/* One TLV: single-byte tags only; short or long (1..4 byte) lengths.
 * Returns the contents (and *tag, *len), or NULL when malformed. */
/* (inlined into the decoder, which reads a dozen TLVs per reply) */
HOT const unsigned char *tlv(const unsigned char *p, const unsigned char *end, unsigned char *tag,
                             size_t *len)
{
    if (end - p < 2 || (p[0] & 0x1F) == 0x1F)
        return NULL;
    *tag = *p++;
    size_t n = *p++;
    if (n & 0x80) {
        size_t bytes = n & 0x7F;
        if (bytes == 0 || bytes > 4 || (size_t)(end - p) < bytes)
            return NULL;
        n = 0;
        while (bytes--)
            n = n << 8 | *p++;
    }
    if ((size_t)(end - p) < n)
        return NULL;
    *len = n;
    return p;
}

const unsigned char *wsnmp_ber_tlv(const unsigned char *p, const unsigned char *end,
                                   unsigned char *tag, size_t *len)
{
    return tlv(p, end, tag, len);
}

bool wsnmp_ber_signed(const unsigned char *p, size_t len, int64_t lo, int64_t hi, int64_t *out)
{
    if (len == 0 || len > 8)
        return false;
    int64_t v = (p[0] & 0x80) ? -1 : 0;
    for (size_t i = 0; i < len; i++)
        v = (int64_t)((uint64_t)v << 8 | p[i]);
    if (v < lo || v > hi)
        return false;
    *out = v;
    return true;
}

/* An unsigned of `bytes` (4 or 8) bytes.  Agents that forget the leading
 * zero of values with the top bit set are common; read the bytes as the
 * unsigned number they meant, as net-snmp does.  A value wider than the
 * type is refused rather than truncated. */
static bool get_unsigned(const unsigned char *p, size_t len, size_t bytes, uint64_t *out)
{
    if (len == 0 || len > bytes + 1 || (len == bytes + 1 && p[0] != 0))
        return false;
    uint64_t v = 0;
    for (size_t i = 0; i < len; i++)
        v = v << 8 | p[i];
    *out = v;
    return true;
}

/* Eight one-byte arcs at p (no byte with its high bit set) into out, or
 * false and nothing written.  With SSE2 (every x86-64) a few vector
 * instructions, which GCC does not find by itself at -O2. */
static inline bool widen_eight(smiUINT32 *out, const unsigned char *p)
{
#if defined(__SSE2__)
    __m128i bytes = _mm_loadl_epi64((const __m128i *)(const void *)p);
    if (_mm_movemask_epi8(bytes) & 0xFF)
        return false;
    __m128i zero = _mm_setzero_si128(), halves = _mm_unpacklo_epi8(bytes, zero);
    _mm_storeu_si128((__m128i *)(void *)out, _mm_unpacklo_epi16(halves, zero));
    _mm_storeu_si128((__m128i *)(void *)(out + 4), _mm_unpackhi_epi16(halves, zero));
#else
    uint64_t eight;
    memcpy(&eight, p, sizeof eight);
    if (eight & UINT64_C(0x8080808080808080))
        return false;
    for (int i = 0; i < 8; i++)
        out[i] = p[i];
#endif
    return true;
}

static bool get_oid(const unsigned char *p, size_t len, smiUINT32 *buf, smiUINT32 *count)
{
    smiUINT32 n = 0;
    const unsigned char *end = p + len;
    if (len == 0)
        return false;
    while (p < end) {
        if (n > 0 && !(*p & 0x80)) { /* (most arcs after the first fit in one byte) */
            /* Eight bytes at a time while none has its high bit set: eight
             * one-byte arcs, widened in a few instructions rather than
             * tested and stored one by one (an OID's decoding was a tenth
             * of a walked varbind's instructions). */
            while (end - p >= 8 && MAXOBJIDSIZE - n >= 8 && widen_eight(buf + n, p)) {
                n += 8;
                p += 8;
            }
            if (p == end || (*p & 0x80))
                continue;
            if (n == MAXOBJIDSIZE)
                return false;
            buf[n++] = *p++;
            continue;
        }
        uint64_t v = 0;
        do {
            if (p == end || v > (UINT64_C(0xFFFFFFFF) * 80 + 80) >> 7)
                return false;
            v = v << 7 | (*p & 0x7F);
        } while (*p++ & 0x80);
        if (n == 0) { /* the first sub-identifier holds two arcs */
            smiUINT32 first = v < 40 ? 0 : v < 80 ? 1 : 2;
            uint64_t second = v - 40u * first;
            if (second > UINT32_MAX)
                return false;
            buf[n++] = first;
            buf[n++] = (smiUINT32)second;
        } else {
            if (v > UINT32_MAX || n == MAXOBJIDSIZE)
                return false;
            buf[n++] = (smiUINT32)v;
        }
    }
    *count = n;
    return true;
}

/* Reads one value; false if malformed, *mine = false for a syntax this
 * decoder leaves to net-snmp (e.g. Opaque-wrapped floats). */
static bool get_value(unsigned char tag, const unsigned char *p, size_t len, smiVALUE *v,
                      smiUINT32 *oid_buf, bool *mine)
{
    memset(v, 0, sizeof *v);
    int64_t s;
    uint64_t u;
    switch (tag) {
    case 0x02:
        if (!wsnmp_ber_signed(p, len, INT32_MIN, INT32_MAX, &s))
            return false;
        v->syntax = SNMP_SYNTAX_INT;
        v->value.sNumber = (smiINT)s;
        return true;
    case 0x41:
    case 0x42:
    case 0x43:
    case 0x47:
        if (!get_unsigned(p, len, 4, &u))
            return false;
        v->syntax = tag;
        v->value.uNumber = (smiUINT32)u;
        return true;
    case 0x46:
        if (!get_unsigned(p, len, 8, &u))
            return false;
        v->syntax = SNMP_SYNTAX_CNTR64;
        v->value.hNumber.hipart = (smiUINT32)(u >> 32);
        v->value.hNumber.lopart = (smiUINT32)u;
        return true;
    case 0x04:
    case 0x44:
    case 0x45:
    case 0x40:
    case 0x03:
        /* An Opaque holding one of net-snmp's special types (9f 76, 78..7b:
         * Counter64, float, double, Integer64, Unsigned64) is net-snmp's to
         * check and decode, so every version delivers it alike (codec.c). */
        if (tag == 0x44 && len >= 2 && p[0] == 0x9f &&
            (p[1] == 0x76 || (p[1] >= 0x78 && p[1] <= 0x7b))) {
            *mine = false;
            return false;
        }
        if (tag == 0x40 && len != 4)
            return false; /* an IpAddress is 4 bytes (net-snmp refuses others too) */
        if (tag == 0x03 && len == 0)
            return false; /* a BIT STRING has at least its unused-bits octet (net-snmp too) */
        v->syntax = tag == 0x03 ? SNMP_SYNTAX_BITS : tag;
        v->value.string.ptr = (smiBYTE *)p;
        v->value.string.len = (smiUINT32)len;
        return len <= WSNMP_MAX_OCTETS;
    case 0x06:
        v->syntax = SNMP_SYNTAX_OID;
        v->value.oid.ptr = oid_buf;
        return get_oid(p, len, oid_buf, &v->value.oid.len);
    case 0x05:
    case 0x80:
    case 0x81:
    case 0x82:
        v->syntax = tag;
        return len == 0;
    default:
        *mine = false;
        return false;
    }
}

/* The next 4-byte boundary at or after `at` in a list's block: where arcs
 * go. */
static smiUINT32 *arena_align(void *at)
{
    return (smiUINT32 *)(((uintptr_t)at + 3u) & ~(uintptr_t)3u);
}

wsnmp_result wsnmp_ber_decode(const unsigned char *data, size_t len, wsnmp_decoded *out, bool *mine,
                              const char **why)
{
    memset(out, 0, sizeof *out);
    *mine = true;
    *why = "malformed message";
    const unsigned char *end = data + len, *p, *q, *pdu_end;
    unsigned char tag;
    size_t n;
    int64_t version, id, status, index;
    if ((p = tlv(data, end, &tag, &n)) == NULL || tag != 0x30)
        return SNMPAPI_MESSAGE_INVALID;
    if (p + n != end) /* trailing bytes: let net-snmp judge */
        return *mine = false, SNMPAPI_MESSAGE_INVALID;
    if ((q = tlv(p, end, &tag, &n)) == NULL || tag != 0x02 ||
        !wsnmp_ber_signed(q, n, 0, 3, &version))
        return SNMPAPI_MESSAGE_INVALID;
    if (version > 1) /* v3 (or unknown): not ours */
        return *mine = false, SNMPAPI_MESSAGE_INVALID;
    p = q + n;
    const unsigned char *community;
    size_t community_len;
    if ((community = tlv(p, end, &tag, &community_len)) == NULL || tag != 0x04)
        return SNMPAPI_MESSAGE_INVALID;
    p = community + community_len;
    if ((q = tlv(p, end, &tag, &n)) == NULL)
        return SNMPAPI_MESSAGE_INVALID;
    switch (tag) {
    case SNMP_PDU_GET:
    case SNMP_PDU_GETNEXT:
    case SNMP_PDU_RESPONSE:
    case SNMP_PDU_SET:
    case SNMP_PDU_GETBULK:
    case SNMP_PDU_INFORM:
    case SNMP_PDU_TRAP:
        break;
    default: /* v1 Trap-PDUs and anything else: net-snmp's path */
        return *mine = false, SNMPAPI_MESSAGE_INVALID;
    }
    if (version == 0 && (tag == SNMP_PDU_GETBULK || tag == SNMP_PDU_INFORM || tag == SNMP_PDU_TRAP))
        return SNMPAPI_MESSAGE_INVALID; /* v2 PDU types in a v1 message */
    out->pdu.type = tag;
    pdu_end = q + n;
    if (pdu_end != end)
        return SNMPAPI_MESSAGE_INVALID;
    p = q;
    int64_t *fields[3] = {&id, &status, &index};
    for (int i = 0; i < 3; i++) {
        if ((q = tlv(p, pdu_end, &tag, &n)) == NULL || tag != 0x02 ||
            !wsnmp_ber_signed(q, n, INT32_MIN, INT32_MAX, fields[i]))
            return SNMPAPI_MESSAGE_INVALID;
        p = q + n;
    }
    const unsigned char *list;
    if ((list = tlv(p, pdu_end, &tag, &n)) == NULL || tag != 0x30 || list + n != pdu_end)
        return SNMPAPI_MESSAGE_INVALID;
    /* Count first, so a flood of varbinds is refused before any copy. */
    size_t count = 0;
    for (p = list; p < pdu_end; p = q + n, count++)
        if ((q = tlv(p, pdu_end, &tag, &n)) == NULL || tag != 0x30)
            return SNMPAPI_MESSAGE_INVALID;
    if (count > WSNMP_MAX_VARBINDS) {
        *why = "too many varbinds";
        return SNMPAPI_MESSAGE_INVALID;
    }
    out->version = version == 0 ? WSNMP_VERSION_1 : WSNMP_VERSION_2C;
    out->pdu.request_id = (smiINT32)id;
    out->pdu.error_status = (smiINT)status;
    out->pdu.error_index = (smiINT)index;
    out->msg_id = (int32_t)id;
    /* One block for the whole list (wsnmp_vbl's arena): the items, then
     * every name's arcs and every value's bytes, so that an answer of
     * hundreds of varbinds is one allocation, not one or two per varbind.
     * An arc takes at least one byte of BER, the first two share one, and a
     * string value is its own length: 4 bytes per byte of the list, plus 16
     * per varbind (the shared byte's second arc and 3 bytes of alignment,
     * for a name and an OID value), bound it. */
    size_t list_len = (size_t)(pdu_end - list);
    unsigned char *arena = NULL, *free_at = NULL;
    if (count && (arena = wsnmp_recycle_block(count * sizeof(wsnmp_varbind) + 4 * list_len +
                                              16 * count)) == NULL) {
        wsnmp_decoded_free(out);
        *why = "out of memory";
        return SNMPAPI_ALLOC_ERROR;
    }
    if (arena) {
        out->pdu.vbl.items = (wsnmp_varbind *)(void *)arena;
        out->pdu.vbl.arena = arena;
        out->pdu.vbl.borrowed = true;
        free_at = arena + count * sizeof(wsnmp_varbind);
    }
    if (!wsnmp_octets_copy(&out->community, community, (smiUINT32)community_len)) {
        wsnmp_decoded_free(out);
        *why = "out of memory";
        return SNMPAPI_ALLOC_ERROR;
    }
    out->pdu.vbl.capacity = (smiUINT32)count;
    for (p = list; p < pdu_end; p = q + n) {
        q = tlv(p, pdu_end, &tag, &n); /* checked above */
        const unsigned char *vb_end = q + n, *r, *s;
        size_t rn, sn;
        unsigned char vtag;
        /* The arcs are decoded straight into the block (a name takes at
         * most one arc per byte, and the first two share one). */
        smiOID name = {0, arena_align(free_at)};
        smiVALUE value;
        if ((r = tlv(q, vb_end, &tag, &rn)) == NULL || tag != 0x06 ||
            !get_oid(r, rn, name.ptr, &name.len) || (s = tlv(r + rn, vb_end, &vtag, &sn)) == NULL ||
            s + sn != vb_end ||
            !get_value(vtag, s, sn, &value, arena_align(name.ptr + name.len), mine)) {
            wsnmp_decoded_free(out);
            return SNMPAPI_MESSAGE_INVALID;
        }
        free_at = (unsigned char *)(name.ptr + name.len);
        wsnmp_varbind *vb = &out->pdu.vbl.items[out->pdu.vbl.count];
        vb->name = name;
        vb->value = value;
        if (wsnmp_value_syntax_is_octets(value.syntax) && value.value.string.len) {
            vb->value.value.string.ptr = free_at;
            memcpy(free_at, value.value.string.ptr, value.value.string.len);
            free_at += value.value.string.len;
        } else if (wsnmp_value_syntax_is_octets(value.syntax)) {
            vb->value.value.string.ptr = NULL;
        } else if (value.syntax == SNMP_SYNTAX_OID) { /* (decoded in place, after the name) */
            free_at = (unsigned char *)(value.value.oid.ptr + value.value.oid.len);
        }
        out->pdu.vbl.count++;
    }
    return WSNMP_OK;
}

/* ---- peeks at SNMPv3 headers and stream framing ------------------------------ */

/* Walks to the parts of an SNMPv3 message's header we peek at. */
static bool v3_header(const unsigned char *data, size_t len, int32_t *msg_id, int *flags,
                      const unsigned char **secp, size_t *seclen)
{
    const unsigned char *end = data + len, *p, *q;
    unsigned char tag;
    size_t n, m;
    int64_t version;
    if ((p = wsnmp_ber_tlv(data, end, &tag, &n)) == NULL || tag != 0x30)
        return false;
    end = p + n;
    if ((q = wsnmp_ber_tlv(p, end, &tag, &m)) == NULL || tag != 0x02 ||
        !wsnmp_ber_signed(q, m, 0, 3, &version) || version != 3 /* msgVersion, RFC 3412 */)
        return false;
    p = q + m;
    if ((q = wsnmp_ber_tlv(p, end, &tag, &n)) == NULL || tag != 0x30) /* msgGlobalData */
        return false;
    p = q + n;
    const unsigned char *g;
    int64_t id;
    if ((g = wsnmp_ber_tlv(q, p, &tag, &m)) == NULL || tag != 0x02 ||
        !wsnmp_ber_signed(g, m, INT32_MIN, INT32_MAX, &id))
        return false;
    *msg_id = (int32_t)id;
    int64_t max_size;
    const unsigned char *f;
    if ((g = wsnmp_ber_tlv(g + m, p, &tag, &m)) == NULL || tag != 0x02 || /* msgMaxSize */
        !wsnmp_ber_signed(g, m, 0, INT32_MAX, &max_size) ||
        (f = wsnmp_ber_tlv(g + m, p, &tag, &m)) == NULL || tag != 0x04 || m != 1) /* msgFlags */
        return false;
    *flags = f[0];
    if ((q = wsnmp_ber_tlv(p, end, &tag, &n)) == NULL || tag != 0x04) /* msgSecurityParameters */
        return false;
    *secp = q;
    *seclen = n;
    return true;
}

bool wsnmp_ber_v3_msg_id(const unsigned char *data, size_t len, int32_t *msg_id)
{
    /* Asked of every reply: a v1/v2c one (30 len 02 01 00|01, short or
     * long form length) is told from its first bytes. */
    if (len >= 2) {
        size_t at = data[1] < 0x80 ? 2 : 2 + (size_t)(data[1] & 0x7F);
        if (at + 3 <= len && data[at] == 0x02 && data[at + 1] == 0x01 && data[at + 2] != 3)
            return false;
    }
    const unsigned char *sec;
    size_t seclen;
    int flags;
    return v3_header(data, len, msg_id, &flags, &sec, &seclen);
}

bool wsnmp_ber_v3_sender(const unsigned char *data, size_t len, smiOCTETS *engine, char *user,
                         size_t user_size)
{
    int32_t id;
    const unsigned char *sec, *p, *q;
    size_t seclen, n;
    unsigned char tag;
    int flags;
    if (!v3_header(data, len, &id, &flags, &sec, &seclen))
        return false;
    const unsigned char *end = sec + seclen;
    if ((p = wsnmp_ber_tlv(sec, end, &tag, &n)) == NULL || tag != 0x30)
        return false;
    end = p + n;
    /* engineID, boots, time, userName */
    if ((q = wsnmp_ber_tlv(p, end, &tag, &n)) == NULL || tag != 0x04 || n > 32)
        return false;
    engine->ptr = (smiBYTE *)q;
    engine->len = (smiUINT32)n;
    p = q + n;
    for (int i = 0; i < 2; i++) {
        if ((q = wsnmp_ber_tlv(p, end, &tag, &n)) == NULL || tag != 0x02)
            return false;
        p = q + n;
    }
    if ((q = wsnmp_ber_tlv(p, end, &tag, &n)) == NULL || tag != 0x04 || n >= user_size)
        return false;
    memcpy(user, q, n);
    user[n] = '\0';
    return true;
}

bool wsnmp_ber_community(const unsigned char *data, size_t len, smiOCTETS *community)
{
    const unsigned char *end = data + len, *p, *q;
    unsigned char tag;
    size_t n;
    int64_t version;
    if ((p = wsnmp_ber_tlv(data, end, &tag, &n)) == NULL || tag != 0x30)
        return false;
    end = p + n;
    if ((q = wsnmp_ber_tlv(p, end, &tag, &n)) == NULL || tag != 0x02 ||
        !wsnmp_ber_signed(q, n, 0, 1, &version) /* v1 or v2c */ ||
        (q = wsnmp_ber_tlv(q + n, end, &tag, &n)) == NULL || tag != 0x04 || n > UINT32_MAX)
        return false;
    community->ptr = (smiBYTE *)q;
    community->len = (smiUINT32)n;
    return true;
}

bool wsnmp_ber_v3_reportable(const unsigned char *data, size_t len)
{
    int32_t id;
    int flags;
    const unsigned char *sec;
    size_t seclen;
    return v3_header(data, len, &id, &flags, &sec, &seclen) && (flags & 0x04) != 0;
}

long wsnmp_ber_message_length(const unsigned char *data, size_t len)
{
    if (len < 2)
        return 0;
    if (data[0] != 0x30)
        return -1;
    size_t header = 2, body;
    if (data[1] < 0x80) {
        body = data[1];
    } else {
        size_t n = data[1] & 0x7F;
        if (n == 0 || n > 3)
            return -1;
        if (len < 2 + n)
            return 0;
        body = 0;
        for (size_t i = 0; i < n; i++)
            body = body << 8 | data[2 + i];
        header += n;
    }
    if (header + body > 65535 + 4)
        return -1;
    return len < header + body ? 0 : (long)(header + body);
}
