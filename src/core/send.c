/*
 * send.c — SnmpSendMsg, SnmpCancelMsg and v3 engine discovery.
 *
 * The PDU is validated and encoded here, then handed to io.c.  A request
 * to a v3 agent whose engine is not yet known waits for one discovery probe
 * per agent; when the probe's report names the engine, the waiting
 * requests are encoded with the user's localised keys and sent.
 */
#include "messaging.h"

#include <stdlib.h>
#include <string.h>

/* The security parameters for a send: the entity's, with the context (if
 * given) as community (v1/v2c) or context name (v3). */
static bool security_of(const wsnmp_entity *e, const wsnmp_context *ctx, wsnmp_security *sec)
{
    memset(sec, 0, sizeof *sec);
    sec->version = e->version;
    bool ok;
    if (e->version == WSNMP_VERSION_3) {
        sec->level = e->usm_level;
        sec->auth = e->usm_auth;
        sec->priv = e->usm_priv;
        const smiOCTETS *c = ctx ? &ctx->value : &e->usm_context;
        ok = (sec->user = wsnmp_strdup(e->usm_user)) != NULL &&
             (!e->usm_auth_pass || (sec->auth_pass = wsnmp_strdup(e->usm_auth_pass))) &&
             (!e->usm_priv_pass || (sec->priv_pass = wsnmp_strdup(e->usm_priv_pass))) &&
             wsnmp_octets_copy(&sec->context, c->ptr, c->len);
    } else {
        const smiOCTETS *c = ctx ? &ctx->value : &e->community;
        ok = wsnmp_octets_copy(&sec->community, c->ptr, c->len);
    }
    if (!ok)
        wsnmp_security_free(sec);
    return ok;
}

/* Checks what an agent can be sent, translating GETBULK for v1 agents. */
SNMPAPI_STATUS wsnmp_check_send_pdu(const wsnmp_pdu *p, int version, smiINT *type, const char **why)
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
    return 0;
}

wsnmp_engine *wsnmp_engine_find(wsnmp_io *io, const wsnmp_peer *peer)
{
    for (wsnmp_engine *e = io->engines; e; e = e->next)
        if (wsnmp_peer_equal(&e->peer, &peer->addr, peer->len))
            return e;
    return NULL;
}

static wsnmp_engine *engine_for(wsnmp_io *io, const wsnmp_peer *peer, bool create)
{
    for (wsnmp_engine *e = io->engines; e; e = e->next)
        if (wsnmp_peer_equal(&e->peer, &peer->addr, peer->len))
            return e;
    if (!create)
        return NULL;
    wsnmp_engine *e = calloc(1, sizeof *e);
    if (e == NULL)
        return NULL;
    e->peer = *peer;
    e->next = io->engines;
    io->engines = e;
    return e;
}

/* A fresh id unused by the session's requests in flight. */
static smiINT32 unused_id(wsnmp_io *io)
{
    smiINT32 id;
    do
        id = wsnmp_random_request_id();
    while (wsnmp_pending_find(io, id));
    return id;
}

/* Encodes and sends a request whose destination (v3: and engine) is known. */
static SNMPAPI_STATUS start(wsnmp_session *s, wsnmp_request *r, const smiOCTETS *engine,
                            const char **why)
{
    SNMPAPI_STATUS code;
    if (r->sec.version == WSNMP_VERSION_3 && engine && engine->len &&
        (code = wsnmp_usm_ensure(&r->sec, engine, why)) != 0)
        return code;
    /* A request sent before may come here again when its agent's engine
     * changed: its old packet goes. */
    free(r->packet);
    r->packet = NULL;
    if ((code = wsnmp_encode(&r->sec, r->pdu, engine, r->id, &r->packet, &r->packet_len, why)))
        return code;
    r->state = WSNMP_REQ_SENT;
    if (!wsnmp_transmit(s, r, why))
        return SNMPAPI_TL_UNDELIVERABLE;
    return 0;
}

void wsnmp_engine_ready(wsnmp_session *s, wsnmp_engine *e)
{
    wsnmp_request *w = e->waiting;
    e->waiting = NULL;
    while (w) {
        wsnmp_request *next = w->wait_next;
        w->wait_next = NULL;
        const char *why;
        SNMPAPI_STATUS code = start(s, w, &e->id, &why);
        if (code) {
            wsnmp_pending_remove(s->io, w);
            wsnmp_request_fail(s, w, code, why);
        }
        w = next;
    }
}

static wsnmp_request *new_request_timed(uint32_t sslot, const wsnmp_peer *peer,
                                        smiUINT32 timeout_ms, smiUINT32 attempts)
{
    wsnmp_request *r = calloc(1, sizeof *r);
    if (r == NULL)
        return NULL;
    r->session_slot = sslot;
    r->peer = *peer;
    r->heap_index = SIZE_MAX;
    r->fd = -1;
    r->timeout_ms = timeout_ms;
    r->attempts_left = attempts;
    /* Retransmission OFF applies to what is sent while it is off, even if
     * it is switched on again before the timeout. */
    if (wsnmp_lib.retransmit_mode == SNMPAPI_OFF)
        r->attempts_left = 0;
    return r;
}

static wsnmp_request *new_request(uint32_t sslot, const wsnmp_peer *peer, const wsnmp_entity *e)
{
    return new_request_timed(sslot, peer, e->timeout_ms ? e->timeout_ms : WSNMP_DEFAULT_TIMEOUT_MS,
                             e->retries == WSNMP_DEFAULT ? WSNMP_DEFAULT_RETRIES : e->retries);
}

/* Queues request r (already pending) behind the discovery of engine e and
 * sends the probe if none is out.  On failure r is off e's queue again. */
static bool wait_for_engine(wsnmp_session *s, wsnmp_request *r, wsnmp_engine *e, const char **why)
{
    wsnmp_io *io = s->io;
    r->state = WSNMP_REQ_WAIT_ENGINE;
    r->wait_next = e->waiting;
    e->waiting = r;
    if (e->probe_id != 0)
        return true;
    wsnmp_request *probe =
        new_request_timed(r->session_slot, &r->peer, r->timeout_ms, r->attempts_left);
    wsnmp_pdu *probe_pdu = calloc(1, sizeof *probe_pdu);
    if (probe == NULL || probe_pdu == NULL || !wsnmp_security_copy(&probe->sec, &r->sec)) {
        free(probe_pdu);
        if (probe)
            wsnmp_request_free(probe);
        *why = "out of memory";
        goto failed;
    }
    probe->id = unused_id(io);
    probe->state = WSNMP_REQ_PROBE;
    probe_pdu->type = SNMP_PDU_GET;
    probe_pdu->request_id = probe->id;
    probe->pdu = probe_pdu;
    if (wsnmp_encode(&probe->sec, probe_pdu, NULL, probe->id, &probe->packet, &probe->packet_len,
                     why) != 0 ||
        !wsnmp_pending_add(io, probe)) {
        wsnmp_request_free(probe);
        goto failed;
    }
    e->probe_id = probe->id;
    if (!wsnmp_transmit(s, probe, why)) {
        wsnmp_pending_remove(io, probe);
        wsnmp_request_free(probe);
        e->probe_id = 0;
        goto failed;
    }
    return true;
failed:
    e->waiting = r->wait_next;
    r->wait_next = NULL;
    return false;
}

void wsnmp_engine_changed(wsnmp_session *s, wsnmp_request *r)
{
    wsnmp_engine *e = engine_for(s->io, &r->peer, false);
    if (e == NULL || !e->known || r->state != WSNMP_REQ_SENT)
        return;
    /* Discover again; r goes out with the new engine once it is known.  Its
     * retransmission timer stops meanwhile (the probe has its own). */
    e->known = false;
    wsnmp_timer_clear(r);
    const char *why;
    if (!wait_for_engine(s, r, e, &why)) {
        wsnmp_pending_remove(s->io, r);
        wsnmp_request_fail(s, r, SNMPAPI_TL_UNDELIVERABLE,
                           "SNMPv3: the agent's engine id changed and discovery failed");
    }
}

bool wsnmp_lookup_send_args(HSNMP_SESSION session, HSNMP_ENTITY dst, HSNMP_CONTEXT context,
                            HSNMP_PDU pdu, const char *fn, wsnmp_send_args *a)
{
    memset(a, 0, sizeof *a);
    a->session = wsnmp_lookup(session, WSNMP_KIND_SESSION, &a->slot, NULL, fn);
    if (a->session == NULL)
        return false;
    if ((a->dst = wsnmp_handle_get(dst, WSNMP_KIND_ENTITY, NULL)) == NULL)
        return wsnmp_fail(a->slot, SNMPAPI_ENTITY_INVALID, "%s: invalid destination entity", fn),
               false;
    if (context && (a->ctx = wsnmp_handle_get(context, WSNMP_KIND_CONTEXT, NULL)) == NULL)
        return wsnmp_fail(a->slot, SNMPAPI_CONTEXT_INVALID, "%s: invalid context", fn), false;
    if ((a->pdu = wsnmp_handle_get(pdu, WSNMP_KIND_PDU, NULL)) == NULL)
        return wsnmp_fail(a->slot, SNMPAPI_PDU_INVALID, "%s: invalid PDU", fn), false;
    return true;
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
    SNMPAPI_STATUS code = wsnmp_check_send_pdu(pdu, dst->version, &type, &why);
    if (code)
        return wsnmp_fail(sslot, code, "%s: %s", fn, why);
    if (dst->version == WSNMP_VERSION_3 && !dst->usm_user)
        return wsnmp_fail(sslot, SNMPAPI_ENTITY_INVALID, "%s: a v3 entity needs a user", fn);
    if (wsnmp_pending_total >= wsnmp_lib.limits.pending)
        return wsnmp_fail(sslot, SNMPAPI_ALLOC_ERROR, "%s: limit of %u requests in flight reached",
                          fn, (unsigned)wsnmp_lib.limits.pending);

    wsnmp_peer peer;
    if (dst->resolved) {
        peer.addr = dst->peer_addr;
        peer.len = dst->peer_len;
        peer.transport = dst->address.transport;
    } else {
        if (!wsnmp_peer_resolve(&dst->address, &peer, &why))
            return wsnmp_fail(sslot, SNMPAPI_ENTITY_UNKNOWN, "%s: '%.80s': %s", fn,
                              dst->address.host, why);
        dst->resolved = true;
        dst->peer_addr = peer.addr;
        dst->peer_len = peer.len;
    }
    wsnmp_io *io = wsnmp_io_of(s, true);
    if (io == NULL)
        return wsnmp_fail(sslot, SNMPAPI_ALLOC_ERROR, "%s: out of memory", fn);
    bool wants_reply =
        type != SNMP_PDU_TRAP && type != SNMP_PDU_V1TRAP && type != SNMP_PDU_RESPONSE;
    if (wants_reply && wsnmp_pending_find(io, pdu->request_id))
        return wsnmp_fail(sslot, SNMPAPI_PDU_INVALID,
                          "%s: request id %d is already in flight in this session", fn,
                          (int)pdu->request_id);

    wsnmp_request *r = new_request(sslot, &peer, dst);
    wsnmp_pdu *copy = malloc(sizeof *copy);
    if (r == NULL || copy == NULL || !security_of(dst, ctx, &r->sec)) {
        free(copy);
        if (r)
            wsnmp_request_free(r);
        return wsnmp_fail(sslot, SNMPAPI_ALLOC_ERROR, "%s: out of memory", fn);
    }
    if (!wsnmp_pdu_copy(copy, pdu)) {
        free(copy);
        wsnmp_request_free(r);
        return wsnmp_fail(sslot, SNMPAPI_ALLOC_ERROR, "%s: out of memory", fn);
    }
    r->pdu = copy;
    if (type == SNMP_PDU_RESPONSE) {
        /* The agent role answers through the socket the request came in
         * on: the requester expects the reply from the port it asked. */
        wsnmp_entity *src = srcEntity ? wsnmp_handle_get(srcEntity, WSNMP_KIND_ENTITY, NULL) : NULL;
        wsnmp_listener *l =
            wsnmp_listener_by_id(src && src->listening ? src->listening : dst->reply_via);
        if (l)
            r->fd = l->fd;
    }
    if (type == SNMP_PDU_V1TRAP) {
        /* A v2 trap for a v1 agent becomes a Trap-PDU (RFC 3584 3.2). */
        code = wsnmp_trap_to_v1(copy, &why);
        if (code) {
            wsnmp_request_free(r);
            return wsnmp_fail(sslot, code, "%s: %s", fn, why);
        }
    } else if (copy->type != type) { /* GETBULK sent as GETNEXT */
        copy->type = type;
        copy->error_status = copy->error_index = 0;
    }
    r->id = pdu->request_id;

    if (!wants_reply) {
        /* Notifications without acknowledgement and responses: sent once.
         * The sender of a v3 trap is the authoritative engine: no
         * discovery, keys localised for our own engine id (RFC 3414). */
        unsigned char local_id[64];
        smiOCTETS local = {0, local_id};
        const smiOCTETS *engine = NULL;
        code = 0;
        if (r->sec.version == WSNMP_VERSION_3) {
            local.len = (smiUINT32)wsnmp_local_engine_id(local_id, sizeof local_id);
            engine = &local;
            code = wsnmp_usm_ensure(&r->sec, engine, &why);
        }
        if (code == 0)
            code = wsnmp_encode(&r->sec, r->pdu, engine, r->id, &r->packet, &r->packet_len, &why);
        if (code == 0 && !wsnmp_transmit(s, r, &why))
            code = SNMPAPI_TL_UNDELIVERABLE;
        wsnmp_request_free(r);
        return code ? wsnmp_fail(sslot, code, "%s: %s", fn, why) : SNMPAPI_SUCCESS;
    }

    if (r->sec.version == WSNMP_VERSION_3) {
        wsnmp_engine *e = engine_for(io, &peer, true);
        if (e == NULL) {
            wsnmp_request_free(r);
            return wsnmp_fail(sslot, SNMPAPI_ALLOC_ERROR, "%s: out of memory", fn);
        }
        if (!e->known) {
            if (!wsnmp_pending_add(io, r)) {
                wsnmp_request_free(r);
                return wsnmp_fail(sslot, SNMPAPI_ALLOC_ERROR, "%s: out of memory", fn);
            }
            if (wait_for_engine(s, r, e, &why))
                return SNMPAPI_SUCCESS;
            wsnmp_pending_remove(io, r);
            wsnmp_request_free(r);
            return wsnmp_fail(sslot, SNMPAPI_TL_UNDELIVERABLE,
                              "%s: cannot start SNMPv3 engine discovery", fn);
        }
        code = start(s, r, &e->id, &why);
    } else {
        code = start(s, r, NULL, &why);
    }
    if (code == 0 && !wsnmp_pending_add(io, r)) {
        code = SNMPAPI_ALLOC_ERROR;
        why = "out of memory";
    }
    if (code) {
        wsnmp_request_free(r);
        return wsnmp_fail(sslot, code, "%s: %s", fn, why);
    }
    return SNMPAPI_SUCCESS;
}

WSNMP_API SNMPAPI_STATUS SnmpSendMsg(HSNMP_SESSION session, HSNMP_ENTITY srcEntity,
                                     HSNMP_ENTITY dstEntity, HSNMP_CONTEXT context, HSNMP_PDU PDU)
{
    wsnmp_send_args a;
    if (!wsnmp_lookup_send_args(session, dstEntity, context, PDU, "SnmpSendMsg", &a))
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
    a.session = wsnmp_lookup(session, WSNMP_KIND_SESSION, &a.slot, NULL, fn);
    if (a.session == NULL)
        return SNMPAPI_FAILURE;
    if ((a.dst = wsnmp_handle_get(dstEntity, WSNMP_KIND_ENTITY, NULL)) == NULL)
        return wsnmp_fail(a.slot, SNMPAPI_ENTITY_INVALID, "%s: invalid destination entity", fn);
    if (context && (a.ctx = wsnmp_handle_get(context, WSNMP_KIND_CONTEXT, NULL)) == NULL)
        return wsnmp_fail(a.slot, SNMPAPI_CONTEXT_INVALID, "%s: invalid context", fn);
    if (count > WSNMP_MAX_VARBINDS || (count && (names == NULL || values == NULL)))
        return wsnmp_fail(a.slot, SNMPAPI_SIZE_INVALID, "%s: bad varbind arrays", fn);
    if (type != SNMP_PDU_GET && type != SNMP_PDU_GETNEXT && type != SNMP_PDU_GETBULK &&
        type != SNMP_PDU_SET && type != SNMP_PDU_INFORM && type != SNMP_PDU_TRAP)
        return wsnmp_fail(a.slot, SNMPAPI_PDU_INVALID, "%s: not a request type", fn);
    /* A PDU that borrows the caller's names and values: send_pdu copies it
     * once into the request, with no VBL or PDU handle in between. */
    wsnmp_varbind stack_items[8];
    wsnmp_varbind *items = count <= 8 ? stack_items : malloc(count * sizeof *items);
    if (items == NULL)
        return wsnmp_fail(a.slot, SNMPAPI_ALLOC_ERROR, "%s: out of memory", fn);
    const char *why;
    SNMPAPI_STATUS code = 0;
    for (smiUINT32 i = 0; i < count && code == 0; i++) {
        if (names[i].len == 0)
            code = SNMPAPI_OID_INVALID, why = "empty variable name";
        else if ((code = wsnmp_oid_check(&names[i], &why)) == 0)
            code = wsnmp_value_check(&values[i], &why);
        items[i].name = names[i];
        items[i].value = values[i];
    }
    if (code) {
        if (items != stack_items)
            free(items);
        return wsnmp_fail(a.slot, code, "%s: %s", fn, why);
    }
    wsnmp_pdu pdu;
    memset(&pdu, 0, sizeof pdu);
    pdu.type = type;
    wsnmp_io *io = wsnmp_io_of(a.session, true);
    pdu.request_id = io ? unused_id(io) : wsnmp_random_request_id();
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
    wsnmp_session *s = wsnmp_lookup(session, WSNMP_KIND_SESSION, &sslot, NULL, "SnmpCancelMsg");
    if (s == NULL)
        return SNMPAPI_FAILURE;
    wsnmp_io *io = s->io;
    wsnmp_request *r = io ? wsnmp_pending_find(io, reqId) : NULL;
    wsnmp_message *m = io ? wsnmp_queue_take(io, 1u << WSNMP_MSG_RESPONSE, true, reqId) : NULL;
    if (r == NULL && m == NULL)
        return wsnmp_fail(sslot, SNMPAPI_PDU_INVALID,
                          "SnmpCancelMsg: no request %d in this session", (int)reqId);
    if (m)
        wsnmp_message_free(m); /* never delivered once cancelled */
    if (r && r->state != WSNMP_REQ_PROBE) {
        if (r->state == WSNMP_REQ_WAIT_ENGINE) {
            wsnmp_engine *e = engine_for(io, &r->peer, false);
            for (wsnmp_request **p = e ? &e->waiting : NULL; p && *p; p = &(*p)->wait_next)
                if (*p == r) {
                    *p = r->wait_next;
                    break;
                }
        }
        wsnmp_pending_remove(io, r);
        wsnmp_request_free(r);
    }
    return SNMPAPI_SUCCESS;
}
