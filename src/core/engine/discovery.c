/*
 * discovery.c — SNMPv3 engine discovery as a manager (RFC 3414 4): every
 * engine a session knows, by agent address; one probe per agent whose
 * engine is unknown, with the requests for it waiting behind; the reports
 * that answer probes or tell of a time-window or engine change.
 */
#include "engine.h"

#include <stdlib.h>
#include <string.h>

wsnmp_engine *wsnmp_discovery_find(wsnmp_io *io, const wsnmp_peer *peer)
{
    for (wsnmp_engine *e = io->engines; e; e = e->next)
        if (wsnmp_peer_equal(&e->peer, &peer->addr, peer->len))
            return e;
    return NULL;
}

static wsnmp_engine *find_or_add(wsnmp_io *io, const wsnmp_peer *peer)
{
    wsnmp_engine *e = wsnmp_discovery_find(io, peer);
    if (e != NULL)
        return e;
    e = calloc(1, sizeof *e);
    if (e == NULL)
        return NULL;
    e->peer = *peer;
    e->next = io->engines;
    io->engines = e;
    return e;
}

static wsnmp_engine *by_probe(wsnmp_io *io, smiINT32 probe_id)
{
    for (wsnmp_engine *e = io->engines; e; e = e->next)
        if (e->probe_id == probe_id)
            return e;
    return NULL;
}

/* Fails every request waiting for e. */
static void fail_waiters(wsnmp_session *s, wsnmp_engine *e, SNMPAPI_STATUS code, const char *reason)
{
    e->probe_id = 0;
    for (wsnmp_request *w = e->waiting, *next; w; w = next) {
        next = w->wait_next;
        wsnmp_pending_remove(s->io, w);
        wsnmp_request_fail(s, w, code, reason);
    }
    e->waiting = NULL;
}

/* e's engine id is known: the waiting requests go out. */
static void engine_ready(wsnmp_session *s, wsnmp_engine *e)
{
    wsnmp_request *w = e->waiting;
    e->waiting = NULL;
    while (w) {
        wsnmp_request *next = w->wait_next;
        w->wait_next = NULL;
        const char *why;
        wsnmp_result code = wsnmp_request_start(s, w, &e->id, &why);
        if (code != WSNMP_OK) {
            wsnmp_pending_remove(s->io, w);
            wsnmp_request_fail(s, w, code, why);
        }
        w = next;
    }
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
        wsnmp_request_new(r->session_slot, &r->peer, r->timeout_ms, r->attempts_left);
    wsnmp_pdu *probe_pdu = calloc(1, sizeof *probe_pdu);
    if (probe == NULL || probe_pdu == NULL || !wsnmp_credentials_copy(&probe->sec, &r->sec)) {
        free(probe_pdu);
        if (probe)
            wsnmp_request_free(probe);
        *why = "out of memory";
        goto failed;
    }
    probe->id = wsnmp_pending_unused_id(io);
    probe->state = WSNMP_REQ_PROBE;
    probe_pdu->type = SNMP_PDU_GET;
    probe_pdu->request_id = probe->id;
    probe->pdu = probe_pdu;
    if (wsnmp_codec_encode(&probe->sec, probe_pdu, NULL, probe->id, &probe->packet,
                           &probe->packet_len, why) != WSNMP_OK ||
        !wsnmp_pending_add(io, probe)) {
        wsnmp_request_free(probe);
        goto failed;
    }
    e->probe_id = probe->id;
    if (!wsnmp_io_transmit(s, probe, why)) {
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

wsnmp_result wsnmp_discovery_send(wsnmp_session *s, wsnmp_request *r, const char **why)
{
    wsnmp_io *io = s->io;
    wsnmp_engine *e = find_or_add(io, &r->peer);
    if (e == NULL) {
        *why = "out of memory";
        return SNMPAPI_ALLOC_ERROR;
    }
    if (e->known) {
        wsnmp_result code = wsnmp_request_start(s, r, &e->id, why);
        if (code == WSNMP_OK && !wsnmp_pending_add(io, r)) {
            *why = "out of memory";
            return SNMPAPI_ALLOC_ERROR;
        }
        return code;
    }
    if (!wsnmp_pending_add(io, r)) {
        *why = "out of memory";
        return SNMPAPI_ALLOC_ERROR;
    }
    if (wait_for_engine(s, r, e, why))
        return WSNMP_OK;
    wsnmp_pending_remove(io, r);
    *why = "cannot start SNMPv3 engine discovery";
    return SNMPAPI_TL_UNDELIVERABLE;
}

/* The agent of request r (sent, v3) answered from another engine than the
 * one discovered: discover again and resend r once it is known. */
static void rediscover(wsnmp_session *s, wsnmp_request *r)
{
    wsnmp_engine *e = wsnmp_discovery_find(s->io, &r->peer);
    if (e == NULL || !e->known || r->state != WSNMP_REQ_SENT)
        return;
    /* r's retransmission timer stops meanwhile (the probe has its own). */
    e->known = false;
    wsnmp_pending_timer_clear(r);
    const char *why;
    if (!wait_for_engine(s, r, e, &why)) {
        wsnmp_pending_remove(s->io, r);
        wsnmp_request_fail(s, r, SNMPAPI_TL_UNDELIVERABLE,
                           "SNMPv3: the agent's engine id changed and discovery failed");
    }
}

bool wsnmp_discovery_prepare_reply(wsnmp_session *s, const unsigned char *data, size_t len,
                                   const struct sockaddr_storage *from, socklen_t fromlen,
                                   wsnmp_request **request)
{
    *request = NULL;
    int32_t msg_id;
    if (s->io == NULL || !wsnmp_ber_v3_msg_id(data, len, &msg_id))
        return true; /* not v3: nothing to prepare */
    wsnmp_request *r = wsnmp_pending_find(s->io, msg_id);
    /* (an any_source request's reply from elsewhere must still authenticate) */
    if (r == NULL || (!wsnmp_peer_equal(&r->peer, from, fromlen) &&
                      !(r->any_source && r->sec.level > WSNMP_LEVEL_NOAUTH_NOPRIV)))
        return false;
    /* Requests for one v3 user and agent may be in flight with different
     * credentials (a passphrase being changed): net-snmp keeps one key set
     * per user and engine, so install the keys of the request this reply
     * answers before it is authenticated. */
    wsnmp_engine *e = wsnmp_discovery_find(s->io, &r->peer);
    const char *why;
    if (e && e->known && r->state == WSNMP_REQ_SENT && r->sec.user) {
        wsnmp_usm_ensure(&r->sec, &e->id, &why);
        *request = r;
    }
    return true;
}

void wsnmp_discovery_unreadable(wsnmp_session *s, wsnmp_request *request, const unsigned char *data,
                                size_t len)
{
    /* From the agent's address, for a request in flight, but from an engine
     * we do not know (the agent was replaced or reconfigured): its report
     * cannot be read without that engine's keys, so discover the engine
     * again rather than time out forever.  A forger can at most cause one
     * extra probe. */
    wsnmp_engine *e = request ? wsnmp_discovery_find(s->io, &request->peer) : NULL;
    smiOCTETS engine;
    char user[64];
    if (e && wsnmp_ber_v3_sender(data, len, &engine, user, sizeof user) &&
        (engine.len != e->id.len || memcmp(engine.ptr, e->id.ptr, engine.len) != 0))
        rediscover(s, request);
}

/* The answer to a probe: the engine id, or the waiters fail. */
static void probe_answered(wsnmp_session *s, wsnmp_request *r, wsnmp_decoded *d)
{
    wsnmp_io *io = s->io;
    wsnmp_engine *e = by_probe(io, r->id);
    wsnmp_pending_remove(io, r);
    if (e && d->engine_id.len > 0 && d->engine_id.len <= 32) {
        wsnmp_octets_free(&e->id);
        e->id = d->engine_id;
        memset(&d->engine_id, 0, sizeof d->engine_id);
        e->known = true;
        e->probe_id = 0;
        engine_ready(s, e);
    } else if (e) {
        fail_waiters(s, e, SNMPAPI_OTHER_ERROR, "SNMPv3 engine discovery failed: bad engine id");
    }
    wsnmp_request_free(r);
}

/* notInTimeWindow: net-snmp has taken the agent's boots and time from the
 * (authenticated) report; encode again and resend, at most twice. */
static bool resend_in_time(wsnmp_session *s, wsnmp_request *r, const wsnmp_decoded *d)
{
    if (!d->authenticated || r->time_resends >= 2)
        return false;
    wsnmp_engine *e = wsnmp_discovery_find(s->io, &r->peer);
    unsigned char *packet;
    size_t len;
    const char *why;
    if (e == NULL ||
        wsnmp_codec_encode(&r->sec, r->pdu, &e->id, r->id, &packet, &len, &why) != WSNMP_OK)
        return false;
    free(r->packet);
    r->packet = packet;
    r->packet_len = len;
    r->time_resends++;
    return wsnmp_io_transmit(s, r, &why);
}

void wsnmp_discovery_report(wsnmp_session *s, wsnmp_request *r, wsnmp_decoded *d)
{
    if (r->state == WSNMP_REQ_PROBE) {
        probe_answered(s, r, d);
        return;
    }
    const char *reason;
    switch (d->report) {
    case WSNMP_REPORT_NOT_IN_TIME:
        if (resend_in_time(s, r, d))
            return;
        reason = "SNMPv3: not in the agent's time window";
        break;
    case WSNMP_REPORT_UNKNOWN_USER:
        reason = "SNMPv3: the agent does not know this user";
        break;
    case WSNMP_REPORT_WRONG_DIGEST:
        reason = "SNMPv3: authentication failed (wrong passphrase or protocol)";
        break;
    case WSNMP_REPORT_DECRYPTION:
        reason = "SNMPv3: the agent could not decrypt (wrong privacy passphrase or protocol)";
        break;
    case WSNMP_REPORT_UNSUPPORTED_LEVEL:
        reason = "SNMPv3: security level not supported for this user";
        break;
    case WSNMP_REPORT_UNKNOWN_ENGINE:
        reason = "SNMPv3: the agent's engine id changed";
        break;
    default:
        reason = "SNMPv3: the agent sent a report";
        break;
    }
    wsnmp_pending_remove(s->io, r);
    wsnmp_request_fail(s, r, SNMPAPI_OTHER_ERROR, reason);
}

void wsnmp_discovery_probe_timeout(wsnmp_session *s, wsnmp_request *r)
{
    wsnmp_engine *e = by_probe(s->io, r->id);
    if (e)
        fail_waiters(s, e, SNMPAPI_TL_TIMEOUT,
                     "no response from the agent (SNMPv3 engine discovery)");
    wsnmp_request_free(r);
}

void wsnmp_discovery_cancel(wsnmp_io *io, wsnmp_request *r)
{
    wsnmp_engine *e = wsnmp_discovery_find(io, &r->peer);
    for (wsnmp_request **p = e ? &e->waiting : NULL; p && *p; p = &(*p)->wait_next)
        if (*p == r) {
            *p = r->wait_next;
            break;
        }
}

void wsnmp_discovery_free_all(wsnmp_io *io)
{
    for (wsnmp_engine *e = io->engines, *next; e; e = next) {
        next = e->next; /* its waiting requests are in the pending table */
        wsnmp_octets_free(&e->id);
        free(e);
    }
    io->engines = NULL;
}
