/*
 * recv.c — SnmpRecvMsg, the by-request-id extension, SnmpEncodeMsg and
 * SnmpDecodeMsg: turning queued messages into handles.
 */
#include "engine.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

/* An entity for an address seen on the wire, with the security it used. */
static HSNMP_ENTITY entity_for(uint32_t sslot, const wsnmp_peer *peer, const wsnmp_credentials *sec,
                               const char *fn)
{
    wsnmp_entity *e = calloc(1, sizeof *e);
    if (e == NULL)
        return wsnmp_error_fail(sslot, SNMPAPI_ALLOC_ERROR, "%s: out of memory", fn), NULL;
    char text[WSNMP_MAX_ADDRESS];
    const char *why;
    wsnmp_peer_format(&peer->addr, peer->transport, text, sizeof text);
    if (!wsnmp_address_parse(text, &e->address, &why))
        snprintf(e->address.host, sizeof e->address.host, "0.0.0.0");
    e->retries = WSNMP_DEFAULT;
    e->resolved = true;
    e->peer_addr = peer->addr;
    e->peer_len = peer->len;
    bool ok = wsnmp_credentials_copy(&e->cred, sec);
    if (ok && e->cred.version == 0)
        e->cred.version = WSNMP_VERSION_2C;
    if (!ok) {
        wsnmp_entity_destroy(e);
        return wsnmp_error_fail(sslot, SNMPAPI_ALLOC_ERROR, "%s: out of memory", fn), NULL;
    }
    HSNMP_ENTITY h = wsnmp_handle_new(WSNMP_KIND_ENTITY, sslot, e, fn);
    if (h == 0)
        wsnmp_entity_destroy(e);
    return h;
}

/* The session's own end: its socket's local address. */
static HSNMP_ENTITY local_entity(uint32_t sslot, wsnmp_io *io, const wsnmp_peer *remote,
                                 const char *fn)
{
    wsnmp_peer local;
    memset(&local, 0, sizeof local);
    local.transport = remote->transport;
    local.len = sizeof local.addr;
    int fd = remote->addr.ss_family == AF_INET6 ? io->fd6 : io->fd4;
    if (fd < 0 || getsockname(fd, (struct sockaddr *)&local.addr, &local.len) != 0) {
        local.addr.ss_family = remote->addr.ss_family;
        local.len = remote->len;
    }
    wsnmp_credentials none;
    memset(&none, 0, sizeof none);
    none.version = WSNMP_VERSION_2C;
    return entity_for(sslot, &local, &none, fn);
}

static HSNMP_CONTEXT context_for(uint32_t sslot, const wsnmp_credentials *sec, const char *fn)
{
    const smiOCTETS *v = sec->version == WSNMP_VERSION_3 ? &sec->context : &sec->community;
    wsnmp_context *c = calloc(1, sizeof *c);
    if (c == NULL || !wsnmp_octets_copy(&c->value, v->ptr, v->len)) {
        free(c);
        return wsnmp_error_fail(sslot, SNMPAPI_ALLOC_ERROR, "%s: out of memory", fn), NULL;
    }
    HSNMP_CONTEXT h = wsnmp_handle_new(WSNMP_KIND_CONTEXT, sslot, c, fn);
    if (h == 0)
        wsnmp_context_destroy(c);
    return h;
}

/* Gives back one acquisition of a handle made or acquired for the caller. */
static void release(void *h)
{
    uint32_t slot;
    for (int k = WSNMP_KIND_ENTITY; k <= WSNMP_KIND_VBL; k++)
        if (wsnmp_handle_get(h, k, &slot)) {
            wsnmp_handle_unref(slot);
            return;
        }
}

/* A handle a request was sent with, acquired once more for the caller of
 * SnmpRecvMsg; NULL when there was none or it has been freed since. */
static void *reacquire(void *h, int kind)
{
    uint32_t slot;
    if (h == NULL || wsnmp_handle_get(h, kind, &slot) == NULL)
        return NULL;
    wsnmp_handle_acquire(slot);
    return h;
}

/* Puts a message back at the head of its queue. */
static void requeue(wsnmp_io *io, wsnmp_message *m)
{
    m->next = io->queue_head;
    io->queue_head = m;
    if (io->queue_tail == NULL)
        io->queue_tail = m;
    io->queued++;
}

WSNMP_API SNMPAPI_STATUS WsnmpRecvMsgEx(HSNMP_SESSION session, smiUINT32 kinds, WsnmpMsgInfo *info,
                                        LPHSNMP_ENTITY srcEntity, LPHSNMP_ENTITY dstEntity,
                                        LPHSNMP_CONTEXT context, LPHSNMP_PDU PDU)
{
    const char *fn = "SnmpRecvMsg";
    uint32_t sslot;
    wsnmp_session *s = wsnmp_handle_lookup(session, WSNMP_KIND_SESSION, &sslot, NULL, fn);
    if (s == NULL)
        return SNMPAPI_FAILURE;
    wsnmp_message *m = s->io ? wsnmp_queue_take(s->io, kinds, false, 0) : NULL;
    if (m == NULL)
        return wsnmp_error_fail(sslot, SNMPAPI_NOOP, "%s: no message is queued", fn);
    HSNMP_ENTITY src = NULL, dst = NULL;
    HSNMP_CONTEXT ctx = NULL;
    HSNMP_PDU pdu = NULL;
    if (m->kind == WSNMP_MSG_RESPONSE) {
        /* As Windows does: the outcome of a request comes with the very
         * handles it was sent with (the agent's entity as source, the
         * request's source entity as destination, its context), each
         * acquired once more, so programs can match replies by handle. */
        if (srcEntity)
            src = reacquire(m->req_dst, WSNMP_KIND_ENTITY);
        if (dstEntity)
            dst = reacquire(m->req_src, WSNMP_KIND_ENTITY);
        if (context)
            ctx = reacquire(m->req_context, WSNMP_KIND_CONTEXT);
    }
    bool ok = (!srcEntity || src || (src = entity_for(sslot, &m->source, &m->sec, fn))) &&
              (!dstEntity || dst || (dst = local_entity(sslot, s->io, &m->source, fn))) &&
              (!context || ctx || (ctx = context_for(sslot, &m->sec, fn))) &&
              (!PDU || (wsnmp_queue_own_pdu(m, sslot, fn) &&
                        (pdu = wsnmp_handle_new(WSNMP_KIND_PDU, sslot, m->pdu, fn))));
    if (!ok) {
        SNMPAPI_STATUS code = wsnmp_error_global()->code;
        release(src);
        release(dst);
        release(ctx);
        requeue(s->io, m);
        return wsnmp_error_fail(sslot, code, "%s: %s", fn, "cannot create the handles");
    }
    if (src && m->kind == WSNMP_MSG_REQUEST) {
        /* Answer a request through the listener it came in on. */
        wsnmp_entity *e = wsnmp_handle_get(src, WSNMP_KIND_ENTITY, NULL);
        e->reply_via = m->listener;
        if (m->sec.version == WSNMP_VERSION_3) {
            e->has_reply_msg_id = true;
            e->reply_msg_id = m->msg_id;
            e->reply_context_engine = m->context_engine_id; /* moved */
            memset(&m->context_engine_id, 0, sizeof m->context_engine_id);
        }
    }
    if (pdu)
        m->pdu = NULL; /* now owned by the handle */
    if (srcEntity)
        *srcEntity = src;
    if (dstEntity)
        *dstEntity = dst;
    if (context)
        *context = ctx;
    if (PDU)
        *PDU = pdu;
    if (info) {
        memset(info, 0, sizeof *info);
        info->kind = m->kind;
        info->request_id = m->request_id;
        info->listener = m->listener;
        if (m->sec.version == WSNMP_VERSION_3 && m->sec.user) {
            snprintf(info->user, sizeof info->user, "%s", m->sec.user);
            info->level = m->level;
            info->max_size = m->max_size;
            if (m->kind == WSNMP_MSG_NOTIFICATION) {
                smiUINT32 n = m->context_engine_id.len;
                if (n > sizeof info->engine_id)
                    n = sizeof info->engine_id;
                if (n)
                    memcpy(info->engine_id, m->context_engine_id.ptr, n);
                info->engine_id_len = n;
            }
        }
        for (smiUINT32 i = 0; i < m->registration_count && i < WSNMP_MAX_MATCHES; i++)
            info->registrations[info->registration_count++] = m->registrations[i];
    }
    SNMPAPI_STATUS error = m->error;
    char reason[sizeof m->reason];
    snprintf(reason, sizeof reason, "%s", m->reason);
    wsnmp_queue_message_free(m);
    /* A failed request still fills the outputs, so the caller can tell
     * which request it was (its PDU carries the request id). */
    if (error)
        return wsnmp_error_fail(sslot, error, "%s", reason);
    return SNMPAPI_SUCCESS;
}

WSNMP_API SNMPAPI_STATUS SnmpRecvMsg(HSNMP_SESSION session, LPHSNMP_ENTITY srcEntity,
                                     LPHSNMP_ENTITY dstEntity, LPHSNMP_CONTEXT context,
                                     LPHSNMP_PDU PDU)
{
    return WsnmpRecvMsgEx(session, ~0u, NULL, srcEntity, dstEntity, context, PDU);
}

wsnmp_message *wsnmp_recv_reply(HSNMP_SESSION session, smiINT32 request_id, const char *fn,
                                uint32_t *session_slot)
{
    uint32_t sslot;
    wsnmp_session *s = wsnmp_handle_lookup(session, WSNMP_KIND_SESSION, &sslot, NULL, fn);
    if (s == NULL)
        return NULL;
    *session_slot = sslot;
    wsnmp_message *m =
        s->io ? wsnmp_queue_take(s->io, 1u << WSNMP_MSG_RESPONSE, true, request_id) : NULL;
    if (m == NULL)
        return wsnmp_error_fail(sslot, SNMPAPI_NOOP, "%s: nothing queued for request %d", fn,
                                (int)request_id),
               NULL;
    if (m->error) {
        SNMPAPI_STATUS error = m->error;
        char reason[sizeof m->reason];
        snprintf(reason, sizeof reason, "%s", m->reason);
        wsnmp_queue_message_free(m);
        return wsnmp_error_fail(sslot, error, "%s", reason), NULL;
    }
    return m;
}

WSNMP_API SNMPAPI_STATUS WsnmpRecvResponse(HSNMP_SESSION session, smiINT32 request_id,
                                           LPHSNMP_PDU PDU)
{
    const char *fn = "WsnmpRecvResponse";
    uint32_t sslot;
    wsnmp_message *m = wsnmp_recv_reply(session, request_id, fn, &sslot);
    if (m == NULL)
        return SNMPAPI_FAILURE;
    wsnmp_session *s = wsnmp_session_at(sslot);
    HSNMP_PDU pdu = PDU && wsnmp_queue_own_pdu(m, sslot, fn)
                        ? wsnmp_handle_new(WSNMP_KIND_PDU, sslot, m->pdu, fn)
                        : 0;
    if (PDU && pdu == 0) {
        requeue(s->io, m);
        return SNMPAPI_FAILURE;
    }
    if (pdu) {
        m->pdu = NULL;
        *PDU = pdu;
    }
    wsnmp_queue_message_free(m);
    return SNMPAPI_SUCCESS;
}

/* The agent role's answer to a v3 requester, encoded as it will be sent. */
static SNMPAPI_STATUS encode_v3_answer(uint32_t sslot, const char *fn, const wsnmp_entity *dst,
                                       const wsnmp_context *ctx, const wsnmp_pdu *pdu,
                                       smiLPOCTETS out)
{
    wsnmp_credentials sec;
    if (!wsnmp_credentials_for_send(&sec, &dst->cred, ctx ? &ctx->value : NULL))
        return wsnmp_error_fail(sslot, SNMPAPI_ALLOC_ERROR, "%s: out of memory", fn);
    unsigned char local[64];
    smiOCTETS engine = {0, local};
    engine.len = (smiUINT32)wsnmp_usm_local_engine_id(local, sizeof local);
    const char *why;
    unsigned char *bytes = NULL;
    size_t len = 0;
    wsnmp_result code = wsnmp_usm_ensure(&sec, &engine, &why);
    if (code == WSNMP_OK)
        code = wsnmp_codec_encode_response(&sec, pdu, &engine, &dst->reply_context_engine,
                                           dst->reply_msg_id, &bytes, &len, &why);
    wsnmp_credentials_clear(&sec);
    if (code != WSNMP_OK)
        return wsnmp_error_fail(sslot, code, "%s: %s", fn, why);
    bool ok = wsnmp_descriptor_octets(out, bytes, (smiUINT32)len);
    free(bytes);
    if (!ok)
        return wsnmp_error_fail(sslot, SNMPAPI_ALLOC_ERROR, "%s: out of memory", fn);
    return (SNMPAPI_STATUS)len;
}

WSNMP_API SNMPAPI_STATUS SnmpEncodeMsg(HSNMP_SESSION session, HSNMP_ENTITY srcEntity,
                                       HSNMP_ENTITY dstEntity, HSNMP_CONTEXT context, HSNMP_PDU PDU,
                                       smiLPOCTETS msgBufDesc)
{
    const char *fn = "SnmpEncodeMsg";
    (void)srcEntity;
    wsnmp_send_args a;
    if (!wsnmp_send_lookup_args(session, dstEntity, context, PDU, fn, &a))
        return SNMPAPI_FAILURE;
    uint32_t sslot = a.slot;
    wsnmp_entity *dst = a.dst;
    wsnmp_context *ctx = a.ctx;
    const wsnmp_pdu *pdu = a.pdu;
    if (msgBufDesc == NULL)
        return wsnmp_error_fail(sslot, SNMPAPI_ALLOC_ERROR, "%s: NULL output", fn);
    /* A v3 message needs the authoritative engine's id: a manager's requests
     * learn it when sent, but the agent role's answer to a v3 requester has
     * it: our own (and the request's msgID and contextEngineID). */
    bool v3_answer = dst->cred.version == WSNMP_VERSION_3 && pdu->type == SNMP_PDU_RESPONSE &&
                     dst->has_reply_msg_id;
    if (dst->cred.version == WSNMP_VERSION_3 && !v3_answer)
        return wsnmp_error_fail(sslot, SNMPAPI_OPERATION_INVALID,
                                "%s: SNMPv3 messages are encoded when sent (they need the agent's "
                                "engine)",
                                fn);
    if (v3_answer)
        return encode_v3_answer(sslot, fn, dst, ctx, pdu, msgBufDesc);
    const char *why;
    smiINT type;
    wsnmp_result code = wsnmp_send_check_pdu(pdu, dst->cred.version, &type, &why);
    if (code != WSNMP_OK)
        return wsnmp_error_fail(sslot, code, "%s: %s", fn, why);
    wsnmp_credentials sec;
    memset(&sec, 0, sizeof sec);
    sec.version = dst->cred.version;
    const smiOCTETS *community = ctx ? &ctx->value : &dst->cred.community;
    sec.community = *community; /* borrowed: not freed below */
    unsigned char *bytes;
    size_t len;
    wsnmp_pdu as_sent;
    if (!wsnmp_pdu_data_copy(&as_sent, pdu))
        return wsnmp_error_fail(sslot, SNMPAPI_ALLOC_ERROR, "%s: out of memory", fn);
    code = WSNMP_OK;
    if (type == SNMP_PDU_V1TRAP)
        code = wsnmp_rfc3584_trap_to_v1(&as_sent, &why);
    else if (as_sent.type != type) {
        as_sent.type = type;
        as_sent.error_status = as_sent.error_index = 0;
    }
    if (code == WSNMP_OK)
        code = wsnmp_codec_encode(&sec, &as_sent, NULL, pdu->request_id, &bytes, &len, &why);
    wsnmp_pdu_data_clear(&as_sent);
    if (code != WSNMP_OK)
        return wsnmp_error_fail(sslot, code, "%s: %s", fn, why);
    bool ok = wsnmp_descriptor_octets(msgBufDesc, bytes, (smiUINT32)len);
    free(bytes);
    if (!ok)
        return wsnmp_error_fail(sslot, SNMPAPI_ALLOC_ERROR, "%s: out of memory", fn);
    return (SNMPAPI_STATUS)len;
}

WSNMP_API SNMPAPI_STATUS SnmpDecodeMsg(HSNMP_SESSION session, LPHSNMP_ENTITY srcEntity,
                                       LPHSNMP_ENTITY dstEntity, LPHSNMP_CONTEXT context,
                                       LPHSNMP_PDU PDU, smiLPCOCTETS msgPtr)
{
    const char *fn = "SnmpDecodeMsg";
    uint32_t sslot;
    if (!wsnmp_handle_lookup(session, WSNMP_KIND_SESSION, &sslot, NULL, fn))
        return SNMPAPI_FAILURE;
    if (msgPtr == NULL || (msgPtr->len && msgPtr->ptr == NULL))
        return wsnmp_error_fail(sslot, SNMPAPI_ALLOC_ERROR, "%s: NULL message", fn);
    long whole = wsnmp_ber_message_length(msgPtr->ptr, msgPtr->len);
    if (whole <= 0)
        return wsnmp_error_fail(sslot, SNMPAPI_MESSAGE_INVALID, "%s: %s", fn,
                                whole == 0 ? "the message is truncated" : "not a message");
    wsnmp_decoded d;
    const char *why;
    wsnmp_result code = wsnmp_codec_decode(msgPtr->ptr, (size_t)whole, &d, &why);
    if (code != WSNMP_OK)
        return wsnmp_error_fail(sslot, code, "%s: %s", fn, why);
    /* A message carries no transport addresses: no entities to make. */
    if (srcEntity)
        *srcEntity = 0;
    if (dstEntity)
        *dstEntity = 0;
    wsnmp_credentials sec;
    memset(&sec, 0, sizeof sec);
    sec.version = d.version;
    sec.community = d.community;
    sec.context = d.context_name;
    HSNMP_CONTEXT ctx = 0;
    HSNMP_PDU pdu = 0;
    wsnmp_pdu *p = malloc(sizeof *p);
    bool oom = p == NULL;
    bool ok = !oom && (!context || (ctx = context_for(sslot, &sec, fn)));
    if (ok && PDU) {
        *p = d.pdu;
        memset(&d.pdu, 0, sizeof d.pdu);
        pdu = wsnmp_handle_new(WSNMP_KIND_PDU, sslot, p, fn);
        ok = pdu != 0;
        if (!ok)
            wsnmp_pdu_destroy(p);
    } else {
        free(p);
    }
    wsnmp_decoded_free(&d);
    if (!ok) {
        release(ctx);
        return oom ? wsnmp_error_fail(sslot, SNMPAPI_ALLOC_ERROR, "%s: out of memory", fn)
                   : SNMPAPI_FAILURE;
    }
    if (context)
        *context = ctx;
    if (PDU)
        *PDU = pdu;
    return (SNMPAPI_STATUS)whole;
}
