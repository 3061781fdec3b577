/*
 * codec.c — net-snmp as codec and security layer, and nothing more.
 *
 * This file, usm.c and mib.c are net-snmp glue: the only code that sees
 * net-snmp's headers, all through netsnmp_glue.h.
 * We use snmp_build/snmp_parse with a session struct that is initialised but
 * never opened: our own sockets carry the bytes, our own timers retransmit.
 * net-snmp does the BER and USM work (keys, digests, encryption, the engine
 * time table).
 *
 * Initialisation keeps net-snmp quiet and stateless: no MIB files, no
 * configuration or persistent files, and its log goes nowhere.
 */
#include "netsnmp_glue.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

static bool initialised;
static netsnmp_session parse_session; /* never opened: defaults for snmp_parse */
static netsnmp_session build_session; /* never opened: defaults for snmp_build */
/* For what arrives addressed to this engine (informs, requests): net-snmp's
 * USM then checks the engine id is ours and learns no other. */
static netsnmp_session authority_session;

static int quiet_log(int major, int minor, void *server, void *client)
{
    (void)major;
    (void)minor;
    (void)server;
    (void)client;
    return 0;
}

bool wsnmp_codec_init(const char **why)
{
    if (initialised)
        return true;
    /* net-snmp writes to stderr when no handler is registered: route its log
     * to a callback that drops it. */
    snmp_disable_log();
    snmp_register_callback(SNMP_CALLBACK_LIBRARY, SNMP_CALLBACK_LOGGING, quiet_log, NULL);
    netsnmp_register_loghandler(NETSNMP_LOGHANDLER_CALLBACK, LOG_DEBUG);

    netsnmp_ds_set_boolean(NETSNMP_DS_LIBRARY_ID, NETSNMP_DS_LIB_DONT_READ_CONFIGS, 1);
    netsnmp_ds_set_boolean(NETSNMP_DS_LIBRARY_ID, NETSNMP_DS_LIB_DISABLE_PERSISTENT_LOAD, 1);
    netsnmp_ds_set_boolean(NETSNMP_DS_LIBRARY_ID, NETSNMP_DS_LIB_DISABLE_PERSISTENT_SAVE, 1);
    netsnmp_ds_set_boolean(NETSNMP_DS_LIBRARY_ID, NETSNMP_DS_LIB_DONT_PERSIST_STATE, 1);
    netsnmp_ds_set_boolean(NETSNMP_DS_LIBRARY_ID, NETSNMP_DS_LIB_DONT_LOAD_HOST_FILES, 1);
    /* RFC 5343 context probes would make snmp_parse answer by itself. */
    netsnmp_ds_set_boolean(NETSNMP_DS_LIBRARY_ID, NETSNMP_DS_LIB_NO_DISCOVERY, 1);
    /* The TLS layer of Debian's libnetsnmp insists on a persistent directory
     * (it creates cert_indexes there); give it a private one. */
    char dir[256];
    const char *runtime = getenv("XDG_RUNTIME_DIR");
    if (runtime && *runtime)
        snprintf(dir, sizeof dir, "%s/winsnmp", runtime);
    else
        snprintf(dir, sizeof dir, "/tmp/winsnmp-%u", (unsigned)getuid());
    netsnmp_ds_set_string(NETSNMP_DS_LIBRARY_ID, NETSNMP_DS_LIB_PERSISTENT_DIR, dir);
    /* No MIB files: numeric OIDs only (MIB names are loaded on request). */
    netsnmp_set_mib_directory("");
    char no_mibs[] = "mibs :";
    netsnmp_config_remember(no_mibs);

    init_snmp("winsnmp");
    snmp_sess_init(&parse_session); /* version stays "any": v1, v2c and v3 parse */
    snmp_sess_init(&build_session);
    snmp_sess_init(&authority_session);
    authority_session.isAuthoritative = SNMP_SESS_AUTHORITATIVE;
    build_session.rcvMsgMaxSize = 65507; /* advertised v3 msgMaxSize */
    initialised = true;
    (void)why;
    return true;
}

/* ---- values ----------------------------------------------------------------- */

static u_char asn_type_of(smiUINT32 syntax)
{
    switch (syntax) {
    case SNMP_SYNTAX_BITS:
        return ASN_OCTET_STR; /* BITS travels as an OCTET STRING (RFC 2578) */
    case SNMP_SYNTAX_NULL:
        return ASN_NULL;
    default:
        return (u_char)syntax; /* WinSNMP syntax numbers are the BER tags */
    }
}

/* Room for the native form of any value net-snmp takes. */
typedef struct {
    long l;
    u_long ul;
    struct counter64 c64;
    oid oid[MAX_OID_LEN];
} value_storage;

/* A value as net-snmp's (type, bytes, length), the bytes in `st` or the
 * value itself. */
static const void *value_bytes(const smiVALUE *v, value_storage *st, u_char *type, size_t *len)
{
    *type = asn_type_of(v->syntax);
    *len = 0;
    switch (v->syntax) {
    case SNMP_SYNTAX_INT:
        st->l = v->value.sNumber;
        *len = sizeof st->l;
        return &st->l;
    case SNMP_SYNTAX_CNTR32:
    case SNMP_SYNTAX_GAUGE32:
    case SNMP_SYNTAX_TIMETICKS:
    case SNMP_SYNTAX_UINT32:
        st->ul = v->value.uNumber;
        *len = sizeof st->ul;
        return &st->ul;
    case SNMP_SYNTAX_CNTR64:
        st->c64.high = v->value.hNumber.hipart;
        st->c64.low = v->value.hNumber.lopart;
        *len = sizeof st->c64;
        return &st->c64;
    case SNMP_SYNTAX_OID:
        for (smiUINT32 i = 0; i < v->value.oid.len && i < MAX_OID_LEN; i++)
            st->oid[i] = v->value.oid.ptr[i];
        *len = v->value.oid.len * sizeof(oid);
        return st->oid;
    case SNMP_SYNTAX_OCTETS:
    case SNMP_SYNTAX_BITS:
    case SNMP_SYNTAX_OPAQUE:
    case SNMP_SYNTAX_NSAPADDR:
    case SNMP_SYNTAX_IPADDR:
        *len = v->value.string.len;
        return v->value.string.len ? v->value.string.ptr : (const void *)"";
    default: /* NULL and the exceptions carry no value */
        return NULL;
    }
}

static bool add_varbind(netsnmp_pdu *p, const wsnmp_varbind *vb)
{
    oid name[MAX_OID_LEN];
    for (smiUINT32 i = 0; i < vb->name.len; i++)
        name[i] = vb->name.ptr[i];
    value_storage st;
    u_char type;
    size_t len;
    const void *data = value_bytes(&vb->value, &st, &type, &len);
    return snmp_pdu_add_variable(p, name, vb->name.len, type, data, len) != NULL;
}

netsnmp_variable_list *wsnmp_codec_variable(const oid *name, size_t name_len, const smiVALUE *v)
{
    value_storage st;
    u_char type;
    size_t len;
    const void *data = value_bytes(v, &st, &type, &len);
    netsnmp_variable_list *list = NULL;
    return snmp_varlist_add_variable(&list, name, name_len, type, data, len);
}

/* net-snmp decodes an Opaque that holds one of its special types (float,
 * double, Counter64, Integer64, Unsigned64) into a native value and keeps
 * no wire bytes.  Encode it again, so the value is the Opaque's contents in
 * network byte order (9f 78 04 ...), as the direct decoder delivers other
 * Opaques, rather than host memory.  Returns the length, 0 if not one. */
static size_t opaque_special(const netsnmp_variable_list *var, u_char *out, size_t size)
{
#ifdef NETSNMP_WITH_OPAQUE_SPECIAL_TYPES
    u_char buf[32];
    size_t room = sizeof buf;
    u_char *end;
    switch (var->type) {
    case ASN_OPAQUE_FLOAT:
        end = asn_build_float(buf, &room, var->type, var->val.floatVal, sizeof(float));
        break;
    case ASN_OPAQUE_DOUBLE:
        end = asn_build_double(buf, &room, var->type, var->val.doubleVal, sizeof(double));
        break;
    case ASN_OPAQUE_COUNTER64:
    case ASN_OPAQUE_U64:
        end = asn_build_unsigned_int64(buf, &room, var->type, var->val.counter64,
                                       sizeof(struct counter64));
        break;
    case ASN_OPAQUE_I64:
        end = asn_build_signed_int64(buf, &room, var->type, var->val.counter64,
                                     sizeof(struct counter64));
        break;
    default:
        return 0;
    }
    const u_char *contents;
    u_char tag;
    size_t n;
    if (end == NULL || (contents = wsnmp_ber_tlv(buf, end, &tag, &n)) == NULL ||
        tag != ASN_OPAQUE || n == 0 || n > size)
        return 0;
    memcpy(out, contents, n);
    return n;
#else
    (void)var;
    (void)out;
    (void)size;
    return 0;
#endif
}

static bool read_varbind(const netsnmp_variable_list *var, wsnmp_varbind *vb)
{
    memset(vb, 0, sizeof *vb);
    /* net-snmp reads an empty OID (06 00) as the single arc 0, which no
     * BER encodes: refused, as the direct decoder refuses it. */
    if (var->name_length < 2 || var->name_length > MAXOBJIDSIZE)
        return false;
    smiUINT32 name[MAXOBJIDSIZE];
    for (size_t i = 0; i < var->name_length; i++) {
        if (var->name[i] > UINT32_MAX)
            return false;
        name[i] = (smiUINT32)var->name[i];
    }
    /* (not called "oid": that is net-snmp's sub-identifier type) */
    smiOID var_name = {(smiUINT32)var->name_length, name};
    smiVALUE v;
    memset(&v, 0, sizeof v);
    smiUINT32 value_oid[MAXOBJIDSIZE];
    u_char special[32];
    size_t special_len;
    switch (var->type) {
    case ASN_INTEGER:
        v.syntax = SNMP_SYNTAX_INT;
        v.value.sNumber = (smiINT)*var->val.integer;
        break;
    case ASN_COUNTER:
    case ASN_GAUGE:
    case ASN_TIMETICKS:
    case ASN_UINTEGER:
        v.syntax = var->type;
        v.value.uNumber = (smiUINT32)*var->val.integer;
        break;
    case ASN_COUNTER64:
        v.syntax = SNMP_SYNTAX_CNTR64;
        v.value.hNumber.hipart = (smiUINT32)var->val.counter64->high;
        v.value.hNumber.lopart = (smiUINT32)var->val.counter64->low;
        break;
    case ASN_OBJECT_ID: {
        size_t n = var->val_len / sizeof(oid);
        if (n < 2 || n > MAXOBJIDSIZE) /* (an empty OID: see the name above) */
            return false;
        for (size_t i = 0; i < n; i++)
            value_oid[i] = (smiUINT32)var->val.objid[i];
        v.syntax = SNMP_SYNTAX_OID;
        v.value.oid.len = (smiUINT32)n;
        v.value.oid.ptr = value_oid;
        break;
    }
    case ASN_OCTET_STR:
    case ASN_IPADDRESS:
    case ASN_OPAQUE:
    case ASN_NSAP:
    case ASN_BIT_STR:
        v.syntax = var->type == ASN_BIT_STR ? SNMP_SYNTAX_BITS : var->type;
        v.value.string.len = (smiUINT32)var->val_len;
        v.value.string.ptr = var->val.string;
        /* An IpAddress of the wrong length is kept, as octets, unguessed. */
        if (v.syntax == SNMP_SYNTAX_IPADDR && var->val_len != 4)
            v.syntax = SNMP_SYNTAX_OCTETS;
        break;
    case ASN_NULL:
    case SNMP_NOSUCHOBJECT:
    case SNMP_NOSUCHINSTANCE:
    case SNMP_ENDOFMIBVIEW:
        v.syntax = var->type == ASN_NULL ? SNMP_SYNTAX_NULL : var->type;
        break;
    default:
        /* Opaque-wrapped floats and the like: their wire form again. */
        if ((special_len = opaque_special(var, special, sizeof special)) != 0) {
            v.syntax = SNMP_SYNTAX_OPAQUE;
            v.value.string.len = (smiUINT32)special_len;
            v.value.string.ptr = special;
            break;
        }
        v.syntax = SNMP_SYNTAX_OPAQUE;
        v.value.string.len = (smiUINT32)var->val_len;
        v.value.string.ptr = var->val.string;
        break;
    }
    if (!wsnmp_oid_copy(&vb->name, &var_name))
        return false;
    if (!wsnmp_value_copy(&vb->value, &v)) {
        wsnmp_oid_free(&vb->name);
        return false;
    }
    return true;
}

const char *wsnmp_codec_conf_dirs(void)
{
    return SNMPCONFPATH ":" SNMPSHAREPATH ":" SNMPLIBPATH;
}

void wsnmp_codec_shutdown(void)
{
    wsnmp_usm_release();
    if (initialised) {
        snmp_shutdown("winsnmp");
        unload_all_mibs(); /* frees the (empty) MIB tree init_snmp set up */
        initialised = false;
    }
}

/* ---- encode ------------------------------------------------------------------- */

static int netsnmp_version(int version)
{
    return version == WSNMP_VERSION_1   ? SNMP_VERSION_1
           : version == WSNMP_VERSION_3 ? SNMP_VERSION_3
                                        : SNMP_VERSION_2c;
}

wsnmp_result wsnmp_codec_encode(const wsnmp_credentials *sec, const wsnmp_pdu *pdu,
                                const smiOCTETS *engine_id, int32_t msg_id, unsigned char **out,
                                size_t *out_len, const char **why)
{
    /* Community messages: the direct encoder (ber.c); v3 and v1 Trap-PDUs
     * take net-snmp's path. */
    if (wsnmp_ber_can_encode(sec, pdu))
        return wsnmp_ber_encode(sec, pdu, out, out_len, why);
    return wsnmp_codec_netsnmp_encode(sec, pdu, engine_id, msg_id, out, out_len, why);
}

static wsnmp_result encode(const wsnmp_credentials *sec, const wsnmp_pdu *pdu,
                           const smiOCTETS *engine_id, const smiOCTETS *context_engine_id,
                           int32_t msg_id, unsigned char **out, size_t *out_len, const char **why);

wsnmp_result wsnmp_codec_netsnmp_encode(const wsnmp_credentials *sec, const wsnmp_pdu *pdu,
                                        const smiOCTETS *engine_id, int32_t msg_id,
                                        unsigned char **out, size_t *out_len, const char **why)
{
    return encode(sec, pdu, engine_id, engine_id, msg_id, out, out_len, why);
}

wsnmp_result wsnmp_codec_encode_response(const wsnmp_credentials *sec, const wsnmp_pdu *pdu,
                                         const smiOCTETS *engine_id,
                                         const smiOCTETS *context_engine_id, int32_t msg_id,
                                         unsigned char **out, size_t *out_len, const char **why)
{
    if (sec->version != WSNMP_VERSION_3)
        return wsnmp_codec_encode(sec, pdu, NULL, msg_id, out, out_len, why);
    return encode(sec, pdu, engine_id, context_engine_id, msg_id, out, out_len, why);
}

static wsnmp_result encode(const wsnmp_credentials *sec, const wsnmp_pdu *pdu,
                           const smiOCTETS *engine_id, const smiOCTETS *context_engine_id,
                           int32_t msg_id, unsigned char **out, size_t *out_len, const char **why)
{
    netsnmp_pdu *p = snmp_pdu_create(pdu->type);
    if (p == NULL) {
        *why = "out of memory";
        return SNMPAPI_ALLOC_ERROR;
    }
    p->version = netsnmp_version(sec->version);
    p->reqid = pdu->request_id;
    p->msgid = msg_id;
    if (pdu->type == SNMP_PDU_GETBULK) {
        p->non_repeaters = pdu->error_status;
        p->max_repetitions = pdu->error_index;
    } else {
        p->errstat = pdu->error_status;
        p->errindex = pdu->error_index;
    }
    bool ok = true;
    if (pdu->type == SNMP_PDU_V1TRAP) {
        p->enterprise = malloc((pdu->enterprise.len ? pdu->enterprise.len : 1) * sizeof(oid));
        ok = p->enterprise != NULL;
        for (smiUINT32 i = 0; ok && i < pdu->enterprise.len; i++)
            p->enterprise[i] = pdu->enterprise.ptr[i];
        p->enterprise_length = pdu->enterprise.len;
        memcpy(p->agent_addr, pdu->agent_addr, 4);
        p->trap_type = pdu->generic_trap;
        p->specific_type = pdu->specific_trap;
        p->time = pdu->time_stamp;
        p->errstat = p->errindex = 0;
    }
    if (sec->version == WSNMP_VERSION_3) {
        bool probe = engine_id == NULL || engine_id->len == 0;
        p->securityModel = SNMP_SEC_MODEL_USM;
        p->securityLevel = probe                                   ? SNMP_SEC_LEVEL_NOAUTH
                           : sec->level == WSNMP_LEVEL_AUTH_PRIV   ? SNMP_SEC_LEVEL_AUTHPRIV
                           : sec->level == WSNMP_LEVEL_AUTH_NOPRIV ? SNMP_SEC_LEVEL_AUTHNOPRIV
                                                                   : SNMP_SEC_LEVEL_NOAUTH;
        p->securityName = strdup(probe ? "" : sec->user);
        p->securityNameLen = probe ? 0 : strlen(sec->user);
        p->contextName = malloc(sec->context.len + 1);
        ok = p->securityName && p->contextName;
        if (ok) {
            if (sec->context.len)
                memcpy(p->contextName, sec->context.ptr, sec->context.len);
            p->contextNameLen = probe ? 0 : sec->context.len;
        }
        if (ok && !probe) {
            p->securityEngineID = netsnmp_memdup(engine_id->ptr, engine_id->len);
            p->contextEngineID = netsnmp_memdup(
                context_engine_id->ptr, context_engine_id->len ? context_engine_id->len : 1);
            p->securityEngineIDLen = engine_id->len;
            p->contextEngineIDLen = context_engine_id->len;
            ok = p->securityEngineID && p->contextEngineID;
        }
    } else {
        static const u_char public_community[] = "public";
        const u_char *c = sec->community.len ? sec->community.ptr : public_community;
        size_t clen = sec->community.len ? sec->community.len : 6;
        p->community = malloc(clen ? clen : 1);
        ok = p->community != NULL;
        if (ok) {
            memcpy(p->community, c, clen);
            p->community_len = clen;
        }
    }
    /* A discovery probe carries no varbinds. */
    if (!(sec->version == WSNMP_VERSION_3 && (engine_id == NULL || engine_id->len == 0)))
        for (smiUINT32 i = 0; ok && i < pdu->vbl.count; i++)
            ok = add_varbind(p, &pdu->vbl.items[i]);
    if (!ok) {
        snmp_free_pdu(p);
        *why = "out of memory";
        return SNMPAPI_ALLOC_ERROR;
    }

    size_t pkt_len = 512, offset = 0;
    u_char *pkt = malloc(pkt_len);
    if (pkt == NULL) {
        snmp_free_pdu(p);
        *why = "out of memory";
        return SNMPAPI_ALLOC_ERROR;
    }
    build_session.s_snmp_errno = 0;
    int rc = snmp_build(&pkt, &pkt_len, &offset, &build_session, p);
    snmp_free_pdu(p);
    if (rc != 0) {
        free(pkt);
        int err = build_session.s_snmp_errno;
        *why = err == SNMPERR_TOO_LONG ? "the message is too big" : "cannot encode the message";
        return err == SNMPERR_TOO_LONG ? SNMPAPI_TL_PDU_TOO_BIG : SNMPAPI_PDU_INVALID;
    }
    /* Encoded back to front: the message is the tail of the buffer.  Keep
     * only the message: requests in flight hold their packet. */
    memmove(pkt, pkt + pkt_len - offset, offset);
    unsigned char *fitted = realloc(pkt, offset ? offset : 1);
    if (fitted)
        pkt = fitted; /* else the bigger buffer serves as well */
    *out = pkt;
    *out_len = offset;
    return WSNMP_OK;
}

/* ---- decode ------------------------------------------------------------------- */

static int report_kind(netsnmp_pdu *p)
{
    static const oid usm_stats[] = {1, 3, 6, 1, 6, 3, 15, 1, 1};
    netsnmp_variable_list *v = p->variables;
    if (v == NULL || v->name_length != 11 || memcmp(v->name, usm_stats, sizeof usm_stats) != 0)
        return WSNMP_REPORT_OTHER;
    switch (v->name[9]) {
    case 1:
        return WSNMP_REPORT_UNSUPPORTED_LEVEL;
    case 2:
        return WSNMP_REPORT_NOT_IN_TIME;
    case 3:
        return WSNMP_REPORT_UNKNOWN_USER;
    case 4:
        return WSNMP_REPORT_UNKNOWN_ENGINE;
    case 5:
        return WSNMP_REPORT_WRONG_DIGEST;
    case 6:
        return WSNMP_REPORT_DECRYPTION;
    default:
        return WSNMP_REPORT_OTHER;
    }
}

wsnmp_result wsnmp_codec_decode(const unsigned char *data, size_t len, wsnmp_decoded *out,
                                const char **why)
{
    /* Community messages: the direct decoder (ber.c); what it leaves
     * (v3, v1 Trap-PDUs, unusual syntaxes) goes to net-snmp. */
    bool mine;
    wsnmp_result code = wsnmp_ber_decode(data, len, out, &mine, why);
    if (mine)
        return code;
    return wsnmp_codec_netsnmp_decode(data, len, out, why);
}

/* Every TLV in [p, end) lies inside its parent, down through constructed
 * ones (SEQUENCEs, PDUs), at most `depth` levels deep. */
static bool ber_nested(const u_char *p, const u_char *end, int depth)
{
    while (p < end) {
        u_char tag;
        size_t n;
        const u_char *q = wsnmp_ber_tlv(p, end, &tag, &n);
        if (q == NULL || ((tag & 0x20) && (depth == 0 || !ber_nested(q, q + n, depth - 1))))
            return false;
        p = q + n;
    }
    return true;
}

/* net-snmp's SNMPv3 parser trusts inner lengths: a msgSecurityParameters
 * longer than the message made it read past the end of the buffer (found by
 * fuzz/fuzz_decode_msg).  So an SNMPv3 message reaches snmp_parse only when
 * every part lies inside its parent: the header, the security parameters
 * (BER inside an OCTET STRING) and an unencrypted scoped PDU. */
static bool v3_well_formed(const u_char *data, size_t len)
{
    const u_char *end = data + len, *p, *q;
    u_char tag;
    size_t n;
    if ((p = wsnmp_ber_tlv(data, end, &tag, &n)) == NULL || tag != 0x30)
        return false;
    end = p + n;
    if (!ber_nested(p, end, 8))
        return false;
    for (int i = 0; i < 2; i++) { /* msgVersion, msgGlobalData */
        if ((q = wsnmp_ber_tlv(p, end, &tag, &n)) == NULL)
            return false;
        p = q + n;
    }
    if ((q = wsnmp_ber_tlv(p, end, &tag, &n)) == NULL || tag != 0x04)
        return false;
    return ber_nested(q, q + n, 8);
}

/* The msgVersion of a message, or -1. */
static int64_t message_version(const u_char *data, size_t len)
{
    const u_char *end = data + len, *p, *q;
    u_char tag;
    size_t n;
    int64_t version;
    if ((p = wsnmp_ber_tlv(data, end, &tag, &n)) == NULL || tag != 0x30 ||
        (q = wsnmp_ber_tlv(p, p + n, &tag, &n)) == NULL || tag != 0x02 ||
        !wsnmp_ber_signed(q, n, INT32_MIN, INT32_MAX, &version))
        return -1;
    return version;
}

/* The Report that net-snmp's USM answers a refused SNMPv3 request with, as
 * snmpd does (snmpv3_make_report: the counter, our engine id, boots and
 * time, the level RFC 3414 asks for); NULL when none is due. */
static unsigned char *report_for(netsnmp_pdu *p, int err, size_t *report_len)
{
    switch (err) {
    case SNMPERR_USM_UNKNOWNENGINEID:
    case SNMPERR_USM_NOTINTIMEWINDOW:
    case SNMPERR_USM_UNKNOWNSECURITYNAME:
    case SNMPERR_USM_AUTHENTICATIONFAILURE:
    case SNMPERR_USM_DECRYPTIONERROR:
    case SNMPERR_USM_UNSUPPORTEDSECURITYLEVEL:
        break;
    default:
        return NULL;
    }
    /* Only what expects an answer is reported (RFC 3412 7.1 3b), as
     * net-snmp's usm_handle_report decides: a confirmed PDU, or a PDU too
     * encrypted to read with the reportable flag set. */
    if (p->version != SNMP_VERSION_3 || !(SNMP_CMD_CONFIRMED(p->command) ||
                                          (p->command == 0 && (p->flags & SNMP_MSG_FLAG_RPRT_BIT))))
        return NULL;
    /* The incoming message's security state would get in the report's way
     * (net-snmp's usm_handle_report frees it first, too). */
    struct snmp_secmod_def *sm = find_sec_mod(p->securityModel);
    if (p->securityStateRef && sm && sm->pdu_free_state_ref)
        sm->pdu_free_state_ref(p->securityStateRef);
    p->securityStateRef = NULL;
    if (snmpv3_make_report(p, err) != SNMPERR_SUCCESS)
        return NULL;
    u_char *pkt = NULL;
    size_t pkt_len = 0, offset = 0;
    if (snmp_build(&pkt, &pkt_len, &offset, &build_session, p) != 0) {
        free(pkt);
        return NULL;
    }
    /* snmp_build encodes backwards: the message is the last `offset` bytes. */
    unsigned char *report = malloc(offset);
    if (report)
        memcpy(report, pkt + pkt_len - offset, offset);
    free(pkt);
    *report_len = offset;
    return report;
}

static wsnmp_result parse(netsnmp_session *session, const unsigned char *data, size_t len,
                          wsnmp_decoded *out, unsigned char **report, size_t *report_len,
                          const char **why);

bool wsnmp_codec_report(const unsigned char *data, size_t len, int kind, unsigned char **report,
                        size_t *report_len)
{
    /* Only the one refusal that comes after the USM accepted the message. */
    if (kind != WSNMP_REPORT_UNSUPPORTED_LEVEL || len == 0 || len > 65535 ||
        !wsnmp_ber_v3_reportable(data, len))
        return false;
    u_char *copy = malloc(len);
    netsnmp_pdu *p = calloc(1, sizeof *p);
    bool ok = copy && p;
    if (ok) {
        memcpy(copy, data, len);
        ok = snmp_parse(NULL, &authority_session, p, copy, len) == 0;
    }
    free(copy);
    *report = NULL;
    if (ok) {
        snmp_increment_statistic(STAT_USMSTATSUNSUPPORTEDSECLEVELS);
        *report = report_for(p, SNMPERR_USM_UNSUPPORTEDSECURITYLEVEL, report_len);
    }
    if (p)
        snmp_free_pdu(p);
    return *report != NULL;
}

wsnmp_result wsnmp_codec_netsnmp_decode(const unsigned char *data, size_t len, wsnmp_decoded *out,
                                        const char **why)
{
    return parse(&parse_session, data, len, out, NULL, NULL, why);
}

wsnmp_result wsnmp_codec_decode_as_authority(const unsigned char *data, size_t len,
                                             wsnmp_decoded *out, unsigned char **report,
                                             size_t *report_len, const char **why)
{
    *report = NULL;
    *report_len = 0;
    bool mine;
    wsnmp_result code = wsnmp_ber_decode(data, len, out, &mine, why);
    if (mine)
        return code;
    /* A reportable message (a request, an inform) is addressed to this
     * engine as the authoritative one; a trap's sender is authoritative. */
    /* Only a message whose header our own reader accepts is answered: what
     * net-snmp's more lenient parser alone makes sense of gets no report. */
    if (!wsnmp_ber_v3_reportable(data, len))
        return parse(&parse_session, data, len, out, NULL, NULL, why);
    return parse(&authority_session, data, len, out, report, report_len, why);
}

static wsnmp_result parse(netsnmp_session *session, const unsigned char *data, size_t len,
                          wsnmp_decoded *out, unsigned char **report, size_t *report_len,
                          const char **why)
{
    memset(out, 0, sizeof *out);
    if (len == 0 || len > 65535) {
        *why = "empty or oversized datagram";
        return SNMPAPI_MESSAGE_INVALID;
    }
    if (message_version(data, len) == SNMP_VERSION_3 && !v3_well_formed(data, len)) {
        *why = "malformed SNMPv3 message";
        return SNMPAPI_MESSAGE_INVALID;
    }
    /* snmp_parse rewrites v3 authentication parameters in place. */
    u_char *copy = malloc(len);
    netsnmp_pdu *p = calloc(1, sizeof *p);
    if (copy == NULL || p == NULL) {
        free(copy);
        free(p);
        *why = "out of memory";
        return SNMPAPI_ALLOC_ERROR;
    }
    memcpy(copy, data, len);
    session->s_snmp_errno = 0;
    int rc = snmp_parse(NULL, session, p, copy, len);
    free(copy);
    if (rc != 0) {
        int err = rc == -1 ? session->s_snmp_errno : rc;
        if (report)
            *report = report_for(p, err, report_len);
        snmp_free_pdu(p);
        *why = err == SNMPERR_USM_AUTHENTICATIONFAILURE ? "v3 authentication failed"
               : err == SNMPERR_USM_DECRYPTIONERROR     ? "v3 decryption failed"
               : err == SNMPERR_USM_NOTINTIMEWINDOW     ? "v3 message outside the time window"
               : err == SNMPERR_USM_UNKNOWNSECURITYNAME ? "v3 user unknown here"
                                                        : "malformed or unexpected message";
        return SNMPAPI_MESSAGE_INVALID;
    }
    out->version = p->version == SNMP_VERSION_1   ? WSNMP_VERSION_1
                   : p->version == SNMP_VERSION_3 ? WSNMP_VERSION_3
                                                  : WSNMP_VERSION_2C;
    out->msg_id = (int32_t)p->msgid;
    out->pdu.type = p->command;
    out->pdu.request_id = (smiINT32)p->reqid;
    if (p->command == SNMP_MSG_GETBULK) {
        out->pdu.error_status = (smiINT)p->non_repeaters;
        out->pdu.error_index = (smiINT)p->max_repetitions;
    } else {
        out->pdu.error_status = (smiINT)p->errstat;
        out->pdu.error_index = (smiINT)p->errindex;
    }
    bool ok = true;
    if (p->command == SNMP_MSG_TRAP) {
        if (p->enterprise_length > MAXOBJIDSIZE) {
            snmp_free_pdu(p);
            *why = "enterprise OID too long";
            return SNMPAPI_MESSAGE_INVALID;
        }
        smiUINT32 ent[MAXOBJIDSIZE];
        for (size_t i = 0; i < p->enterprise_length; i++)
            ent[i] = (smiUINT32)p->enterprise[i];
        smiOID e = {(smiUINT32)p->enterprise_length, ent};
        ok = wsnmp_oid_copy(&out->pdu.enterprise, &e);
        memcpy(out->pdu.agent_addr, p->agent_addr, 4);
        out->pdu.generic_trap = (smiINT)p->trap_type;
        out->pdu.specific_trap = (smiINT)p->specific_type;
        out->pdu.time_stamp = (smiUINT32)p->time;
        out->pdu.error_status = out->pdu.error_index = 0;
    }
    if (out->version == WSNMP_VERSION_3) {
        /* net-snmp's USM has checked the digest (authNoPriv) and decrypted
         * (authPriv) as the message's flags ask, or refused it. */
        out->authenticated = p->securityLevel >= SNMP_SEC_LEVEL_AUTHNOPRIV;
        out->max_size = p->msgMaxSize > INT32_MAX ? INT32_MAX : (int32_t)p->msgMaxSize;
        out->level = p->securityLevel == SNMP_SEC_LEVEL_AUTHPRIV     ? WSNMP_LEVEL_AUTH_PRIV
                     : p->securityLevel == SNMP_SEC_LEVEL_AUTHNOPRIV ? WSNMP_LEVEL_AUTH_NOPRIV
                                                                     : WSNMP_LEVEL_NOAUTH_NOPRIV;
        ok = ok &&
             wsnmp_octets_copy(&out->engine_id, p->securityEngineID,
                               (smiUINT32)p->securityEngineIDLen) &&
             wsnmp_octets_copy(&out->user, (smiBYTE *)p->securityName,
                               (smiUINT32)p->securityNameLen) &&
             wsnmp_octets_copy(&out->context_name, (smiBYTE *)p->contextName,
                               (smiUINT32)p->contextNameLen) &&
             wsnmp_octets_copy(&out->context_engine_id, p->contextEngineID,
                               (smiUINT32)p->contextEngineIDLen);
        if (p->command == SNMP_MSG_REPORT)
            out->report = report_kind(p);
    } else {
        ok = wsnmp_octets_copy(&out->community, p->community, (smiUINT32)p->community_len);
    }
    /* Count first, so a flood of varbinds is refused before any copy. */
    size_t count = 0;
    for (netsnmp_variable_list *v = p->variables; v; v = v->next_variable)
        count++;
    if (count > WSNMP_MAX_VARBINDS) {
        snmp_free_pdu(p);
        wsnmp_decoded_free(out);
        *why = "too many varbinds";
        return SNMPAPI_MESSAGE_INVALID;
    }
    if (ok && count) {
        out->pdu.vbl.items = calloc(count, sizeof *out->pdu.vbl.items);
        out->pdu.vbl.capacity = (smiUINT32)count;
        ok = out->pdu.vbl.items != NULL;
    }
    for (netsnmp_variable_list *v = p->variables; ok && v; v = v->next_variable) {
        if (!read_varbind(v, &out->pdu.vbl.items[out->pdu.vbl.count])) {
            snmp_free_pdu(p);
            wsnmp_decoded_free(out);
            *why = "a varbind the SMI cannot hold";
            return SNMPAPI_MESSAGE_INVALID;
        }
        out->pdu.vbl.count++;
    }
    snmp_free_pdu(p);
    if (!ok) {
        wsnmp_decoded_free(out);
        *why = "out of memory";
        return SNMPAPI_ALLOC_ERROR;
    }
    return WSNMP_OK;
}
