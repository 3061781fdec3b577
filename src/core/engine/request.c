/*
 * request.c — one request in flight: creation with its retransmission
 * policy, encoding and first send, failure (queued for the application
 * with the PDU that was sent), and release.
 */
#include "engine.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

/* Requests freed lately, for the next ones (one per request sent). */
static wsnmp_recycler spare_requests;

wsnmp_request *wsnmp_request_new(uint32_t session_slot, const wsnmp_peer *peer,
                                 smiUINT32 timeout_ms, smiUINT32 attempts)
{
    wsnmp_request *r = wsnmp_recycle_take(&spare_requests, sizeof *r);
    if (r == NULL)
        return NULL;
    r->session_slot = session_slot;
    r->peer = *peer;
    r->heap_index = SIZE_MAX;
    r->fd = -1;
    r->backoff = 1.0;
    r->timeout_ms = timeout_ms;
    r->attempts_left = attempts;
    /* Retransmission OFF applies to what is sent while it is off, even if
     * it is switched on again before the timeout. */
    if (wsnmp_library.retransmit_mode == SNMPAPI_OFF)
        r->attempts_left = 0;
    return r;
}

wsnmp_entity *wsnmp_request_entity(const wsnmp_request *r)
{
    return r->counted ? wsnmp_handle_get(r->entity, WSNMP_KIND_ENTITY, NULL) : NULL;
}

void wsnmp_request_note_reply(const wsnmp_request *r, smiINT error_status)
{
    wsnmp_entity *e = wsnmp_request_entity(r);
    if (e == NULL)
        return;
    uint64_t now = wsnmp_clock_now_ms();
    uint64_t rtt = now > r->sent_ms ? now - r->sent_ms : 0;
    e->stats.responses++;
    e->stats.rtt_count++;
    e->stats.rtt_sum_ms += rtt;
    if (rtt > e->stats.rtt_max_ms)
        e->stats.rtt_max_ms = rtt;
    if (error_status == SNMP_ERROR_TOOBIG)
        e->stats.too_big++;
}

void wsnmp_request_free(wsnmp_request *r)
{
    wsnmp_entity *e = wsnmp_request_entity(r);
    if (e && e->stats.in_flight > 0)
        e->stats.in_flight--;
    wsnmp_pending_timer_clear(r);
    wsnmp_credentials_clear(&r->sec);
    if (r->pdu)
        wsnmp_pdu_destroy(r->pdu);
    free(r->packet);
    wsnmp_recycle(&spare_requests, r);
}

void wsnmp_request_release_spares(void)
{
    wsnmp_recycle_release(&spare_requests);
}

wsnmp_result wsnmp_request_start(wsnmp_session *s, wsnmp_request *r, const smiOCTETS *engine,
                                 const char **why)
{
    wsnmp_result code;
    if (r->sec.version == WSNMP_VERSION_3 && engine && engine->len &&
        (code = wsnmp_usm_ensure(&r->sec, engine, why)) != WSNMP_OK)
        return code;
    /* A request sent before may come here again when its agent's engine
     * changed: its old packet goes. */
    free(r->packet);
    r->packet = NULL;
    code = wsnmp_codec_encode(&r->sec, r->pdu, engine, r->id, &r->packet, &r->packet_len, why);
    if (code != WSNMP_OK)
        return code;
    r->state = WSNMP_REQ_SENT;
    if (!wsnmp_io_transmit(s, r, why))
        return SNMPAPI_TL_UNDELIVERABLE;
    return WSNMP_OK;
}

smiOCTETS wsnmp_request_community(const wsnmp_request *r)
{
    smiOCTETS c = r->sec.community;
    if (c.len == 0 && r->sec.version != WSNMP_VERSION_3 && r->packet &&
        !wsnmp_ber_community(r->packet, r->packet_len, &c))
        c = (smiOCTETS){0, NULL};
    return c;
}

/* The PDU a v1/v2c request was sent with, decoded from its bytes (it keeps
 * no copy: see send_pdu); NULL if there are none or memory runs out. */
static wsnmp_pdu *pdu_from_packet(const wsnmp_request *r)
{
    wsnmp_decoded d;
    const char *why;
    wsnmp_pdu *pdu = r->packet ? malloc(sizeof *pdu) : NULL;
    if (pdu == NULL)
        return NULL;
    if (wsnmp_codec_decode(r->packet, r->packet_len, &d, &why) != WSNMP_OK) {
        free(pdu);
        return NULL;
    }
    *pdu = d.pdu; /* moved */
    memset(&d.pdu, 0, sizeof d.pdu);
    wsnmp_decoded_free(&d);
    return pdu;
}

void wsnmp_request_fail(wsnmp_session *s, wsnmp_request *r, SNMPAPI_STATUS code, const char *reason)
{
    wsnmp_message *m = calloc(1, sizeof *m);
    if (m) {
        m->error = code;
        snprintf(m->reason, sizeof m->reason, "%s", reason);
        m->request_id = r->id;
        m->source = r->peer;
        smiOCTETS community = wsnmp_request_community(r); /* (in r->packet) */
        m->sec = r->sec;                                  /* moved */
        memset(&r->sec, 0, sizeof r->sec);
        if (m->sec.version != WSNMP_VERSION_3 && m->sec.community.len == 0 &&
            !wsnmp_secure_octets_copy(&m->sec.community, community.ptr, community.len))
            m->sec.community = (smiOCTETS){0, NULL}; /* out of memory: "public" */
        m->pdu = r->pdu ? r->pdu : pdu_from_packet(r);
        r->pdu = NULL;
        m->req_dst = r->entity;
        m->req_src = r->src_entity;
        m->req_context = r->context;
        wsnmp_queue_push(s->io, m);
    }
    wsnmp_poll_event(r->session_slot, code, r->id);
    wsnmp_request_free(r);
}
