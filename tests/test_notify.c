/*
 * test_notify.c — SnmpRegister and SnmpListen with WinSNMP's rules, driven
 * by sessions of this process only (one sends, one receives) on loopback
 * ports chosen by the kernel or found free.
 */
#include <arpa/inet.h>
#include <netinet/in.h>
#include <sys/socket.h>
#include <unistd.h>

#include "test.h"

static const smiUINT32 uptime_ids[] = {1, 3, 6, 1, 2, 1, 1, 3, 0};
static const smiUINT32 trap_oid_ids[] = {1, 3, 6, 1, 6, 3, 1, 1, 4, 1, 0};
static const smiUINT32 link_up_ids[] = {1, 3, 6, 1, 6, 3, 1, 1, 5, 4};
static const smiUINT32 ent_trap_ids[] = {1, 3, 6, 1, 4, 1, 99, 0, 7};
static const smiUINT32 sys_name_ids[] = {1, 3, 6, 1, 2, 1, 1, 5, 0};

#define OID(a) ((smiOID){sizeof a / sizeof a[0], (smiLPUINT32)a})

typedef struct {
    int calls;
    SNMPAPI_STATUS last_code;
    smiINT32 last_id;
} counter_t;

static SNMPAPI_STATUS count(HSNMP_SESSION s, HWND w, UINT m, WPARAM wp, LPARAM lp, LPVOID data)
{
    (void)s, (void)w, (void)m;
    counter_t *c = data;
    c->calls++;
    c->last_code = (SNMPAPI_STATUS)wp;
    c->last_id = (smiINT32)lp;
    return SNMPAPI_SUCCESS;
}

static void poll_ms(int ms)
{
    for (int i = 0; i < ms / 10; i++)
        WsnmpPoll(10, NULL);
}

/* A free UDP port on 127.0.0.1 (bound and released at once). */
static unsigned free_port(void)
{
    int fd = socket(AF_INET, SOCK_DGRAM, 0);
    struct sockaddr_in a = {.sin_family = AF_INET, .sin_addr.s_addr = htonl(INADDR_LOOPBACK)};
    socklen_t len = sizeof a;
    bind(fd, (struct sockaddr *)&a, sizeof a);
    getsockname(fd, (struct sockaddr *)&a, &len);
    close(fd);
    return ntohs(a.sin_port);
}

/* Sends a v2 trap with snmpTrapOID `trap` from session s to address. */
static void send_trap(HSNMP_SESSION s, const char *address, const char *community,
                      const smiOID *trap, int version)
{
    HSNMP_ENTITY dst = SnmpStrToEntity(s, address);
    WsnmpSetEntityVersion(dst, version);
    smiOCTETS c = {(smiUINT32)strlen(community), (smiBYTE *)community};
    HSNMP_CONTEXT ctx = SnmpStrToContext(s, &c);
    smiOID up = OID(uptime_ids), to = OID(trap_oid_ids), name = OID(sys_name_ids);
    smiVALUE ticks = {.syntax = SNMP_SYNTAX_TIMETICKS, .value.uNumber = 4711};
    smiVALUE oidv = {.syntax = SNMP_SYNTAX_OID, .value.oid = *trap};
    smiVALUE text = {.syntax = SNMP_SYNTAX_OCTETS, .value.string = {3, (smiBYTE *)"abc"}};
    HSNMP_VBL v = SnmpCreateVbl(s, &up, &ticks);
    SnmpSetVb(v, 0, &to, &oidv);
    SnmpSetVb(v, 0, &name, &text);
    HSNMP_PDU p = SnmpCreatePdu(s, SNMP_PDU_TRAP, 0, 0, 0, v);
    CHECK_OK(SnmpSendMsg(s, 0, dst, ctx, p));
    SnmpFreePdu(p);
    SnmpFreeVbl(v);
    SnmpFreeContext(ctx);
    SnmpFreeEntity(dst);
}

/* Receives one notification on r and checks its snmpTrapOID. */
static void expect_trap(HSNMP_SESSION r, counter_t *c, const smiOID *want, smiUINT32 reg_id)
{
    c->calls = 0;
    poll_ms(200);
    CHECK_EQ_INT(c->calls, 1);
    CHECK_EQ_INT(c->last_code, 0);
    WsnmpMsgInfo info;
    HSNMP_ENTITY src = 0;
    HSNMP_CONTEXT ctx = 0;
    HSNMP_PDU pdu = 0;
    CHECK_OK(WsnmpRecvMsgEx(r, 1u << WSNMP_MSG_NOTIFICATION, &info, &src, NULL, &ctx, &pdu));
    CHECK_EQ_INT(info.kind, WSNMP_MSG_NOTIFICATION);
    CHECK_EQ_INT(info.registration_count, 1);
    CHECK_EQ_INT(info.registrations[0], reg_id);
    smiINT type;
    HSNMP_VBL v;
    CHECK_OK(SnmpGetPduData(pdu, &type, NULL, NULL, NULL, &v));
    CHECK_EQ_INT(type, SNMP_PDU_TRAP);
    smiOID name;
    smiVALUE value;
    CHECK_OK(SnmpGetVb(v, 2, &name, &value)); /* varbind 2 is snmpTrapOID.0 */
    smiOID to = OID(trap_oid_ids);
    smiINT cmp = 1;
    SnmpOidCompare(&name, &to, 0, &cmp);
    CHECK_EQ_INT(cmp, 0);
    CHECK_EQ_INT(value.syntax, SNMP_SYNTAX_OID);
    SnmpOidCompare(&value.value.oid, want, 0, &cmp);
    CHECK_EQ_INT(cmp, 0);
    SnmpFreeDescriptor(SNMP_SYNTAX_OID, (smiLPOPAQUE)&name);
    SnmpFreeDescriptor(SNMP_SYNTAX_OID, (smiLPOPAQUE)&value.value.oid);
    SnmpFreeVbl(v);
    SnmpFreePdu(pdu);
    SnmpFreeContext(ctx);
    SnmpFreeEntity(src);
}

static void test_register(void)
{
    TEST_SECTION("SnmpRegister");
    counter_t c = {0};
    HSNMP_SESSION r = SnmpCreateSession(NULL, 0, count, &c);
    HSNMP_SESSION tx = WsnmpCreateSession(NULL, NULL);
    char address[64];
    snprintf(address, sizeof address, "udp:127.0.0.1:%u", free_port());
    HSNMP_ENTITY local = SnmpStrToEntity(r, address);
    smiOCTETS pub = {6, (smiBYTE *)"public"};
    HSNMP_CONTEXT community = SnmpStrToContext(r, &pub);
    smiOID prefix = {6, (smiLPUINT32)ent_trap_ids}; /* 1.3.6.1.4.1 */
    smiUINT32 id = 0, again = 0;

    CHECK_OK(WsnmpRegister(r, local, 0, community, &prefix, SNMPAPI_ON, NULL, &id));
    CHECK(id != 0);
    /* A redundant registration succeeds and does nothing. */
    CHECK_OK(WsnmpRegister(r, local, 0, community, &prefix, SNMPAPI_ON, NULL, &again));
    CHECK_EQ_INT(again, id);
    WsnmpStats st;
    WsnmpGetStats(0, &st);
    CHECK_EQ_INT(st.registrations, 1);

    smiOID ent = OID(ent_trap_ids), up = OID(link_up_ids);
    send_trap(tx, address, "public", &ent, WSNMP_VERSION_2C);
    expect_trap(r, &c, &ent, id);
    /* Filtered out: another community, and an OID outside the prefix. */
    WsnmpGetStats(0, &st);
    smiUINT32 dropped = st.dropped;
    send_trap(tx, address, "other", &ent, WSNMP_VERSION_2C);
    send_trap(tx, address, "public", &up, WSNMP_VERSION_2C);
    c.calls = 0;
    poll_ms(150);
    CHECK_EQ_INT(c.calls, 0);
    WsnmpGetStats(0, &st);
    CHECK_EQ_INT(st.dropped, dropped + 2);

    /* A v1 trap (a v2 trap sent to a v1 entity) arrives in v2 form. */
    send_trap(tx, address, "public", &ent, WSNMP_VERSION_1);
    expect_trap(r, &c, &ent, id);

    /* The port is in use by a registration elsewhere in the process only
     * through sharing; an outside socket makes it SNMPAPI_TL_IN_USE. */
    unsigned busy = free_port();
    int fd = socket(AF_INET, SOCK_DGRAM, 0);
    struct sockaddr_in a = {.sin_family = AF_INET,
                            .sin_port = htons((uint16_t)busy),
                            .sin_addr.s_addr = htonl(INADDR_LOOPBACK)};
    bind(fd, (struct sockaddr *)&a, sizeof a);
    char busy_address[64];
    snprintf(busy_address, sizeof busy_address, "udp:127.0.0.1:%u", busy);
    HSNMP_ENTITY taken = SnmpStrToEntity(r, busy_address);
    CHECK_FAIL_S(SnmpRegister(r, taken, 0, 0, NULL, SNMPAPI_ON), r, SNMPAPI_TL_IN_USE);
    CHECK_FAIL_S(SnmpListen(taken, SNMPAPI_ON), r, SNMPAPI_TL_IN_USE);
    close(fd);

    /* OFF with the same arguments removes it; again is NOOP. */
    CHECK_OK(SnmpRegister(r, local, 0, community, &prefix, SNMPAPI_OFF));
    CHECK_FAIL_S(SnmpRegister(r, local, 0, community, &prefix, SNMPAPI_OFF), r, SNMPAPI_NOOP);
    WsnmpGetStats(0, &st);
    CHECK_EQ_INT(st.registrations, 0);
    send_trap(tx, address, "public", &ent, WSNMP_VERSION_2C);
    c.calls = 0;
    poll_ms(100);
    CHECK_EQ_INT(c.calls, 0);

    /* Closing the session frees its registrations. */
    CHECK_OK(SnmpRegister(r, local, 0, 0, NULL, 42)); /* any non-OFF state is ON */
    SnmpClose(r);
    WsnmpGetStats(0, &st);
    CHECK_EQ_INT(st.registrations, 0);
    SnmpClose(tx);
}

static void test_listen(void)
{
    TEST_SECTION("SnmpListen");
    counter_t c = {0};
    HSNMP_SESSION agent = SnmpCreateSession(NULL, 0, count, &c);
    HSNMP_SESSION mgr = WsnmpCreateSession(NULL, NULL);
    HSNMP_ENTITY me = SnmpStrToEntity(agent, "udp:127.0.0.1:0");
    CHECK_FAIL_S(SnmpListen(me, 7), agent, SNMPAPI_MODE_INVALID);
    CHECK_OK(SnmpListen(me, SNMPAPI_ON));
    CHECK_FAIL_S(SnmpListen(me, SNMPAPI_ON), agent, SNMPAPI_NOOP);
    CHECK_FAIL_S(SnmpSetPort(me, 1234), agent, SNMPAPI_OPERATION_INVALID);
    CHECK(WsnmpListenerOf(me) != 0);
    char bound[64];
    CHECK(WsnmpGetListenAddress(me, sizeof bound, bound) > 0);
    CHECK(strncmp(bound, "udp:127.0.0.1:", 14) == 0 && strcmp(bound, "udp:127.0.0.1:0") != 0);

    /* A manager GETs sysName.0 from it. */
    HSNMP_ENTITY to = SnmpStrToEntity(mgr, bound);
    smiOID name = OID(sys_name_ids);
    HSNMP_VBL v = SnmpCreateVbl(mgr, &name, NULL);
    HSNMP_PDU get = SnmpCreatePdu(mgr, SNMP_PDU_GET, 0, 0, 0, v);
    smiINT32 id;
    SnmpGetPduData(get, NULL, &id, NULL, NULL, NULL);
    CHECK_OK(SnmpSendMsg(mgr, 0, to, 0, get));
    poll_ms(100);
    CHECK_EQ_INT(c.calls, 1);
    CHECK_EQ_INT(c.last_id, id);

    /* The agent reads the request and answers through its listener. */
    WsnmpMsgInfo info;
    HSNMP_ENTITY src = 0;
    HSNMP_CONTEXT ctx = 0;
    HSNMP_PDU req = 0;
    CHECK_OK(WsnmpRecvMsgEx(agent, 1u << WSNMP_MSG_REQUEST, &info, &src, NULL, &ctx, &req));
    CHECK_EQ_INT(info.kind, WSNMP_MSG_REQUEST);
    CHECK_EQ_INT(info.listener, WsnmpListenerOf(me));
    smiVALUE text = {.syntax = SNMP_SYNTAX_OCTETS, .value.string = {5, (smiBYTE *)"agent"}};
    HSNMP_VBL answer = SnmpCreateVbl(agent, &name, &text);
    HSNMP_PDU resp = SnmpCreatePdu(agent, SNMP_PDU_RESPONSE, id, 0, 0, answer);
    CHECK_OK(SnmpSendMsg(agent, me, src, ctx, resp));
    HSNMP_PDU got = 0;
    for (int i = 0; i < 50 && !WsnmpRecvResponse(mgr, id, &got); i++)
        WsnmpPoll(10, NULL);
    CHECK(got != 0);
    HSNMP_VBL gv;
    SnmpGetPduData(got, NULL, NULL, NULL, NULL, &gv);
    smiOID n;
    smiVALUE val;
    CHECK_OK(SnmpGetVb(gv, 1, &n, &val));
    CHECK_EQ_INT(val.syntax, SNMP_SYNTAX_OCTETS);
    CHECK(val.value.string.len == 5 && memcmp(val.value.string.ptr, "agent", 5) == 0);
    SnmpFreeDescriptor(SNMP_SYNTAX_OID, (smiLPOPAQUE)&n);
    SnmpFreeDescriptor(SNMP_SYNTAX_OCTETS, &val.value.string);

    /* OFF frees the port; freeing the entity would too. */
    CHECK_OK(SnmpListen(me, SNMPAPI_OFF));
    CHECK_FAIL_S(SnmpListen(me, SNMPAPI_OFF), agent, SNMPAPI_NOOP);
    CHECK_EQ_INT(WsnmpListenerOf(me), 0);
    SnmpClose(agent);
    SnmpClose(mgr);
}

int main(void)
{
    SnmpStartup(NULL, NULL, NULL, NULL, NULL);
    test_register();
    test_listen();
    WsnmpStats st;
    WsnmpGetStats(0, &st);
    CHECK_EQ_INT(st.sessions + st.entities + st.contexts + st.pdus + st.vbls + st.pending, 0);
    SnmpCleanup();
    return TEST_REPORT();
}
