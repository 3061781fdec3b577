/*
 * tcp.c — SNMP over TCP (RFC 3430): one connection per session and agent,
 * messages framed by their BER length.  There is no retransmission over a
 * stream; the request's timeout still applies.
 */
#include "engine.h"

#include <errno.h>
#include <netinet/in.h>
#include <netinet/tcp.h>
#include <poll.h>
#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>
#include <unistd.h>

#define TCP_MAX_BUFFER (1u << 20) /* a stalled agent cannot make us hoard */

struct wsnmp_tcp {
    struct wsnmp_tcp *next;
    int fd;
    wsnmp_peer peer;
    bool connected;
    unsigned char *out, *in;
    size_t out_len, in_len;
};

static void conn_free(wsnmp_tcp *c)
{
    if (c->fd >= 0)
        close(c->fd);
    free(c->out);
    free(c->in);
    free(c);
}

void wsnmp_tcp_close_all(wsnmp_io *io)
{
    for (wsnmp_tcp *c = io->tcp, *next; c; c = next) {
        next = c->next;
        conn_free(c);
    }
    io->tcp = NULL;
}

static void conn_drop(wsnmp_io *io, wsnmp_tcp *c)
{
    for (wsnmp_tcp **p = &io->tcp; *p; p = &(*p)->next)
        if (*p == c) {
            *p = c->next;
            break;
        }
    conn_free(c);
}

static bool append(unsigned char **buf, size_t *len, const unsigned char *data, size_t n)
{
    if (*len + n > TCP_MAX_BUFFER)
        return false;
    unsigned char *grown = realloc(*buf, *len + n);
    if (grown == NULL)
        return false;
    memcpy(grown + *len, data, n);
    *buf = grown;
    *len += n;
    return true;
}

/* Writes what the socket takes; false when the connection is broken. */
static bool flush(wsnmp_tcp *c)
{
    while (c->connected && c->out_len > 0) {
        ssize_t n = send(c->fd, c->out, c->out_len, MSG_NOSIGNAL);
        if (n < 0)
            return errno == EAGAIN || errno == EWOULDBLOCK || errno == EINTR;
        memmove(c->out, c->out + n, c->out_len - (size_t)n);
        c->out_len -= (size_t)n;
    }
    return true;
}

bool wsnmp_tcp_send(wsnmp_session *s, const wsnmp_peer *peer, const unsigned char *data, size_t len,
                    const char **why)
{
    wsnmp_io *io = s->io;
    wsnmp_tcp *c = io->tcp;
    while (c && !wsnmp_peer_equal(&c->peer, &peer->addr, peer->len))
        c = c->next;
    if (c == NULL) {
        c = calloc(1, sizeof *c);
        if (c == NULL) {
            *why = "out of memory";
            return false;
        }
        c->peer = *peer;
        c->fd = socket(peer->addr.ss_family, SOCK_STREAM | SOCK_NONBLOCK | SOCK_CLOEXEC, 0);
        if (c->fd < 0) {
            free(c);
            *why = "cannot open a TCP socket";
            return false;
        }
        int on = 1;
        setsockopt(c->fd, IPPROTO_TCP, TCP_NODELAY, &on, sizeof on);
        if (connect(c->fd, (const struct sockaddr *)&peer->addr, peer->len) == 0)
            c->connected = true;
        else if (errno != EINPROGRESS) {
            conn_free(c);
            *why = "cannot connect to the agent";
            return false;
        }
        c->next = io->tcp;
        io->tcp = c;
    }
    if (!append(&c->out, &c->out_len, data, len) || !flush(c)) {
        conn_drop(io, c);
        *why = "the TCP connection to the agent failed";
        return false;
    }
    return true;
}

size_t wsnmp_tcp_pollfds(wsnmp_io *io, struct pollfd *fds, size_t room)
{
    size_t n = 0;
    for (wsnmp_tcp *c = io->tcp; c; c = c->next, n++)
        if (fds && n < room)
            fds[n] = (struct pollfd){
                .fd = c->fd,
                .events = (short)(POLLIN | (!c->connected || c->out_len ? POLLOUT : 0))};
    return n;
}

void wsnmp_tcp_ready(wsnmp_session *s, uint32_t slot, int fd, short revents)
{
    wsnmp_io *io = s->io;
    wsnmp_tcp *c = io->tcp;
    while (c && c->fd != fd)
        c = c->next;
    if (c == NULL)
        return;
    if (!c->connected && (revents & (POLLOUT | POLLERR | POLLHUP))) {
        int err = 0;
        socklen_t len = sizeof err;
        getsockopt(fd, SOL_SOCKET, SO_ERROR, &err, &len);
        if (err != 0) {
            conn_drop(io, c); /* its requests time out */
            return;
        }
        c->connected = true;
    }
    if (!flush(c)) {
        conn_drop(io, c);
        return;
    }
    if (!(revents & (POLLIN | POLLHUP | POLLERR)))
        return;
    unsigned char buf[16384];
    ssize_t n = recv(fd, buf, sizeof buf, 0);
    if (n == 0 || (n < 0 && errno != EAGAIN && errno != EWOULDBLOCK && errno != EINTR)) {
        conn_drop(io, c);
        return;
    }
    if (n < 0 || !append(&c->in, &c->in_len, buf, (size_t)n)) {
        if (n > 0)
            conn_drop(io, c);
        return;
    }
    for (;;) {
        long whole = wsnmp_ber_message_length(c->in, c->in_len);
        if (whole < 0) {
            wsnmp_deliver_dropped_total++;
            conn_drop(io, c); /* not SNMP: the stream cannot be resynchronised */
            return;
        }
        if (whole == 0)
            return;
        wsnmp_peer peer = c->peer;
        unsigned char *msg = malloc((size_t)whole);
        if (msg == NULL)
            return;
        memcpy(msg, c->in, (size_t)whole);
        memmove(c->in, c->in + whole, c->in_len - (size_t)whole);
        c->in_len -= (size_t)whole;
        wsnmp_deliver(s, slot, msg, (size_t)whole, &peer.addr, peer.len);
        free(msg);
        /* Delivering may not close the session (callbacks run later), but
         * stay on the safe side. */
        if (wsnmp_session_at(slot) != s || s->io != io)
            return;
    }
}

bool wsnmp_tcp_wants_write(const wsnmp_io *io)
{
    for (const wsnmp_tcp *c = io->tcp; c; c = c->next)
        if (!c->connected || c->out_len)
            return true;
    return false;
}
