/*
 * io.c — sockets, the receive path, retransmission timers and the poll
 * loop.  No hidden threads: everything happens inside WsnmpPoll, called by
 * the application (or its event loop, through WsnmpGetPollFds).
 *
 * A session sends from at most one UDP socket per address family, to any
 * number of agents; a reply is accepted only from the address and port its
 * request went to, with the request's id (v3: message id).
 */
#define _GNU_SOURCE /* recvmmsg */
#include "messaging.h"

#include <errno.h>
#include <netinet/in.h>
#include <poll.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>
#include <unistd.h>

smiUINT32 wsnmp_dropped_total;

/* Sessions that own sockets, for building the poll set. */
static uint32_t *io_sessions;
static size_t io_count, io_capacity;

wsnmp_io *wsnmp_io_of(wsnmp_session *s, bool create)
{
    if (s->io || !create)
        return s->io;
    wsnmp_io *io = calloc(1, sizeof *io);
    if (io == NULL)
        return NULL;
    io->fd4 = io->fd6 = -1;
    io->io_index = SIZE_MAX;
    s->io = io;
    return io;
}

static void io_list_remove(wsnmp_io *io)
{
    if (io->io_index == SIZE_MAX)
        return;
    size_t i = io->io_index;
    io_sessions[i] = io_sessions[--io_count];
    if (i < io_count) {
        wsnmp_session *moved = wsnmp_session_at(io_sessions[i]);
        if (moved && moved->io)
            moved->io->io_index = i;
    }
    io->io_index = SIZE_MAX;
}

void wsnmp_io_destroy(wsnmp_io *io)
{
    if (io == NULL)
        return;
    io_list_remove(io);
    wsnmp_registrations_free(io);
    for (size_t i = 0; i < io->nbuckets; i++)
        for (wsnmp_request *r = io->buckets[i], *next; r; r = next) {
            next = r->hash_next;
            wsnmp_pending_total--;
            wsnmp_request_free(r);
        }
    free(io->buckets);
    for (wsnmp_engine *e = io->engines, *next; e; e = next) {
        next = e->next; /* its waiting requests were in the table above */
        wsnmp_octets_free(&e->id);
        free(e);
    }
    for (wsnmp_message *m = io->queue_head, *next; m; m = next) {
        next = m->next;
        wsnmp_message_free(m);
    }
    wsnmp_tcp_close_all(io);
    if (io->fd4 >= 0)
        close(io->fd4);
    if (io->fd6 >= 0)
        close(io->fd6);
    free(io);
}

static int open_udp(int family, uint32_t session_slot, wsnmp_io *io)
{
    int fd = socket(family, SOCK_DGRAM | SOCK_NONBLOCK | SOCK_CLOEXEC, 0);
    if (fd < 0)
        return -1;
    if (family == AF_INET6) {
        int on = 1;
        setsockopt(fd, IPPROTO_IPV6, IPV6_V6ONLY, &on, sizeof on);
    }
    /* Room for bursts of replies to many requests in flight. */
    int rcvbuf = 4 << 20;
    setsockopt(fd, SOL_SOCKET, SO_RCVBUF, &rcvbuf, sizeof rcvbuf);
    if (!wsnmp_io_join(io, session_slot)) {
        close(fd);
        return -1;
    }
    return fd;
}

static int socket_for(wsnmp_session *s, uint32_t slot, int family)
{
    wsnmp_io *io = s->io;
    int *fd = family == AF_INET6 ? &io->fd6 : &io->fd4;
    if (*fd < 0)
        *fd = open_udp(family, slot, io);
    return *fd;
}

static bool is_tcp(int transport)
{
    return transport == WSNMP_TRANSPORT_TCP || transport == WSNMP_TRANSPORT_TCP6;
}

uint32_t *wsnmp_io_session_slots(size_t *count)
{
    *count = io_count;
    return io_sessions;
}

bool wsnmp_io_join(wsnmp_io *io, uint32_t slot)
{
    if (io->io_index != SIZE_MAX)
        return true;
    if (io_count == io_capacity) {
        size_t cap = io_capacity ? io_capacity * 2 : 16;
        uint32_t *grown = realloc(io_sessions, cap * sizeof *grown);
        if (grown == NULL)
            return false;
        io_sessions = grown;
        io_capacity = cap;
    }
    io->io_index = io_count;
    io_sessions[io_count++] = slot;
    return true;
}

bool wsnmp_transmit(wsnmp_session *s, wsnmp_request *r, const char **why)
{
    if (is_tcp(r->peer.transport)) {
        if (!wsnmp_io_join(s->io, r->session_slot) ||
            !wsnmp_tcp_send(s, &r->peer, r->packet, r->packet_len, why))
            return false;
        r->attempts_left = 0; /* a stream does not lose messages: no resends */
        wsnmp_timer_set(r, wsnmp_now_ms() + r->timeout_ms);
        return true;
    }
    int fd = r->fd >= 0 ? r->fd : socket_for(s, r->session_slot, r->peer.addr.ss_family);
    if (fd < 0) {
        *why = "cannot open a UDP socket";
        return false;
    }
    ssize_t n =
        sendto(fd, r->packet, r->packet_len, 0, (struct sockaddr *)&r->peer.addr, r->peer.len);
    /* A full send buffer or a transient ICMP error is like a lost datagram:
     * the retransmission timer covers it. */
    if (n < 0 && errno != EAGAIN && errno != EWOULDBLOCK && errno != ECONNREFUSED &&
        errno != ENOBUFS && errno != EINTR) {
        *why = errno == ENETUNREACH || errno == EHOSTUNREACH ? "no route to the agent"
               : errno == EMSGSIZE                           ? "the message is too big to send"
                                                             : "cannot send the datagram";
        return false;
    }
    wsnmp_timer_set(r, wsnmp_now_ms() + r->timeout_ms);
    return true;
}

/* ---- events for the session callbacks --------------------------------------- */

typedef struct {
    HSNMP_SESSION session; /* the handle, not the slot: a slot can be reused */
    SNMPAPI_STATUS code;
    smiINT32 request_id;
} event_t;

static event_t *events;
static size_t event_count, event_capacity;

void wsnmp_event(uint32_t session_slot, SNMPAPI_STATUS code, smiINT32 request_id)
{
    if (event_count == event_capacity) {
        size_t cap = event_capacity ? event_capacity * 2 : 64;
        event_t *grown = realloc(events, cap * sizeof *grown);
        if (grown == NULL)
            return; /* the message is queued; only the notification is lost */
        events = grown;
        event_capacity = cap;
    }
    events[event_count++] = (event_t){wsnmp_handle_of_slot(session_slot), code, request_id};
}

void wsnmp_request_fail(wsnmp_session *s, wsnmp_request *r, SNMPAPI_STATUS code, const char *reason)
{
    wsnmp_message *m = calloc(1, sizeof *m);
    if (m) {
        m->error = code;
        snprintf(m->reason, sizeof m->reason, "%s", reason);
        m->request_id = r->id;
        m->source = r->peer;
        m->sec = r->sec; /* moved */
        memset(&r->sec, 0, sizeof r->sec);
        m->pdu = r->pdu;
        r->pdu = NULL;
        wsnmp_queue_push(s->io, m);
    }
    wsnmp_event(r->session_slot, code, r->id);
    wsnmp_request_free(r);
}

/* ---- v3 engine discovery ------------------------------------------------------ */

static void handle_report(wsnmp_session *s, wsnmp_request *r, wsnmp_decoded *d)
{
    wsnmp_io *io = s->io;
    if (r->state == WSNMP_REQ_PROBE) {
        wsnmp_engine *e = io->engines;
        while (e && e->probe_id != r->id)
            e = e->next;
        wsnmp_pending_remove(io, r);
        if (e && d->engine_id.len > 0 && d->engine_id.len <= 32) {
            wsnmp_octets_free(&e->id);
            e->id = d->engine_id;
            memset(&d->engine_id, 0, sizeof d->engine_id);
            e->known = true;
            e->probe_id = 0;
            wsnmp_engine_ready(s, e);
        } else if (e) {
            /* A report without a usable engine id: fail the waiters. */
            e->probe_id = 0;
            for (wsnmp_request *w = e->waiting, *next; w; w = next) {
                next = w->wait_next;
                wsnmp_pending_remove(io, w);
                wsnmp_request_fail(s, w, SNMPAPI_OTHER_ERROR,
                                   "SNMPv3 engine discovery failed: bad engine id");
            }
            e->waiting = NULL;
        }
        wsnmp_request_free(r);
        return;
    }
    const char *reason = NULL;
    switch (d->report) {
    case WSNMP_REPORT_NOT_IN_TIME:
        /* net-snmp has taken the agent's boots and time from the report;
         * encode again and resend, at most twice. */
        if (d->authenticated && r->time_resends < 2) {
            wsnmp_engine *e = io->engines;
            while (e && !wsnmp_peer_equal(&e->peer, &r->peer.addr, r->peer.len))
                e = e->next;
            unsigned char *packet;
            size_t len;
            const char *why;
            if (e && wsnmp_encode(&r->sec, r->pdu, &e->id, r->id, &packet, &len, &why) == 0) {
                free(r->packet);
                r->packet = packet;
                r->packet_len = len;
                r->time_resends++;
                if (wsnmp_transmit(s, r, &why))
                    return;
            }
        }
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
    wsnmp_pending_remove(io, r);
    wsnmp_request_fail(s, r, SNMPAPI_OTHER_ERROR, reason);
}

/* ---- the receive path ------------------------------------------------------------ */

void wsnmp_deliver(wsnmp_session *s, uint32_t slot, const unsigned char *data, size_t len,
                   const struct sockaddr_storage *from, socklen_t fromlen)
{
    wsnmp_decoded d;
    const char *why;
    /* Requests for one v3 user and agent may be in flight with different
     * credentials (a passphrase being changed): net-snmp keeps one key set
     * per user and engine, so install the keys of the request this reply
     * answers before it is authenticated. */
    int32_t msg_id;
    wsnmp_request *v3_request = NULL; /* the request a v3 message says it answers */
    wsnmp_engine *e = NULL;
    if (s->io && wsnmp_v3_msg_id(data, len, &msg_id)) {
        wsnmp_request *r = wsnmp_pending_find(s->io, msg_id);
        if (r == NULL || !wsnmp_peer_equal(&r->peer, from, fromlen)) {
            /* Not from the agent of a request in flight: dropped before
             * net-snmp parses it, which keeps a record of every engine id
             * it sees (found by fuzz/fuzz_lua_values). */
            wsnmp_dropped_total++;
            return;
        }
        e = wsnmp_engine_find(s->io, &r->peer);
        if (e && e->known && r->state == WSNMP_REQ_SENT && r->sec.user &&
            wsnmp_peer_equal(&r->peer, from, fromlen)) {
            wsnmp_usm_ensure(&r->sec, &e->id, &why);
            v3_request = r;
        }
    }
    if (wsnmp_decode(data, len, &d, &why) != 0) {
        wsnmp_dropped_total++;
        /* From the agent's address, for a request in flight, but from an
         * engine we do not know (the agent was replaced or reconfigured): its
         * report cannot be read without that engine's keys, so discover the
         * engine again rather than time out forever.  The message itself is
         * still dropped; a forger can at most cause one extra probe. */
        smiOCTETS engine;
        char user[64];
        if (v3_request && wsnmp_v3_sender(data, len, &engine, user, sizeof user) &&
            (engine.len != e->id.len || memcmp(engine.ptr, e->id.ptr, engine.len) != 0))
            wsnmp_engine_changed(s, v3_request);
        return;
    }
    wsnmp_io *io = s->io;
    /* v3 replies (reports included) are matched on the message id, which we
     * make equal to the request id; v1/v2c on the request id. */
    smiINT32 id = d.version == WSNMP_VERSION_3 ? d.msg_id : d.pdu.request_id;
    wsnmp_request *r = wsnmp_pending_find(io, id);
    bool is_reply = d.pdu.type == SNMP_PDU_RESPONSE || d.pdu.type == 0xA8 /* report */;
    if (r == NULL || !is_reply || r->state == WSNMP_REQ_WAIT_ENGINE ||
        !wsnmp_peer_equal(&r->peer, from, fromlen) || d.version != r->sec.version) {
        /* Late, duplicate, spoofed or unsolicited: never delivered. */
        wsnmp_dropped_total++;
        wsnmp_decoded_free(&d);
        return;
    }
    if (d.version == WSNMP_VERSION_3 && d.pdu.type == 0xA8) {
        handle_report(s, r, &d);
        wsnmp_decoded_free(&d);
        return;
    }
    if (r->state == WSNMP_REQ_PROBE || d.pdu.request_id != r->id ||
        (d.version == WSNMP_VERSION_3 && r->sec.level > WSNMP_LEVEL_NOAUTH_NOPRIV &&
         !d.authenticated)) {
        wsnmp_dropped_total++;
        wsnmp_decoded_free(&d);
        return;
    }
    wsnmp_pending_remove(io, r);
    wsnmp_message *m = calloc(1, sizeof *m);
    wsnmp_pdu *pdu = malloc(sizeof *pdu);
    if (m == NULL || pdu == NULL) {
        free(m);
        free(pdu);
        wsnmp_decoded_free(&d);
        wsnmp_request_fail(s, r, SNMPAPI_ALLOC_ERROR, "out of memory for a reply");
        return;
    }
    *pdu = d.pdu; /* the vbl moves into the message */
    memset(&d.pdu, 0, sizeof d.pdu);
    m->request_id = r->id;
    m->source.addr = *from;
    m->source.len = fromlen;
    m->source.transport = r->peer.transport;
    m->pdu = pdu;
    m->sec = r->sec; /* the reply came with the request's credentials */
    memset(&r->sec, 0, sizeof r->sec);
    if (d.version != WSNMP_VERSION_3) {
        wsnmp_octets_free(&m->sec.community);
        m->sec.community = d.community;
        memset(&d.community, 0, sizeof d.community);
    }
    wsnmp_decoded_free(&d);
    wsnmp_queue_push(io, m);
    wsnmp_event(slot, 0, r->id);
    wsnmp_request_free(r);
    (void)slot;
}

/* Datagrams are read in batches with recvmmsg: under load one system call
 * brings many replies, and a batch that comes back short tells that the
 * socket is empty, which saves the read that would only say EAGAIN. */
#define RECV_BATCH 16
static unsigned char recv_buffers[RECV_BATCH][65536];

static void read_socket(uint32_t slot, int fd)
{
    struct mmsghdr msgs[RECV_BATCH];
    struct iovec iov[RECV_BATCH];
    struct sockaddr_storage from[RECV_BATCH];
    for (int round = 0; round < 256 / RECV_BATCH;
         round++) { /* bounded: timers still run under a flood */
        for (int i = 0; i < RECV_BATCH; i++) {
            iov[i] = (struct iovec){recv_buffers[i], sizeof recv_buffers[i]};
            msgs[i].msg_hdr = (struct msghdr){.msg_name = &from[i],
                                              .msg_namelen = sizeof from[i],
                                              .msg_iov = &iov[i],
                                              .msg_iovlen = 1};
            msgs[i].msg_len = 0;
        }
        int got = recvmmsg(fd, msgs, RECV_BATCH, MSG_DONTWAIT, NULL);
        if (got <= 0)
            return; /* EAGAIN, or an ICMP error for an earlier send */
        for (int i = 0; i < got; i++) {
            /* Look the session up each time: nothing here closes it (callbacks
             * run later), but it costs nothing to be safe. */
            wsnmp_session *s = wsnmp_session_at(slot);
            if (s == NULL || s->io == NULL)
                return;
            wsnmp_deliver(s, slot, recv_buffers[i], msgs[i].msg_len, &from[i],
                          msgs[i].msg_hdr.msg_namelen);
        }
        if (got < RECV_BATCH)
            return; /* the socket is empty */
    }
}

/* Runs expired timers: retransmit, or fail with SNMPAPI_TL_TIMEOUT. */
static void run_timers(uint64_t now)
{
    wsnmp_request *r;
    while ((r = wsnmp_timer_next()) != NULL && r->deadline <= now) {
        wsnmp_session *s = wsnmp_session_at(r->session_slot);
        wsnmp_timer_clear(r);
        if (s == NULL || s->io == NULL)
            continue; /* cannot happen: closing a session frees its requests */
        const char *why;
        if (r->attempts_left > 0 && wsnmp_lib.retransmit_mode == SNMPAPI_ON) {
            r->attempts_left--;
            if (wsnmp_transmit(s, r, &why))
                continue;
        }
        wsnmp_pending_remove(s->io, r);
        if (r->state == WSNMP_REQ_PROBE) {
            wsnmp_engine *e = s->io->engines;
            while (e && e->probe_id != r->id)
                e = e->next;
            if (e) {
                e->probe_id = 0;
                for (wsnmp_request *w = e->waiting, *next; w; w = next) {
                    next = w->wait_next;
                    wsnmp_pending_remove(s->io, w);
                    wsnmp_request_fail(s, w, SNMPAPI_TL_TIMEOUT,
                                       "no response from the agent (SNMPv3 engine discovery)");
                }
                e->waiting = NULL;
            }
            wsnmp_request_free(r);
            continue;
        }
        wsnmp_request_fail(s, r, SNMPAPI_TL_TIMEOUT, "no response from the agent");
    }
}

/* Gives the collected events to the session callbacks.  A callback may
 * close any session, its own included; a callback that does not return
 * SNMPAPI_SUCCESS closes its session, as in WinSNMP. */
static size_t dispatch_events(void)
{
    size_t handled = 0;
    for (size_t i = 0; i < event_count; i++) {
        event_t ev = events[i];
        HSNMP_SESSION h = ev.session;
        wsnmp_session *s = wsnmp_handle_get(h, WSNMP_KIND_SESSION, NULL);
        if (s == NULL)
            continue; /* closed since: its events go nowhere */
        handled++;
        if (s->callback == NULL)
            continue;
        SNMPAPI_STATUS rc = s->callback(h, NULL, 0, ev.code, ev.request_id, s->client_data);
        if (rc != SNMPAPI_SUCCESS && WsnmpHandleKind(h) == WSNMP_KIND_SESSION)
            SnmpClose(h);
    }
    event_count = 0;
    return handled;
}

static int dispatching;

/* The poll set, rebuilt on each WsnmpPoll; kept to avoid reallocating. */
static struct pollfd *poll_set;
static uint32_t *poll_slots;
static size_t poll_capacity;

WSNMP_API SNMPAPI_STATUS WsnmpPoll(smiINT32 timeout_ms, smiUINT32 *handled)
{
    if (!wsnmp_require_started("WsnmpPoll"))
        return SNMPAPI_FAILURE;
    if (dispatching)
        return wsnmp_fail(WSNMP_NO_SLOT, SNMPAPI_OPERATION_INVALID,
                          "WsnmpPoll: called from inside a session callback");
    uint64_t now = wsnmp_now_ms();
    run_timers(now);

    int wait = timeout_ms < 0 ? -1 : timeout_ms;
    if (event_count)
        wait = 0;
    wsnmp_request *next = wsnmp_timer_next();
    if (next) {
        uint64_t until = next->deadline > now ? next->deadline - now : 0;
        if (wait < 0 || until < (uint64_t)wait)
            wait = (int)until;
    }

    size_t wanted = io_count * 2;
    for (wsnmp_listener *l = wsnmp_listeners(); l; l = l->next)
        wanted++;
    for (size_t i = 0; i < io_count; i++) {
        wsnmp_session *s = wsnmp_session_at(io_sessions[i]);
        if (s && s->io)
            wanted += wsnmp_tcp_pollfds(s->io, NULL, 0);
    }
    if (wanted > poll_capacity) {
        size_t cap = wanted + 16;
        struct pollfd *f = realloc(poll_set, cap * sizeof *f);
        if (f)
            poll_set = f;
        uint32_t *sl = realloc(poll_slots, cap * sizeof *sl);
        if (sl)
            poll_slots = sl;
        if (f == NULL || sl == NULL)
            return wsnmp_fail(WSNMP_NO_SLOT, SNMPAPI_ALLOC_ERROR, "WsnmpPoll: out of memory");
        poll_capacity = cap;
    }
    size_t nfds = 0;
    for (size_t i = 0; i < io_count; i++) {
        wsnmp_session *s = wsnmp_session_at(io_sessions[i]);
        if (s == NULL || s->io == NULL)
            continue;
        const int both[2] = {s->io->fd4, s->io->fd6};
        for (int k = 0; k < 2; k++)
            if (both[k] >= 0) {
                poll_set[nfds] = (struct pollfd){.fd = both[k], .events = POLLIN};
                poll_slots[nfds++] = io_sessions[i];
            }
        size_t tcp = wsnmp_tcp_pollfds(s->io, poll_set + nfds, poll_capacity - nfds);
        for (size_t k = 0; k < tcp; k++)
            poll_slots[nfds + k] = io_sessions[i] | 0x80000000u; /* mark: a stream */
        nfds += tcp;
    }
    for (wsnmp_listener *l = wsnmp_listeners(); l; l = l->next) {
        poll_set[nfds] = (struct pollfd){.fd = l->fd, .events = POLLIN};
        poll_slots[nfds++] = l->id | 0x40000000u; /* mark: a listener */
    }
    if (nfds == 0 && next == NULL && wait < 0)
        wait = 0; /* nothing could ever wake us */
    int ready = poll(poll_set, nfds, wait);
    if (ready > 0)
        for (size_t i = 0; i < nfds; i++) {
            if (!(poll_set[i].revents & (POLLIN | POLLOUT | POLLERR | POLLHUP)))
                continue;
            if ((poll_slots[i] & 0xC0000000u) == 0x40000000u) {
                wsnmp_listener *l = wsnmp_listener_by_id(poll_slots[i] & 0x3FFFFFFFu);
                if (l && (poll_set[i].revents & (POLLIN | POLLERR)))
                    wsnmp_listener_ready(l);
            } else if (poll_slots[i] & 0x80000000u) {
                uint32_t slot = poll_slots[i] & 0x7FFFFFFFu;
                wsnmp_session *s = wsnmp_session_at(slot);
                if (s && s->io)
                    wsnmp_tcp_ready(s, slot, poll_set[i].fd, poll_set[i].revents);
            } else if (poll_set[i].revents & (POLLIN | POLLERR)) {
                read_socket(poll_slots[i], poll_set[i].fd);
            }
        }
    run_timers(wsnmp_now_ms());

    dispatching = 1;
    size_t n = dispatch_events();
    dispatching = 0;
    if (handled)
        *handled = (smiUINT32)n;
    return SNMPAPI_SUCCESS;
}

WSNMP_API SNMPAPI_STATUS WsnmpGetPollFds(int *fds, smiUINT32 capacity, smiUINT32 *count,
                                         smiINT32 *timeout_ms)
{
    if (!wsnmp_require_started("WsnmpGetPollFds"))
        return SNMPAPI_FAILURE;
    smiUINT32 n = 0;
    bool writing = false;
    for (size_t i = 0; i < io_count; i++) {
        wsnmp_session *s = wsnmp_session_at(io_sessions[i]);
        if (s == NULL || s->io == NULL)
            continue;
        writing = writing || wsnmp_tcp_wants_write(s->io);
        const int both[2] = {s->io->fd4, s->io->fd6};
        for (int k = 0; k < 2; k++)
            if (both[k] >= 0) {
                if (fds && n < capacity)
                    fds[n] = both[k];
                n++;
            }
        struct pollfd tcp[64];
        size_t t = wsnmp_tcp_pollfds(s->io, tcp, 64);
        for (size_t k = 0; k < t && k < 64; k++) {
            if (fds && n < capacity)
                fds[n] = tcp[k].fd;
            n++;
        }
    }
    for (wsnmp_listener *l = wsnmp_listeners(); l; l = l->next) {
        if (fds && n < capacity)
            fds[n] = l->fd;
        n++;
    }
    if (count)
        *count = n;
    if (timeout_ms) {
        wsnmp_request *next = wsnmp_timer_next();
        uint64_t now = wsnmp_now_ms();
        *timeout_ms = event_count ? 0
                      : next      ? (smiINT32)(next->deadline > now ? next->deadline - now : 0)
                                  : -1;
        /* Descriptors are offered for reading only: while a TCP connection
         * is being made or has output queued, ask to be polled soon. */
        if (writing && (*timeout_ms < 0 || *timeout_ms > 10))
            *timeout_ms = 10;
    }
    if (fds && n > capacity)
        return wsnmp_fail(WSNMP_NO_SLOT, SNMPAPI_OUTPUT_TRUNCATED,
                          "WsnmpGetPollFds: %u descriptors, room for %u", (unsigned)n,
                          (unsigned)capacity);
    return SNMPAPI_SUCCESS;
}

void wsnmp_io_release(void)
{
    free(poll_set);
    free(poll_slots);
    poll_set = NULL;
    poll_slots = NULL;
    poll_capacity = 0;
    free(io_sessions);
    free(events);
    io_sessions = NULL;
    events = NULL;
    io_count = io_capacity = event_count = event_capacity = 0;
}
