/*
 * fleet_sim.c - a fleet of simulated SNMPv2c agents for `make bench-fleet`.
 *
 * One process, one epoll loop, N non-blocking UDP sockets on 127.0.0.1
 * (ports BASE, BASE+1, ...; a port that is taken is skipped).  Every agent
 * serves an ifTable of 24 rows x 22 columns (ifEntry 1.3.6.1.2.1.2.2.1.C.R)
 * to GET, GETNEXT and GETBULK for community "public"; its own small BER
 * codec, no MIB work.  The values are a pure function of (agent port,
 * column, row), so that clients check what they collected cell by cell
 * (bench/fleet/README: the formula, written once per client language).
 *
 * From the seed, per agent: reply latency (uniform 1..9 ms, median 5 ms;
 * 1% at 500 ms), 1% of requests lost, 0.5% dead (never answer), 5% that do
 * not answer a GETBULK above 10 repetitions, 2% that answer tooBig above 20.
 *
 *   fleet_sim serve [-n N] [-p BASE] [-s SEED] [-o PORTSFILE]
 *       serves until SIGINT/SIGTERM; writes the ports it bound to PORTSFILE
 *       (one per line, written once every socket is bound); SIGUSR1 prints
 *       the request counters so far as one JSON line on stderr and resets them
 *   fleet_sim truth [-s SEED] < PORTSFILE
 *       one line per agent: "PORT KIND LATENCY_MS" with KIND one of ok,
 *       dead, bulk10 (silent above 10 repetitions), toobig20
 *   fleet_sim value PORT COLUMN ROW
 *       one cell as "TYPE VALUE" (for checking a client's formula)
 *
 * Build: cc -O2 -o fleet_sim fleet_sim.c
 */
#define _GNU_SOURCE
#include <arpa/inet.h>
#include <errno.h>
#include <fcntl.h>
#include <netinet/in.h>
#include <signal.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/epoll.h>
#include <sys/resource.h>
#include <sys/socket.h>
#include <time.h>
#include <unistd.h>

#define MAX_MSG 65507
#define REPLY_LIMIT 65000 /* a GETBULK answer stops growing here */
#define WHEEL 1024        /* ms slots: covers the 500 ms agents */

#include "fleet_data.h"

/* ---- the seed ------------------------------------------------------------------- */

static uint64_t seed = 17;

static uint64_t mix(uint64_t x)
{
    x += 0x9e3779b97f4a7c15ull;
    x = (x ^ (x >> 30)) * 0xbf58476d1ce4e5b9ull;
    x = (x ^ (x >> 27)) * 0x94d049bb133111ebull;
    return x ^ (x >> 31);
}

enum { K_OK, K_DEAD, K_BULK10, K_TOOBIG20 };
static const char *kind_names[] = {"ok", "dead", "bulk10", "toobig20"};

static int agent_kind(unsigned port)
{
    unsigned u = (unsigned)(mix(seed ^ mix(port)) % 1000);
    if (u < 5)
        return K_DEAD; /* 0.5% */
    if (u < 55)
        return K_BULK10; /* 5% */
    if (u < 75)
        return K_TOOBIG20; /* 2% */
    return K_OK;
}

static int agent_latency_ms(unsigned port)
{
    uint64_t x = mix(seed ^ mix(port ^ 0x5a5a0000u));
    if (x % 100 == 0)
        return 500;                 /* 1% */
    return 1 + (int)((x >> 8) % 9); /* 1..9 ms, median 5 */
}

/* 1% of requests lost: a function of the agent and its request count. */
static int lost(unsigned port, uint32_t nth)
{
    return mix(seed ^ mix(((uint64_t)port << 32) | nth) ^ 0x1234567ull) % 100 == 0;
}

/* ---- the agents ------------------------------------------------------------------ */

struct agent {
    int fd;
    unsigned port;
    int kind;
    int latency;
    uint32_t received;
};

struct pending {
    struct pending *next;
    struct agent *agent;
    struct sockaddr_in to;
    uint64_t due_ms;
    int len;
    unsigned char data[];
};

static struct agent *agents;
static int n_agents;
static struct pending *wheel[WHEEL];
static uint64_t wheel_now; /* the slot last run, in ms */
static long n_pending;

static struct {
    long requests, lost, silent, replies, too_big, bad, bytes_out, varbinds_out;
} stats;

static volatile sig_atomic_t stop, dump;

static void on_signal(int sig)
{
    if (sig == SIGUSR1)
        dump = 1;
    else
        stop = 1;
}

static uint64_t now_ms(void)
{
    struct timespec ts;
    clock_gettime(CLOCK_MONOTONIC, &ts);
    return (uint64_t)ts.tv_sec * 1000 + ts.tv_nsec / 1000000;
}

/* ---- BER ---------------------------------------------------------------------------- */

struct rd {
    const unsigned char *p, *end;
};

/* Reads a tag and a length; the content is [*content, *content + *len). */
static int rd_tlv(struct rd *r, int *tag, const unsigned char **content, size_t *len)
{
    size_t n;
    if (r->end - r->p < 2)
        return -1;
    *tag = *r->p++;
    n = *r->p++;
    if (n & 0x80) {
        int k = n & 0x7f;
        if (k == 0 || k > 3 || r->end - r->p < k)
            return -1;
        n = 0;
        while (k--)
            n = (n << 8) | *r->p++;
    }
    if ((size_t)(r->end - r->p) < n)
        return -1;
    *content = r->p;
    *len = n;
    r->p += n;
    return 0;
}

static int rd_int(struct rd *r, long *v)
{
    int tag;
    const unsigned char *c;
    size_t n, i;
    if (rd_tlv(r, &tag, &c, &n) || tag != 0x02 || n < 1 || n > 8)
        return -1;
    *v = (c[0] & 0x80) ? -1 : 0;
    for (i = 0; i < n; i++)
        *v = (*v << 8) | c[i];
    return 0;
}

#define MAX_ARCS 128

static int decode_oid(const unsigned char *c, size_t n, uint32_t *arcs, int *count)
{
    size_t i = 0;
    int k = 0;
    if (n < 1)
        return -1;
    arcs[k++] = c[0] < 80 ? c[0] / 40 : 2;
    arcs[k++] = c[0] < 80 ? c[0] % 40 : c[0] - 80;
    for (i = 1; i < n;) {
        uint32_t v = 0;
        do {
            if (i >= n || k >= MAX_ARCS)
                return -1;
            v = (v << 7) | (c[i] & 0x7f);
        } while (c[i++] & 0x80);
        arcs[k++] = v;
    }
    *count = k;
    return 0;
}

static int len_size(size_t n)
{
    return n < 0x80 ? 1 : n < 0x100 ? 2 : n < 0x10000 ? 3 : 4;
}

static unsigned char *put_len(unsigned char *p, size_t n)
{
    if (n < 0x80) {
        *p++ = (unsigned char)n;
    } else if (n < 0x100) {
        *p++ = 0x81;
        *p++ = (unsigned char)n;
    } else if (n < 0x10000) {
        *p++ = 0x82;
        *p++ = (unsigned char)(n >> 8);
        *p++ = (unsigned char)n;
    } else {
        *p++ = 0x83;
        *p++ = (unsigned char)(n >> 16);
        *p++ = (unsigned char)(n >> 8);
        *p++ = (unsigned char)n;
    }
    return p;
}

/* An unsigned 32-bit value as BER INTEGER content (a leading 0 when the top bit is set). */
static int uint_content(uint32_t v, unsigned char *out)
{
    unsigned char tmp[5];
    int n = 0, i;
    do {
        tmp[n++] = (unsigned char)(v & 0xff);
        v >>= 8;
    } while (v);
    if (tmp[n - 1] & 0x80)
        tmp[n++] = 0;
    for (i = 0; i < n; i++)
        out[i] = tmp[n - 1 - i];
    return n;
}

/* The encoded OID content of the instance (col, row): 1.3.6.1.2.1.2.2.1.C.R */
static const unsigned char if_entry_prefix[] = {0x2b, 6, 1, 2, 1, 2, 2, 1};

/* Appends one varbind at p and returns the new end: the cell k (0..CELLS-1)
 * with its value, or with `exception` (non-zero) as its value; or, when k < 0,
 * the exception under the request's own OID. */
static unsigned char *put_varbind(unsigned char *p, unsigned port, int k, int exception,
                                  const unsigned char *oid, size_t oid_len)
{
    unsigned char name[16], val[40];
    size_t name_len, val_len;
    int val_tag;
    if (k >= 0) {
        int col = k / ROWS + 1, row = k % ROWS + 1;
        memcpy(name, if_entry_prefix, sizeof if_entry_prefix);
        name_len = sizeof if_entry_prefix;
        name[name_len++] = (unsigned char)col;
        name[name_len++] = (unsigned char)row;
        oid = name;
        oid_len = name_len;
    }
    if (k >= 0 && !exception) {
        int col = k / ROWS + 1, row = k % ROWS + 1;
        struct cell cv;
        cell_value(port, col, row, &cv);
        val_tag = cv.type;
        if (cv.type == T_OCTETS) {
            memcpy(val, cv.bytes, cv.len);
            val_len = cv.len;
        } else if (cv.type == T_OID) {
            val[0] = 0; /* 0.0 */
            val_len = 1;
        } else {
            val_len = uint_content(cv.num, val);
        }
    } else {
        val_tag = exception;
        val_len = 0;
    }
    {
        size_t inner = 1 + len_size(oid_len) + oid_len + 1 + len_size(val_len) + val_len;
        *p++ = 0x30;
        p = put_len(p, inner);
        *p++ = 0x06;
        p = put_len(p, oid_len);
        memcpy(p, oid, oid_len);
        p += oid_len;
        *p++ = (unsigned char)val_tag;
        p = put_len(p, val_len);
        memcpy(p, val, val_len);
        p += val_len;
    }
    return p;
}

/* Compares arcs with the instance (col, row) of ifEntry. */
static int cmp_instance(const uint32_t *a, int n, int col, int row)
{
    static const uint32_t base[] = {1, 3, 6, 1, 2, 1, 2, 2, 1};
    uint32_t b[11];
    int i, m = 11;
    memcpy(b, base, sizeof base);
    b[9] = (uint32_t)col;
    b[10] = (uint32_t)row;
    for (i = 0; i < n && i < m; i++)
        if (a[i] != b[i])
            return a[i] < b[i] ? -1 : 1;
    return n < m ? -1 : n > m ? 1 : 0;
}

/* The first cell strictly after the OID (CELLS: none, the end of the MIB). */
static int next_cell(const uint32_t *a, int n)
{
    int lo = 0, hi = CELLS; /* first k with instance(k) > a */
    while (lo < hi) {
        int mid = (lo + hi) / 2;
        if (cmp_instance(a, n, mid / ROWS + 1, mid % ROWS + 1) < 0)
            hi = mid;
        else
            lo = mid + 1;
    }
    return lo;
}

static int exact_cell(const uint32_t *a, int n)
{
    int k = next_cell(a, n) - 1;
    if (k >= 0 && cmp_instance(a, n, k / ROWS + 1, k % ROWS + 1) == 0)
        return k;
    return -1;
}

/* Whether the OID is below one of the table's columns (noSuchInstance
 * rather than noSuchObject for a GET). */
static int in_column(const uint32_t *a, int n)
{
    static const uint32_t base[] = {1, 3, 6, 1, 2, 1, 2, 2, 1};
    int i;
    if (n < 11)
        return 0;
    for (i = 0; i < 9; i++)
        if (a[i] != base[i])
            return 0;
    return a[9] >= 1 && a[9] <= COLS;
}

/* ---- one request ------------------------------------------------------------------- */

#define MAX_VBS 64

static unsigned char vbuf[MAX_MSG + 1024];

/* Builds the answer to the request in (buf, n) into out; returns its length,
 * 0 to stay silent. */
static int answer(struct agent *ag, const unsigned char *buf, size_t n, unsigned char *out)
{
    struct rd r = {buf, buf + n}, msg, pdu, vbl;
    int tag, pdu_tag, i, count = 0, nonrep, maxrep, errstat = 0, errindex = 0;
    const unsigned char *c, *community, *reqid_tlv;
    size_t len, community_len, reqid_tlv_len;
    long version, reqid, nr, mr;
    const unsigned char *vb_oid[MAX_VBS];
    size_t vb_oid_len[MAX_VBS];
    unsigned char *p;

    if (rd_tlv(&r, &tag, &c, &len) || tag != 0x30)
        return -1;
    msg.p = c;
    msg.end = c + len;
    if (rd_int(&msg, &version) || version != 1)
        return -1;
    if (rd_tlv(&msg, &tag, &community, &community_len) || tag != 0x04)
        return -1;
    if (community_len != 6 || memcmp(community, "public", 6) != 0)
        return 0; /* a wrong community: silence, as snmpd does */
    if (rd_tlv(&msg, &pdu_tag, &c, &len))
        return -1;
    if (pdu_tag != 0xa0 && pdu_tag != 0xa1 && pdu_tag != 0xa5)
        return -1;
    pdu.p = c;
    pdu.end = c + len;
    reqid_tlv = pdu.p;
    if (rd_int(&pdu, &reqid))
        return -1;
    reqid_tlv_len = pdu.p - reqid_tlv;
    if (rd_int(&pdu, &nr) || rd_int(&pdu, &mr))
        return -1;
    if (rd_tlv(&pdu, &tag, &c, &len) || tag != 0x30)
        return -1;
    vbl.p = c;
    vbl.end = c + len;
    while (vbl.p < vbl.end) {
        struct rd vb;
        const unsigned char *oc;
        size_t ol;
        if (count >= MAX_VBS)
            return -1;
        if (rd_tlv(&vbl, &tag, &c, &len) || tag != 0x30)
            return -1;
        vb.p = c;
        vb.end = c + len;
        if (rd_tlv(&vb, &tag, &oc, &ol) || tag != 0x06)
            return -1;
        vb_oid[count] = oc;
        vb_oid_len[count] = ol;
        count++;
    }

    nonrep = pdu_tag == 0xa5 ? (int)(nr < 0 ? 0 : nr > count ? count : nr) : count;
    maxrep = pdu_tag == 0xa5 ? (int)(mr < 0 ? 0 : mr > 10000 ? 10000 : mr) : 0;
    if (pdu_tag == 0xa5 && ag->kind == K_BULK10 && maxrep > 10) {
        stats.silent++;
        return 0;
    }
    if (pdu_tag == 0xa5 && ag->kind == K_TOOBIG20 && maxrep > 20) {
        errstat = 1; /* tooBig, the varbinds echoed */
        stats.too_big++;
    }

    /* the varbinds */
    p = vbuf;
    if (errstat) {
        for (i = 0; i < count; i++)
            p = put_varbind(p, ag->port, -1, 0x05, vb_oid[i], vb_oid_len[i]);
    } else {
        int cursor[MAX_VBS], started[MAX_VBS], rep;
        for (i = 0; i < count; i++) {
            uint32_t arcs[MAX_ARCS];
            int na, k;
            if (decode_oid(vb_oid[i], vb_oid_len[i], arcs, &na))
                return -1;
            if (pdu_tag == 0xa0) {
                k = exact_cell(arcs, na);
                p = k >= 0 ? put_varbind(p, ag->port, k, 0, NULL, 0)
                           : put_varbind(p, ag->port, -1, in_column(arcs, na) ? 0x81 : 0x80,
                                         vb_oid[i], vb_oid_len[i]);
                stats.varbinds_out++;
                continue;
            }
            k = next_cell(arcs, na);
            cursor[i] = started[i] = k;
            if (i < nonrep || pdu_tag == 0xa1) {
                p = k < CELLS ? put_varbind(p, ag->port, k, 0, NULL, 0)
                              : put_varbind(p, ag->port, -1, 0x82, vb_oid[i], vb_oid_len[i]);
                stats.varbinds_out++;
            }
        }
        if (pdu_tag == 0xa5 && count > nonrep) {
            for (rep = 0; rep < maxrep; rep++) {
                unsigned char *mark = p;
                int all_end = 1;
                for (i = nonrep; i < count; i++) {
                    int k = cursor[i];
                    if (k < CELLS) {
                        p = put_varbind(p, ag->port, k, 0, NULL, 0);
                        cursor[i] = k + 1;
                        all_end = 0;
                    } else {
                        /* named after the last cell this repeater returned */
                        p = put_varbind(p, ag->port, started[i] < CELLS ? CELLS - 1 : -1, 0x82,
                                        vb_oid[i], vb_oid_len[i]);
                    }
                }
                if (p - vbuf > REPLY_LIMIT) {
                    p = mark; /* the answer is full: stop before this repetition */
                    break;
                }
                stats.varbinds_out += count - nonrep;
                if (all_end)
                    break; /* every repeater at the end: no need to go on */
            }
        }
    }

    /* the message around them */
    {
        size_t vbl_len = p - vbuf;
        unsigned char ints[16], *q = ints;
        size_t pdu_len, msg_len;
        /* error-status, error-index */
        *q++ = 0x02;
        *q++ = 1;
        *q++ = (unsigned char)errstat;
        *q++ = 0x02;
        *q++ = 1;
        *q++ = (unsigned char)errindex;
        pdu_len = reqid_tlv_len + (q - ints) + 1 + len_size(vbl_len) + vbl_len;
        msg_len = 3 + 2 + community_len + 1 + len_size(pdu_len) + pdu_len;
        if (1 + len_size(msg_len) + msg_len > MAX_MSG)
            return -1;
        p = out;
        *p++ = 0x30;
        p = put_len(p, msg_len);
        *p++ = 0x02;
        *p++ = 1;
        *p++ = 1; /* v2c */
        *p++ = 0x04;
        *p++ = (unsigned char)community_len;
        memcpy(p, community, community_len);
        p += community_len;
        *p++ = 0xa2;
        p = put_len(p, pdu_len);
        memcpy(p, reqid_tlv, reqid_tlv_len);
        p += reqid_tlv_len;
        memcpy(p, ints, q - ints);
        p += q - ints;
        *p++ = 0x30;
        p = put_len(p, vbl_len);
        memcpy(p, vbuf, vbl_len);
        p += vbl_len;
        return (int)(p - out);
    }
}

/* ---- the loop ------------------------------------------------------------------------ */

static void send_reply(struct pending *pd)
{
    ssize_t s =
        sendto(pd->agent->fd, pd->data, pd->len, 0, (struct sockaddr *)&pd->to, sizeof pd->to);
    if (s == pd->len) {
        stats.replies++;
        stats.bytes_out += s;
    }
}

static void run_wheel(uint64_t upto)
{
    while (wheel_now < upto) {
        struct pending **slot = &wheel[++wheel_now % WHEEL], *pd, *keep = NULL;
        pd = *slot;
        *slot = NULL;
        while (pd) {
            struct pending *next = pd->next;
            if (pd->due_ms <= wheel_now) {
                send_reply(pd);
                free(pd);
                n_pending--;
            } else {
                pd->next = keep;
                keep = pd;
            }
            pd = next;
        }
        /* still due later (a full turn of the wheel away) */
        while (keep) {
            struct pending *next = keep->next;
            keep->next = *slot;
            *slot = keep;
            keep = next;
        }
    }
}

static void schedule(struct agent *ag, const struct sockaddr_in *to, const unsigned char *data,
                     int len)
{
    struct pending *pd = malloc(sizeof *pd + len);
    if (!pd)
        return;
    pd->agent = ag;
    pd->to = *to;
    pd->len = len;
    memcpy(pd->data, data, len);
    pd->due_ms = now_ms() + ag->latency;
    if (pd->due_ms <= wheel_now)
        pd->due_ms = wheel_now + 1;
    pd->next = wheel[pd->due_ms % WHEEL];
    wheel[pd->due_ms % WHEEL] = pd;
    n_pending++;
}

static void on_readable(struct agent *ag)
{
    static unsigned char in[MAX_MSG + 1], out[MAX_MSG + 1024];
    for (;;) {
        struct sockaddr_in from;
        socklen_t fl = sizeof from;
        ssize_t n = recvfrom(ag->fd, in, sizeof in, 0, (struct sockaddr *)&from, &fl);
        int len;
        if (n < 0)
            return; /* EAGAIN (or an error): done for now */
        stats.requests++;
        if (ag->kind == K_DEAD) {
            stats.silent++;
            continue;
        }
        if (lost(ag->port, ag->received++)) {
            stats.lost++;
            continue;
        }
        len = answer(ag, in, (size_t)n, out);
        if (len < 0)
            stats.bad++;
        else if (len > 0)
            schedule(ag, &from, out, len);
    }
}

static void print_stats(FILE *f)
{
    fprintf(f,
            "{\"requests\":%ld,\"lost\":%ld,\"silent\":%ld,\"replies\":%ld,\"too_big\":%ld,"
            "\"bad\":%ld,\"bytes_out\":%ld,\"varbinds_out\":%ld,\"pending\":%ld}\n",
            stats.requests, stats.lost, stats.silent, stats.replies, stats.too_big, stats.bad,
            stats.bytes_out, stats.varbinds_out, n_pending);
    fflush(f);
}

static int serve(int n, unsigned base, const char *ports_file)
{
    int ep, i, bound = 0;
    unsigned port = base;
    struct rlimit rl;
    struct sigaction sa;
    FILE *pf;

    /* one descriptor per agent (and the epoll one, stdio): raise the soft limit */
    if (getrlimit(RLIMIT_NOFILE, &rl) == 0) {
        rlim_t want = (rlim_t)n + 64;
        if (rl.rlim_cur < want) {
            rl.rlim_cur = want <= rl.rlim_max ? want : rl.rlim_max;
            setrlimit(RLIMIT_NOFILE, &rl);
        }
        if (rl.rlim_cur < (rlim_t)n + 16) {
            fprintf(stderr,
                    "fleet_sim: RLIMIT_NOFILE allows %ld descriptors, %d agents need more\n",
                    (long)rl.rlim_cur, n);
            return 1;
        }
    }
    agents = calloc(n, sizeof *agents);
    ep = epoll_create1(0);
    if (!agents || ep < 0) {
        perror("fleet_sim");
        return 1;
    }
    while (bound < n) {
        struct sockaddr_in a = {0};
        int fd, rcv = 1 << 20;
        struct epoll_event ev;
        if (port > 65535) {
            fprintf(stderr, "fleet_sim: ran out of ports after %d agents\n", bound);
            return 1;
        }
        if (port == 161 || port == 162) {
            port++;
            continue;
        }
        fd = socket(AF_INET, SOCK_DGRAM | SOCK_NONBLOCK | SOCK_CLOEXEC, 0);
        if (fd < 0) {
            perror("fleet_sim: socket");
            return 1;
        }
        a.sin_family = AF_INET;
        a.sin_port = htons((uint16_t)port);
        a.sin_addr.s_addr = htonl(INADDR_LOOPBACK);
        if (bind(fd, (struct sockaddr *)&a, sizeof a) < 0) {
            close(fd); /* taken: skip it */
            port++;
            continue;
        }
        setsockopt(fd, SOL_SOCKET, SO_RCVBUF, &rcv, sizeof rcv);
        agents[bound].fd = fd;
        agents[bound].port = port;
        agents[bound].kind = agent_kind(port);
        agents[bound].latency = agent_latency_ms(port);
        ev.events = EPOLLIN;
        ev.data.ptr = &agents[bound];
        if (epoll_ctl(ep, EPOLL_CTL_ADD, fd, &ev) < 0) {
            perror("fleet_sim: epoll_ctl");
            return 1;
        }
        bound++;
        port++;
    }
    n_agents = bound;

    if (ports_file) {
        char tmp[4096];
        snprintf(tmp, sizeof tmp, "%s.tmp", ports_file);
        pf = fopen(tmp, "w");
        if (!pf) {
            perror(tmp);
            return 1;
        }
        for (i = 0; i < n_agents; i++)
            fprintf(pf, "%u\n", agents[i].port);
        fclose(pf);
        rename(tmp, ports_file); /* appears whole, once every socket is bound */
    }

    memset(&sa, 0, sizeof sa);
    sa.sa_handler = on_signal;
    sigaction(SIGINT, &sa, NULL);
    sigaction(SIGTERM, &sa, NULL);
    sigaction(SIGUSR1, &sa, NULL);
    wheel_now = now_ms();

    while (!stop) {
        struct epoll_event evs[256];
        int timeout = n_pending ? 1 : 100, k;
        int got = epoll_wait(ep, evs, 256, timeout);
        if (got < 0 && errno != EINTR) {
            perror("fleet_sim: epoll_wait");
            return 1;
        }
        for (k = 0; k < got; k++)
            on_readable(evs[k].data.ptr);
        run_wheel(now_ms());
        if (dump) {
            dump = 0;
            print_stats(stderr);
            memset(&stats, 0, sizeof stats);
        }
    }
    return 0;
}

static void usage(void)
{
    fprintf(stderr, "usage: fleet_sim serve [-n N] [-p BASE] [-s SEED] [-o PORTSFILE]\n"
                    "       fleet_sim truth [-s SEED] < PORTSFILE\n"
                    "       fleet_sim value PORT COLUMN ROW\n");
    exit(2);
}

int main(int argc, char **argv)
{
    int n = 10000, i;
    unsigned base = 20000;
    const char *ports_file = NULL, *mode;
    if (argc < 2)
        usage();
    mode = argv[1];
    for (i = 2; i < argc; i++) {
        if (strcmp(argv[i], "-n") == 0 && i + 1 < argc)
            n = atoi(argv[++i]);
        else if (strcmp(argv[i], "-p") == 0 && i + 1 < argc)
            base = (unsigned)atoi(argv[++i]);
        else if (strcmp(argv[i], "-s") == 0 && i + 1 < argc)
            seed = strtoull(argv[++i], NULL, 10);
        else if (strcmp(argv[i], "-o") == 0 && i + 1 < argc)
            ports_file = argv[++i];
        else if (strcmp(mode, "value") == 0)
            break;
        else
            usage();
    }
    if (strcmp(mode, "serve") == 0) {
        if (n < 1 || base < 1024)
            usage();
        return serve(n, base, ports_file);
    }
    if (strcmp(mode, "truth") == 0) {
        unsigned port;
        while (scanf("%u", &port) == 1)
            printf("%u %s %d\n", port, kind_names[agent_kind(port)], agent_latency_ms(port));
        return 0;
    }
    if (strcmp(mode, "value") == 0 && argc == 5) {
        struct cell cv;
        int j;
        cell_value((unsigned)atoi(argv[2]), (unsigned)atoi(argv[3]), (unsigned)atoi(argv[4]), &cv);
        if (cv.type == T_OCTETS) {
            printf("octets ");
            for (j = 0; j < cv.len; j++)
                printf("%02x", (unsigned char)cv.bytes[j]);
            printf("\n");
        } else if (cv.type == T_OID) {
            printf("oid 0.0\n");
        } else {
            printf("%s %u\n",
                   cv.type == T_INT       ? "int"
                   : cv.type == T_CNTR32  ? "cntr32"
                   : cv.type == T_GAUGE32 ? "gauge32"
                                          : "timeticks",
                   cv.num);
        }
        return 0;
    }
    usage();
    return 2;
}
