/*
 * send.c — SnmpSendMsg, WsnmpSendRequest and SnmpCancelMsg.
 *
 * The PDU is validated and copied into a request here; the request is
 * encoded and sent by request.c, behind v3 engine discovery
 * (discovery.c) when its agent's engine is not yet known.
 */
#include "engine.h"

#include <stdlib.h>
#include <string.h>

/* Checks what an agent can be sent, translating GETBULK for v1 agents. */
wsnmp_result wsnmp_send_check_pdu(const wsnmp_pdu *p, int version, smiINT *type, const char **why)
{
    *type = p->type;
    switch (p->type) {
    case SNMP_PDU_GET:
    case SNMP_PDU_GETNEXT:
    case SNMP_PDU_SET:
        break;
    case SNMP_PDU_GETBULK:
        if (version == WSNMP_VERSION_1)
            *type = SNMP_PDU_GETNEXT; /* RFC 2576: GetBulk becomes GetNext */
        break;
    case SNMP_PDU_INFORM:
        if (version == WSNMP_VERSION_1) {
            *why = "an inform cannot be sent to a v1 entity";
            return SNMPAPI_OPERATION_INVALID;
        }
        break;
    case SNMP_PDU_TRAP:
        if (version == WSNMP_VERSION_1)
            *type = SNMP_PDU_V1TRAP; /* translated when sent */
        break;
    case SNMP_PDU_RESPONSE:
        break;
    default:
        *why = "this PDU type cannot be sent";
        return SNMPAPI_PDU_INVALID;
    }
    if (p->type != SNMP_PDU_GETBULK && p->type != SNMP_PDU_RESPONSE &&
        (p->error_status != 0 || p->error_index != 0)) {
        *why = "error_status and error_index must be 0 in a request";
        return SNMPAPI_PDU_INVALID;
    }
    for (smiUINT32 i = 0; i < p->vbl.count; i++) {
        const wsnmp_varbind *vb = &p->vbl.items[i];
        const smiOID *o = &vb->name;
        if (o->len < 2 || o->ptr[0] > 2 || (o->ptr[0] < 2 && o->ptr[1] > 39)) {
            *why = "a variable name that BER cannot encode";
            return SNMPAPI_OID_INVALID;
        }
        if (vb->value.syntax == SNMP_SYNTAX_OID && vb->value.value.oid.len > 0) {
            const smiOID *v = &vb->value.value.oid;
            if (v->len < 2 || v->ptr[0] > 2 || (v->ptr[0] < 2 && v->ptr[1] > 39)) {
                *why = "an OID value that BER cannot encode";
                return SNMPAPI_OID_INVALID;
            }
        }
        if (version == WSNMP_VERSION_1 && vb->value.syntax == SNMP_SYNTAX_CNTR64) {
            *why = "SNMPv1 has no Counter64";
            return SNMPAPI_OPERATION_INVALID;
        }
    }
    return WSNMP_OK;
}

static wsnmp_request *new_request(uint32_t sslot, const wsnmp_peer *peer, const wsnmp_entity *e)
{
    return wsnmp_request_new(sslot, peer, e->timeout_ms ? e->timeout_ms : WSNMP_DEFAULT_TIMEOUT_MS,
                             e->retries == WSNMP_DEFAULT ? WSNMP_DEFAULT_RETRIES : e->retries);
}

bool wsnmp_send_lookup_args(HSNMP_SESSION session, HSNMP_ENTITY dst, HSNMP_CONTEXT context,
                            HSNMP_PDU pdu, const char *fn, wsnmp_send_args *a)
{
    memset(a, 0, sizeof *a);
    a->session = wsnmp_handle_lookup(session, WSNMP_KIND_SESSION, &a->slot, NULL, fn);
    if (a->session == NULL)
        return false;
    a->dst_handle = dst;
    if ((a->dst = wsnmp_handle_get(dst, WSNMP_KIND_ENTITY, NULL)) == NULL)
        return wsnmp_error_fail(a->slot, SNMPAPI_ENTITY_INVALID, "%s: invalid destination entity",
                                fn),
               false;
    a->ctx_handle = context;
    if (context && (a->ctx = wsnmp_handle_get(context, WSNMP_KIND_CONTEXT, NULL)) == NULL)
        return wsnmp_error_fail(a->slot, SNMPAPI_CONTEXT_INVALID, "%s: invalid context", fn), false;
    if ((a->pdu = wsnmp_handle_get(pdu, WSNMP_KIND_PDU, NULL)) == NULL)
        return wsnmp_error_fail(a->slot, SNMPAPI_PDU_INVALID, "%s: invalid PDU", fn), false;
    return true;
}

/* A GETBULK for a v1 agent goes as a GETNEXT (send_check_pdu's type). */
static void send_as(wsnmp_pdu *p, smiINT type)
{
    if (p->type != type) {
        p->type = type;
        p->error_status = p->error_index = 0;
    }
}

/* Counted for the entity from here: request_free gives back in_flight. */
static void count_request(wsnmp_request *r, const wsnmp_send_args *a, HSNMP_ENTITY srcEntity)
{
    wsnmp_entity *dst = a->dst;
    r->entity = a->dst_handle;
    r->src_entity = srcEntity;
    r->context = a->ctx_handle;
    r->counted = true;
    r->any_source = dst->any_source;
    r->backoff = dst->backoff >= 1.0 ? dst->backoff : 1.0;
    dst->stats.requests++;
    dst->stats.in_flight++;
}

/* Encodes and sends a request that expects a reply, and tracks it; a PDU
 * and community only `borrowed` for the encoding are not the request's to
 * keep. */
static SNMPAPI_STATUS start_tracked(const char *fn, wsnmp_session *s, uint32_t sslot, wsnmp_io *io,
                                    wsnmp_request *r, bool borrowed)
{
    const char *why;
    wsnmp_result code = wsnmp_request_start(s, r, NULL, &why);
    if (borrowed) {
        r->pdu = NULL;
        r->sec.community = (smiOCTETS){0, NULL};
    }
    if (code == WSNMP_OK && !wsnmp_pending_add(io, r)) {
        code = SNMPAPI_ALLOC_ERROR;
        why = "out of memory";
    }
    if (code != WSNMP_OK) {
        wsnmp_request_free(r);
        return wsnmp_error_fail(sslot, code, "%s: %s", fn, why);
    }
    return SNMPAPI_SUCCESS;
}

/* Sends a PDU: validation, resolution, encoding, and the request in flight. */
static SNMPAPI_STATUS send_pdu(const char *fn, const wsnmp_send_args *a, HSNMP_ENTITY srcEntity)
{
    wsnmp_session *s = a->session;
    uint32_t sslot = a->slot;
    wsnmp_entity *dst = a->dst;
    wsnmp_context *ctx = a->ctx;
    const wsnmp_pdu *pdu = a->pdu;
    const char *why;
    smiINT type;
    wsnmp_result code = wsnmp_send_check_pdu(pdu, dst->cred.version, &type, &why);
    if (code != WSNMP_OK)
        return wsnmp_error_fail(sslot, code, "%s: %s", fn, why);
    if (dst->cred.version == WSNMP_VERSION_3 && !dst->cred.user)
        return wsnmp_error_fail(sslot, SNMPAPI_ENTITY_INVALID, "%s: a v3 entity needs a user", fn);
    if (wsnmp_pending_total >= wsnmp_library.limits.pending)
        return wsnmp_error_fail(sslot, SNMPAPI_ALLOC_ERROR,
                                "%s: limit of %u requests in flight reached", fn,
                                (unsigned)wsnmp_library.limits.pending);

    wsnmp_peer peer;
    if (dst->resolved) {
        peer.addr = dst->peer_addr;
        peer.len = dst->peer_len;
        peer.transport = dst->address.transport;
    } else {
        if (!wsnmp_peer_resolve(&dst->address, &peer, &why))
            return wsnmp_error_fail(sslot, SNMPAPI_ENTITY_UNKNOWN, "%s: '%.80s': %s", fn,
                                    dst->address.host, why);
        dst->resolved = true;
        dst->peer_addr = peer.addr;
        dst->peer_len = peer.len;
    }
    wsnmp_io *io = wsnmp_io_of(s, true);
    if (io == NULL)
        return wsnmp_error_fail(sslot, SNMPAPI_ALLOC_ERROR, "%s: out of memory", fn);
    bool wants_reply =
        type != SNMP_PDU_TRAP && type != SNMP_PDU_V1TRAP && type != SNMP_PDU_RESPONSE;
    if (wants_reply && wsnmp_pending_find(io, pdu->request_id))
        return wsnmp_error_fail(sslot, SNMPAPI_PDU_INVALID,
                                "%s: request id %d is already in flight in this session", fn,
                                (int)pdu->request_id);

    wsnmp_request *r = new_request(sslot, &peer, dst);
    if (r && wants_reply && dst->cred.version != WSNMP_VERSION_3) {
        /* v1/v2c: the encoded bytes are all that a retransmission needs, and
         * a failure decodes the PDU back from them (wsnmp_request_fail), so
         * the request keeps no copy of the PDU: it is encoded from the
         * caller's, with the type it is sent as.  Nor of the community,
         * which the bytes hold too (wsnmp_request_community). */
        wsnmp_pdu sent = *pdu;
        send_as(&sent, type);
        r->id = pdu->request_id;
        count_request(r, a, srcEntity);
        r->batchable = true;
        r->pdu = &sent;
        r->sec.version = dst->cred.version;
        r->sec.community = ctx ? ctx->value : dst->cred.community;
        return start_tracked(fn, s, sslot, io, r, true);
    }
    if (r == NULL || !wsnmp_credentials_for_send(&r->sec, &dst->cred, ctx ? &ctx->value : NULL)) {
        if (r)
            wsnmp_request_free(r);
        return wsnmp_error_fail(sslot, SNMPAPI_ALLOC_ERROR, "%s: out of memory", fn);
    }
    wsnmp_pdu *copy = malloc(sizeof *copy);
    if (copy == NULL || !wsnmp_pdu_data_copy(copy, pdu)) {
        free(copy);
        wsnmp_request_free(r);
        return wsnmp_error_fail(sslot, SNMPAPI_ALLOC_ERROR, "%s: out of memory", fn);
    }
    r->pdu = copy;
    if (type == SNMP_PDU_RESPONSE) {
        /* The agent role answers through the socket the request came in
         * on: the requester expects the reply from the port it asked. */
        wsnmp_entity *src = srcEntity ? wsnmp_handle_get(srcEntity, WSNMP_KIND_ENTITY, NULL) : NULL;
        wsnmp_listener *l =
            wsnmp_notify_listener_by_id(src && src->listening ? src->listening : dst->reply_via);
        if (l)
            r->fd = l->fd;
    }
    if (type == SNMP_PDU_V1TRAP) {
        /* A v2 trap for a v1 agent becomes a Trap-PDU (RFC 3584 3.2). */
        code = wsnmp_rfc3584_trap_to_v1(copy, &why);
        if (code != WSNMP_OK) {
            wsnmp_request_free(r);
            return wsnmp_error_fail(sslot, code, "%s: %s", fn, why);
        }
    } else {
        send_as(copy, type);
    }
    r->id = pdu->request_id;

    if (!wants_reply) {
        /* Notifications without acknowledgement and responses: sent once.
         * The sender of a v3 trap is the authoritative engine: no
         * discovery, keys localised for our own engine id (RFC 3414). */
        unsigned char local_id[64];
        smiOCTETS local = {0, local_id};
        const smiOCTETS *engine = NULL;
        code = WSNMP_OK;
        if (r->sec.version == WSNMP_VERSION_3) {
            local.len = (smiUINT32)wsnmp_usm_local_engine_id(local_id, sizeof local_id);
            engine = &local;
            code = wsnmp_usm_ensure(&r->sec, engine, &why);
        }
        if (code == WSNMP_OK && type == SNMP_PDU_RESPONSE && dst->has_reply_msg_id)
            /* The agent role's v3 answer repeats the request's msgID and
             * contextEngineID (RFC 3412 7.1): we are its authoritative engine. */
            code = wsnmp_codec_encode_response(&r->sec, r->pdu, engine, &dst->reply_context_engine,
                                               dst->reply_msg_id, &r->packet, &r->packet_len, &why);
        else if (code == WSNMP_OK)
            code = wsnmp_codec_encode(&r->sec, r->pdu, engine, r->id, &r->packet, &r->packet_len,
                                      &why);
        if (code == WSNMP_OK && !wsnmp_io_transmit(s, r, &why))
            code = SNMPAPI_TL_UNDELIVERABLE;
        wsnmp_request_free(r);
        return code ? wsnmp_error_fail(sslot, code, "%s: %s", fn, why) : SNMPAPI_SUCCESS;
    }

    count_request(r, a, srcEntity);
    if (r->sec.version == WSNMP_VERSION_3) {
        code = wsnmp_discovery_send(s, r, &why);
        if (code != WSNMP_OK) {
            wsnmp_request_free(r);
            return wsnmp_error_fail(sslot, code, "%s: %s", fn, why);
        }
        return SNMPAPI_SUCCESS;
    }
    return start_tracked(fn, s, sslot, io, r, false);
}

WSNMP_API SNMPAPI_STATUS SnmpSendMsg(HSNMP_SESSION session, HSNMP_ENTITY srcEntity,
                                     HSNMP_ENTITY dstEntity, HSNMP_CONTEXT context, HSNMP_PDU PDU)
{
    wsnmp_send_args a;
    if (!wsnmp_send_lookup_args(session, dstEntity, context, PDU, "SnmpSendMsg", &a))
        return SNMPAPI_FAILURE;
    return send_pdu("SnmpSendMsg", &a, srcEntity);
}

WSNMP_API SNMPAPI_STATUS WsnmpSendRequest(HSNMP_SESSION session, HSNMP_ENTITY dstEntity,
                                          HSNMP_CONTEXT context, smiINT type, smiUINT32 count,
                                          const smiOID *names, const smiVALUE *values,
                                          smiINT non_repeaters, smiINT max_repetitions,
                                          smiINT32 *request_id)
{
    const char *fn = "WsnmpSendRequest";
    wsnmp_send_args a;
    memset(&a, 0, sizeof a);
    a.session = wsnmp_handle_lookup(session, WSNMP_KIND_SESSION, &a.slot, NULL, fn);
    if (a.session == NULL)
        return SNMPAPI_FAILURE;
    a.dst_handle = dstEntity;
    if ((a.dst = wsnmp_handle_get(dstEntity, WSNMP_KIND_ENTITY, NULL)) == NULL)
        return wsnmp_error_fail(a.slot, SNMPAPI_ENTITY_INVALID, "%s: invalid destination entity",
                                fn);
    a.ctx_handle = context;
    if (context && (a.ctx = wsnmp_handle_get(context, WSNMP_KIND_CONTEXT, NULL)) == NULL)
        return wsnmp_error_fail(a.slot, SNMPAPI_CONTEXT_INVALID, "%s: invalid context", fn);
    if (count > WSNMP_MAX_VARBINDS || (count && (names == NULL || values == NULL)))
        return wsnmp_error_fail(a.slot, SNMPAPI_SIZE_INVALID, "%s: bad varbind arrays", fn);
    if (type != SNMP_PDU_GET && type != SNMP_PDU_GETNEXT && type != SNMP_PDU_GETBULK &&
        type != SNMP_PDU_SET && type != SNMP_PDU_INFORM && type != SNMP_PDU_TRAP)
        return wsnmp_error_fail(a.slot, SNMPAPI_PDU_INVALID, "%s: not a request type", fn);
    /* A PDU that borrows the caller's names and values: send_pdu copies it
     * once into the request, with no VBL or PDU handle in between. */
    wsnmp_varbind stack_items[8];
    wsnmp_varbind *items = count <= 8 ? stack_items : malloc(count * sizeof *items);
    if (items == NULL)
        return wsnmp_error_fail(a.slot, SNMPAPI_ALLOC_ERROR, "%s: out of memory", fn);
    const char *why;
    wsnmp_result code = WSNMP_OK;
    for (smiUINT32 i = 0; i < count && code == WSNMP_OK; i++) {
        if (names[i].len == 0)
            code = SNMPAPI_OID_INVALID, why = "empty variable name";
        else if ((code = wsnmp_oid_check(&names[i], &why)) == 0)
            code = wsnmp_value_check(&values[i], &why);
        items[i].name = names[i];
        items[i].value = values[i];
    }
    if (code != WSNMP_OK) {
        if (items != stack_items)
            free(items);
        return wsnmp_error_fail(a.slot, code, "%s: %s", fn, why);
    }
    wsnmp_pdu pdu;
    memset(&pdu, 0, sizeof pdu);
    pdu.type = type;
    wsnmp_io *io = wsnmp_io_of(a.session, true);
    pdu.request_id = io ? wsnmp_pending_unused_id(io) : wsnmp_random_request_id();
    if (type == SNMP_PDU_GETBULK) {
        pdu.error_status = non_repeaters;
        pdu.error_index = max_repetitions;
    }
    pdu.vbl.items = items;
    pdu.vbl.count = pdu.vbl.capacity = count;
    a.pdu = &pdu;
    code = send_pdu(fn, &a, 0);
    if (items != stack_items)
        free(items);
    if (code == SNMPAPI_SUCCESS && request_id)
        *request_id = pdu.request_id;
    return code;
}

WSNMP_API SNMPAPI_STATUS SnmpCancelMsg(HSNMP_SESSION session, smiINT32 reqId)
{
    uint32_t sslot;
    wsnmp_session *s =
        wsnmp_handle_lookup(session, WSNMP_KIND_SESSION, &sslot, NULL, "SnmpCancelMsg");
    if (s == NULL)
        return SNMPAPI_FAILURE;
    wsnmp_io *io = s->io;
    wsnmp_request *r = io ? wsnmp_pending_find(io, reqId) : NULL;
    wsnmp_message *m = io ? wsnmp_queue_take(io, 1u << WSNMP_MSG_RESPONSE, true, reqId) : NULL;
    if (r == NULL && m == NULL)
        return wsnmp_error_fail(sslot, SNMPAPI_PDU_INVALID,
                                "SnmpCancelMsg: no request %d in this session", (int)reqId);
    if (m)
        wsnmp_queue_message_free(m); /* never delivered once cancelled */
    if (r && r->state != WSNMP_REQ_PROBE) {
        if (r->state == WSNMP_REQ_WAIT_ENGINE)
            wsnmp_discovery_cancel(io, r);
        wsnmp_pending_remove(io, r);
        wsnmp_request_free(r);
    }
    return SNMPAPI_SUCCESS;
}
