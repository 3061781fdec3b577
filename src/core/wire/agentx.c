/*
 * agentx.c — AgentX PDUs (RFC 2741 section 6) as bytes: the 20-byte header,
 * OIDs with their prefix compression, octet strings padded to 4 bytes,
 * varbinds, search ranges, and every PDU type's payload.
 *
 * Decoding honours the header's NETWORK_BYTE_ORDER flag (either order is
 * valid on the wire); encoding always writes network byte order and sets
 * the flag, unless a test asks for the other.  The decoder reads only
 * within the PDU it is given, and every count it allocates for is bounded
 * by the bytes that remain, so a hostile length cannot make it allocate
 * more than a few times the input.
 */
#include "wire.h"

#include <stdlib.h>
#include <string.h>

/* ---- reading -------------------------------------------------------------- */

typedef struct {
    const unsigned char *p, *end;
    bool big; /* network byte order */
    const char *why;
} reader;

static bool fail(reader *r, const char *why)
{
    if (r->why == NULL)
        r->why = why;
    return false;
}

static bool need(reader *r, size_t n)
{
    return (size_t)(r->end - r->p) >= n || fail(r, "truncated PDU");
}

static bool u8(reader *r, smiUINT32 *v)
{
    if (!need(r, 1))
        return false;
    *v = *r->p++;
    return true;
}

static bool u16(reader *r, smiUINT32 *v)
{
    if (!need(r, 2))
        return false;
    *v = r->big ? (smiUINT32)(r->p[0] << 8 | r->p[1]) : (smiUINT32)(r->p[1] << 8 | r->p[0]);
    r->p += 2;
    return true;
}

static bool u32(reader *r, smiUINT32 *v)
{
    if (!need(r, 4))
        return false;
    const unsigned char *b = r->p;
    *v = r->big ? (smiUINT32)b[0] << 24 | (smiUINT32)b[1] << 16 | (smiUINT32)b[2] << 8 | b[3]
                : (smiUINT32)b[3] << 24 | (smiUINT32)b[2] << 16 | (smiUINT32)b[1] << 8 | b[0];
    r->p += 4;
    return true;
}

static bool skip(reader *r, size_t n)
{
    if (!need(r, n))
        return false;
    r->p += n;
    return true;
}

/* An Object Identifier (6.1.1); *include gets its include field. */
static bool read_oid(reader *r, smiOID *oid, int *include)
{
    smiUINT32 n, prefix, inc;
    if (!u8(r, &n) || !u8(r, &prefix) || !u8(r, &inc) || !skip(r, 1))
        return false;
    if (include)
        *include = inc != 0;
    size_t total = n + (prefix ? 5u : 0u);
    if (total > MAXOBJIDSIZE)
        return fail(r, "OID longer than 128 sub-identifiers");
    if (!need(r, (size_t)n * 4))
        return false;
    oid->len = 0;
    oid->ptr = NULL;
    if (total == 0)
        return true;
    oid->ptr = malloc(total * sizeof *oid->ptr);
    if (oid->ptr == NULL)
        return fail(r, "out of memory");
    if (prefix) {
        const smiUINT32 internet[4] = {1, 3, 6, 1};
        memcpy(oid->ptr, internet, sizeof internet);
        oid->ptr[4] = prefix;
        oid->len = 5;
    }
    for (smiUINT32 i = 0; i < n; i++)
        u32(r, &oid->ptr[oid->len++]);
    return true;
}

static bool read_octets(reader *r, smiOCTETS *o)
{
    smiUINT32 len;
    if (!u32(r, &len))
        return false;
    o->len = 0;
    o->ptr = NULL;
    if (len > WSNMP_MAX_OCTETS)
        return fail(r, "octet string longer than 65535 bytes");
    size_t padded = ((size_t)len + 3) & ~(size_t)3;
    if (!need(r, padded))
        return false;
    if (!wsnmp_octets_copy(o, r->p, len))
        return fail(r, "out of memory");
    r->p += padded;
    return true;
}

static bool read_value(reader *r, smiUINT32 type, smiVALUE *v)
{
    v->syntax = SNMP_SYNTAX_NULL;
    switch (type) {
    case SNMP_SYNTAX_INT: {
        smiUINT32 u;
        if (!u32(r, &u))
            return false;
        v->syntax = type;
        v->value.sNumber = (smiINT)u;
        return true;
    }
    case SNMP_SYNTAX_CNTR32:
    case SNMP_SYNTAX_GAUGE32:
    case SNMP_SYNTAX_TIMETICKS:
        v->syntax = type;
        return u32(r, &v->value.uNumber);
    case SNMP_SYNTAX_CNTR64: {
        smiUINT32 a, b;
        if (!u32(r, &a) || !u32(r, &b))
            return false;
        /* (6.2: a 64-bit value is written in the PDU's byte order as a whole) */
        v->syntax = type;
        v->value.hNumber.hipart = r->big ? a : b;
        v->value.hNumber.lopart = r->big ? b : a;
        return true;
    }
    case SNMP_SYNTAX_OCTETS:
    case SNMP_SYNTAX_OPAQUE:
    case SNMP_SYNTAX_IPADDR:
        if (!read_octets(r, &v->value.string))
            return false;
        v->syntax = type;
        if (type == SNMP_SYNTAX_IPADDR && v->value.string.len != 4) {
            wsnmp_value_free(v);
            return fail(r, "an IpAddress is 4 bytes");
        }
        return true;
    case SNMP_SYNTAX_OID:
        if (!read_oid(r, &v->value.oid, NULL))
            return false;
        v->syntax = type;
        return true;
    case SNMP_SYNTAX_NULL:
    case SNMP_SYNTAX_NOSUCHOBJECT:
    case SNMP_SYNTAX_NOSUCHINSTANCE:
    case SNMP_SYNTAX_ENDOFMIBVIEW:
        v->syntax = type;
        return true;
    default:
        return fail(r, "unknown varbind type");
    }
}

/* A VarBindList to the end of the payload. */
static bool read_varbinds(reader *r, WsnmpAgentxPdu *pdu)
{
    /* The smallest varbind is 8 bytes: type, reserved, a null OID. */
    size_t most = (size_t)(r->end - r->p) / 8;
    if (most > WSNMP_MAX_VARBINDS)
        return fail(r, "too many varbinds");
    if (most == 0)
        return true;
    pdu->names = calloc(most, sizeof *pdu->names);
    pdu->values = calloc(most, sizeof *pdu->values);
    if (pdu->names == NULL || pdu->values == NULL)
        return fail(r, "out of memory");
    while (r->p < r->end) {
        smiUINT32 type, i = pdu->varbind_count;
        if (i == most)
            return fail(r, "truncated varbind");
        if (!u16(r, &type) || !skip(r, 2) || !read_oid(r, &pdu->names[i], NULL))
            return false;
        pdu->varbind_count++; /* owned from here: freed with the PDU */
        if (!read_value(r, type, &pdu->values[i]))
            return false;
    }
    return true;
}

static bool read_ranges(reader *r, WsnmpAgentxPdu *pdu)
{
    size_t most = (size_t)(r->end - r->p) / 8; /* two null OIDs */
    if (most > WSNMP_MAX_VARBINDS)
        return fail(r, "too many search ranges");
    if (most == 0)
        return true;
    pdu->ranges = calloc(most, sizeof *pdu->ranges);
    if (pdu->ranges == NULL)
        return fail(r, "out of memory");
    while (r->p < r->end) {
        if (pdu->range_count == most)
            return fail(r, "truncated search range");
        WsnmpAgentxRange *g = &pdu->ranges[pdu->range_count++];
        if (!read_oid(r, &g->start, &g->include) || !read_oid(r, &g->end, NULL))
            return false;
    }
    return true;
}

static bool has_context(int type)
{
    switch (type) {
    case WSNMP_AGENTX_OPEN:
    case WSNMP_AGENTX_CLOSE:
    case WSNMP_AGENTX_COMMITSET:
    case WSNMP_AGENTX_UNDOSET:
    case WSNMP_AGENTX_CLEANUPSET:
    case WSNMP_AGENTX_RESPONSE:
        return false;
    default:
        return true;
    }
}

static bool read_payload(reader *r, WsnmpAgentxPdu *pdu)
{
    smiUINT32 x;
    if ((pdu->flags & WSNMP_AGENTX_FLAG_NON_DEFAULT_CONTEXT) && has_context(pdu->type) &&
        !read_octets(r, &pdu->context))
        return false;
    switch (pdu->type) {
    case WSNMP_AGENTX_OPEN:
        return u8(r, &pdu->timeout) && skip(r, 3) && read_oid(r, &pdu->oid, NULL) &&
               read_octets(r, &pdu->descr);
    case WSNMP_AGENTX_CLOSE:
        return u8(r, &pdu->reason) && skip(r, 3);
    case WSNMP_AGENTX_REGISTER:
    case WSNMP_AGENTX_UNREGISTER:
        if (!u8(r, &x) || !u8(r, &pdu->priority) || !u8(r, &pdu->range_subid) || !skip(r, 1) ||
            !read_oid(r, &pdu->oid, NULL))
            return false;
        if (pdu->type == WSNMP_AGENTX_REGISTER)
            pdu->timeout = x;
        if (pdu->range_subid) {
            if (pdu->range_subid > pdu->oid.len)
                return fail(r, "range_subid beyond the subtree");
            return u32(r, &pdu->upper_bound);
        }
        return true;
    case WSNMP_AGENTX_GETBULK:
        if (!u16(r, &pdu->non_repeaters) || !u16(r, &pdu->max_repetitions))
            return false;
        /* fall through */
    case WSNMP_AGENTX_GET:
    case WSNMP_AGENTX_GETNEXT:
        return read_ranges(r, pdu);
    case WSNMP_AGENTX_TESTSET:
    case WSNMP_AGENTX_NOTIFY:
    case WSNMP_AGENTX_INDEXALLOCATE:
    case WSNMP_AGENTX_INDEXDEALLOCATE:
        return read_varbinds(r, pdu);
    case WSNMP_AGENTX_COMMITSET:
    case WSNMP_AGENTX_UNDOSET:
    case WSNMP_AGENTX_CLEANUPSET:
    case WSNMP_AGENTX_PING:
        return true;
    case WSNMP_AGENTX_ADDAGENTCAPS:
        return read_oid(r, &pdu->oid, NULL) && read_octets(r, &pdu->descr);
    case WSNMP_AGENTX_REMOVEAGENTCAPS:
        return read_oid(r, &pdu->oid, NULL);
    case WSNMP_AGENTX_RESPONSE:
        return u32(r, &pdu->sys_uptime) && u16(r, &pdu->error) && u16(r, &pdu->index) &&
               read_varbinds(r, pdu);
    default:
        return fail(r, "unknown PDU type");
    }
}

long wsnmp_agentx_frame_length(const unsigned char *data, size_t len)
{
    if (len >= 1 && data[0] != 1)
        return -1; /* not AgentX version 1 */
    if (len < 20)
        return 0;
    reader r = {data + 16, data + 20, (data[2] & WSNMP_AGENTX_FLAG_NETWORK_BYTE_ORDER) != 0, NULL};
    smiUINT32 payload;
    u32(&r, &payload);
    if (payload > WSNMP_AGENTX_MAX_PAYLOAD || payload % 4 != 0)
        return -1;
    return len >= 20 + (size_t)payload ? (long)(20 + payload) : 0;
}

wsnmp_result wsnmp_agentx_decode(const unsigned char *data, size_t len, WsnmpAgentxPdu *pdu,
                                 const char **why)
{
    memset(pdu, 0, sizeof *pdu);
    long whole = wsnmp_agentx_frame_length(data, len);
    if (whole <= 0 || (size_t)whole != len) {
        *why = whole < 0    ? "not an AgentX PDU (version or payload length)"
               : whole == 0 ? "truncated PDU"
                            : "bytes after the PDU";
        return SNMPAPI_MESSAGE_INVALID;
    }
    pdu->type = data[1];
    pdu->flags = data[2];
    reader r = {data + 4, data + len, (pdu->flags & WSNMP_AGENTX_FLAG_NETWORK_BYTE_ORDER) != 0,
                NULL};
    u32(&r, &pdu->session_id);
    u32(&r, &pdu->transaction_id);
    u32(&r, &pdu->packet_id);
    r.p += 4; /* the payload length, checked above */
    if (!read_payload(&r, pdu) || (r.p != r.end && fail(&r, "bytes after the payload"))) {
        *why = r.why;
        wsnmp_agentx_clear(pdu);
        return r.why && strcmp(r.why, "out of memory") == 0 ? SNMPAPI_ALLOC_ERROR
                                                            : SNMPAPI_MESSAGE_INVALID;
    }
    return WSNMP_OK;
}

void wsnmp_agentx_clear(WsnmpAgentxPdu *pdu)
{
    wsnmp_octets_free(&pdu->context);
    wsnmp_octets_free(&pdu->descr);
    wsnmp_oid_free(&pdu->oid);
    for (smiUINT32 i = 0; i < pdu->range_count; i++) {
        wsnmp_oid_free(&pdu->ranges[i].start);
        wsnmp_oid_free(&pdu->ranges[i].end);
    }
    free(pdu->ranges);
    for (smiUINT32 i = 0; i < pdu->varbind_count; i++) {
        wsnmp_oid_free(&pdu->names[i]);
        wsnmp_value_free(&pdu->values[i]);
    }
    free(pdu->names);
    free(pdu->values);
    memset(pdu, 0, sizeof *pdu);
}

/* ---- writing ------------------------------------------------------------------ */

typedef struct {
    unsigned char *buf;
    size_t len, cap;
    bool big, failed;
    const char *why;
} writer;

static void put(writer *w, const void *data, size_t n)
{
    if (w->failed || n == 0)
        return;
    if (w->len + n > w->cap) {
        size_t cap = w->cap ? w->cap * 2 : 256;
        while (cap < w->len + n)
            cap *= 2;
        unsigned char *grown = realloc(w->buf, cap);
        if (grown == NULL) {
            w->failed = true;
            w->why = "out of memory";
            return;
        }
        w->buf = grown;
        w->cap = cap;
    }
    memcpy(w->buf + w->len, data, n);
    w->len += n;
}

static void put8(writer *w, smiUINT32 v)
{
    unsigned char b = (unsigned char)v;
    put(w, &b, 1);
}

static void put16(writer *w, smiUINT32 v)
{
    unsigned char b[2] = {(unsigned char)(v >> 8), (unsigned char)v};
    if (!w->big) {
        b[0] = (unsigned char)v;
        b[1] = (unsigned char)(v >> 8);
    }
    put(w, b, 2);
}

static void put32(writer *w, smiUINT32 v)
{
    unsigned char b[4];
    for (int i = 0; i < 4; i++)
        b[w->big ? 3 - i : i] = (unsigned char)(v >> (8 * i));
    put(w, b, 4);
}

static void bad(writer *w, const char *why)
{
    if (!w->failed) {
        w->failed = true;
        w->why = why;
    }
}

static void put_oid(writer *w, const smiOID *oid, int include)
{
    if (oid->len > MAXOBJIDSIZE || (oid->len && oid->ptr == NULL)) {
        bad(w, "bad OID");
        return;
    }
    const smiUINT32 *sub = oid->ptr;
    smiUINT32 n = oid->len, prefix = 0;
    /* 1.3.6.1.x with 0 < x < 256 takes the short form (6.1.1) */
    if (n >= 5 && sub[0] == 1 && sub[1] == 3 && sub[2] == 6 && sub[3] == 1 && sub[4] > 0 &&
        sub[4] < 256) {
        prefix = sub[4];
        sub += 5;
        n -= 5;
    }
    put8(w, n);
    put8(w, prefix);
    put8(w, include ? 1 : 0);
    put8(w, 0);
    for (smiUINT32 i = 0; i < n; i++)
        put32(w, sub[i]);
}

static void put_octets(writer *w, const smiOCTETS *o)
{
    if (o->len > WSNMP_MAX_OCTETS || (o->len && o->ptr == NULL)) {
        bad(w, "bad octet string");
        return;
    }
    static const unsigned char zeros[3] = {0, 0, 0};
    put32(w, o->len);
    put(w, o->ptr, o->len);
    put(w, zeros, (4 - o->len % 4) % 4);
}

static void put_value(writer *w, const smiVALUE *v)
{
    switch (v->syntax) {
    case SNMP_SYNTAX_INT:
        put32(w, (smiUINT32)v->value.sNumber);
        break;
    case SNMP_SYNTAX_CNTR32:
    case SNMP_SYNTAX_GAUGE32:
    case SNMP_SYNTAX_TIMETICKS:
    case SNMP_SYNTAX_UINT32:
        put32(w, v->value.uNumber);
        break;
    case SNMP_SYNTAX_CNTR64:
        put32(w, w->big ? v->value.hNumber.hipart : v->value.hNumber.lopart);
        put32(w, w->big ? v->value.hNumber.lopart : v->value.hNumber.hipart);
        break;
    case SNMP_SYNTAX_OCTETS:
    case SNMP_SYNTAX_BITS:
    case SNMP_SYNTAX_OPAQUE:
    case SNMP_SYNTAX_IPADDR:
    case SNMP_SYNTAX_NSAPADDR:
        put_octets(w, &v->value.string);
        break;
    case SNMP_SYNTAX_OID:
        put_oid(w, &v->value.oid, 0);
        break;
    case SNMP_SYNTAX_NULL:
    case SNMP_SYNTAX_NOSUCHOBJECT:
    case SNMP_SYNTAX_NOSUCHINSTANCE:
    case SNMP_SYNTAX_ENDOFMIBVIEW:
        break;
    default:
        bad(w, "a value of unknown syntax");
    }
}

/* The AgentX type of a value: its BER tag, but for the SNMP syntaxes AgentX
 * has no type of its own for. */
static smiUINT32 value_type(smiUINT32 syntax)
{
    switch (syntax) {
    case SNMP_SYNTAX_BITS:
        return SNMP_SYNTAX_OCTETS;
    case SNMP_SYNTAX_UINT32:
        return SNMP_SYNTAX_GAUGE32;
    case SNMP_SYNTAX_NSAPADDR:
        return SNMP_SYNTAX_OCTETS;
    default:
        return syntax;
    }
}

static void put_varbinds(writer *w, const WsnmpAgentxPdu *pdu)
{
    if (pdu->varbind_count && (pdu->names == NULL || pdu->values == NULL)) {
        bad(w, "varbinds without names or values");
        return;
    }
    for (smiUINT32 i = 0; i < pdu->varbind_count; i++) {
        put16(w, value_type(pdu->values[i].syntax));
        put16(w, 0);
        put_oid(w, &pdu->names[i], 0);
        put_value(w, &pdu->values[i]);
    }
}

static void put_payload(writer *w, const WsnmpAgentxPdu *pdu)
{
    if ((pdu->flags & WSNMP_AGENTX_FLAG_NON_DEFAULT_CONTEXT) && has_context(pdu->type))
        put_octets(w, &pdu->context);
    static const smiOID null_oid = {0, NULL};
    switch (pdu->type) {
    case WSNMP_AGENTX_OPEN:
        put8(w, pdu->timeout);
        put(w, "\0\0\0", 3);
        put_oid(w, &pdu->oid, 0);
        put_octets(w, &pdu->descr);
        break;
    case WSNMP_AGENTX_CLOSE:
        put8(w, pdu->reason);
        put(w, "\0\0\0", 3);
        break;
    case WSNMP_AGENTX_REGISTER:
    case WSNMP_AGENTX_UNREGISTER:
        put8(w, pdu->type == WSNMP_AGENTX_REGISTER ? pdu->timeout : 0);
        put8(w, pdu->priority);
        put8(w, pdu->range_subid);
        put8(w, 0);
        put_oid(w, &pdu->oid, 0);
        if (pdu->range_subid)
            put32(w, pdu->upper_bound);
        break;
    case WSNMP_AGENTX_GETBULK:
        put16(w, pdu->non_repeaters);
        put16(w, pdu->max_repetitions);
        /* fall through */
    case WSNMP_AGENTX_GET:
    case WSNMP_AGENTX_GETNEXT:
        if (pdu->range_count && pdu->ranges == NULL) {
            bad(w, "search ranges missing");
            break;
        }
        for (smiUINT32 i = 0; i < pdu->range_count; i++) {
            put_oid(w, &pdu->ranges[i].start, pdu->ranges[i].include);
            put_oid(w, pdu->ranges[i].end.len ? &pdu->ranges[i].end : &null_oid, 0);
        }
        break;
    case WSNMP_AGENTX_TESTSET:
    case WSNMP_AGENTX_NOTIFY:
    case WSNMP_AGENTX_INDEXALLOCATE:
    case WSNMP_AGENTX_INDEXDEALLOCATE:
        put_varbinds(w, pdu);
        break;
    case WSNMP_AGENTX_COMMITSET:
    case WSNMP_AGENTX_UNDOSET:
    case WSNMP_AGENTX_CLEANUPSET:
    case WSNMP_AGENTX_PING:
        break;
    case WSNMP_AGENTX_ADDAGENTCAPS:
        put_oid(w, &pdu->oid, 0);
        put_octets(w, &pdu->descr);
        break;
    case WSNMP_AGENTX_REMOVEAGENTCAPS:
        put_oid(w, &pdu->oid, 0);
        break;
    case WSNMP_AGENTX_RESPONSE:
        put32(w, pdu->sys_uptime);
        put16(w, pdu->error);
        put16(w, pdu->index);
        put_varbinds(w, pdu);
        break;
    default:
        bad(w, "unknown AgentX PDU type");
    }
}

wsnmp_result wsnmp_agentx_encode(const WsnmpAgentxPdu *pdu, bool network_order, unsigned char **out,
                                 size_t *out_len, const char **why)
{
    writer w = {NULL, 0, 0, network_order, false, NULL};
    smiUINT32 flags = pdu->flags & ~(smiUINT32)WSNMP_AGENTX_FLAG_NETWORK_BYTE_ORDER;
    if (network_order)
        flags |= WSNMP_AGENTX_FLAG_NETWORK_BYTE_ORDER;
    put8(&w, 1);
    put8(&w, pdu->type);
    put8(&w, flags);
    put8(&w, 0);
    put32(&w, pdu->session_id);
    put32(&w, pdu->transaction_id);
    put32(&w, pdu->packet_id);
    put32(&w, 0); /* the payload length, once known */
    put_payload(&w, pdu);
    if (!w.failed && w.len - 20 > WSNMP_AGENTX_MAX_PAYLOAD)
        bad(&w, "PDU larger than the AgentX maximum");
    if (w.failed) {
        free(w.buf);
        *why = w.why;
        return strcmp(w.why, "out of memory") == 0 ? SNMPAPI_ALLOC_ERROR : SNMPAPI_PDU_INVALID;
    }
    size_t body = w.len - 20;
    w.len = 16;
    put32(&w, (smiUINT32)body);
    *out = w.buf;
    *out_len = body + 20;
    return WSNMP_OK;
}
