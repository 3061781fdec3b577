/*
 * ref_fleet.c - the C reference client of `make bench-fleet`: net-snmp's
 * traditional asynchronous API over many sessions (snmp_open per agent,
 * snmp_async_send, then snmp_select_info2 + select + snmp_read2 /
 * snmp_timeout, as net-snmp's asyncapp example does), with a window of
 * WINDOW agents walked at once.
 *
 * Each agent's ifTable (ifEntry, 1.3.6.1.2.1.2.2.1) is walked with GETBULK
 * of 25 repetitions; on a timeout or tooBig the walk goes on from where it
 * was at 10 repetitions, and fails if that fails too.  Every cell is checked
 * against the simulator's data (fleet_data.h) as it arrives.  SNMPv2c,
 * community public, timeout 1 s, 2 retries.  Prints one JSON line.
 *
 *   ref_fleet PORTSFILE [WINDOW]
 *
 * Build: cc -O2 -o ref_fleet ref_fleet.c $(pkg-config --cflags --libs netsnmp)
 */
#include <net-snmp/net-snmp-config.h>
#include <net-snmp/net-snmp-includes.h>
#include <net-snmp/library/large_fd_set.h>

#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include "fleet_data.h"

static const oid if_entry[] = {1, 3, 6, 1, 2, 1, 2, 2, 1};
#define IF_ENTRY_LEN 9

struct agent {
    unsigned port;
    netsnmp_session *ss;
    oid next[MAX_OID_LEN];
    size_t next_len;
    long reps;
    int done, failed;
    unsigned char ok[CELLS]; /* the cell arrived, right */
    unsigned char bad[ROWS]; /* the row had a wrong or an unexpected cell */
};

static struct agent *agents;
static int n_agents, next_agent, active;
static long rows_ok, agents_ok;
static char failed_ports[65536];
static size_t failed_len;

static double now(void)
{
    struct timespec ts;
    clock_gettime(CLOCK_MONOTONIC, &ts);
    return ts.tv_sec + ts.tv_nsec / 1e9;
}

static int send_bulk(struct agent *a);

static void check_cell(struct agent *a, netsnmp_variable_list *vb)
{
    long col = (long)vb->name[IF_ENTRY_LEN], row;
    struct cell want;
    int good = 0;
    if (vb->name_length != IF_ENTRY_LEN + 2)
        return; /* not a row of ours: cannot be counted for any row */
    row = (long)vb->name[IF_ENTRY_LEN + 1];
    if (col < 1 || col > COLS || row < 1 || row > ROWS)
        return;
    cell_value(a->port, (unsigned)col, (unsigned)row, &want);
    if (vb->type == want.type) {
        if (want.type == T_OCTETS)
            good = vb->val_len == (size_t)want.len &&
                   memcmp(vb->val.string, want.bytes, want.len) == 0;
        else if (want.type == T_OID)
            good = vb->val_len == 2 * sizeof(oid) && vb->val.objid[0] == 0 && vb->val.objid[1] == 0;
        else
            good = (uint32_t)*vb->val.integer == want.num;
    }
    if (good)
        a->ok[(col - 1) * ROWS + row - 1] = 1;
    else
        a->bad[row - 1] = 1;
}

static void finish(struct agent *a, int failed)
{
    int r, c, good = 0;
    a->done = 1;
    a->failed = failed;
    if (!failed) {
        for (r = 0; r < ROWS; r++) {
            int whole = !a->bad[r];
            for (c = 0; c < COLS && whole; c++)
                whole = a->ok[c * ROWS + r];
            good += whole;
        }
    }
    rows_ok += good;
    if (good == ROWS)
        agents_ok++;
    else if (failed_len + 8 < sizeof failed_ports)
        failed_len += snprintf(failed_ports + failed_len, sizeof failed_ports - failed_len, "%s%u",
                               failed_len ? " " : "", a->port);
}

static int on_response(int op, netsnmp_session *session, int reqid, netsnmp_pdu *pdu, void *magic)
{
    struct agent *a = magic;
    netsnmp_variable_list *vb;
    (void)session;
    (void)reqid;
    if (op == NETSNMP_CALLBACK_OP_RESEND || op == NETSNMP_CALLBACK_OP_CONNECT)
        return 1;
    if (op != NETSNMP_CALLBACK_OP_RECEIVED_MESSAGE || pdu->errstat == SNMP_ERR_TOOBIG) {
        /* a timeout (the retries spent) or tooBig: once more at 10 repetitions */
        if (a->reps > 10 &&
            (op == NETSNMP_CALLBACK_OP_TIMED_OUT || op == NETSNMP_CALLBACK_OP_RECEIVED_MESSAGE)) {
            a->reps = 10;
            if (send_bulk(a))
                return 1;
        }
        finish(a, 1);
        return 1;
    }
    if (pdu->errstat != SNMP_ERR_NOERROR) {
        finish(a, 1);
        return 1;
    }
    for (vb = pdu->variables; vb; vb = vb->next_variable) {
        if (vb->type == SNMP_ENDOFMIBVIEW ||
            snmp_oidtree_compare(if_entry, IF_ENTRY_LEN, vb->name, vb->name_length) != 0) {
            finish(a, 0);
            return 1;
        }
        if (snmp_oid_compare(vb->name, vb->name_length, a->next, a->next_len) <= 0) {
            finish(a, 1); /* not increasing */
            return 1;
        }
        check_cell(a, vb);
        memcpy(a->next, vb->name, vb->name_length * sizeof(oid));
        a->next_len = vb->name_length;
    }
    if (!pdu->variables || !send_bulk(a))
        finish(a, !pdu->variables ? 0 : 1);
    return 1;
}

static int send_bulk(struct agent *a)
{
    netsnmp_pdu *pdu = snmp_pdu_create(SNMP_MSG_GETBULK);
    pdu->non_repeaters = 0;
    pdu->max_repetitions = a->reps;
    snmp_add_null_var(pdu, a->next, a->next_len);
    if (!snmp_async_send(a->ss, pdu, on_response, a)) {
        snmp_free_pdu(pdu);
        return 0;
    }
    return 1;
}

static void start(struct agent *a)
{
    netsnmp_session s;
    char peer[64];
    snmp_sess_init(&s);
    snprintf(peer, sizeof peer, "udp:127.0.0.1:%u", a->port);
    s.version = SNMP_VERSION_2c;
    s.peername = peer;
    s.community = (u_char *)"public";
    s.community_len = 6;
    s.timeout = 1000000L;
    s.retries = 2;
    memcpy(a->next, if_entry, sizeof if_entry);
    a->next_len = IF_ENTRY_LEN;
    a->reps = 25;
    a->ss = snmp_open(&s);
    active++;
    if (!a->ss || !send_bulk(a))
        finish(a, 1);
}

int main(int argc, char **argv)
{
    FILE *f;
    unsigned port;
    int window = argc > 2 ? atoi(argv[2]) : 1000, i, cap = 16384;
    netsnmp_large_fd_set fdset;
    double t0;
    if (argc < 2 || window < 1) {
        fprintf(stderr, "usage: ref_fleet PORTSFILE [WINDOW]\n");
        return 2;
    }
    f = fopen(argv[1], "r");
    if (!f) {
        perror(argv[1]);
        return 2;
    }
    agents = calloc(cap, sizeof *agents);
    while (fscanf(f, "%u", &port) == 1) {
        if (n_agents == cap)
            agents = realloc(agents, (cap *= 2) * sizeof *agents);
        memset(&agents[n_agents], 0, sizeof *agents);
        agents[n_agents++].port = port;
    }
    fclose(f);

    /* no MIB files, no configuration or persistent files */
    setenv("MIBS", "", 1);
    setenv("MIBDIRS", "", 1);
    netsnmp_ds_set_boolean(NETSNMP_DS_LIBRARY_ID, NETSNMP_DS_LIB_DONT_READ_CONFIGS, 1);
    netsnmp_ds_set_boolean(NETSNMP_DS_LIBRARY_ID, NETSNMP_DS_LIB_DONT_PERSIST_STATE, 1);
    netsnmp_ds_set_boolean(NETSNMP_DS_LIBRARY_ID, NETSNMP_DS_LIB_DISABLE_PERSISTENT_LOAD, 1);
    netsnmp_ds_set_boolean(NETSNMP_DS_LIBRARY_ID, NETSNMP_DS_LIB_DISABLE_PERSISTENT_SAVE, 1);
    netsnmp_set_mib_directory("");
    init_snmp("winsnmp-bench-fleet");
    netsnmp_large_fd_set_init(&fdset, FD_SETSIZE);

    t0 = now();
    for (;;) {
        int numfds = 0, block = 1, n;
        struct timeval tv = {0, 0};
        while (active < window && next_agent < n_agents)
            start(&agents[next_agent++]);
        /* close the sessions of the agents done (never inside their callback) */
        for (i = 0; i < next_agent; i++) {
            if (agents[i].done && agents[i].ss) {
                snmp_close(agents[i].ss);
                agents[i].ss = NULL;
                active--;
            }
        }
        if (active < window && next_agent < n_agents)
            continue;
        if (active == 0)
            break;
        NETSNMP_LARGE_FD_ZERO(&fdset);
        snmp_select_info2(&numfds, &fdset, &tv, &block);
        if (numfds > (int)fdset.lfs_setsize) {
            netsnmp_large_fd_set_resize(&fdset, numfds);
            NETSNMP_LARGE_FD_ZERO(&fdset);
            numfds = 0;
            snmp_select_info2(&numfds, &fdset, &tv, &block);
        }
        n = netsnmp_large_fd_set_select(numfds, &fdset, NULL, NULL, block ? NULL : &tv);
        if (n > 0)
            snmp_read2(&fdset);
        else if (n == 0)
            snmp_timeout();
        else if (errno != EINTR) {
            perror("ref_fleet: select");
            return 1;
        }
    }
    printf("{\"client\":\"c-ref\",\"seconds\":%.3f,\"agents\":%d,\"agents_ok\":%ld,\"rows_ok\":%ld,"
           "\"window\":%d,\"failed_ports\":\"%s\"}\n",
           now() - t0, n_agents, agents_ok, rows_ok, window, failed_ports);
    netsnmp_large_fd_set_cleanup(&fdset);
    snmp_shutdown("winsnmp-bench-fleet");
    return 0;
}
