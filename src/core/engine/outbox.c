/*
 * outbox.c — first sends of v1/v2c requests, batched into one sendmmsg.
 *
 * When many requests are ready at once (a poll's worth of replies wakes as
 * many tasks, each of which sends its next request), one system call
 * instead of one each: issue 17's "batch sends with sendmmsg".  Batching is
 * on only between wsnmp_outbox_batch(true) and (false), which the Lua
 * module brackets around resuming its tasks; anything sent outside such a
 * window, and everything a C program sends, goes out at once as before.
 * The queue is also flushed when polling starts and when the descriptors
 * are asked for, so nothing waits on a loop that is about to sleep.
 *
 * A queued request is already pending (its timer armed, as if sent): a
 * cancel or a closed session frees it, and the flush skips what is no
 * longer pending under its id.  A send that fails for good fails its
 * request with SNMPAPI_TL_UNDELIVERABLE, reported through the session as
 * any other outcome; a full buffer or an ICMP error is a lost datagram, for
 * the retransmission timer, as in wsnmp_io_transmit.
 */
#define _GNU_SOURCE
#include "engine.h"

#include <errno.h>
#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>

#define OUTBOX_SIZE 64 /* one sendmmsg at most; a fuller box is flushed first */

struct wsnmp_outbox {
    size_t count;
    struct {
        wsnmp_request *r;
        smiINT32 id;
        int fd;
    } items[OUTBOX_SIZE];
};

static bool batching;
static uint64_t flushes, datagrams;

bool wsnmp_outbox_active(void)
{
    return batching;
}

bool wsnmp_outbox_add(wsnmp_session *s, wsnmp_request *r, int fd)
{
    wsnmp_io *io = s->io;
    if (io->outbox == NULL && (io->outbox = calloc(1, sizeof *io->outbox)) == NULL)
        return false; /* sent at once instead */
    if (io->outbox->count == OUTBOX_SIZE)
        wsnmp_outbox_flush(s);
    wsnmp_outbox *o = io->outbox;
    o->items[o->count].r = r;
    o->items[o->count].id = r->id;
    o->items[o->count].fd = fd;
    o->count++;
    return true;
}

static bool transient(int error)
{
    return error == EAGAIN || error == EWOULDBLOCK || error == ECONNREFUSED || error == ENOBUFS ||
           error == EINTR;
}

void wsnmp_outbox_flush(wsnmp_session *s)
{
    wsnmp_io *io = s->io;
    if (io == NULL || io->outbox == NULL || io->outbox->count == 0)
        return;
    /* Taken out first: failing a request below queues an event, nothing
     * more, but the box is empty again whatever happens. */
    wsnmp_outbox box = *io->outbox;
    io->outbox->count = 0;
    struct mmsghdr msgs[OUTBOX_SIZE];
    struct iovec iov[OUTBOX_SIZE];
    wsnmp_request *live[OUTBOX_SIZE];
    int fds[OUTBOX_SIZE];
    size_t n = 0;
    for (size_t i = 0; i < box.count; i++) {
        wsnmp_request *r = box.items[i].r;
        if (wsnmp_pending_find(io, box.items[i].id) != r)
            continue; /* cancelled (or answered, or failed) since */
        iov[n].iov_base = r->packet;
        iov[n].iov_len = r->packet_len;
        memset(&msgs[n], 0, sizeof msgs[n]);
        msgs[n].msg_hdr.msg_name = &r->peer.addr;
        msgs[n].msg_hdr.msg_namelen = r->peer.len;
        msgs[n].msg_hdr.msg_iov = &iov[n];
        msgs[n].msg_hdr.msg_iovlen = 1;
        live[n] = r;
        fds[n] = box.items[i].fd;
        n++;
    }
    size_t at = 0;
    while (at < n) {
        size_t run = at;
        while (run < n && fds[run] == fds[at])
            run++; /* (one socket per call: responses may go by a listener's) */
        int sent = sendmmsg(fds[at], &msgs[at], (unsigned)(run - at), 0);
        flushes++;
        if (sent > 0) {
            datagrams += (uint64_t)sent;
            at += (size_t)sent;
            continue;
        }
        /* The datagram at `at` could not go. */
        int error = errno;
        wsnmp_request *r = live[at++];
        if (transient(error))
            continue;
        wsnmp_pending_remove(io, r);
        wsnmp_request_fail(s, r, SNMPAPI_TL_UNDELIVERABLE,
                           error == ENETUNREACH || error == EHOSTUNREACH ? "no route to the agent"
                           : error == EMSGSIZE ? "the message is too big to send"
                                               : "cannot send the datagram");
    }
}

void wsnmp_outbox_flush_all(void)
{
    size_t count;
    uint32_t *slots = wsnmp_io_session_slots(&count);
    for (size_t i = 0; i < count; i++) {
        wsnmp_session *s = wsnmp_session_at(slots[i]);
        if (s)
            wsnmp_outbox_flush(s);
    }
}

void wsnmp_outbox_batch(bool on)
{
    if (!on)
        wsnmp_outbox_flush_all();
    batching = on;
}

void wsnmp_outbox_stats(uint64_t *calls, uint64_t *sent)
{
    *calls = flushes;
    *sent = datagrams;
}
