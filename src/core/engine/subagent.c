/*
 * subagent.c — a session's connection to an AgentX master agent (RFC 2741):
 * a stream over a Unix-domain socket or TCP, made without blocking, framed
 * by the 20-byte header's payload length (wire/agentx.c), and made again
 * with backoff whenever it is lost: the master closed it or sent a Close
 * PDU, restarted, did not answer a request in time, or sent bytes that do
 * not parse (answered first with a Close PDU, reasonParseError).
 *
 * The engine only moves PDUs: each one received is queued, decoded, for the
 * application (WsnmpAgentxRecv), which decides what an Open, a Register or
 * a TestSet mean.  An event tells the session's callback of every PDU
 * queued and every change of state.  Everything runs inside WsnmpPoll.
 */
#include "engine.h"

#include <errno.h>
#include <netdb.h>
#include <netinet/in.h>
#include <netinet/tcp.h>
#include <poll.h>
#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>
#include <sys/un.h>
#include <unistd.h>

enum { DOWN, CONNECTING, UP };

#define BACKOFF_FIRST_MS 100u
#define BACKOFF_MAX_MS 2000u
#define MAX_OUTSTANDING 1024        /* requests to the master awaiting their response */
#define MAX_OUT_BYTES (4u << 20)    /* queued for the master */
#define MAX_QUEUED_BYTES (4u << 20) /* received, not yet taken by the application */

typedef struct queued {
    struct queued *next;
    WsnmpAgentxPdu pdu;
    size_t bytes;
} queued;

typedef struct {
    smiUINT32 packet_id;
    uint64_t deadline;
} outstanding;

struct wsnmp_subagent {
    struct wsnmp_subagent *next;
    uint32_t session_slot;
    char *address; /* "unix:/path" or "tcp:host:port" */
    smiUINT32 timeout_ms;
    int fd;
    int state;
    uint64_t deadline; /* DOWN: when to connect again; CONNECTING: give up */
    smiUINT32 backoff_ms;
    unsigned char *in, *out;
    size_t in_len, out_len;
    queued *head, *tail;
    size_t queued_bytes;
    outstanding *waiting;
    size_t waiting_count;
    smiUINT32 connections, parse_errors;
};

static wsnmp_subagent *subagents; /* every connection of the process */
smiUINT32 wsnmp_subagent_total;

static void post(wsnmp_subagent *a)
{
    wsnmp_poll_event(a->session_slot, 0, 0);
}

static void queue_clear(wsnmp_subagent *a)
{
    for (queued *q = a->head, *next; q; q = next) {
        next = q->next;
        wsnmp_agentx_clear(&q->pdu);
        free(q);
    }
    a->head = a->tail = NULL;
    a->queued_bytes = 0;
}

/* Writes what the socket takes; false when the connection is broken. */
static bool flush(wsnmp_subagent *a)
{
    while (a->state == UP && a->out_len > 0) {
        ssize_t n = send(a->fd, a->out, a->out_len, MSG_NOSIGNAL);
        if (n < 0)
            return errno == EAGAIN || errno == EWOULDBLOCK || errno == EINTR;
        memmove(a->out, a->out + n, a->out_len - (size_t)n);
        a->out_len -= (size_t)n;
    }
    return true;
}

static bool append(unsigned char **buf, size_t *len, const unsigned char *data, size_t n,
                   size_t most)
{
    if (*len + n > most)
        return false;
    unsigned char *grown = realloc(*buf, *len + n);
    if (grown == NULL)
        return false;
    memcpy(grown + *len, data, n);
    *buf = grown;
    *len += n;
    return true;
}

/* Closes the connection (what is queued is written first if the socket
 * takes it at once) and schedules the next attempt. */
static void drop(wsnmp_subagent *a)
{
    if (a->fd >= 0) {
        flush(a);
        close(a->fd);
    }
    bool was_up = a->state == UP;
    a->fd = -1;
    a->state = DOWN;
    free(a->in);
    free(a->out);
    a->in = a->out = NULL;
    a->in_len = a->out_len = 0;
    a->waiting_count = 0;
    queue_clear(a); /* requests of a connection that is gone are not answered */
    a->deadline = wsnmp_clock_now_ms() + a->backoff_ms;
    a->backoff_ms = a->backoff_ms * 2 > BACKOFF_MAX_MS ? BACKOFF_MAX_MS : a->backoff_ms * 2;
    if (was_up)
        post(a);
}

/* Queues an encoded Close PDU with `reason` and drops the connection. */
static void close_with(wsnmp_subagent *a, smiUINT32 reason)
{
    WsnmpAgentxPdu c = {.type = WSNMP_AGENTX_CLOSE, .reason = reason};
    unsigned char *bytes;
    size_t len;
    const char *why;
    if (a->state == UP && wsnmp_agentx_encode(&c, true, &bytes, &len, &why) == WSNMP_OK) {
        append(&a->out, &a->out_len, bytes, len, MAX_OUT_BYTES + 64);
        free(bytes);
    }
    drop(a);
}

static void now_up(wsnmp_subagent *a)
{
    a->state = UP;
    a->connections++;
    post(a);
}

/* One attempt to connect; on failure the next one is scheduled. */
static void start_connect(wsnmp_subagent *a)
{
    struct sockaddr_storage ss;
    socklen_t sslen = 0;
    memset(&ss, 0, sizeof ss);
    if (strncmp(a->address, "unix:", 5) == 0) {
        struct sockaddr_un *un = (struct sockaddr_un *)&ss;
        un->sun_family = AF_UNIX;
        memcpy(un->sun_path, a->address + 5, strlen(a->address + 5) + 1); /* checked: fits */
        sslen = sizeof *un;
    } else {
        /* tcp:host:port, the host possibly in brackets */
        const char *host = a->address + 4;
        const char *colon = strrchr(host, ':');
        char name[256];
        size_t n = (size_t)(colon - host);
        if (host[0] == '[' && n >= 2 && host[n - 1] == ']') {
            host++;
            n -= 2;
        }
        memcpy(name, host, n); /* checked in WsnmpAgentxConnect: fits */
        name[n] = '\0';
        struct addrinfo hints = {.ai_socktype = SOCK_STREAM, .ai_flags = AI_NUMERICSERV};
        struct addrinfo *res = NULL;
        if (getaddrinfo(name, colon + 1, &hints, &res) == 0 && res) {
            memcpy(&ss, res->ai_addr, res->ai_addrlen);
            sslen = res->ai_addrlen;
        }
        if (res)
            freeaddrinfo(res);
    }
    int fd = sslen ? socket(ss.ss_family, SOCK_STREAM | SOCK_NONBLOCK | SOCK_CLOEXEC, 0) : -1;
    if (fd < 0) {
        drop(a);
        return;
    }
    if (ss.ss_family != AF_UNIX) {
        int on = 1;
        setsockopt(fd, IPPROTO_TCP, TCP_NODELAY, &on, sizeof on);
    }
    a->fd = fd;
    if (connect(fd, (struct sockaddr *)&ss, sslen) == 0) {
        now_up(a);
    } else if (errno == EINPROGRESS || errno == EAGAIN) {
        a->state = CONNECTING;
        a->deadline = wsnmp_clock_now_ms() + a->timeout_ms;
    } else {
        drop(a); /* ENOENT, ECONNREFUSED: the master is not there (yet) */
    }
}

/* Takes complete PDUs off the input buffer. */
static void take_pdus(wsnmp_subagent *a)
{
    size_t at = 0;
    while (a->state == UP) {
        long whole = wsnmp_agentx_frame_length(a->in + at, a->in_len - at);
        if (whole == 0)
            break;
        queued *q = whole > 0 ? calloc(1, sizeof *q) : NULL;
        const char *why;
        if (whole < 0 || q == NULL ||
            wsnmp_agentx_decode(a->in + at, (size_t)whole, &q->pdu, &why) != WSNMP_OK) {
            free(q);
            a->parse_errors++;
            wsnmp_deliver_dropped_total++;
            close_with(a, WSNMP_AGENTX_REASON_PARSE_ERROR); /* cannot resynchronise */
            return;
        }
        at += (size_t)whole;
        if (q->pdu.type == WSNMP_AGENTX_CLOSE) {
            wsnmp_agentx_clear(&q->pdu);
            free(q);
            drop(a); /* the master ends the session: open a new one */
            return;
        }
        if (q->pdu.type == WSNMP_AGENTX_RESPONSE) {
            a->backoff_ms = BACKOFF_FIRST_MS; /* a master that answers */
            for (size_t i = 0; i < a->waiting_count; i++)
                if (a->waiting[i].packet_id == q->pdu.packet_id) {
                    a->waiting[i] = a->waiting[--a->waiting_count];
                    break;
                }
        }
        q->bytes = (size_t)whole;
        if (a->queued_bytes + q->bytes > MAX_QUEUED_BYTES) {
            wsnmp_agentx_clear(&q->pdu);
            free(q);
            wsnmp_queue_dropped_total++;
            continue;
        }
        a->queued_bytes += q->bytes;
        if (a->tail)
            a->tail->next = q;
        else
            a->head = q;
        a->tail = q;
        post(a);
    }
    if (a->state == UP && at > 0) {
        memmove(a->in, a->in + at, a->in_len - at);
        a->in_len -= at;
    }
}

static wsnmp_subagent *of_slot(uint32_t slot)
{
    for (wsnmp_subagent *a = subagents; a; a = a->next)
        if (a->session_slot == slot)
            return a;
    return NULL;
}

void wsnmp_subagent_ready(uint32_t slot, short revents)
{
    wsnmp_subagent *a = of_slot(slot);
    if (a == NULL || a->fd < 0)
        return;
    if (a->state == CONNECTING) {
        if (!(revents & (POLLOUT | POLLERR | POLLHUP)))
            return;
        int err = 0;
        socklen_t len = sizeof err;
        getsockopt(a->fd, SOL_SOCKET, SO_ERROR, &err, &len);
        if (err != 0) {
            drop(a);
            return;
        }
        now_up(a);
    }
    if (!flush(a)) {
        drop(a);
        return;
    }
    if (!(revents & (POLLIN | POLLHUP | POLLERR)))
        return;
    unsigned char buf[65536];
    for (int round = 0; round < 16 && a->state == UP; round++) {
        ssize_t n = recv(a->fd, buf, sizeof buf, MSG_DONTWAIT);
        if (n < 0 && (errno == EAGAIN || errno == EWOULDBLOCK || errno == EINTR))
            return;
        if (n <= 0) {
            drop(a); /* the master went away */
            return;
        }
        if (!append(&a->in, &a->in_len, buf, (size_t)n,
                    20 + WSNMP_AGENTX_MAX_PAYLOAD + sizeof buf)) {
            close_with(a, WSNMP_AGENTX_REASON_OTHER);
            return;
        }
        take_pdus(a);
        if ((size_t)n < sizeof buf)
            return;
    }
}

size_t wsnmp_subagent_pollfds(struct pollfd *fds, uint32_t *slots, size_t room, bool *writing)
{
    size_t n = 0;
    for (wsnmp_subagent *a = subagents; a; a = a->next) {
        if (a->fd < 0)
            continue;
        bool out = a->state == CONNECTING || a->out_len > 0;
        if (writing && out)
            *writing = true;
        if (fds && n < room) {
            fds[n] = (struct pollfd){.fd = a->fd, .events = (short)(POLLIN | (out ? POLLOUT : 0))};
            if (slots)
                slots[n] = a->session_slot;
        }
        n++;
    }
    return n;
}

void wsnmp_subagent_run_timers(uint64_t now)
{
    for (wsnmp_subagent *a = subagents; a; a = a->next) {
        if (a->state == DOWN && a->fd < 0 && now >= a->deadline) {
            start_connect(a);
        } else if (a->state == CONNECTING && now >= a->deadline) {
            drop(a);
        } else if (a->state == UP) {
            for (size_t i = 0; i < a->waiting_count; i++)
                if (now >= a->waiting[i].deadline) {
                    close_with(a, WSNMP_AGENTX_REASON_TIMEOUTS);
                    break;
                }
        }
    }
}

int64_t wsnmp_subagent_next_deadline(uint64_t now)
{
    int64_t best = -1;
    for (wsnmp_subagent *a = subagents; a; a = a->next) {
        uint64_t at = UINT64_MAX;
        if (a->state != UP)
            at = a->deadline;
        for (size_t i = 0; a->state == UP && i < a->waiting_count; i++)
            if (a->waiting[i].deadline < at)
                at = a->waiting[i].deadline;
        if (at == UINT64_MAX)
            continue;
        int64_t in = at > now ? (int64_t)(at - now) : 0;
        if (best < 0 || in < best)
            best = in;
    }
    return best;
}

void wsnmp_subagent_free(wsnmp_subagent *a)
{
    if (a == NULL)
        return;
    for (wsnmp_subagent **p = &subagents; *p; p = &(*p)->next)
        if (*p == a) {
            *p = a->next;
            break;
        }
    wsnmp_subagent_total--;
    if (a->fd >= 0) {
        flush(a); /* a last Close or Unregister, if the socket takes it now */
        close(a->fd);
    }
    free(a->in);
    free(a->out);
    queue_clear(a);
    free(a->waiting);
    free(a->address);
    free(a);
}

static bool address_ok(const char *address)
{
    if (strncmp(address, "unix:", 5) == 0) {
        size_t n = strlen(address + 5);
        return n > 0 && n < sizeof((struct sockaddr_un *)0)->sun_path;
    }
    if (strncmp(address, "tcp:", 4) != 0)
        return false;
    const char *colon = strrchr(address + 4, ':');
    if (colon == NULL || colon == address + 4 || (size_t)(colon - (address + 4)) >= 256)
        return false;
    char *end;
    long port = strtol(colon + 1, &end, 10);
    return *end == '\0' && colon[1] != '\0' && port > 0 && port < 65536;
}

/* The live session and its connection; NULL with the error set. */
static wsnmp_subagent *lookup(HSNMP_SESSION session, const char *fn, uint32_t *slot)
{
    wsnmp_session *s = wsnmp_handle_lookup(session, WSNMP_KIND_SESSION, slot, NULL, fn);
    if (s == NULL)
        return NULL;
    wsnmp_subagent *a = s->io ? s->io->subagent : NULL;
    if (a == NULL)
        wsnmp_error_fail(*slot, SNMPAPI_OPERATION_INVALID, "%s: the session has no AgentX master",
                         fn);
    return a;
}

WSNMP_API SNMPAPI_STATUS WsnmpAgentxConnect(HSNMP_SESSION session, LPCSTR address,
                                            smiUINT32 timeout_ms)
{
    if (!wsnmp_library_require_started("WsnmpAgentxConnect"))
        return SNMPAPI_FAILURE;
    uint32_t slot;
    wsnmp_session *s =
        wsnmp_handle_lookup(session, WSNMP_KIND_SESSION, &slot, NULL, "WsnmpAgentxConnect");
    if (s == NULL)
        return SNMPAPI_FAILURE;
    if (address == NULL || !address_ok(address))
        return wsnmp_error_fail(slot, SNMPAPI_ENTITY_INVALID,
                                "WsnmpAgentxConnect: \"%s\" is no AgentX address "
                                "(unix:/path or tcp:host:port)",
                                address ? address : "(null)");
    if (s->io && s->io->subagent)
        return wsnmp_error_fail(slot, SNMPAPI_OPERATION_INVALID,
                                "WsnmpAgentxConnect: the session already has a master");
    wsnmp_io *io = wsnmp_io_of(s, true);
    wsnmp_subagent *a = io ? calloc(1, sizeof *a) : NULL;
    char *copy = a ? strdup(address) : NULL;
    if (copy == NULL) {
        free(a);
        return wsnmp_error_fail(slot, SNMPAPI_ALLOC_ERROR, "WsnmpAgentxConnect: out of memory");
    }
    a->session_slot = slot;
    a->address = copy;
    a->timeout_ms = timeout_ms ? timeout_ms : 5000;
    a->fd = -1;
    a->state = DOWN;
    a->backoff_ms = BACKOFF_FIRST_MS;
    a->next = subagents;
    subagents = a;
    wsnmp_subagent_total++;
    io->subagent = a;
    start_connect(a);
    return SNMPAPI_SUCCESS;
}

WSNMP_API SNMPAPI_STATUS WsnmpAgentxSend(HSNMP_SESSION session, const WsnmpAgentxPdu *pdu)
{
    uint32_t slot;
    wsnmp_subagent *a = lookup(session, "WsnmpAgentxSend", &slot);
    if (a == NULL)
        return SNMPAPI_FAILURE;
    if (pdu == NULL)
        return wsnmp_error_fail(slot, SNMPAPI_PDU_INVALID, "WsnmpAgentxSend: no PDU");
    if (a->state != UP)
        return wsnmp_error_fail(slot, SNMPAPI_TL_NOT_AVAILABLE,
                                "WsnmpAgentxSend: not connected to the master agent");
    bool request = pdu->type != WSNMP_AGENTX_RESPONSE && pdu->type != WSNMP_AGENTX_CLOSE;
    if (request && a->waiting_count == MAX_OUTSTANDING)
        return wsnmp_error_fail(slot, SNMPAPI_TL_RESOURCE_ERROR,
                                "WsnmpAgentxSend: %d requests already await the master",
                                MAX_OUTSTANDING);
    unsigned char *bytes;
    size_t len;
    const char *why;
    wsnmp_result rc = wsnmp_agentx_encode(pdu, true, &bytes, &len, &why);
    if (rc != WSNMP_OK)
        return wsnmp_error_fail(slot, rc, "WsnmpAgentxSend: %s", why);
    bool queued_ok = append(&a->out, &a->out_len, bytes, len, MAX_OUT_BYTES);
    free(bytes);
    if (!queued_ok)
        return wsnmp_error_fail(slot, SNMPAPI_TL_RESOURCE_ERROR,
                                "WsnmpAgentxSend: the master does not read (output full)");
    if (request) {
        if (a->waiting == NULL) {
            a->waiting = malloc(MAX_OUTSTANDING * sizeof *a->waiting);
            if (a->waiting == NULL)
                return wsnmp_error_fail(slot, SNMPAPI_ALLOC_ERROR,
                                        "WsnmpAgentxSend: out of memory");
        }
        a->waiting[a->waiting_count++] =
            (outstanding){pdu->packet_id, wsnmp_clock_now_ms() + a->timeout_ms};
    }
    if (pdu->type == WSNMP_AGENTX_CLOSE) {
        drop(a); /* writes it, if the socket takes it */
        return SNMPAPI_SUCCESS;
    }
    if (!flush(a))
        drop(a); /* reported as a change of state; the PDU is lost with the connection */
    return SNMPAPI_SUCCESS;
}

WSNMP_API SNMPAPI_STATUS WsnmpAgentxRecv(HSNMP_SESSION session, WsnmpAgentxPdu *pdu)
{
    uint32_t slot;
    wsnmp_subagent *a = lookup(session, "WsnmpAgentxRecv", &slot);
    if (a == NULL)
        return SNMPAPI_FAILURE;
    if (pdu == NULL)
        return wsnmp_error_fail(slot, SNMPAPI_PDU_INVALID, "WsnmpAgentxRecv: no output");
    queued *q = a->head;
    if (q == NULL)
        return wsnmp_error_fail(slot, SNMPAPI_NOOP, "WsnmpAgentxRecv: nothing received");
    a->head = q->next;
    if (a->head == NULL)
        a->tail = NULL;
    a->queued_bytes -= q->bytes;
    *pdu = q->pdu; /* moved */
    free(q);
    return SNMPAPI_SUCCESS;
}

WSNMP_API void WsnmpAgentxFree(WsnmpAgentxPdu *pdu)
{
    if (pdu)
        wsnmp_agentx_clear(pdu);
}

WSNMP_API SNMPAPI_STATUS WsnmpAgentxGetState(HSNMP_SESSION session, WsnmpAgentxState *state)
{
    uint32_t slot;
    wsnmp_subagent *a = lookup(session, "WsnmpAgentxGetState", &slot);
    if (a == NULL)
        return SNMPAPI_FAILURE;
    if (state == NULL)
        return wsnmp_error_fail(slot, SNMPAPI_ALLOC_ERROR, "WsnmpAgentxGetState: no output");
    state->connected = a->state == UP;
    state->connections = a->connections;
    state->reconnect_ms = a->backoff_ms;
    state->parse_errors = a->parse_errors;
    return SNMPAPI_SUCCESS;
}

WSNMP_API SNMPAPI_STATUS WsnmpAgentxReconnect(HSNMP_SESSION session)
{
    uint32_t slot;
    wsnmp_subagent *a = lookup(session, "WsnmpAgentxReconnect", &slot);
    if (a == NULL)
        return SNMPAPI_FAILURE;
    if (a->state != DOWN)
        drop(a);
    return SNMPAPI_SUCCESS;
}
