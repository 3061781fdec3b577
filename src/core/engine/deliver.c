/*
 * deliver.c — the receive path of a session's socket: a datagram is
 * decoded and matched to the request it answers, and becomes a queued
 * reply.  A reply is accepted only from the address and port its request
 * went to (or, for an any_source entity, with its community or USM user),
 * with the request's id (v3: message id); anything else is dropped and
 * counted.
 */
#include "engine.h"

#include <stdlib.h>
#include <string.h>

smiUINT32 wsnmp_deliver_dropped_total;

/* A reply from another address than its request's is accepted only for an
 * entity that opted in (any_source: a multi-homed agent), and then still
 * only with the request's community; a v3 one must authenticate as the
 * request's user (checked below), so noAuthNoPriv never qualifies. */
static bool other_source_ok(const wsnmp_request *r, const wsnmp_decoded *d)
{
    if (!r->any_source)
        return false;
    if (d->version == WSNMP_VERSION_3)
        return r->sec.level > WSNMP_LEVEL_NOAUTH_NOPRIV;
    static const smiBYTE public_community[] = "public"; /* an empty one means "public" */
    smiOCTETS want = wsnmp_request_community(r);
    if (want.len == 0)
        want = (smiOCTETS){6, (smiBYTE *)public_community};
    return d->community.len == want.len && memcmp(d->community.ptr, want.ptr, want.len) == 0;
}

void wsnmp_deliver(wsnmp_session *s, uint32_t slot, const unsigned char *data, size_t len,
                   const struct sockaddr_storage *from, socklen_t fromlen)
{
    wsnmp_decoded d;
    const char *why;
    wsnmp_request *v3_request; /* the request a v3 message says it answers */
    if (!wsnmp_discovery_prepare_reply(s, data, len, from, fromlen, &v3_request)) {
        /* Not from the agent of a request in flight: dropped before
         * net-snmp parses it, which keeps a record of every engine id it
         * sees (found by fuzz/fuzz_lua_values). */
        wsnmp_deliver_dropped_total++;
        return;
    }
    if (wsnmp_codec_decode(data, len, &d, &why) != WSNMP_OK) {
        wsnmp_deliver_dropped_total++;
        if (v3_request)
            wsnmp_discovery_unreadable(s, v3_request, data, len);
        return;
    }
    wsnmp_io *io = s->io;
    /* v3 replies (reports included) are matched on the message id, which we
     * make equal to the request id; v1/v2c on the request id. */
    smiINT32 id = d.version == WSNMP_VERSION_3 ? d.msg_id : d.pdu.request_id;
    wsnmp_request *r = wsnmp_pending_find(io, id);
    bool is_reply = d.pdu.type == SNMP_PDU_RESPONSE || d.pdu.type == 0xA8 /* report */;
    if (r == NULL || !is_reply || r->state == WSNMP_REQ_WAIT_ENGINE ||
        d.version != r->sec.version ||
        (!wsnmp_peer_equal(&r->peer, from, fromlen) && !other_source_ok(r, &d))) {
        /* Late, duplicate, spoofed or unsolicited: never delivered. */
        wsnmp_deliver_dropped_total++;
        wsnmp_decoded_free(&d);
        return;
    }
    if (d.version == WSNMP_VERSION_3 && d.pdu.type == 0xA8) {
        wsnmp_discovery_report(s, r, &d);
        wsnmp_decoded_free(&d);
        return;
    }
    if (r->state == WSNMP_REQ_PROBE || d.pdu.request_id != r->id ||
        (d.version == WSNMP_VERSION_3 && r->sec.level > WSNMP_LEVEL_NOAUTH_NOPRIV &&
         !d.authenticated)) {
        wsnmp_deliver_dropped_total++;
        wsnmp_decoded_free(&d);
        return;
    }
    wsnmp_request_note_reply(r, d.pdu.error_status);
    wsnmp_pending_remove(io, r);
    wsnmp_message *m = wsnmp_queue_message_new();
    if (m == NULL) {
        wsnmp_decoded_free(&d);
        wsnmp_request_fail(s, r, SNMPAPI_ALLOC_ERROR, "out of memory for a reply");
        return;
    }
    m->reply_pdu = d.pdu; /* the vbl moves into the message */
    memset(&d.pdu, 0, sizeof d.pdu);
    m->request_id = r->id;
    m->source.addr = *from;
    m->source.len = fromlen;
    m->source.transport = r->peer.transport;
    m->pdu = &m->reply_pdu;
    m->req_dst = r->entity;
    m->req_src = r->src_entity;
    m->req_context = r->context;
    m->sec = r->sec; /* the reply came with the request's credentials */
    memset(&r->sec, 0, sizeof r->sec);
    if (d.version != WSNMP_VERSION_3) {
        wsnmp_octets_free_secret(&m->sec.community); /* (none: see send_pdu) */
        m->sec.community = d.community;
        memset(&d.community, 0, sizeof d.community);
    }
    wsnmp_decoded_free(&d);
    wsnmp_queue_push(io, m);
    wsnmp_poll_event(slot, 0, r->id);
    wsnmp_request_free(r);
}
