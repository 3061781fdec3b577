/*
 * io.c — a session's I/O state: its sockets, requests in flight, engines
 * and queue, freed together; the list of sessions that have sockets (the
 * poll set); and the transmission of a request's packet.
 *
 * A session sends from at most one UDP socket per address family, to any
 * number of agents.
 */
#include "engine.h"

#include <errno.h>
#include <netinet/in.h>
#include <poll.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>
#include <unistd.h>

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
    wsnmp_notify_registrations_free(io);
    for (size_t i = 0; i < io->nbuckets; i++)
        for (wsnmp_request *r = io->buckets[i], *next; r; r = next) {
            next = r->hash_next;
            wsnmp_pending_total--;
            wsnmp_request_free(r);
        }
    free(io->buckets);
    free(io->outbox);             /* what waited there was in the table above */
    wsnmp_discovery_free_all(io); /* its waiting requests were in the table above */
    for (wsnmp_message *m = io->queue_head, *next; m; m = next) {
        next = m->next;
        wsnmp_queue_message_free(m);
    }
    wsnmp_tcp_close_all(io);
    wsnmp_subagent_free(io->subagent);
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

bool wsnmp_io_transmit(wsnmp_session *s, wsnmp_request *r, const char **why)
{
    if (is_tcp(r->peer.transport)) {
        if (!wsnmp_io_join(s->io, r->session_slot) ||
            !wsnmp_tcp_send(s, &r->peer, r->packet, r->packet_len, why))
            return false;
        r->attempts_left = 0; /* a stream does not lose messages: no resends */
        r->sent_ms = wsnmp_clock_now_ms();
        wsnmp_pending_timer_set(r, r->sent_ms + r->timeout_ms);
        return true;
    }
    int fd = r->fd >= 0 ? r->fd : socket_for(s, r->session_slot, r->peer.addr.ss_family);
    if (fd < 0) {
        *why = "cannot open a UDP socket";
        return false;
    }
    if (r->batchable && wsnmp_outbox_active() && wsnmp_outbox_add(s, r, fd)) {
        r->sent_ms = wsnmp_clock_now_ms();
        wsnmp_pending_timer_set(r, r->sent_ms + r->timeout_ms);
        return true;
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
    r->sent_ms = wsnmp_clock_now_ms();
    wsnmp_pending_timer_set(r, r->sent_ms + r->timeout_ms);
    return true;
}

void wsnmp_io_release(void)
{
    free(io_sessions);
    io_sessions = NULL;
    io_count = io_capacity = 0;
}

static void destroy_io(struct wsnmp_io *io)
{
    wsnmp_io_destroy(io);
}

static bool request_id_in_use(struct wsnmp_io *io, smiINT32 request_id)
{
    return wsnmp_pending_find(io, request_id) != NULL;
}

const wsnmp_session_engine_hooks wsnmp_io_session_hooks = {
    .io_destroy = destroy_io,
    .request_id_in_use = request_id_in_use,
    .listener_stop = wsnmp_notify_listener_stop,
};
