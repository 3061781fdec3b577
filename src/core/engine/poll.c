/*
 * poll.c — the poll loop.  No hidden threads: everything happens inside
 * WsnmpPoll, called by the application (or its event loop, through
 * WsnmpGetPollFds): reading sockets, retransmission timers, and then the
 * session callbacks, once the I/O work is done.
 */
#define _GNU_SOURCE /* recvmmsg */
#include "engine.h"

#include <poll.h>
#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>

/* ---- events for the session callbacks --------------------------------------- */

typedef struct {
    HSNMP_SESSION session; /* the handle, not the slot: a slot can be reused */
    SNMPAPI_STATUS code;
    smiINT32 request_id;
} event_t;

static event_t *events;
static size_t event_count, event_capacity;

void wsnmp_poll_event(uint32_t session_slot, SNMPAPI_STATUS code, smiINT32 request_id)
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

/* Datagrams are read in batches with recvmmsg: under load one system call
 * brings many replies, and a batch that comes back short tells that the
 * socket is empty, which saves the read that would only say EAGAIN. */
#define RECV_BATCH 16
static unsigned char recv_buffers[RECV_BATCH][65536];

/* The headers of a batch, made once: like recv_buffers they are the
 * engine's (its lock), and setting up 16 of them on every read was a few
 * hundred instructions of every blocking GET.  recvmmsg writes only each
 * message's length and address length, put back after use. */
static struct mmsghdr recv_msgs[RECV_BATCH];
static struct iovec recv_iov[RECV_BATCH];
static struct sockaddr_storage recv_from[RECV_BATCH];

static void prepare_batch(void)
{
    if (recv_msgs[0].msg_hdr.msg_iov != NULL)
        return;
    for (int i = 0; i < RECV_BATCH; i++) {
        recv_iov[i] = (struct iovec){recv_buffers[i], sizeof recv_buffers[i]};
        recv_msgs[i].msg_hdr = (struct msghdr){.msg_name = &recv_from[i],
                                               .msg_namelen = sizeof recv_from[i],
                                               .msg_iov = &recv_iov[i],
                                               .msg_iovlen = 1};
    }
}

static void read_socket(uint32_t slot, int fd)
{
    prepare_batch();
    for (int round = 0; round < 256 / RECV_BATCH;
         round++) { /* bounded: timers still run under a flood */
        int got = recvmmsg(fd, recv_msgs, RECV_BATCH, MSG_DONTWAIT, NULL);
        if (got <= 0)
            return; /* EAGAIN, or an ICMP error for an earlier send */
        for (int i = 0; i < got; i++) {
            struct msghdr *h = &recv_msgs[i].msg_hdr;
            socklen_t fromlen = h->msg_namelen;
            h->msg_namelen = sizeof recv_from[i];
            h->msg_flags = 0;
            /* Look the session up each time: nothing here closes it (callbacks
             * run later), but it costs nothing to be safe. */
            wsnmp_session *s = wsnmp_session_at(slot);
            if (s == NULL || s->io == NULL) {
                for (int j = i + 1; j < got; j++)
                    recv_msgs[j].msg_hdr.msg_namelen = sizeof recv_from[j];
                return;
            }
            wsnmp_deliver(s, slot, recv_buffers[i], recv_msgs[i].msg_len, &recv_from[i], fromlen);
        }
        if (got < RECV_BATCH)
            return; /* the socket is empty */
    }
}

/* Runs expired timers: retransmit, or fail with SNMPAPI_TL_TIMEOUT. */
static void run_timers(uint64_t now)
{
    wsnmp_request *r;
    while ((r = wsnmp_pending_timer_next()) != NULL && r->deadline <= now) {
        wsnmp_session *s = wsnmp_session_at(r->session_slot);
        wsnmp_pending_timer_clear(r);
        if (s == NULL || s->io == NULL)
            continue; /* cannot happen: closing a session frees its requests */
        const char *why;
        if (r->attempts_left > 0 && wsnmp_library.retransmit_mode == SNMPAPI_ON) {
            r->attempts_left--;
            wsnmp_entity *e = wsnmp_request_entity(r);
            if (e)
                e->stats.retries++;
            double next = (double)r->timeout_ms * r->backoff; /* at most an hour */
            r->timeout_ms = next > 3600000.0 ? 3600000u : (smiUINT32)next;
            if (wsnmp_io_transmit(s, r, &why))
                continue;
        }
        wsnmp_pending_remove(s->io, r);
        if (r->state == WSNMP_REQ_PROBE) {
            wsnmp_discovery_probe_timeout(s, r);
            continue;
        }
        wsnmp_entity *e = wsnmp_request_entity(r);
        if (e)
            e->stats.timeouts++;
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
    if (!wsnmp_library_require_started("WsnmpPoll"))
        return SNMPAPI_FAILURE;
    if (dispatching)
        return wsnmp_error_fail(WSNMP_NO_SLOT, SNMPAPI_OPERATION_INVALID,
                                "WsnmpPoll: called from inside a session callback");
    if (wsnmp_service_other_thread())
        return wsnmp_error_fail(WSNMP_NO_SLOT, SNMPAPI_OPERATION_INVALID,
                                "WsnmpPoll: the service thread drives I/O");
    return wsnmp_poll_run(timeout_ms, handled, -1);
}

SNMPAPI_STATUS wsnmp_poll_run(smiINT32 timeout_ms, smiUINT32 *handled, int wake_fd)
{
    wsnmp_outbox_flush_all(); /* nothing queued waits while this one sleeps */
    uint64_t now = wsnmp_clock_now_ms();
    run_timers(now);
    wsnmp_subagent_run_timers(now);

    int wait = timeout_ms < 0 ? -1 : timeout_ms;
    if (event_count)
        wait = 0;
    int64_t agentx_in = wsnmp_subagent_next_deadline(now);
    if (agentx_in >= 0 && (wait < 0 || agentx_in < wait))
        wait = (int)agentx_in;
    wsnmp_request *next = wsnmp_pending_timer_next();
    if (next) {
        uint64_t until = next->deadline > now ? next->deadline - now : 0;
        if (wait < 0 || until < (uint64_t)wait)
            wait = (int)until;
    }

    size_t io_count;
    const uint32_t *io_sessions = wsnmp_io_session_slots(&io_count);
    size_t wanted = io_count * 2;
    for (wsnmp_listener *l = wsnmp_notify_listeners(); l; l = l->next)
        wanted++;
    wanted += wsnmp_subagent_pollfds(NULL, NULL, 0, NULL);
    wanted += wake_fd >= 0;
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
            return wsnmp_error_fail(WSNMP_NO_SLOT, SNMPAPI_ALLOC_ERROR, "WsnmpPoll: out of memory");
        poll_capacity = cap;
    }
    size_t nfds = 0;
    if (wake_fd >= 0) /* first, at index 0 */
        poll_set[nfds++] = (struct pollfd){.fd = wake_fd, .events = POLLIN};
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
    for (wsnmp_listener *l = wsnmp_notify_listeners(); l; l = l->next) {
        poll_set[nfds] = (struct pollfd){.fd = l->fd, .events = POLLIN};
        poll_slots[nfds++] = l->id | 0x40000000u; /* mark: a listener */
    }
    size_t ax =
        wsnmp_subagent_pollfds(poll_set + nfds, poll_slots + nfds, poll_capacity - nfds, NULL);
    for (size_t k = 0; k < ax; k++)
        poll_slots[nfds + k] |= 0xC0000000u; /* mark: an AgentX connection */
    nfds += ax;
    if (nfds == 0 && next == NULL && wait < 0 && agentx_in < 0)
        wait = 0; /* nothing could ever wake us */
    int ready;
    size_t first = 0;
    if (wake_fd >= 0) {
        /* The service thread: other threads use the library while it waits.
         * If one did, what poll() saw may name closed sockets or reused
         * descriptors: nothing is read this round, the next sees it again. */
        uint64_t generation = wsnmp_lock_generation();
        unsigned held = wsnmp_lock_suspend();
        ready = poll(poll_set, nfds, wait);
        wsnmp_lock_resume(held);
        if (wsnmp_service_stopping())
            return SNMPAPI_SUCCESS;
        if (poll_set[0].revents & POLLIN)
            wsnmp_service_woken();
        if (wsnmp_lock_generation() != generation)
            ready = 0;
        first = 1;
    } else {
        ready = poll(poll_set, nfds, wait);
    }
    if (ready > 0)
        for (size_t i = first; i < nfds; i++) {
            if (!(poll_set[i].revents & (POLLIN | POLLOUT | POLLERR | POLLHUP)))
                continue;
            if ((poll_slots[i] & 0xC0000000u) == 0xC0000000u) {
                wsnmp_subagent_ready(poll_slots[i] & 0x3FFFFFFFu, poll_set[i].revents);
            } else if ((poll_slots[i] & 0xC0000000u) == 0x40000000u) {
                wsnmp_listener *l = wsnmp_notify_listener_by_id(poll_slots[i] & 0x3FFFFFFFu);
                if (l && (poll_set[i].revents & (POLLIN | POLLERR)))
                    wsnmp_notify_listener_ready(l);
            } else if (poll_slots[i] & 0x80000000u) {
                uint32_t slot = poll_slots[i] & 0x7FFFFFFFu;
                wsnmp_session *s = wsnmp_session_at(slot);
                if (s && s->io)
                    wsnmp_tcp_ready(s, slot, poll_set[i].fd, poll_set[i].revents);
            } else if (poll_set[i].revents & (POLLIN | POLLERR)) {
                read_socket(poll_slots[i], poll_set[i].fd);
            }
        }
    now = wsnmp_clock_now_ms();
    run_timers(now);
    wsnmp_subagent_run_timers(now);

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
    if (!wsnmp_library_require_started("WsnmpGetPollFds"))
        return SNMPAPI_FAILURE;
    wsnmp_outbox_flush_all(); /* the caller is about to wait on these */
    smiUINT32 n = 0;
    bool writing = false;
    size_t io_count;
    const uint32_t *io_sessions = wsnmp_io_session_slots(&io_count);
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
    for (wsnmp_listener *l = wsnmp_notify_listeners(); l; l = l->next) {
        if (fds && n < capacity)
            fds[n] = l->fd;
        n++;
    }
    struct pollfd ax[64];
    size_t axn = wsnmp_subagent_pollfds(ax, NULL, 64, &writing);
    for (size_t k = 0; k < axn; k++) {
        if (fds && n < capacity)
            fds[n] = k < 64 ? ax[k].fd : -1;
        n++;
    }
    if (count)
        *count = n;
    if (timeout_ms) {
        wsnmp_request *next = wsnmp_pending_timer_next();
        uint64_t now = wsnmp_clock_now_ms();
        *timeout_ms = event_count ? 0
                      : next      ? (smiINT32)(next->deadline > now ? next->deadline - now : 0)
                                  : -1;
        int64_t agentx_in = wsnmp_subagent_next_deadline(now);
        if (agentx_in >= 0 && (*timeout_ms < 0 || agentx_in < *timeout_ms))
            *timeout_ms = (smiINT32)agentx_in;
        /* Descriptors are offered for reading only: while a TCP connection
         * is being made or has output queued, ask to be polled soon. */
        if (writing && (*timeout_ms < 0 || *timeout_ms > 10))
            *timeout_ms = 10;
    }
    if (fds && n > capacity)
        return wsnmp_error_fail(WSNMP_NO_SLOT, SNMPAPI_OUTPUT_TRUNCATED,
                                "WsnmpGetPollFds: %u descriptors, room for %u", (unsigned)n,
                                (unsigned)capacity);
    return SNMPAPI_SUCCESS;
}

void wsnmp_poll_release(void)
{
    free(poll_set);
    free(poll_slots);
    poll_set = NULL;
    poll_slots = NULL;
    poll_capacity = 0;
    free(events);
    events = NULL;
    event_count = event_capacity = 0;
}
