/*
 * ref_client.c - the C reference client of the winsnmp benchmark.
 *
 * Uses net-snmp's single-session ("sess") API the way an asynchronous C
 * program would: snmp_sess_open, snmp_sess_async_send, then a wait loop of
 * snmp_sess_select_info + select + snmp_sess_read / snmp_sess_timeout.
 * It never calls snmp_synch_response.
 *
 * Usage (options come before the mode):
 *   ref_client [-c COMMUNITY] [-r MAXREP] [-o OID] seq N ADDR
 *   ref_client [...] pipe N INFLIGHT ADDR
 *   ref_client [...] walk ROOT ADDR [MAXREP]
 *   ref_client [...] many ADDR...
 *   ref_client [...] count N ADDR        (for callgrind: N GETs, then exit)
 *
 * ADDR is a net-snmp peer name such as udp:127.0.0.1:20161.  SNMPv2c,
 * community "public", timeout 1 s, 3 retries.  GETs ask for sysName.0
 * (1.3.6.1.2.1.1.5.0) unless -o says otherwise.  Each run prints ONE line
 * of JSON on stdout; diagnostics go to stderr.  Exit status 0 when every
 * request got a good answer, 1 otherwise, 2 on a usage error.
 *
 * Build: cc -O2 -o ref_client ref_client.c $(pkg-config --cflags --libs netsnmp)
 */
#include <net-snmp/net-snmp-config.h>
#include <net-snmp/net-snmp-includes.h>
#include <net-snmp/library/large_fd_set.h>

#include <errno.h>
#include <stdbool.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/resource.h>
#include <sys/select.h>
#include <sys/time.h>
#include <time.h>

#define TIMEOUT_US 1000000L
#define RETRIES 3

static const char *community = "public";
static oid get_oid[MAX_OID_LEN];
static size_t get_oid_len;

/* ------------------------------------------------------------------ */
/* small helpers                                                       */

static double now(void)
{
    struct timespec ts;
    clock_gettime(CLOCK_MONOTONIC, &ts);
    return ts.tv_sec + ts.tv_nsec / 1e9;
}

static double cpu_seconds(void)
{
    struct rusage ru;
    getrusage(RUSAGE_SELF, &ru);
    return ru.ru_utime.tv_sec + ru.ru_utime.tv_usec / 1e6 + ru.ru_stime.tv_sec +
           ru.ru_stime.tv_usec / 1e6;
}

/* Dotted decimal only: no MIBs are loaded, so no names either. */
static int parse_oid(const char *text, oid *out, size_t *len)
{
    const char *p = text;
    size_t n = 0;
    if (*p == '.')
        p++;
    while (*p) {
        char *end;
        unsigned long v;
        if (*p < '0' || *p > '9' || n >= MAX_OID_LEN)
            return 0;
        v = strtoul(p, &end, 10);
        out[n++] = (oid)v;
        p = end;
        if (*p == '.')
            p++;
        else if (*p)
            return 0;
    }
    *len = n;
    return n >= 2;
}

static void usage(void)
{
    fprintf(stderr, "usage: ref_client [-c COMMUNITY] [-r MAXREP] [-o OID] MODE ...\n"
                    "  seq N ADDR | pipe N INFLIGHT ADDR | walk ROOT ADDR [MAXREP]\n"
                    "  many ADDR... | count N ADDR\n");
    exit(2);
}

static void init_netsnmp(void)
{
    /* Fair start-up: no MIB files, no configuration or persistent files. */
    setenv("MIBS", "", 1);
    setenv("MIBDIRS", "", 1);
    netsnmp_ds_set_boolean(NETSNMP_DS_LIBRARY_ID, NETSNMP_DS_LIB_DONT_READ_CONFIGS, 1);
    netsnmp_ds_set_boolean(NETSNMP_DS_LIBRARY_ID, NETSNMP_DS_LIB_DONT_PERSIST_STATE, 1);
    netsnmp_ds_set_boolean(NETSNMP_DS_LIBRARY_ID, NETSNMP_DS_LIB_DISABLE_PERSISTENT_LOAD, 1);
    netsnmp_ds_set_boolean(NETSNMP_DS_LIBRARY_ID, NETSNMP_DS_LIB_DISABLE_PERSISTENT_SAVE, 1);
    netsnmp_set_mib_directory("");
    init_snmp("winsnmp-bench-ref");
}

/* ------------------------------------------------------------------ */
/* per-session state and the response callback                         */

struct ctx {
    void *sess;      /* opaque single-session handle */
    int outstanding; /* requests sent, not yet answered or timed out */
    long ok;         /* good answers */
    long errors;     /* error-status, exception values, bad PDUs */
    long timeouts;   /* gave up after the retries */
    long resends;    /* retransmissions (not an outcome) */
    /* walk state */
    int walking;
    oid root[MAX_OID_LEN];
    size_t root_len;
    oid next[MAX_OID_LEN];
    size_t next_len;
    long varbinds;
    int walk_done;
};

static int check_get_response(netsnmp_pdu *pdu)
{
    netsnmp_variable_list *vb;
    if (pdu->command != SNMP_MSG_RESPONSE || pdu->errstat != SNMP_ERR_NOERROR)
        return 0;
    vb = pdu->variables;
    if (!vb || vb->type == SNMP_NOSUCHOBJECT || vb->type == SNMP_NOSUCHINSTANCE ||
        vb->type == SNMP_ENDOFMIBVIEW)
        return 0;
    return 1;
}

/* Walk step: count varbinds inside the subtree, remember where to go on. */
static void walk_response(struct ctx *c, netsnmp_pdu *pdu)
{
    netsnmp_variable_list *vb;
    if (pdu->command != SNMP_MSG_RESPONSE || pdu->errstat != SNMP_ERR_NOERROR) {
        c->errors++;
        c->walk_done = 1;
        return;
    }
    c->ok++;
    for (vb = pdu->variables; vb; vb = vb->next_variable) {
        if (vb->type == SNMP_ENDOFMIBVIEW ||
            snmp_oidtree_compare(c->root, c->root_len, vb->name, vb->name_length) != 0) {
            c->walk_done = 1;
            return;
        }
        if (snmp_oid_compare(vb->name, vb->name_length, c->next, c->next_len) <= 0) {
            fprintf(stderr, "ref_client: OID not increasing, walk stopped\n");
            c->errors++;
            c->walk_done = 1;
            return;
        }
        memcpy(c->next, vb->name, vb->name_length * sizeof(oid));
        c->next_len = vb->name_length;
        c->varbinds++;
    }
    if (!pdu->variables)
        c->walk_done = 1;
}

static int on_response(int op, netsnmp_session *session, int reqid, netsnmp_pdu *pdu, void *magic)
{
    struct ctx *c = magic;
    (void)session;
    (void)reqid;
    /* RESEND (a retransmission) and CONNECT are notices, not outcomes. */
    if (op == NETSNMP_CALLBACK_OP_RESEND) {
        c->resends++;
        return 1;
    }
    if (op == NETSNMP_CALLBACK_OP_CONNECT)
        return 1;
    c->outstanding--;
    if (op == NETSNMP_CALLBACK_OP_RECEIVED_MESSAGE) {
        if (c->walking)
            walk_response(c, pdu);
        else if (check_get_response(pdu))
            c->ok++;
        else
            c->errors++;
    } else if (op == NETSNMP_CALLBACK_OP_TIMED_OUT) {
        c->timeouts++;
        if (c->walking)
            c->walk_done = 1;
    } else {
        c->errors++;
        if (c->walking)
            c->walk_done = 1;
    }
    return 1;
}

static void *open_session(const char *peer, struct ctx *c)
{
    netsnmp_session s;
    void *sessp;
    snmp_sess_init(&s);
    s.version = SNMP_VERSION_2c;
    s.peername = (char *)peer;
    s.community = (u_char *)community;
    s.community_len = strlen(community);
    s.timeout = TIMEOUT_US;
    s.retries = RETRIES;
    s.callback = on_response;
    s.callback_magic = c;
    sessp = snmp_sess_open(&s);
    if (!sessp) {
        snmp_sess_perror("ref_client: snmp_sess_open", &s);
        return NULL;
    }
    c->sess = sessp;
    return sessp;
}

static int send_get(struct ctx *c)
{
    netsnmp_pdu *pdu = snmp_pdu_create(SNMP_MSG_GET);
    snmp_add_null_var(pdu, get_oid, get_oid_len);
    if (!snmp_sess_async_send(c->sess, pdu, on_response, c)) {
        snmp_sess_perror("ref_client: snmp_sess_async_send", snmp_sess_session(c->sess));
        snmp_free_pdu(pdu);
        c->errors++;
        return 0;
    }
    c->outstanding++;
    return 1;
}

static int send_bulk(struct ctx *c, long maxrep)
{
    netsnmp_pdu *pdu = snmp_pdu_create(SNMP_MSG_GETBULK);
    pdu->non_repeaters = 0;
    pdu->max_repetitions = maxrep;
    snmp_add_null_var(pdu, c->next, c->next_len);
    if (!snmp_sess_async_send(c->sess, pdu, on_response, c)) {
        snmp_sess_perror("ref_client: snmp_sess_async_send", snmp_sess_session(c->sess));
        snmp_free_pdu(pdu);
        c->errors++;
        return 0;
    }
    c->outstanding++;
    return 1;
}

/* One turn of the wait loop for a single session: select_info, select,
 * then read (a datagram is there) or timeout (retransmit / give up). */
static void wait_once(struct ctx *c)
{
    int fds = 0, block = 1, n;
    fd_set fdset;
    struct timeval tv = {0, 0};
    FD_ZERO(&fdset);
    snmp_sess_select_info(c->sess, &fds, &fdset, &tv, &block);
    n = select(fds, &fdset, NULL, NULL, block ? NULL : &tv);
    if (n > 0)
        snmp_sess_read(c->sess, &fdset);
    else if (n == 0)
        snmp_sess_timeout(c->sess);
    else if (errno != EINTR) {
        perror("ref_client: select");
        exit(1);
    }
}

/* ------------------------------------------------------------------ */
/* modes                                                               */

static void print_rate(const char *mode, long n, double t0, double t1, double cpu,
                       const struct ctx *c, const char *extra)
{
    double secs = t1 - t0;
    printf("{\"client\":\"c-ref\",\"mode\":\"%s\",\"n\":%ld,\"seconds\":%.4f,"
           "\"per_second\":%.0f,\"cpu_seconds\":%.4f,\"ok\":%ld,\"errors\":%ld,"
           "\"timeouts\":%ld,\"resends\":%ld%s}\n",
           mode, n, secs, secs > 0 ? n / secs : 0.0, cpu, c->ok, c->errors, c->timeouts, c->resends,
           extra ? extra : "");
}

/* seq / count: N GETs, one at a time. */
static int run_seq(const char *mode, long n, const char *addr)
{
    struct ctx c = {0};
    double t0, t1, cpu0;
    long i;
    if (!open_session(addr, &c))
        return 1;
    t0 = now();
    cpu0 = cpu_seconds();
    for (i = 0; i < n; i++) {
        if (!send_get(&c))
            break;
        while (c.outstanding > 0)
            wait_once(&c);
    }
    t1 = now();
    if (strcmp(mode, "count") == 0)
        printf("{\"client\":\"c-ref\",\"mode\":\"count\",\"n\":%ld,\"ok\":%ld}\n", n, c.ok);
    else
        print_rate(mode, n, t0, t1, cpu_seconds() - cpu0, &c, NULL);
    snmp_sess_close(c.sess);
    return c.ok == n ? 0 : 1;
}

/* pipe: keep INFLIGHT requests outstanding on one session until N answered. */
static int run_pipe(long n, long inflight, const char *addr)
{
    struct ctx c = {0};
    double t0, t1, cpu0;
    long sent = 0;
    char extra[64];
    if (!open_session(addr, &c))
        return 1;
    t0 = now();
    cpu0 = cpu_seconds();
    for (;;) {
        while (c.outstanding < inflight && sent < n) {
            if (!send_get(&c))
                goto out;
            sent++;
        }
        if (c.outstanding == 0)
            break;
        wait_once(&c);
    }
out:
    t1 = now();
    snprintf(extra, sizeof extra, ",\"inflight\":%ld", inflight);
    print_rate("pipe", n, t0, t1, cpu_seconds() - cpu0, &c, extra);
    snmp_sess_close(c.sess);
    return c.ok == n ? 0 : 1;
}

/* walk: GETBULK from ROOT, staying in the subtree, counting varbinds. */
static int run_walk(const char *root, const char *addr, long maxrep)
{
    struct ctx c = {0};
    double t0, t1, cpu0, secs;
    long requests = 0;
    if (!parse_oid(root, c.root, &c.root_len)) {
        fprintf(stderr, "ref_client: bad OID %s (dotted decimal only)\n", root);
        return 2;
    }
    memcpy(c.next, c.root, c.root_len * sizeof(oid));
    c.next_len = c.root_len;
    c.walking = 1;
    if (!open_session(addr, &c))
        return 1;
    t0 = now();
    cpu0 = cpu_seconds();
    while (!c.walk_done) {
        if (!send_bulk(&c, maxrep))
            break;
        requests++;
        while (c.outstanding > 0)
            wait_once(&c);
    }
    t1 = now();
    secs = t1 - t0;
    printf("{\"client\":\"c-ref\",\"mode\":\"walk\",\"root\":\"%s\",\"max_repetitions\":%ld,"
           "\"varbinds\":%ld,\"requests\":%ld,\"seconds\":%.4f,\"varbinds_per_second\":%.0f,"
           "\"cpu_seconds\":%.4f,\"errors\":%ld,\"timeouts\":%ld,\"resends\":%ld}\n",
           root, maxrep, c.varbinds, requests, secs, secs > 0 ? c.varbinds / secs : 0.0,
           cpu_seconds() - cpu0, c.errors, c.timeouts, c.resends);
    snmp_sess_close(c.sess);
    return c.errors || c.timeouts ? 1 : 0;
}

/* many: one GET to each agent.  A single-session handle is bound to one
 * peer, so this opens one session (one socket) per agent, sends every GET,
 * then selects over all of the sockets at once. */
static int run_many(int count, char **addrs)
{
    struct ctx *cs = calloc(count, sizeof *cs);
    netsnmp_large_fd_set fdset;
    double t0, t1, t_open, cpu0;
    long ok = 0, errors = 0, timeouts = 0, resends = 0;
    int i, fds_used = 0, max_fd = -1, opened = 0;
    struct rlimit rl;

    /* one descriptor per agent: raise the soft limit to the hard one */
    if (getrlimit(RLIMIT_NOFILE, &rl) == 0 && rl.rlim_cur < rl.rlim_max) {
        rl.rlim_cur = rl.rlim_max;
        setrlimit(RLIMIT_NOFILE, &rl);
    }
    netsnmp_large_fd_set_init(&fdset, FD_SETSIZE);

    t0 = now();
    cpu0 = cpu_seconds();
    for (i = 0; i < count; i++) {
        netsnmp_transport *t;
        if (!open_session(addrs[i], &cs[i])) {
            errors++;
            continue;
        }
        opened++;
        t = snmp_sess_transport(cs[i].sess);
        if (t && t->sock >= 0) {
            fds_used++;
            if (t->sock > max_fd)
                max_fd = t->sock;
        }
    }
    t_open = now();
    for (i = 0; i < count; i++)
        if (cs[i].sess)
            send_get(&cs[i]);

    for (;;) {
        int numfds = 0, block = 1, n;
        struct timeval tv = {0, 0};
        long pending = 0;
        if (max_fd + 1 > FD_SETSIZE)
            netsnmp_large_fd_set_resize(&fdset, max_fd + 1);
        NETSNMP_LARGE_FD_ZERO(&fdset);
        for (i = 0; i < count; i++) {
            int sblock = 1;
            struct timeval stv = {0, 0};
            if (!cs[i].sess || cs[i].outstanding == 0)
                continue;
            pending++;
            snmp_sess_select_info2(cs[i].sess, &numfds, &fdset, &stv, &sblock);
            bool sooner =
                stv.tv_sec < tv.tv_sec || (stv.tv_sec == tv.tv_sec && stv.tv_usec < tv.tv_usec);
            if (!sblock && (block || sooner)) {
                tv = stv;
                block = 0;
            }
        }
        if (pending == 0)
            break;
        n = netsnmp_large_fd_set_select(numfds, &fdset, NULL, NULL, block ? NULL : &tv);
        if (n < 0) {
            if (errno == EINTR)
                continue;
            perror("ref_client: select");
            return 1;
        }
        for (i = 0; i < count; i++) {
            if (!cs[i].sess || cs[i].outstanding == 0)
                continue;
            if (n > 0) {
                netsnmp_transport *t = snmp_sess_transport(cs[i].sess);
                if (t && NETSNMP_LARGE_FD_ISSET(t->sock, &fdset))
                    snmp_sess_read2(cs[i].sess, &fdset);
            } else {
                snmp_sess_timeout(cs[i].sess);
            }
        }
    }
    t1 = now();
    for (i = 0; i < count; i++) {
        ok += cs[i].ok;
        errors += cs[i].errors;
        timeouts += cs[i].timeouts;
        resends += cs[i].resends;
    }
    printf("{\"client\":\"c-ref\",\"mode\":\"many\",\"agents\":%d,\"sessions\":%d,"
           "\"descriptors\":%d,\"max_fd\":%d,\"seconds\":%.4f,\"open_seconds\":%.4f,"
           "\"per_second\":%.0f,\"cpu_seconds\":%.4f,\"ok\":%ld,\"errors\":%ld,"
           "\"timeouts\":%ld,\"resends\":%ld}\n",
           count, opened, fds_used, max_fd, t1 - t0, t_open - t0, t1 > t0 ? count / (t1 - t0) : 0.0,
           cpu_seconds() - cpu0, ok, errors, timeouts, resends);
    for (i = 0; i < count; i++)
        if (cs[i].sess)
            snmp_sess_close(cs[i].sess);
    netsnmp_large_fd_set_cleanup(&fdset);
    free(cs);
    return ok == count ? 0 : 1;
}

/* ------------------------------------------------------------------ */

int main(int argc, char **argv)
{
    int i = 1, rc;
    long maxrep = 25;
    const char *oidtext = "1.3.6.1.2.1.1.5.0";
    const char *mode;

    while (i < argc && argv[i][0] == '-') {
        if (i + 1 >= argc)
            usage();
        if (strcmp(argv[i], "-c") == 0)
            community = argv[i + 1];
        else if (strcmp(argv[i], "-r") == 0)
            maxrep = atol(argv[i + 1]);
        else if (strcmp(argv[i], "-o") == 0)
            oidtext = argv[i + 1];
        else
            usage();
        i += 2;
    }
    if (i >= argc)
        usage();
    mode = argv[i++];
    if (!parse_oid(oidtext, get_oid, &get_oid_len)) {
        fprintf(stderr, "ref_client: bad OID %s\n", oidtext);
        return 2;
    }
    init_netsnmp();

    if ((strcmp(mode, "seq") == 0 || strcmp(mode, "count") == 0) && argc - i == 2)
        rc = run_seq(mode, atol(argv[i]), argv[i + 1]);
    else if (strcmp(mode, "pipe") == 0 && argc - i == 3)
        rc = run_pipe(atol(argv[i]), atol(argv[i + 1]), argv[i + 2]);
    else if (strcmp(mode, "walk") == 0 && (argc - i == 2 || argc - i == 3))
        rc = run_walk(argv[i], argv[i + 1], argc - i == 3 ? atol(argv[i + 2]) : maxrep);
    else if (strcmp(mode, "many") == 0 && argc - i >= 1)
        rc = run_many(argc - i, argv + i);
    else
        usage();
    fflush(stdout);
    snmp_shutdown("winsnmp-bench-ref");
    return rc;
}
