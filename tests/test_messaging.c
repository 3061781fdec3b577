/*
 * test_messaging.c — SnmpSendMsg, SnmpRecvMsg, SnmpCancelMsg, SnmpEncodeMsg,
 * SnmpDecodeMsg and the poll-loop extensions (WsnmpPoll, WsnmpGetPollFds,
 * WsnmpRecvResponse), against agents that the test plays itself.
 *
 * Each agent is a plain non-blocking UDP socket bound to 127.0.0.1 port 0.
 * It reads requests with SnmpDecodeMsg and builds its answers with
 * SnmpEncodeMsg (a v2c entity in a separate, queue-only session), so no
 * snmpd, no fixed port and no non-loopback address is involved.  Everything
 * is single-threaded: the agent sockets are read between short WsnmpPoll
 * calls.
 */
#include <arpa/inet.h>
#include <netinet/in.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>
#include <time.h>
#include <unistd.h>

#include "winsnmp.h"
#include "test.h"

/* The session the agents encode and decode with; it never sends. */
static HSNMP_SESSION A;

/* ---- names and values ------------------------------------------------------ */

static smiUINT32 sys_descr_ids[] = {1, 3, 6, 1, 2, 1, 1, 1, 0};
static smiUINT32 sys_object_ids[] = {1, 3, 6, 1, 2, 1, 1, 2, 0};
static smiUINT32 if_hc_in_ids[] = {1, 3, 6, 1, 2, 1, 31, 1, 1, 1, 6, 1};
static smiUINT32 sys_services_ids[] = {1, 3, 6, 1, 2, 1, 1, 7, 0};
static smiUINT32 net_snmp_agent_ids[] = {1, 3, 6, 1, 4, 1, 8072, 3, 2, 10};
static const smiOID sys_descr = {9, sys_descr_ids};
static const smiOID sys_object = {9, sys_object_ids};
static const smiOID if_hc_in = {12, if_hc_in_ids};
static const smiOID sys_services = {9, sys_services_ids};
static const smiOID net_snmp_agent = {10, net_snmp_agent_ids};

static unsigned char all_bytes[256]; /* 0x00..0xFF: an 8-bit clean string */
static const smiCNTR64 big_counter = {0xFEDCBA98u, 0x76543210u};

static uint64_t now_ms(void)
{
    struct timespec ts;
    clock_gettime(CLOCK_MONOTONIC, &ts);
    return (uint64_t)ts.tv_sec * 1000u + (uint64_t)ts.tv_nsec / 1000000u;
}

static smiOCTETS octets(const char *s)
{
    smiOCTETS o;
    o.len = (smiUINT32)strlen(s);
    o.ptr = (smiLPBYTE)(uintptr_t)s;
    return o;
}

static WsnmpStats stats(HSNMP_SESSION s)
{
    WsnmpStats st;
    if (WsnmpGetStats(s, &st) != SNMPAPI_SUCCESS)
        memset(&st, 0xFF, sizeof st);
    return st;
}

static smiUINT32 dropped(void)
{
    return stats(0).dropped;
}

/* The request list of a GET: two names with NULL values. */
static HSNMP_VBL request_vbl(HSNMP_SESSION s)
{
    HSNMP_VBL v = SnmpCreateVbl(s, &sys_descr, NULL);
    if (v && SnmpSetVb(v, 0, &sys_object, NULL) != 2) {
        SnmpFreeVbl(v);
        return 0;
    }
    return v;
}

/* The answer list: 8-bit clean octets, a Counter64 and an OID value. */
static HSNMP_VBL answer_vbl(HSNMP_SESSION s)
{
    smiVALUE v;
    memset(&v, 0, sizeof v);
    v.syntax = SNMP_SYNTAX_OCTETS;
    v.value.string.len = sizeof all_bytes;
    v.value.string.ptr = all_bytes;
    HSNMP_VBL l = SnmpCreateVbl(s, &sys_descr, &v);
    if (l == 0)
        return 0;
    memset(&v, 0, sizeof v);
    v.syntax = SNMP_SYNTAX_OID;
    v.value.oid = net_snmp_agent;
    int ok = SnmpSetVb(l, 0, &sys_object, &v) == 2;
    memset(&v, 0, sizeof v);
    v.syntax = SNMP_SYNTAX_CNTR64;
    v.value.hNumber = big_counter;
    ok = ok && SnmpSetVb(l, 0, &if_hc_in, &v) == 3;
    if (!ok) {
        SnmpFreeVbl(l);
        return 0;
    }
    return l;
}

/* A one-entry list carrying an integer (identifies one agent of many). */
static HSNMP_VBL int_vbl(HSNMP_SESSION s, smiINT n)
{
    smiVALUE v;
    memset(&v, 0, sizeof v);
    v.syntax = SNMP_SYNTAX_INT;
    v.value.sNumber = n;
    return SnmpCreateVbl(s, &sys_services, &v);
}

static void free_vb(smiOID *name, smiVALUE *val)
{
    SnmpFreeDescriptor(SNMP_SYNTAX_OID, (smiLPOPAQUE)name);
    if (val->syntax == SNMP_SYNTAX_OCTETS && val->value.string.ptr)
        SnmpFreeDescriptor(SNMP_SYNTAX_OCTETS, &val->value.string);
    else if (val->syntax == SNMP_SYNTAX_OID && val->value.oid.ptr)
        SnmpFreeDescriptor(SNMP_SYNTAX_OID, (smiLPOPAQUE)&val->value.oid);
}

/* `v` is exactly the answer list. */
static void check_answer_vbl(HSNMP_VBL v)
{
    smiOID n = {0, NULL};
    smiVALUE val;
    CHECK_RET(SnmpCountVbl(v), 3);

    memset(&val, 0, sizeof val);
    CHECK_OK(SnmpGetVb(v, 1, &n, &val));
    CHECK(oid_eq(&n, &sys_descr));
    CHECK_EQ_INT(val.syntax, SNMP_SYNTAX_OCTETS);
    CHECK_EQ_INT(val.value.string.len, sizeof all_bytes);
    if (val.value.string.len == sizeof all_bytes)
        CHECK_MEM_EQ(val.value.string.ptr, all_bytes, sizeof all_bytes);
    free_vb(&n, &val);

    memset(&val, 0, sizeof val);
    CHECK_OK(SnmpGetVb(v, 2, &n, &val));
    CHECK(oid_eq(&n, &sys_object));
    CHECK_EQ_INT(val.syntax, SNMP_SYNTAX_OID);
    if (val.syntax == SNMP_SYNTAX_OID) {
        CHECK_EQ_INT(val.value.oid.len, net_snmp_agent.len); /* 1.3.6.1.4.1.8072.3.2.10 */
        CHECK(oid_eq(&val.value.oid, &net_snmp_agent));
    }
    free_vb(&n, &val);

    memset(&val, 0, sizeof val);
    CHECK_OK(SnmpGetVb(v, 3, &n, &val));
    CHECK(oid_eq(&n, &if_hc_in));
    CHECK_EQ_INT(val.syntax, SNMP_SYNTAX_CNTR64);
    CHECK_EQ_INT(val.value.hNumber.hipart, big_counter.hipart);
    CHECK_EQ_INT(val.value.hNumber.lopart, big_counter.lopart);
    free_vb(&n, &val);
}

/* A received PDU: its fields, and (if `answer`) the answer list. */
static void check_pdu(HSNMP_PDU p, smiINT want_type, smiINT32 want_id, int answer)
{
    smiINT type = -1, es = -1, ei = -1;
    smiINT32 id = -1;
    HSNMP_VBL v = 0;
    CHECK_OK(SnmpGetPduData(p, &type, &id, &es, &ei, &v));
    CHECK_EQ_INT(type, want_type);
    CHECK_EQ_INT(id, want_id);
    CHECK_EQ_INT(es, 0);
    CHECK_EQ_INT(ei, 0);
    if (answer)
        check_answer_vbl(v);
    if (v)
        CHECK_OK(SnmpFreeVbl(v));
}

static smiINT32 pdu_id(HSNMP_PDU p)
{
    smiINT32 id = 0;
    if (SnmpGetPduData(p, NULL, &id, NULL, NULL, NULL) != SNMPAPI_SUCCESS)
        return 0;
    return id;
}

static smiINT pdu_int_value(HSNMP_PDU p)
{
    HSNMP_VBL v = 0;
    smiOID n = {0, NULL};
    smiVALUE val;
    smiINT out = -1;
    memset(&val, 0, sizeof val);
    if (SnmpGetPduData(p, NULL, NULL, NULL, NULL, &v) != SNMPAPI_SUCCESS)
        return -1;
    if (SnmpGetVb(v, 1, &n, &val) == SNMPAPI_SUCCESS) {
        if (val.syntax == SNMP_SYNTAX_INT)
            out = val.value.sNumber;
        free_vb(&n, &val);
    }
    SnmpFreeVbl(v);
    return out;
}

/* The context's bytes are exactly `want`. */
static int context_is(HSNMP_CONTEXT c, const void *want, size_t len)
{
    smiOCTETS o = {0, NULL};
    if (SnmpContextToStr(c, &o) != SNMPAPI_SUCCESS)
        return 0;
    int ok = o.len == len && (len == 0 || memcmp(o.ptr, want, len) == 0);
    SnmpFreeDescriptor(SNMP_SYNTAX_OCTETS, &o);
    return ok;
}

/* The port of an entity's literal address ("udp:127.0.0.1:1161"), or -1. */
static long entity_port(HSNMP_ENTITY e)
{
    char buf[WSNMP_MAX_ADDRESS + 16];
    if (WsnmpEntityAddress(e, sizeof buf, buf) == SNMPAPI_FAILURE)
        return -1;
    const char *colon = strrchr(buf, ':');
    return colon ? strtol(colon + 1, NULL, 10) : -1;
}

static const char *entity_address(HSNMP_ENTITY e)
{
    static char buf[WSNMP_MAX_ADDRESS + 16];
    if (WsnmpEntityAddress(e, sizeof buf, buf) == SNMPAPI_FAILURE)
        snprintf(buf, sizeof buf, "(failed: %s)", test_errname_(SnmpGetLastError(0)));
    return buf;
}

/* ---- session callbacks ----------------------------------------------------------- */

typedef struct {
    HSNMP_SESSION session;
    HWND hwnd;
    UINT msg;
    WPARAM wparam;
    LPARAM lparam;
    LPVOID data;
    uint64_t at;
} event_t;

#define MAX_EVENTS 1024
static event_t events[MAX_EVENTS];
static int nevents;

static void reset_events(void)
{
    nevents = 0;
}

static SNMPAPI_STATUS record(HSNMP_SESSION s, HWND hWnd, UINT wMsg, WPARAM wParam, LPARAM lParam,
                             LPVOID data)
{
    if (nevents < MAX_EVENTS)
        events[nevents] = (event_t){s, hWnd, wMsg, wParam, lParam, data, now_ms()};
    nevents++;
    return SNMPAPI_SUCCESS;
}

/* Polls until `want` events were recorded or `timeout_ms` passed. */
static int poll_events(int want, int timeout_ms)
{
    uint64_t end = now_ms() + (uint64_t)timeout_ms;
    while (nevents < want && now_ms() < end)
        WsnmpPoll(5, NULL);
    return nevents >= want;
}

/* Polls for `ms` milliseconds, whatever happens. */
static void poll_for(int ms)
{
    uint64_t end = now_ms() + (uint64_t)ms;
    while (now_ms() < end)
        WsnmpPoll(2, NULL);
}

/* Polls until the process-wide dropped count reaches `target`. */
static int poll_dropped(smiUINT32 target, int timeout_ms)
{
    uint64_t end = now_ms() + (uint64_t)timeout_ms;
    while (dropped() < target && now_ms() < end)
        WsnmpPoll(2, NULL);
    return dropped() >= target;
}

/* ---- agents ------------------------------------------------------------------------ */

typedef struct {
    int fd;
    unsigned port;
    char address[64]; /* "udp:127.0.0.1:PORT" */
} agent_t;

typedef struct {
    unsigned char *data; /* valid until the next agent_take */
    size_t len;
    struct sockaddr_in from;
    uint64_t at;
} dgram_t;

static unsigned char rx_buffer[65536];

static int agent_open(agent_t *a)
{
    struct sockaddr_in sin;
    socklen_t len = sizeof sin;
    memset(a, 0, sizeof *a);
    a->fd = socket(AF_INET, SOCK_DGRAM | SOCK_NONBLOCK | SOCK_CLOEXEC, 0);
    if (a->fd < 0)
        return 0;
    memset(&sin, 0, sizeof sin);
    sin.sin_family = AF_INET;
    sin.sin_addr.s_addr = htonl(INADDR_LOOPBACK);
    sin.sin_port = 0;
    if (bind(a->fd, (struct sockaddr *)&sin, sizeof sin) != 0 ||
        getsockname(a->fd, (struct sockaddr *)&sin, &len) != 0) {
        close(a->fd);
        a->fd = -1;
        return 0;
    }
    a->port = ntohs(sin.sin_port);
    snprintf(a->address, sizeof a->address, "udp:127.0.0.1:%u", a->port);
    return 1;
}

static void agent_close(agent_t *a)
{
    if (a->fd >= 0)
        close(a->fd);
    a->fd = -1;
}

/* One datagram if one is waiting (never blocks). */
static int agent_take(const agent_t *a, dgram_t *d)
{
    socklen_t fromlen = sizeof d->from;
    ssize_t n =
        recvfrom(a->fd, rx_buffer, sizeof rx_buffer, 0, (struct sockaddr *)&d->from, &fromlen);
    if (n < 0)
        return 0;
    d->data = rx_buffer;
    d->len = (size_t)n;
    d->at = now_ms();
    return 1;
}

/* Waits for a datagram, running WsnmpPoll meanwhile. */
static int agent_wait(const agent_t *a, dgram_t *d, int timeout_ms)
{
    uint64_t end = now_ms() + (uint64_t)timeout_ms;
    for (;;) {
        if (agent_take(a, d))
            return 1;
        if (now_ms() >= end)
            return 0;
        WsnmpPoll(2, NULL);
    }
}

/* Counts (and discards) the datagrams waiting at an agent. */
static int agent_drain(const agent_t *a)
{
    dgram_t d;
    int n = 0;
    while (agent_take(a, &d))
        n++;
    return n;
}

static int agent_send(const agent_t *a, const struct sockaddr_in *to, const void *data, size_t len)
{
    return sendto(a->fd, data, len, 0, (const struct sockaddr *)to, sizeof *to) == (ssize_t)len;
}

/* What an agent learns from a request. */
typedef struct {
    SNMPAPI_STATUS consumed;
    smiINT type, es, ei;
    smiINT32 id;
    smiUINT32 varbinds;
    unsigned char community[WSNMP_MAX_CONTEXT];
    smiUINT32 community_len;
} request_t;

/* Decodes a datagram with SnmpDecodeMsg, as an agent would; frees every
 * handle it gets.  Returns 0 if the datagram is not a message. */
static int decode_request(const unsigned char *data, size_t len, request_t *r)
{
    HSNMP_ENTITY src = 0, dst = 0;
    HSNMP_CONTEXT ctx = 0;
    HSNMP_PDU pdu = 0;
    HSNMP_VBL vbl = 0;
    smiOCTETS msg = {(smiUINT32)len, (smiLPBYTE)(uintptr_t)data};
    memset(r, 0, sizeof *r);
    r->consumed = SnmpDecodeMsg(A, &src, &dst, &ctx, &pdu, &msg);
    if (r->consumed == SNMPAPI_FAILURE)
        return 0;
    smiOCTETS c = {0, NULL};
    if (ctx && SnmpContextToStr(ctx, &c) == SNMPAPI_SUCCESS) {
        if (c.len <= sizeof r->community) {
            if (c.len)
                memcpy(r->community, c.ptr, c.len);
            r->community_len = c.len;
        }
        SnmpFreeDescriptor(SNMP_SYNTAX_OCTETS, &c);
    }
    if (pdu && SnmpGetPduData(pdu, &r->type, &r->id, &r->es, &r->ei, &vbl) == SNMPAPI_SUCCESS) {
        WsnmpCountVbl(vbl, &r->varbinds);
        SnmpFreeVbl(vbl);
    }
    if (src)
        SnmpFreeEntity(src);
    if (dst)
        SnmpFreeEntity(dst);
    if (ctx)
        SnmpFreeContext(ctx);
    if (pdu)
        SnmpFreePdu(pdu);
    return 1;
}

/* Encodes a message as an agent would (SnmpEncodeMsg through an entity of
 * the given version and community); returns its length, 0 on failure. */
static size_t encode_msg(int version, smiOCTETS community, smiINT type, smiINT32 id, HSNMP_VBL vbl,
                         unsigned char *out, size_t room)
{
    size_t len = 0;
    HSNMP_ENTITY e = SnmpStrToEntity(A, "udp:127.0.0.1:1"); /* never sent to */
    HSNMP_PDU p = SnmpCreatePdu(A, type, id, 0, 0, vbl);
    smiOCTETS m = {0, NULL};
    if (e && p && WsnmpSetEntityVersion(e, version) == SNMPAPI_SUCCESS &&
        WsnmpSetEntityCommunity(e, &community) == SNMPAPI_SUCCESS) {
        SNMPAPI_STATUS n = SnmpEncodeMsg(A, 0, e, 0, p, &m);
        if (n != SNMPAPI_FAILURE && n == m.len && n <= room && m.ptr) {
            memcpy(out, m.ptr, n);
            len = n;
        }
    }
    if (m.ptr)
        SnmpFreeDescriptor(SNMP_SYNTAX_OCTETS, &m);
    if (p)
        SnmpFreePdu(p);
    if (e)
        SnmpFreeEntity(e);
    return len;
}

static unsigned char tx_buffer[65536];

/* The agent answers request `id` (v2c, community "public") with `vbl`. */
static int agent_answer(const agent_t *a, const struct sockaddr_in *to, smiINT32 id, HSNMP_VBL vbl)
{
    size_t n = encode_msg(WSNMP_VERSION_2C, octets("public"), SNMP_PDU_RESPONSE, id, vbl, tx_buffer,
                          sizeof tx_buffer);
    return n > 0 && agent_send(a, to, tx_buffer, n);
}

/* An entity for an agent, with a policy (timeout in ms, exact retries). */
static HSNMP_ENTITY agent_entity(HSNMP_SESSION s, const agent_t *a, smiUINT32 timeout_ms,
                                 smiUINT32 retries)
{
    /* Private: each call a new entity with its own settings (an equal
     * string would give the same shared handle). */
    HSNMP_ENTITY e = WsnmpStrToEntityEx(s, a->address, WSNMP_PRIVATE);
    if (e == 0)
        return 0;
    if (timeout_ms)
        WsnmpSetTimeoutMs(e, timeout_ms);
    if (retries != WSNMP_DEFAULT)
        WsnmpSetRetries(e, retries);
    return e;
}

/* Sends a GET with a fresh request list; returns its request id, 0 on failure. */
static smiINT32 send_get(HSNMP_SESSION s, HSNMP_ENTITY e, HSNMP_CONTEXT ctx, smiINT32 id)
{
    HSNMP_VBL v = request_vbl(s);
    HSNMP_PDU p = SnmpCreatePdu(s, SNMP_PDU_GET, id, 0, 0, v);
    smiINT32 out = 0;
    if (p && SnmpSendMsg(s, 0, e, ctx, p) == SNMPAPI_SUCCESS)
        out = pdu_id(p);
    if (p)
        SnmpFreePdu(p);
    if (v)
        SnmpFreeVbl(v);
    return out;
}

static int cookie; /* the client data of the sessions that record events */

/* Clears the events and opens agent `ag`, a session with callback `cb` (and
 * `cookie`) and, in *e, an entity for the agent with the default policy. */
static HSNMP_SESSION open_agent_session(agent_t *ag, SNMPAPI_CALLBACK cb, HSNMP_ENTITY *e)
{
    reset_events();
    CHECK(agent_open(ag));
    HSNMP_SESSION S = SnmpCreateSession(NULL, 0, cb, &cookie);
    *e = agent_entity(S, ag, 0, WSNMP_DEFAULT);
    return S;
}

/* Sends a GET and waits until agent `ag` has it; stores the address it came
 * from (where answers go) in *manager unless that is NULL, and returns the
 * request id. */
static smiINT32 send_get_to_agent(HSNMP_SESSION s, HSNMP_ENTITY e, const agent_t *ag,
                                  struct sockaddr_in *manager)
{
    dgram_t d;
    smiINT32 id = send_get(s, e, 0, 0);
    CHECK(id != 0);
    CHECK(agent_wait(ag, &d, 1000));
    if (manager)
        *manager = d.from;
    return id;
}

/* Frees what SnmpRecvMsg or SnmpDecodeMsg handed out; 0 handles are skipped. */
static void free_received(HSNMP_ENTITY src, HSNMP_ENTITY dst, HSNMP_CONTEXT ctx, HSNMP_PDU p)
{
    if (src)
        CHECK_OK(SnmpFreeEntity(src));
    if (dst)
        CHECK_OK(SnmpFreeEntity(dst));
    if (ctx)
        CHECK_OK(SnmpFreeContext(ctx));
    if (p)
        CHECK_OK(SnmpFreePdu(p));
}

/* No entity, context, PDU, Vbl, request or descriptor is left anywhere. */
static void check_no_objects(void)
{
    WsnmpStats st = stats(0);
    CHECK_EQ_INT(st.entities, 0);
    CHECK_EQ_INT(st.contexts, 0);
    CHECK_EQ_INT(st.pdus, 0);
    CHECK_EQ_INT(st.vbls, 0);
    CHECK_EQ_INT(st.pending, 0);
    CHECK_EQ_INT(st.descriptors, 0);
}

/* ======================================================================== */

/* Callbacks for the slot-reuse test. */
static HSNMP_SESSION reuse_new;
static int reuse_first_calls, reuse_new_calls;
static LPARAM reuse_new_lparam;

static SNMPAPI_STATUS close_and_reopen(HSNMP_SESSION s, HWND hWnd, UINT wMsg, WPARAM wParam,
                                       LPARAM lParam, LPVOID data);

static SNMPAPI_STATUS new_session_cb(HSNMP_SESSION s, HWND hWnd, UINT wMsg, WPARAM wParam,
                                     LPARAM lParam, LPVOID data)
{
    (void)s, (void)hWnd, (void)wMsg, (void)wParam, (void)data;
    reuse_new_calls++;
    reuse_new_lparam = lParam;
    return SNMPAPI_SUCCESS;
}

static SNMPAPI_STATUS close_and_reopen(HSNMP_SESSION s, HWND hWnd, UINT wMsg, WPARAM wParam,
                                       LPARAM lParam, LPVOID data)
{
    (void)hWnd, (void)wMsg, (void)wParam, (void)lParam, (void)data;
    reuse_first_calls++;
    if (reuse_first_calls == 1) {
        SnmpClose(s);
        reuse_new = SnmpCreateSession(NULL, 0, new_session_cb, NULL);
    }
    return SNMPAPI_SUCCESS;
}

/*
 * A callback closes its own session while a second event for that session
 * is waiting in the same WsnmpPoll, and opens a new session.  The new
 * session must never receive the closed session's event.  This runs first,
 * while no handle has been freed yet, so the new session is the one most
 * likely to reuse the closed session's slot.
 */
static void test_close_in_callback_then_reopen(void)
{
    agent_t ag;
    dgram_t d;
    smiUINT32 handled = 0;

    TEST_SECTION("callback closes its session and opens another");
    CHECK(agent_open(&ag));
    /* Everything is owned by H, so closing X frees no other handle. */
    HSNMP_SESSION H = WsnmpCreateSession(NULL, NULL);
    HSNMP_SESSION X = SnmpCreateSession(NULL, 0, close_and_reopen, NULL);
    CHECK_HANDLE(H);
    CHECK_HANDLE(X);
    HSNMP_ENTITY e = agent_entity(H, &ag, 0, WSNMP_DEFAULT);
    HSNMP_VBL v = request_vbl(H);
    HSNMP_PDU p1 = SnmpCreatePdu(H, SNMP_PDU_GET, 1001, 0, 0, v);
    HSNMP_PDU p2 = SnmpCreatePdu(H, SNMP_PDU_GET, 1002, 0, 0, v);
    /* The agent's answers are encoded from handles made up front, too. */
    HSNMP_ENTITY r = SnmpStrToEntity(H, "udp:127.0.0.1:1");
    HSNMP_PDU q1 = SnmpCreatePdu(H, SNMP_PDU_RESPONSE, 1001, 0, 0, v);
    HSNMP_PDU q2 = SnmpCreatePdu(H, SNMP_PDU_RESPONSE, 1002, 0, 0, v);
    CHECK(e && v && p1 && p2 && r && q1 && q2);

    CHECK_OK(SnmpSendMsg(X, 0, e, 0, p1));
    CHECK_OK(SnmpSendMsg(X, 0, e, 0, p2));
    CHECK(agent_wait(&ag, &d, 1000));
    CHECK(agent_wait(&ag, &d, 1000));
    struct sockaddr_in manager = d.from;
    smiOCTETS m1 = {0, NULL}, m2 = {0, NULL};
    CHECK(SnmpEncodeMsg(H, 0, r, 0, q1, &m1) != SNMPAPI_FAILURE);
    CHECK(SnmpEncodeMsg(H, 0, r, 0, q2, &m2) != SNMPAPI_FAILURE);
    CHECK(m1.ptr && agent_send(&ag, &manager, m1.ptr, m1.len));
    CHECK(m2.ptr && agent_send(&ag, &manager, m2.ptr, m2.len));
    /* Both answers are read by one poll: two events for X. */
    CHECK_OK(WsnmpPoll(1000, &handled));
    CHECK_EQ_INT(reuse_first_calls, 1);
    CHECK_HANDLE(reuse_new);
    CHECK_EQ_INT(WsnmpHandleKind(X), WSNMP_KIND_NONE);
    CHECK_ERR_S(X, SNMPAPI_SESSION_INVALID);
    /* X's second event (request 1002) belongs to no live session. */
    if (reuse_new_calls != 0)
        test_fail_(__FILE__, __LINE__,
                   "the new session's callback ran %d time(s) with lParam %ld: an event of "
                   "the closed session was delivered to the session that reused its slot",
                   reuse_new_calls, (long)reuse_new_lparam);
    else
        test_passed_++;
    poll_for(20);
    CHECK_EQ_INT(reuse_first_calls, 1);
    CHECK_EQ_INT(stats(0).pending, 0);

    SnmpFreeDescriptor(SNMP_SYNTAX_OCTETS, &m1);
    SnmpFreeDescriptor(SNMP_SYNTAX_OCTETS, &m2);
    if (reuse_new)
        CHECK_OK(SnmpClose(reuse_new));
    CHECK_OK(SnmpClose(H)); /* frees e, v, p1, p2, r, q1, q2 */
    agent_close(&ag);
}

/* ======================================================================== */

static void test_get_roundtrip(void)
{
    agent_t ag;
    dgram_t d;
    request_t rq;
    smiUINT32 handled = 0, count = 99;
    smiINT32 timeout = -2;
    int fds[4];

    TEST_SECTION("GET round trip");
    HSNMP_ENTITY e;
    HSNMP_SESSION S = open_agent_session(&ag, record, &e);
    CHECK_HANDLE(S);
    HSNMP_VBL v = request_vbl(S);
    HSNMP_PDU p = SnmpCreatePdu(S, SNMP_PDU_GET, 0, 0, 0, v);
    CHECK_HANDLE(e);
    CHECK_HANDLE(p);
    smiINT32 id = pdu_id(p);
    CHECK(id != 0);

    /* No socket yet, nothing pending. */
    CHECK_OK(WsnmpGetPollFds(fds, 4, &count, &timeout));
    CHECK_EQ_INT(count, 0);
    CHECK_EQ_INT(timeout, -1);

    CHECK_OK(SnmpSendMsg(S, 0, e, 0, p));
    CHECK_EQ_INT(stats(S).pending, 1);
    CHECK_EQ_INT(stats(0).pending, 1);
    CHECK_OK(WsnmpGetPollFds(fds, 4, &count, &timeout));
    CHECK_EQ_INT(count, 1);
    CHECK(timeout >= 0 && timeout <= (smiINT32)WSNMP_DEFAULT_TIMEOUT_MS);

    CHECK(agent_wait(&ag, &d, 1000));
    struct sockaddr_in manager = d.from;
    CHECK(decode_request(d.data, d.len, &rq));
    CHECK_EQ_INT(rq.consumed, d.len);
    CHECK_EQ_INT(rq.type, SNMP_PDU_GET);
    CHECK_EQ_INT(rq.id, id);
    CHECK_EQ_INT(rq.es, 0);
    CHECK_EQ_INT(rq.ei, 0);
    CHECK_EQ_INT(rq.varbinds, 2);
    CHECK_EQ_INT(rq.community_len, 6);
    CHECK_MEM_EQ(rq.community, "public", 6);
    CHECK_EQ_INT(nevents, 0);

    HSNMP_VBL ans = answer_vbl(A);
    CHECK_HANDLE(ans);
    CHECK(agent_answer(&ag, &manager, id, ans));
    CHECK_OK(WsnmpPoll(1000, &handled));
    CHECK_EQ_INT(handled, 1);
    CHECK_EQ_INT(nevents, 1);
    if (nevents >= 1) {
        CHECK(events[0].session == S);
        CHECK(events[0].hwnd == NULL);
        CHECK_EQ_INT(events[0].msg, 0);
        CHECK_EQ_INT(events[0].wparam, 0);
        CHECK_EQ_INT(events[0].lparam, id);
        CHECK(events[0].data == &cookie);
    }
    CHECK_EQ_INT(stats(S).pending, 0);
    CHECK_OK(WsnmpGetPollFds(fds, 4, &count, &timeout));
    CHECK_EQ_INT(count, 1); /* the session keeps its socket */
    CHECK_EQ_INT(timeout, -1);

    {
        HSNMP_ENTITY src = 0, dst = 0;
        HSNMP_CONTEXT ctx = 0;
        HSNMP_PDU rp = 0;
        WsnmpStats before = stats(0);
        CHECK_OK(SnmpRecvMsg(S, &src, &dst, &ctx, &rp));
        CHECK_HANDLE(src);
        CHECK_HANDLE(dst);
        CHECK_HANDLE(ctx);
        CHECK_HANDLE(rp);
        WsnmpStats during = stats(0);
        /* The source is the request's own entity, acquired once more (as
         * in Windows); only the local end is a new entity. */
        CHECK(src == e);
        CHECK_EQ_INT(WsnmpHandleRefs(e), 2);
        CHECK_EQ_INT(during.entities, before.entities + 1);
        CHECK_EQ_INT(during.contexts, before.contexts + 1);
        CHECK_EQ_INT(during.pdus, before.pdus + 1);
        CHECK(WsnmpHandleOwner(src) == S && WsnmpHandleOwner(dst) == S &&
              WsnmpHandleOwner(ctx) == S && WsnmpHandleOwner(rp) == S);
        CHECK_STR_EQ(entity_address(src), ag.address);
        /* The destination is the session's own end: the port it sent from. */
        CHECK_EQ_INT(entity_port(dst), ntohs(manager.sin_port));
        CHECK(context_is(ctx, "public", 6));
        check_pdu(rp, SNMP_PDU_RESPONSE, id, 1);
        CHECK_OK(SnmpFreeEntity(src));
        CHECK_OK(SnmpFreeEntity(dst));
        CHECK_OK(SnmpFreeContext(ctx));
        CHECK_OK(SnmpFreePdu(rp));
        WsnmpStats after = stats(0);
        CHECK_EQ_INT(after.entities, before.entities);
        CHECK_EQ_INT(after.contexts, before.contexts);
        CHECK_EQ_INT(after.pdus, before.pdus);
        CHECK_EQ_INT(after.vbls, before.vbls);
        CHECK_EQ_INT(after.descriptors, 0);
    }
    CHECK_FAIL_S(SnmpRecvMsg(S, NULL, NULL, NULL, NULL), S, SNMPAPI_NOOP);
    {
        HSNMP_PDU none = 0;
        CHECK_FAIL_S(SnmpRecvMsg(S, NULL, NULL, NULL, &none), S, SNMPAPI_NOOP);
        CHECK(none == 0);
    }

    /* The community: the entity's own, or a context's, byte for byte. */
    {
        static const unsigned char ent_comm[] = {'e', 'n', 't', 0x00, 0xFF, 0x80, '!'};
        static const unsigned char ctx_comm[] = {'c', 't', 'x', 0xC3, 0xA9, 0x00};
        smiOCTETS ec = {sizeof ent_comm, (smiLPBYTE)(uintptr_t)ent_comm};
        smiOCTETS cc = {sizeof ctx_comm, (smiLPBYTE)(uintptr_t)ctx_comm};
        HSNMP_CONTEXT c = SnmpStrToContext(S, &cc);
        CHECK_HANDLE(c);
        CHECK_OK(WsnmpSetEntityCommunity(e, &ec));
        for (int with_context = 0; with_context < 2; with_context++) {
            const unsigned char *want = with_context ? ctx_comm : ent_comm;
            size_t want_len = with_context ? sizeof ctx_comm : sizeof ent_comm;
            reset_events();
            smiINT32 id2 = send_get(S, e, with_context ? c : 0, 0);
            CHECK(id2 != 0);
            CHECK(agent_wait(&ag, &d, 1000));
            CHECK(decode_request(d.data, d.len, &rq));
            CHECK_EQ_INT(rq.id, id2);
            CHECK_EQ_INT(rq.community_len, want_len);
            CHECK_MEM_EQ(rq.community, want, want_len);
            /* The answer comes back with the same community. */
            smiOCTETS wc = {(smiUINT32)want_len, (smiLPBYTE)(uintptr_t)want};
            size_t n = encode_msg(WSNMP_VERSION_2C, wc, SNMP_PDU_RESPONSE, id2, ans, tx_buffer,
                                  sizeof tx_buffer);
            CHECK(n > 0 && agent_send(&ag, &d.from, tx_buffer, n));
            CHECK(poll_events(1, 1000));
            HSNMP_CONTEXT rc = 0;
            HSNMP_PDU rp = 0;
            CHECK_OK(SnmpRecvMsg(S, NULL, NULL, &rc, &rp));
            CHECK(context_is(rc, want, want_len));
            check_pdu(rp, SNMP_PDU_RESPONSE, id2, 1);
            free_received(0, 0, rc, rp);
        }
        CHECK_OK(SnmpFreeContext(c));
    }

    CHECK_OK(SnmpFreeVbl(ans));
    CHECK_OK(SnmpFreePdu(p));
    CHECK_OK(SnmpFreeVbl(v));
    CHECK_OK(SnmpFreeEntity(e));
    check_no_objects();
    CHECK_OK(SnmpClose(S));
    agent_close(&ag);
}

/* ======================================================================== */

/* Sends one GET and lets it time out unanswered; returns the number of
 * datagrams the agent saw, checks they all carry the same bytes, and
 * stores the milliseconds until the TL_TIMEOUT event.  If `switch_mode` is
 * not 0, the retransmit mode is set to switch_mode - 1 right after the send
 * (`after_first`: after the first datagram arrived instead). */
static int timeout_run(HSNMP_SESSION S, const agent_t *ag, HSNMP_ENTITY e, smiINT32 *id_out,
                       uint64_t *elapsed, uint64_t *gap, int switch_mode, int after_first)
{
    static unsigned char first[65536];
    size_t first_len = 0;
    uint64_t first_at = 0;
    int n = 0;
    dgram_t d;
    reset_events();
    uint64_t t0 = now_ms();
    smiINT32 id = send_get(S, e, 0, 0);
    CHECK(id != 0);
    *id_out = id;
    if (switch_mode && !after_first)
        CHECK_OK(SnmpSetRetransmitMode((smiUINT32)(switch_mode - 1)));
    *gap = 0;
    uint64_t end = t0 + 2000;
    while (nevents < 1 && now_ms() < end) {
        while (agent_take(ag, &d)) {
            request_t rq;
            if (n == 0) {
                memcpy(first, d.data, d.len);
                first_len = d.len;
                first_at = d.at;
                if (switch_mode && after_first)
                    CHECK_OK(SnmpSetRetransmitMode((smiUINT32)(switch_mode - 1)));
            } else {
                CHECK_EQ_INT(d.len, first_len);
                CHECK_MEM_EQ(d.data, first, first_len < d.len ? first_len : d.len);
                if (n == 1)
                    *gap = d.at - first_at;
            }
            CHECK(decode_request(d.data, d.len, &rq));
            CHECK_EQ_INT(rq.id, id);
            n++;
        }
        WsnmpPoll(2, NULL);
    }
    *elapsed = nevents ? events[0].at - t0 : 0;
    CHECK_EQ_INT(nevents, 1);
    if (nevents >= 1) {
        CHECK(events[0].session == S);
        CHECK_EQ_INT(events[0].wparam, SNMPAPI_TL_TIMEOUT);
        CHECK_EQ_INT(events[0].lparam, id);
    }
    /* Nothing more is sent once the request has failed. */
    poll_for(40);
    n += agent_drain(ag);
    CHECK_EQ_INT(nevents, 1);
    return n;
}

/* SnmpRecvMsg of a timed-out request: FAILURE with TL_TIMEOUT, outputs filled. */
static void recv_timeout(HSNMP_SESSION S, const agent_t *ag, smiINT32 id)
{
    HSNMP_ENTITY src = 0, dst = 0;
    HSNMP_CONTEXT ctx = 0;
    HSNMP_PDU p = 0;
    CHECK_FAIL_S(SnmpRecvMsg(S, &src, &dst, &ctx, &p), S, SNMPAPI_TL_TIMEOUT);
    CHECK_HANDLE(p);
    if (p) {
        check_pdu(p, SNMP_PDU_GET, id, 0);
        /* The PDU sent, varbinds included (v1/v2c requests keep only its
         * bytes: it is decoded back from them). */
        HSNMP_VBL v = 0;
        CHECK_OK(SnmpGetPduData(p, NULL, NULL, NULL, NULL, &v));
        CHECK_EQ_INT(SnmpCountVbl(v), 2);
        smiOID name;
        smiVALUE value;
        CHECK_OK(SnmpGetVb(v, 2, &name, &value));
        smiINT order = -2;
        CHECK_OK(SnmpOidCompare(&name, &sys_object, 0, &order));
        CHECK_EQ_INT(order, 0);
        CHECK_EQ_INT(value.syntax, SNMP_SYNTAX_NULL);
        SnmpFreeDescriptor(SNMP_SYNTAX_OID, (smiLPOPAQUE)&name);
        if (v)
            SnmpFreeVbl(v);
    }
    if (src)
        CHECK_STR_EQ(entity_address(src), ag->address);
    /* The community it went out with, read back from the bytes sent: the
     * entity's is empty, which is sent as "public". */
    CHECK_HANDLE(ctx);
    CHECK(ctx && context_is(ctx, "public", 6));
    free_received(src, dst, ctx, p);
    CHECK_FAIL_S(SnmpRecvMsg(S, NULL, NULL, NULL, NULL), S, SNMPAPI_NOOP);
}

static void test_timeout(void)
{
    agent_t ag;
    smiINT32 id;
    uint64_t elapsed, gap;
    smiUINT32 mode = 99;
    int n;

    TEST_SECTION("timeout and retransmission");
    CHECK(agent_open(&ag));
    HSNMP_SESSION S = SnmpCreateSession(NULL, 0, record, &cookie);
    CHECK_HANDLE(S);
    HSNMP_ENTITY e = SnmpStrToEntity(S, ag.address);
    CHECK_HANDLE(e);
    CHECK_OK(SnmpSetTimeout(e, 10)); /* hundredths: 100 ms */
    CHECK_OK(WsnmpSetRetries(e, 1)); /* exactly one retry */
    {
        smiUINT32 policy = 0;
        smiUINT32 ms = 0;
        CHECK_OK(SnmpGetRetry(e, &policy, NULL));
        CHECK_EQ_INT(policy, 1);
        CHECK_OK(WsnmpGetTimeoutMs(e, &ms));
        CHECK_EQ_INT(ms, 100);
    }

    n = timeout_run(S, &ag, e, &id, &elapsed, &gap, 0, 0);
    CHECK_EQ_INT(n, 2); /* the request and one retransmission */
    CHECK(gap >= 90);
    if (elapsed < 180 || elapsed >= 2000)
        test_fail_(__FILE__, __LINE__, "timeout after %llu ms, expected about 200",
                   (unsigned long long)elapsed);
    else
        test_passed_++;
    CHECK_EQ_INT(stats(S).pending, 0);
    recv_timeout(S, &ag, id);

    /* Retransmission off: the request is sent once. */
    TEST_SECTION("timeout, retransmit mode OFF");
    CHECK_OK(SnmpSetRetransmitMode(SNMPAPI_OFF));
    CHECK_OK(SnmpGetRetransmitMode(&mode));
    CHECK_EQ_INT(mode, SNMPAPI_OFF);
    n = timeout_run(S, &ag, e, &id, &elapsed, &gap, 0, 0);
    CHECK_EQ_INT(n, 1);
    CHECK(elapsed >= 90 && elapsed < 2000);
    recv_timeout(S, &ag, id);
    CHECK_OK(SnmpSetRetransmitMode(SNMPAPI_ON));
    CHECK_OK(SnmpGetRetransmitMode(&mode));
    CHECK_EQ_INT(mode, SNMPAPI_ON);

    /* OFF also stops the retries of requests already in flight. */
    TEST_SECTION("timeout, retransmit mode OFF while in flight");
    n = timeout_run(S, &ag, e, &id, &elapsed, &gap, SNMPAPI_OFF + 1, 1);
    CHECK_EQ_INT(n, 1);
    recv_timeout(S, &ag, id);
    CHECK_OK(SnmpSetRetransmitMode(SNMPAPI_ON));

    /* ON affects later sends only: a request sent while OFF is never
     * retransmitted (reference §5, "Mode changes"). */
    TEST_SECTION("timeout, sent while OFF then mode ON");
    CHECK_OK(SnmpSetRetransmitMode(SNMPAPI_OFF));
    n = timeout_run(S, &ag, e, &id, &elapsed, &gap, SNMPAPI_ON + 1, 0);
    CHECK_EQ_INT(n, 1);
    recv_timeout(S, &ag, id);
    CHECK_OK(SnmpSetRetransmitMode(SNMPAPI_ON));

    CHECK_OK(SnmpFreeEntity(e));
    CHECK_EQ_INT(stats(0).pending, 0);
    CHECK_OK(SnmpClose(S));
    agent_close(&ag);
}

/* ======================================================================== */

static void test_recv_response(void)
{
    agent_t ag;
    dgram_t d;
    HSNMP_PDU p = 0;

    TEST_SECTION("WsnmpRecvResponse");
    HSNMP_ENTITY e;
    HSNMP_SESSION S = open_agent_session(&ag, record, &e);
    HSNMP_VBL ans = answer_vbl(A);
    CHECK(S && e && ans);

    smiINT32 id = send_get(S, e, 0, 0);
    CHECK(id != 0);
    CHECK_FAIL_S(WsnmpRecvResponse(S, id, &p), S, SNMPAPI_NOOP);
    CHECK(p == 0);
    CHECK(agent_wait(&ag, &d, 1000));
    struct sockaddr_in manager = d.from;
    CHECK_FAIL_S(WsnmpRecvResponse(S, id, &p), S, SNMPAPI_NOOP);
    CHECK(agent_answer(&ag, &manager, id, ans));
    CHECK(poll_events(1, 1000));
    CHECK_OK(WsnmpRecvResponse(S, id, &p));
    CHECK_HANDLE(p);
    if (p) {
        check_pdu(p, SNMP_PDU_RESPONSE, id, 1);
        CHECK(WsnmpHandleOwner(p) == S);
        CHECK_OK(SnmpFreePdu(p));
    }
    p = 0;
    CHECK_FAIL_S(WsnmpRecvResponse(S, id, &p), S, SNMPAPI_NOOP);
    CHECK_FAIL_S(SnmpRecvMsg(S, NULL, NULL, NULL, NULL), S, SNMPAPI_NOOP);

    /* Answers in the other order are matched by request id. */
    reset_events();
    smiINT32 ida = send_get(S, e, 0, 0), idb = send_get(S, e, 0, 0);
    CHECK(ida != 0 && idb != 0 && ida != idb);
    CHECK(agent_wait(&ag, &d, 1000));
    CHECK(agent_wait(&ag, &d, 1000));
    CHECK(agent_answer(&ag, &manager, idb, ans));
    CHECK(agent_answer(&ag, &manager, ida, ans));
    CHECK(poll_events(2, 1000));
    CHECK(nevents == 2 && events[0].lparam == idb && events[1].lparam == ida);
    p = 0;
    CHECK_OK(WsnmpRecvResponse(S, ida, &p));
    if (p) {
        check_pdu(p, SNMP_PDU_RESPONSE, ida, 1);
        CHECK_OK(SnmpFreePdu(p));
    }
    p = 0;
    CHECK_OK(WsnmpRecvResponse(S, idb, &p));
    if (p) {
        check_pdu(p, SNMP_PDU_RESPONSE, idb, 1);
        CHECK_OK(SnmpFreePdu(p));
    }

    /* A timed-out request. */
    reset_events();
    HSNMP_ENTITY quick = agent_entity(S, &ag, 50, 0);
    CHECK_HANDLE(quick);
    smiINT32 idt = send_get(S, quick, 0, 0);
    CHECK(idt != 0);
    CHECK(poll_events(1, 2000));
    CHECK(nevents >= 1 && events[0].wparam == SNMPAPI_TL_TIMEOUT && events[0].lparam == idt);
    p = 0;
    CHECK_FAIL_S(WsnmpRecvResponse(S, idt, &p), S, SNMPAPI_TL_TIMEOUT);
    CHECK_FAIL_S(WsnmpRecvResponse(S, idt, &p), S, SNMPAPI_NOOP);
    CHECK_FAIL(WsnmpRecvResponse(0, idt, &p), SNMPAPI_SESSION_INVALID);
    CHECK_EQ_INT(agent_drain(&ag), 1);

    CHECK_OK(SnmpFreeVbl(ans));
    CHECK_OK(SnmpClose(S)); /* frees e and quick */
    CHECK_EQ_INT(stats(0).entities, 0);
    agent_close(&ag);
}

/* ======================================================================== */

static void test_source_check(void)
{
    agent_t ag, other;
    size_t n;

    TEST_SECTION("replies: source, id and form are checked");
    HSNMP_ENTITY e;
    HSNMP_SESSION S = open_agent_session(&ag, record, &e);
    CHECK(agent_open(&other));
    HSNMP_VBL ans = answer_vbl(A);
    CHECK(S && e && ans);
    struct sockaddr_in manager;
    smiINT32 id = send_get_to_agent(S, e, &ag, &manager);

    static unsigned char good[65536];
    size_t good_len = encode_msg(WSNMP_VERSION_2C, octets("public"), SNMP_PDU_RESPONSE, id, ans,
                                 good, sizeof good);
    CHECK(good_len > 10);
    smiUINT32 base = dropped();

    /* 1. The right answer, from another port. */
    CHECK(agent_send(&other, &manager, good, good_len));
    CHECK(poll_dropped(base + 1, 1000));
    CHECK_EQ_INT(dropped(), base + 1);
    CHECK_EQ_INT(nevents, 0);
    CHECK_EQ_INT(stats(S).pending, 1);

    /* 2. An unknown request id, from the agent. */
    n = encode_msg(WSNMP_VERSION_2C, octets("public"), SNMP_PDU_RESPONSE, id ^ 0x40000000, ans,
                   tx_buffer, sizeof tx_buffer);
    CHECK(n > 0 && agent_send(&ag, &manager, tx_buffer, n));
    CHECK(poll_dropped(base + 2, 1000));

    /* 3. Garbage, and an empty datagram. */
    {
        static const unsigned char junk[] = {0xDE, 0xAD, 0xBE, 0xEF, 0x00, 0x30, 0x82, 0xFF};
        static const unsigned char bad_ber[] = {0x30, 0x05, 0x02, 0x01, 0x01, 0x04, 0x09};
        CHECK(agent_send(&ag, &manager, junk, sizeof junk));
        CHECK(poll_dropped(base + 3, 1000));
        CHECK(agent_send(&ag, &manager, bad_ber, sizeof bad_ber));
        CHECK(poll_dropped(base + 4, 1000));
        CHECK(agent_send(&ag, &manager, "", 0));
        CHECK(poll_dropped(base + 5, 1000));
    }

    /* 4. A truncated copy of the right answer (and a one-byte one). */
    CHECK(agent_send(&ag, &manager, good, good_len - 7));
    CHECK(poll_dropped(base + 6, 1000));
    CHECK(agent_send(&ag, &manager, good, 1));
    CHECK(poll_dropped(base + 7, 1000));

    /* 5. Not a response: a GET with the right id, from the agent. */
    n = encode_msg(WSNMP_VERSION_2C, octets("public"), SNMP_PDU_GET, id, ans, tx_buffer,
                   sizeof tx_buffer);
    CHECK(n > 0 && agent_send(&ag, &manager, tx_buffer, n));
    CHECK(poll_dropped(base + 8, 1000));

    CHECK_EQ_INT(dropped(), base + 8);
    CHECK_EQ_INT(nevents, 0);
    CHECK_EQ_INT(stats(S).pending, 1);
    CHECK_FAIL_S(SnmpRecvMsg(S, NULL, NULL, NULL, NULL), S, SNMPAPI_NOOP);

    /* 6. The genuine answer is still delivered. */
    CHECK(agent_send(&ag, &manager, good, good_len));
    CHECK(poll_events(1, 1000));
    CHECK_EQ_INT(nevents, 1);
    CHECK(nevents >= 1 && events[0].wparam == 0 && events[0].lparam == id);
    CHECK_EQ_INT(dropped(), base + 8);
    {
        HSNMP_ENTITY src = 0;
        HSNMP_PDU p = 0;
        CHECK_OK(SnmpRecvMsg(S, &src, NULL, NULL, &p));
        CHECK_STR_EQ(entity_address(src), ag.address);
        check_pdu(p, SNMP_PDU_RESPONSE, id, 1);
        free_received(src, 0, 0, p);
    }

    /* 7. A late duplicate of it is dropped. */
    CHECK(agent_send(&ag, &manager, good, good_len));
    CHECK(poll_dropped(base + 9, 1000));
    CHECK_EQ_INT(nevents, 1);
    CHECK_FAIL_S(SnmpRecvMsg(S, NULL, NULL, NULL, NULL), S, SNMPAPI_NOOP);

    CHECK_OK(SnmpFreeVbl(ans));
    CHECK_OK(SnmpClose(S));
    agent_close(&ag);
    agent_close(&other);
}

/* ======================================================================== */

static void test_cancel(void)
{
    agent_t ag;
    HSNMP_PDU p = 0;

    TEST_SECTION("SnmpCancelMsg");
    HSNMP_ENTITY e;
    HSNMP_SESSION S = open_agent_session(&ag, record, &e);
    HSNMP_VBL ans = answer_vbl(A);
    CHECK(S && e && ans);

    struct sockaddr_in manager;
    smiINT32 id = send_get_to_agent(S, e, &ag, &manager);
    CHECK_EQ_INT(stats(S).pending, 1);
    CHECK_OK(SnmpCancelMsg(S, id));
    CHECK_EQ_INT(stats(S).pending, 0);
    CHECK_EQ_INT(stats(0).pending, 0);
    smiUINT32 base = dropped();
    CHECK(agent_answer(&ag, &manager, id, ans));
    CHECK(poll_dropped(base + 1, 1000));
    poll_for(10);
    CHECK_EQ_INT(nevents, 0);
    CHECK_FAIL_S(SnmpRecvMsg(S, NULL, NULL, NULL, NULL), S, SNMPAPI_NOOP);
    CHECK_FAIL_S(WsnmpRecvResponse(S, id, &p), S, SNMPAPI_NOOP);
    CHECK_FAIL_S(SnmpCancelMsg(S, id), S, SNMPAPI_PDU_INVALID);
    CHECK_FAIL_S(SnmpCancelMsg(S, 0x1234567), S, SNMPAPI_PDU_INVALID);
    CHECK_FAIL(SnmpCancelMsg(0, id), SNMPAPI_SESSION_INVALID);

    /* A cancelled request is neither retransmitted nor timed out. */
    HSNMP_ENTITY quick = agent_entity(S, &ag, 30, 2);
    smiINT32 idq = send_get_to_agent(S, quick, &ag, NULL);
    CHECK_OK(SnmpCancelMsg(S, idq));
    poll_for(150);
    CHECK_EQ_INT(agent_drain(&ag), 0);
    CHECK_EQ_INT(nevents, 0);
    CHECK_FAIL_S(SnmpRecvMsg(S, NULL, NULL, NULL, NULL), S, SNMPAPI_NOOP);

    CHECK_OK(SnmpFreeVbl(ans));
    CHECK_OK(SnmpClose(S));
    agent_close(&ag);
}

/* ======================================================================== */

static void test_send_errors(void)
{
    agent_t ag;
    int sent = 0;

    TEST_SECTION("SnmpSendMsg errors");
    HSNMP_ENTITY e;
    HSNMP_SESSION S = open_agent_session(&ag, record, &e);
    HSNMP_VBL v = request_vbl(S);
    HSNMP_PDU p = SnmpCreatePdu(S, SNMP_PDU_GET, 0, 0, 0, v);
    CHECK(S && e && v && p);

    /* Stale handles of each kind. */
    {
        HSNMP_SESSION dead = WsnmpCreateSession(NULL, NULL);
        CHECK_OK(SnmpClose(dead));
        CHECK_FAIL(SnmpSendMsg(dead, 0, e, 0, p), SNMPAPI_SESSION_INVALID);
        CHECK_FAIL(SnmpSendMsg(0, 0, e, 0, p), SNMPAPI_SESSION_INVALID);
        CHECK_FAIL(SnmpSendMsg(e, 0, e, 0, p), SNMPAPI_SESSION_INVALID);

        HSNMP_ENTITY fe = agent_entity(S, &ag, 0, WSNMP_DEFAULT);
        CHECK_OK(SnmpFreeEntity(fe));
        CHECK_FAIL_S(SnmpSendMsg(S, 0, fe, 0, p), S, SNMPAPI_ENTITY_INVALID);
        CHECK_FAIL_S(SnmpSendMsg(S, 0, 0, 0, p), S, SNMPAPI_ENTITY_INVALID);

        smiOCTETS cc = octets("private");
        HSNMP_CONTEXT fc = SnmpStrToContext(S, &cc);
        CHECK_HANDLE(fc);
        CHECK_OK(SnmpFreeContext(fc));
        CHECK_FAIL_S(SnmpSendMsg(S, 0, e, fc, p), S, SNMPAPI_CONTEXT_INVALID);

        HSNMP_PDU fp = SnmpCreatePdu(S, SNMP_PDU_GET, 0, 0, 0, v);
        CHECK_OK(SnmpFreePdu(fp));
        CHECK_FAIL_S(SnmpSendMsg(S, 0, e, 0, fp), S, SNMPAPI_PDU_INVALID);
        CHECK_FAIL_S(SnmpSendMsg(S, 0, e, 0, 0), S, SNMPAPI_PDU_INVALID);
        CHECK_FAIL_S(SnmpSendMsg(S, 0, e, 0, v), S, SNMPAPI_PDU_INVALID);
    }

    /* Error fields must be 0 in a request. */
    {
        HSNMP_PDU bad = SnmpCreatePdu(S, SNMP_PDU_GET, 0, 5, 0, v);
        CHECK_HANDLE(bad);
        CHECK_FAIL_S(SnmpSendMsg(S, 0, e, 0, bad), S, SNMPAPI_PDU_INVALID);
        CHECK_OK(SnmpFreePdu(bad));
        bad = SnmpCreatePdu(S, SNMP_PDU_SET, 0, 0, 1, v);
        CHECK_FAIL_S(SnmpSendMsg(S, 0, e, 0, bad), S, SNMPAPI_PDU_INVALID);
        CHECK_OK(SnmpFreePdu(bad));
    }

    /* An INFORM cannot go to a v1 agent. */
    {
        HSNMP_ENTITY v1 = agent_entity(S, &ag, 0, WSNMP_DEFAULT);
        CHECK_OK(WsnmpSetEntityVersion(v1, WSNMP_VERSION_1));
        HSNMP_PDU inform = SnmpCreatePdu(S, SNMP_PDU_INFORM, 0, 0, 0, v);
        CHECK_HANDLE(inform);
        CHECK_FAIL_S(SnmpSendMsg(S, 0, v1, 0, inform), S, SNMPAPI_OPERATION_INVALID);
        CHECK_OK(SnmpFreePdu(inform));
        CHECK_OK(SnmpFreeEntity(v1));
    }

    /* A host name that does not resolve. */
    {
        HSNMP_ENTITY nx = SnmpStrToEntity(S, "no-such-host.invalid");
        CHECK_HANDLE(nx);
        CHECK_FAIL_S(SnmpSendMsg(S, 0, nx, 0, p), S, SNMPAPI_ENTITY_UNKNOWN);
        CHECK_OK(SnmpFreeEntity(nx));
    }
    CHECK_EQ_INT(stats(0).pending, 0);
    CHECK_EQ_INT(agent_drain(&ag), 0);

    /* The limit on requests in flight. */
    {
        WsnmpLimits old, lim;
        CHECK_OK(WsnmpGetLimits(&old));
        memset(&lim, 0, sizeof lim);
        lim.pending = 2;
        CHECK_OK(WsnmpSetLimits(&lim));
        smiINT32 a = send_get(S, e, 0, 0), b = send_get(S, e, 0, 0);
        CHECK(a != 0 && b != 0);
        sent += 2;
        HSNMP_PDU third = SnmpCreatePdu(S, SNMP_PDU_GET, 0, 0, 0, v);
        CHECK_FAIL_S(SnmpSendMsg(S, 0, e, 0, third), S, SNMPAPI_ALLOC_ERROR);
        CHECK_EQ_INT(stats(0).pending, 2);
        lim.pending = old.pending;
        CHECK_OK(WsnmpSetLimits(&lim));
        CHECK_OK(WsnmpGetLimits(&lim));
        CHECK_EQ_INT(lim.pending, old.pending);
        CHECK_OK(SnmpSendMsg(S, 0, e, 0, third));
        sent++;
        CHECK_OK(SnmpCancelMsg(S, a));
        CHECK_OK(SnmpCancelMsg(S, b));
        CHECK_OK(SnmpCancelMsg(S, pdu_id(third)));
        CHECK_OK(SnmpFreePdu(third));
    }

    /* A request id already in flight in the session. */
    {
        smiINT32 id = pdu_id(p);
        CHECK_OK(SnmpSendMsg(S, 0, e, 0, p));
        sent++;
        CHECK_FAIL_S(SnmpSendMsg(S, 0, e, 0, p), S, SNMPAPI_PDU_INVALID);
        HSNMP_PDU same = SnmpCreatePdu(S, SNMP_PDU_GETNEXT, id, 0, 0, v);
        CHECK_FAIL_S(SnmpSendMsg(S, 0, e, 0, same), S, SNMPAPI_PDU_INVALID);
        CHECK_EQ_INT(stats(S).pending, 1);
        /* Once cancelled, the id is free again. */
        CHECK_OK(SnmpCancelMsg(S, id));
        CHECK_OK(SnmpSendMsg(S, 0, e, 0, same));
        sent++;
        CHECK_OK(SnmpCancelMsg(S, id));
        CHECK_OK(SnmpFreePdu(same));
    }

    /* Only the successful sends reached the agent. */
    poll_for(10);
    CHECK_EQ_INT(agent_drain(&ag), sent);
    CHECK_EQ_INT(nevents, 0);
    CHECK_EQ_INT(stats(0).pending, 0);

    CHECK_OK(SnmpClose(S));
    agent_close(&ag);
}

/* ======================================================================== */

static void test_getbulk_v1(void)
{
    agent_t ag;
    dgram_t d;
    request_t rq;

    TEST_SECTION("GETBULK to a v1 agent");
    CHECK(agent_open(&ag));
    HSNMP_SESSION S = SnmpCreateSession(NULL, 0, record, &cookie);
    HSNMP_ENTITY e1 = agent_entity(S, &ag, 0, WSNMP_DEFAULT);
    HSNMP_ENTITY e2 = agent_entity(S, &ag, 0, WSNMP_DEFAULT);
    HSNMP_VBL v = request_vbl(S);
    CHECK(S && e1 && e2 && v);
    CHECK_OK(WsnmpSetEntityVersion(e1, WSNMP_VERSION_1));
    /* non_repeaters 1, max_repetitions 10 */
    HSNMP_PDU bulk = SnmpCreatePdu(S, SNMP_PDU_GETBULK, 0, 1, 10, v);
    CHECK_HANDLE(bulk);
    smiINT32 id = pdu_id(bulk);

    CHECK_OK(SnmpSendMsg(S, 0, e1, 0, bulk));
    CHECK(agent_wait(&ag, &d, 1000));
    CHECK(decode_request(d.data, d.len, &rq));
    CHECK_EQ_INT(rq.type, SNMP_PDU_GETNEXT);
    CHECK_EQ_INT(rq.id, id);
    CHECK_EQ_INT(rq.varbinds, 2);
    /* RFC 3584 4.1.1: non-repeaters and max-repetitions become 0, so the
     * v1 GetNext has error-status and error-index 0. */
    CHECK_EQ_INT(rq.es, 0);
    CHECK_EQ_INT(rq.ei, 0);
    CHECK_OK(SnmpCancelMsg(S, id));

    /* The same PDU to a v2c agent stays a GETBULK with its fields. */
    CHECK_OK(SnmpSendMsg(S, 0, e2, 0, bulk));
    CHECK(agent_wait(&ag, &d, 1000));
    CHECK(decode_request(d.data, d.len, &rq));
    CHECK_EQ_INT(rq.type, SNMP_PDU_GETBULK);
    CHECK_EQ_INT(rq.id, id);
    CHECK_EQ_INT(rq.es, 1);
    CHECK_EQ_INT(rq.ei, 10);
    CHECK_OK(SnmpCancelMsg(S, id));

    CHECK_OK(SnmpClose(S));
    agent_close(&ag);
}

/* ======================================================================== */

#define MANY 200

static void test_many_agents(void)
{
    static agent_t ag[MANY];
    static HSNMP_ENTITY ent[MANY];
    static smiINT32 ids[MANY];
    static int answered[MANY], delivered[MANY];
    int opened = 0, fds[8];
    smiUINT32 count = 0;
    smiINT32 timeout = -2;
    dgram_t d;
    request_t rq;

    TEST_SECTION("many agents, one session");
    reset_events();
    for (int i = 0; i < MANY; i++)
        opened += agent_open(&ag[i]);
    CHECK_EQ_INT(opened, MANY);
    HSNMP_SESSION S = SnmpCreateSession(NULL, 0, record, &cookie);
    CHECK_HANDLE(S);
    CHECK_OK(WsnmpGetPollFds(NULL, 0, &count, &timeout));
    CHECK_EQ_INT(count, 0);
    CHECK_EQ_INT(timeout, -1);

    for (int i = 0; i < MANY; i++) {
        ent[i] = agent_entity(S, &ag[i], 0, WSNMP_DEFAULT);
        ids[i] = send_get(S, ent[i], 0, 0);
        answered[i] = delivered[i] = 0;
    }
    {
        int ok = 1;
        for (int i = 0; i < MANY; i++)
            ok = ok && ent[i] && ids[i];
        CHECK(ok);
    }
    CHECK_EQ_INT(stats(S).pending, MANY);
    fds[0] = -1;
    CHECK_OK(WsnmpGetPollFds(fds, 8, &count, &timeout));
    CHECK_EQ_INT(count, 1); /* one IPv4 socket for all of them */
    CHECK(fds[0] >= 0);
    CHECK(timeout >= 0 && timeout <= (smiINT32)WSNMP_DEFAULT_TIMEOUT_MS);

    /* Every agent answers with its own number. */
    uint64_t end = now_ms() + 3000;
    int n_answered = 0;
    while ((n_answered < MANY || nevents < MANY) && now_ms() < end) {
        for (int i = 0; i < MANY; i++)
            while (agent_take(&ag[i], &d)) {
                if (!decode_request(d.data, d.len, &rq) || rq.id != ids[i] || answered[i])
                    continue;
                HSNMP_VBL v = int_vbl(A, i);
                if (agent_answer(&ag[i], &d.from, rq.id, v)) {
                    answered[i] = 1;
                    n_answered++;
                }
                SnmpFreeVbl(v);
            }
        WsnmpPoll(5, NULL);
    }
    CHECK_EQ_INT(n_answered, MANY);
    CHECK_EQ_INT(nevents, MANY);
    {
        int ok = 1;
        for (int k = 0; k < nevents && k < MAX_EVENTS; k++)
            ok = ok && events[k].session == S && events[k].wparam == 0;
        CHECK(ok);
    }

    /* Each message comes from its agent and carries its answer. */
    int good = 0;
    for (int k = 0; k < MANY; k++) {
        HSNMP_ENTITY src = 0;
        HSNMP_PDU p = 0;
        if (SnmpRecvMsg(S, &src, NULL, NULL, &p) != SNMPAPI_SUCCESS)
            break;
        long port = entity_port(src);
        int i = -1;
        for (int j = 0; j < MANY; j++)
            if ((long)ag[j].port == port)
                i = j;
        if (i >= 0 && !delivered[i] && pdu_id(p) == ids[i] && pdu_int_value(p) == i &&
            events[k].lparam == ids[i]) {
            delivered[i] = 1;
            good++;
        }
        SnmpFreeEntity(src);
        SnmpFreePdu(p);
    }
    CHECK_EQ_INT(good, MANY);
    CHECK_FAIL_S(SnmpRecvMsg(S, NULL, NULL, NULL, NULL), S, SNMPAPI_NOOP);
    CHECK_EQ_INT(stats(S).pending, 0);
    CHECK_OK(WsnmpGetPollFds(fds, 8, &count, &timeout));
    CHECK_EQ_INT(count, 1);
    CHECK_EQ_INT(timeout, -1);

    CHECK_OK(SnmpClose(S));
    CHECK_OK(WsnmpGetPollFds(fds, 8, &count, &timeout));
    CHECK_EQ_INT(count, 0);
    CHECK_EQ_INT(stats(0).entities, 0);
    for (int i = 0; i < MANY; i++)
        agent_close(&ag[i]);
}

/* ======================================================================== */

static void test_codec(void)
{
    TEST_SECTION("SnmpEncodeMsg and SnmpDecodeMsg");
    HSNMP_SESSION S = WsnmpCreateSession(NULL, NULL);
    HSNMP_ENTITY e = SnmpStrToEntity(S, "udp:127.0.0.1:1");
    static const unsigned char comm[] = {'c', 0x00, 'd', 0xFF, 'c'};
    smiOCTETS community = {sizeof comm, (smiLPBYTE)(uintptr_t)comm};
    HSNMP_VBL v = answer_vbl(S);
    HSNMP_PDU p = SnmpCreatePdu(S, SNMP_PDU_SET, 4242, 0, 0, v);
    CHECK(S && e && v && p);
    CHECK_OK(WsnmpSetEntityCommunity(e, &community));

    WsnmpStats before = stats(0);
    smiOCTETS out = {0, NULL};
    SNMPAPI_STATUS len = SnmpEncodeMsg(S, 0, e, 0, p, &out);
    CHECK(len > 0);
    CHECK_EQ_INT(out.len, len);
    CHECK(out.ptr != NULL);
    CHECK_EQ_INT(stats(0).descriptors, before.descriptors + 1);

    /* Decoding gives back the PDU and the community. */
    {
        HSNMP_ENTITY src = 0, dst = 0;
        HSNMP_CONTEXT ctx = 0;
        HSNMP_PDU q = 0;
        SNMPAPI_STATUS used = SnmpDecodeMsg(S, &src, &dst, &ctx, &q, &out);
        CHECK_EQ_INT(used, len);
        CHECK_HANDLE(ctx);
        CHECK_HANDLE(q);
        CHECK(context_is(ctx, comm, sizeof comm));
        if (q)
            check_pdu(q, SNMP_PDU_SET, 4242, 1);
        free_received(src, dst, ctx, q);
    }

    /* len is the most to read: bytes after the message are not consumed. */
    {
        unsigned char *longer = malloc(out.len + 16);
        CHECK(longer != NULL);
        if (longer) {
            memcpy(longer, out.ptr, out.len);
            memset(longer + out.len, 0x30, 16);
            smiOCTETS in = {out.len + 16, longer};
            HSNMP_PDU q = 0;
            CHECK_EQ_INT(SnmpDecodeMsg(S, NULL, NULL, NULL, &q, &in), len);
            if (q) {
                CHECK_EQ_INT(pdu_id(q), 4242);
                CHECK_OK(SnmpFreePdu(q));
            }
            free(longer);
        }
    }

    /* A context handle overrides the entity's community. */
    {
        smiOCTETS cc = octets("from-context");
        HSNMP_CONTEXT c = SnmpStrToContext(S, &cc);
        smiOCTETS out2 = {0, NULL};
        CHECK(SnmpEncodeMsg(S, 0, e, c, p, &out2) != SNMPAPI_FAILURE);
        HSNMP_CONTEXT got = 0;
        CHECK(SnmpDecodeMsg(S, NULL, NULL, &got, NULL, &out2) == out2.len);
        CHECK(context_is(got, "from-context", 12));
        if (got)
            CHECK_OK(SnmpFreeContext(got));
        CHECK_OK(SnmpFreeDescriptor(SNMP_SYNTAX_OCTETS, &out2));
        CHECK_OK(SnmpFreeContext(c));
    }

    /* Garbage, truncated and broken messages create no handles. */
    {
        static const unsigned char junk[] = "this is not BER at all";
        static const unsigned char bad_ber[] = {0x30, 0x03, 0x01, 0x01, 0x01};
        smiOCTETS in;
        HSNMP_ENTITY src = 0, dst = 0;
        HSNMP_CONTEXT ctx = 0;
        HSNMP_PDU q = 0;
        WsnmpStats b = stats(0);

        in.len = sizeof junk - 1;
        in.ptr = (smiLPBYTE)(uintptr_t)junk;
        CHECK_FAIL_S(SnmpDecodeMsg(S, &src, &dst, &ctx, &q, &in), S, SNMPAPI_MESSAGE_INVALID);
        in.len = sizeof bad_ber;
        in.ptr = (smiLPBYTE)(uintptr_t)bad_ber;
        CHECK_FAIL_S(SnmpDecodeMsg(S, &src, &dst, &ctx, &q, &in), S, SNMPAPI_MESSAGE_INVALID);
        in.len = out.len - 1;
        in.ptr = out.ptr;
        CHECK_FAIL_S(SnmpDecodeMsg(S, &src, &dst, &ctx, &q, &in), S, SNMPAPI_MESSAGE_INVALID);
        in.len = out.len / 2;
        CHECK_FAIL_S(SnmpDecodeMsg(S, &src, &dst, &ctx, &q, &in), S, SNMPAPI_MESSAGE_INVALID);
        in.len = 1;
        CHECK_FAIL_S(SnmpDecodeMsg(S, &src, &dst, &ctx, &q, &in), S, SNMPAPI_MESSAGE_INVALID);
        in.len = 0;
        CHECK_FAIL_S(SnmpDecodeMsg(S, &src, &dst, &ctx, &q, &in), S, SNMPAPI_MESSAGE_INVALID);
        CHECK(src == 0 && dst == 0 && ctx == 0 && q == 0);
        WsnmpStats a = stats(0);
        CHECK_EQ_INT(a.entities, b.entities);
        CHECK_EQ_INT(a.contexts, b.contexts);
        CHECK_EQ_INT(a.pdus, b.pdus);
        CHECK_EQ_INT(a.vbls, b.vbls);
        CHECK_EQ_INT(a.descriptors, b.descriptors);
        CHECK_FAIL(SnmpDecodeMsg(0, NULL, NULL, NULL, &q, &out), SNMPAPI_SESSION_INVALID);
    }

    /* The encoded buffer is the library's: freed once, and only once. */
    CHECK_OK(SnmpFreeDescriptor(SNMP_SYNTAX_OCTETS, &out));
    CHECK(out.ptr == NULL);
    CHECK_EQ_INT(stats(0).descriptors, before.descriptors);
    CHECK_FAIL(SnmpFreeDescriptor(SNMP_SYNTAX_OCTETS, &out), SNMPAPI_OPERATION_INVALID);

    /* Encoding validates like sending (reference §6: "Validation happens in
     * SendMsg and EncodeMsg"). */
    {
        smiOCTETS o = {0, NULL};
        HSNMP_PDU bad = SnmpCreatePdu(S, SNMP_PDU_GET, 0, 5, 0, v);
        CHECK_FAIL_S(SnmpEncodeMsg(S, 0, e, 0, bad, &o), S, SNMPAPI_PDU_INVALID);
        if (o.ptr)
            SnmpFreeDescriptor(SNMP_SYNTAX_OCTETS, &o);
        CHECK_OK(SnmpFreePdu(bad));
        HSNMP_ENTITY fe = WsnmpStrToEntityEx(S, "udp:127.0.0.1:1", WSNMP_PRIVATE);
        CHECK_OK(SnmpFreeEntity(fe));
        CHECK_FAIL_S(SnmpEncodeMsg(S, 0, fe, 0, p, &o), S, SNMPAPI_ENTITY_INVALID);
        HSNMP_PDU fp = SnmpCreatePdu(S, SNMP_PDU_GET, 0, 0, 0, 0);
        CHECK_OK(SnmpFreePdu(fp));
        CHECK_FAIL_S(SnmpEncodeMsg(S, 0, e, 0, fp, &o), S, SNMPAPI_PDU_INVALID);
        CHECK_FAIL(SnmpEncodeMsg(0, 0, e, 0, p, &o), SNMPAPI_SESSION_INVALID);
        CHECK_EQ_INT(stats(0).descriptors, before.descriptors);
    }

    CHECK_OK(SnmpClose(S));
}

/* ======================================================================== */

static HSNMP_SESSION victim;

static SNMPAPI_STATUS close_victim(HSNMP_SESSION s, HWND hWnd, UINT wMsg, WPARAM wParam,
                                   LPARAM lParam, LPVOID data)
{
    record(s, hWnd, wMsg, wParam, lParam, data);
    if (victim)
        SnmpClose(victim);
    victim = 0;
    return SNMPAPI_SUCCESS;
}

static void test_close_in_flight(void)
{
    agent_t ag;
    dgram_t d;
    static int cookie_c;

    TEST_SECTION("SnmpClose with requests in flight");
    reset_events();
    CHECK(agent_open(&ag));
    WsnmpStats base = stats(0);
    HSNMP_SESSION C = SnmpCreateSession(NULL, 0, record, &cookie_c);
    HSNMP_ENTITY e = agent_entity(C, &ag, 0, WSNMP_DEFAULT);
    HSNMP_ENTITY quick = agent_entity(C, &ag, 40, 0);
    HSNMP_VBL ans = answer_vbl(A);
    CHECK(C && e && quick && ans);
    smiINT32 id1 = send_get(C, e, 0, 0), id2 = send_get(C, e, 0, 0);
    smiINT32 id3 = send_get(C, e, 0, 0), id4 = send_get(C, quick, 0, 0);
    CHECK(id1 && id2 && id3 && id4);
    CHECK_EQ_INT(stats(0).pending, base.pending + 4);
    for (int i = 0; i < 4; i++)
        CHECK(agent_wait(&ag, &d, 1000));
    /* Two answers wait in the session's socket when it is closed. */
    CHECK(agent_answer(&ag, &d.from, id1, ans));
    CHECK(agent_answer(&ag, &d.from, id2, ans));
    CHECK_OK(SnmpClose(C));
    CHECK_EQ_INT(stats(0).pending, base.pending);
    CHECK_EQ_INT(stats(0).entities, base.entities);
    CHECK_EQ_INT(stats(0).sessions, base.sessions);
    poll_for(120); /* past the quick request's timeout */
    CHECK_EQ_INT(nevents, 0);
    CHECK_EQ_INT(agent_drain(&ag), 0); /* and no retransmission */
    CHECK_FAIL(SnmpRecvMsg(C, NULL, NULL, NULL, NULL), SNMPAPI_SESSION_INVALID);
    CHECK_FAIL(SnmpCancelMsg(C, id3), SNMPAPI_SESSION_INVALID);
    {
        smiUINT32 count = 9;
        CHECK_OK(WsnmpGetPollFds(NULL, 0, &count, NULL));
        CHECK_EQ_INT(count, 0);
    }

    /* One session's callback closes another whose answer was read in the
     * same poll: the closed session's callback never runs. */
    TEST_SECTION("SnmpClose from another session's callback");
    reset_events();
    static int cookie_p, cookie_q;
    HSNMP_SESSION P = SnmpCreateSession(NULL, 0, close_victim, &cookie_p);
    HSNMP_SESSION Q = SnmpCreateSession(NULL, 0, record, &cookie_q);
    HSNMP_ENTITY ep = agent_entity(P, &ag, 0, WSNMP_DEFAULT);
    HSNMP_ENTITY eq = agent_entity(Q, &ag, 0, WSNMP_DEFAULT);
    CHECK(P && Q && ep && eq);
    smiINT32 idp = send_get(P, ep, 0, 0);
    CHECK(agent_wait(&ag, &d, 1000));
    struct sockaddr_in from_p = d.from;
    smiINT32 idq = send_get(Q, eq, 0, 0);
    CHECK(agent_wait(&ag, &d, 1000));
    struct sockaddr_in from_q = d.from;
    victim = Q;
    CHECK(agent_answer(&ag, &from_q, idq, ans));
    CHECK(agent_answer(&ag, &from_p, idp, ans));
    smiUINT32 handled = 0;
    CHECK_OK(WsnmpPoll(1000, &handled));
    poll_for(10);
    {
        int p_calls = 0, q_calls = 0;
        for (int k = 0; k < nevents; k++) {
            p_calls += events[k].data == &cookie_p;
            q_calls += events[k].data == &cookie_q;
        }
        CHECK_EQ_INT(p_calls, 1);
        /* Q may have been notified before P's callback ran, never after. */
        CHECK(q_calls <= 1);
        CHECK(q_calls == 0 || events[0].data == &cookie_q);
    }
    CHECK_EQ_INT(WsnmpHandleKind(Q), WSNMP_KIND_NONE);
    {
        HSNMP_PDU rp = 0;
        CHECK_OK(SnmpRecvMsg(P, NULL, NULL, NULL, &rp));
        if (rp) {
            check_pdu(rp, SNMP_PDU_RESPONSE, idp, 1);
            CHECK_OK(SnmpFreePdu(rp));
        }
    }
    CHECK_OK(SnmpClose(P));
    CHECK_OK(SnmpFreeVbl(ans));
    CHECK_EQ_INT(stats(0).pending, 0);
    agent_close(&ag);
}

/* ======================================================================== */

static int failing_calls;

static SNMPAPI_STATUS failing_cb(HSNMP_SESSION s, HWND hWnd, UINT wMsg, WPARAM wParam,
                                 LPARAM lParam, LPVOID data)
{
    (void)s, (void)hWnd, (void)wMsg, (void)wParam, (void)lParam, (void)data;
    failing_calls++;
    return SNMPAPI_FAILURE;
}

static void test_callback_failure_closes(void)
{
    agent_t ag;
    dgram_t d;

    TEST_SECTION("a failing callback closes its session");
    CHECK(agent_open(&ag));
    WsnmpStats base = stats(0);
    HSNMP_SESSION D = SnmpCreateSession(NULL, 0, failing_cb, NULL);
    HSNMP_ENTITY e = agent_entity(D, &ag, 0, WSNMP_DEFAULT);
    HSNMP_VBL ans = answer_vbl(A);
    CHECK(D && e && ans);
    smiINT32 id1 = send_get(D, e, 0, 0), id2 = send_get(D, e, 0, 0);
    CHECK(id1 && id2);
    CHECK(agent_wait(&ag, &d, 1000));
    CHECK(agent_wait(&ag, &d, 1000));
    CHECK(agent_answer(&ag, &d.from, id1, ans));
    CHECK(agent_answer(&ag, &d.from, id2, ans));
    CHECK_OK(WsnmpPoll(1000, NULL));
    poll_for(10);
    CHECK_EQ_INT(failing_calls, 1);
    CHECK_EQ_INT(SnmpGetLastError(D), SNMPAPI_SESSION_INVALID);
    CHECK_EQ_INT(WsnmpHandleKind(D), WSNMP_KIND_NONE);
    CHECK_EQ_INT(WsnmpHandleKind(e), WSNMP_KIND_NONE);
    CHECK_EQ_INT(stats(0).sessions, base.sessions);
    CHECK_EQ_INT(stats(0).entities, base.entities);
    CHECK_EQ_INT(stats(0).pending, base.pending);
    CHECK_OK(SnmpFreeVbl(ans));
    agent_close(&ag);
}

/* ======================================================================== */

static SNMPAPI_STATUS inner_poll_ret = 99, inner_poll_err, inner_recv_ret;
static smiINT32 inner_recv_id;

static SNMPAPI_STATUS reentrant_cb(HSNMP_SESSION s, HWND hWnd, UINT wMsg, WPARAM wParam,
                                   LPARAM lParam, LPVOID data)
{
    smiUINT32 n = 0;
    HSNMP_PDU p = 0;
    record(s, hWnd, wMsg, wParam, lParam, data);
    inner_poll_ret = WsnmpPoll(0, &n);
    inner_poll_err = SnmpGetLastError(0);
    /* The usual WinSNMP pattern: read the message from the callback. */
    inner_recv_ret = SnmpRecvMsg(s, NULL, NULL, NULL, &p);
    if (p) {
        inner_recv_id = pdu_id(p);
        SnmpFreePdu(p);
    }
    return SNMPAPI_SUCCESS;
}

static void test_poll_in_callback(void)
{
    agent_t ag;
    dgram_t d;

    TEST_SECTION("WsnmpPoll from a callback");
    HSNMP_ENTITY e;
    HSNMP_SESSION S = open_agent_session(&ag, reentrant_cb, &e);
    HSNMP_VBL ans = answer_vbl(A);
    CHECK(S && e && ans);
    smiINT32 id = send_get(S, e, 0, 0);
    CHECK(agent_wait(&ag, &d, 1000));
    CHECK(agent_answer(&ag, &d.from, id, ans));
    CHECK(poll_events(1, 1000));
    CHECK_EQ_INT(inner_poll_ret, SNMPAPI_FAILURE);
    CHECK_EQ_INT(inner_poll_err, SNMPAPI_OPERATION_INVALID);
    CHECK_EQ_INT(inner_recv_ret, SNMPAPI_SUCCESS);
    CHECK_EQ_INT(inner_recv_id, id);
    /* Outside a callback, polling works again. */
    CHECK_OK(WsnmpPoll(0, NULL));
    CHECK_EQ_INT(WsnmpHandleKind(S), WSNMP_KIND_SESSION);
    CHECK_OK(SnmpFreeVbl(ans));
    CHECK_OK(SnmpClose(S));
    agent_close(&ag);
}

/* ======================================================================== */

int main(void)
{
    uint64_t t0 = now_ms();
    for (size_t i = 0; i < sizeof all_bytes; i++)
        all_bytes[i] = (unsigned char)i;

    CHECK_OK(SnmpStartup(NULL, NULL, NULL, NULL, NULL));
    /* The fake agent speaks v2c: entities from literal addresses are v2c in
     * this mode (Windows' default, UNTRANSLATED_V1, makes them v1). */
    CHECK_OK(SnmpSetTranslateMode(SNMPAPI_UNTRANSLATED_V2));
    CHECK_OK(WsnmpClearFriendlyNames());
    A = WsnmpCreateSession(NULL, NULL);
    CHECK_HANDLE(A);

    test_close_in_callback_then_reopen(); /* first: relies on no freed slot */
    test_get_roundtrip();
    test_timeout();
    test_recv_response();
    test_source_check();
    test_cancel();
    test_send_errors();
    test_getbulk_v1();
    test_many_agents();
    test_codec();
    test_close_in_flight();
    test_callback_failure_closes();
    test_poll_in_callback();

    TEST_SECTION("leaks");
    CHECK_OK(SnmpClose(A));
    {
        WsnmpStats st = stats(0);
        CHECK_EQ_INT(st.sessions, 0);
        CHECK_EQ_INT(st.registrations, 0);
    }
    check_no_objects();
    CHECK_OK(SnmpCleanup());
    fprintf(stderr, "test_messaging: %llu ms\n", (unsigned long long)(now_ms() - t0));
    return TEST_REPORT();
}
