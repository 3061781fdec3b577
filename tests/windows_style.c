/*
 * windows_style.c — a WinSNMP manager written as for Windows, built with
 * gcc (-std=c11 -Werror=int-conversion) and with g++ (C++17), run against a
 * private snmpd and snmptrap on free loopback ports (issue 16).
 *
 * The program part (below "the program") is what a Windows program does: a
 * callback session, SnmpRegister with NULL filters, a GET whose response
 * the callback matches by comparing entity and context handles, and a main
 * thread that blocks on events (WaitForSingleObject) the callback sets — no
 * poll call.  Its one line for Linux is WsnmpStartServiceThread().  Meanwhile
 * the main thread keeps calling the library, as Windows allows (the TSan
 * build checks the locking).  The harness part starts snmpd and snmptrap.
 */
#ifndef _GNU_SOURCE /* the harness: mkdtemp, kill (g++ defines it) */
#define _GNU_SOURCE
#endif
#include <WinSnmp.h>
#include <windows.h> /* tests/compat/windows.h: events over pthreads */

#include <arpa/inet.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>
#include <sys/wait.h>
#include <unistd.h>

/* ======================================================================== */
/* The harness: a private snmpd on a free loopback port                     */
/* ======================================================================== */

static char dir[64] = "/tmp/winsnmp-winstyle-XXXXXX";
static pid_t snmpd_pid = -1;

static unsigned free_port(void)
{
    int fd = socket(AF_INET, SOCK_DGRAM, 0);
    struct sockaddr_in a;
    memset(&a, 0, sizeof a);
    a.sin_family = AF_INET;
    a.sin_addr.s_addr = htonl(INADDR_LOOPBACK);
    socklen_t len = sizeof a;
    if (fd < 0 || bind(fd, (struct sockaddr *)&a, sizeof a) != 0 ||
        getsockname(fd, (struct sockaddr *)&a, &len) != 0)
        return 0;
    close(fd);
    return ntohs(a.sin_port);
}

static int start_snmpd(unsigned port)
{
    if (access("/usr/sbin/snmpd", X_OK) != 0 || mkdtemp(dir) == NULL)
        return 0;
    char conf[128], cmd[1024];
    snprintf(conf, sizeof conf, "%s/agent.conf", dir);
    FILE *f = fopen(conf, "w");
    if (f == NULL)
        return 0;
    fprintf(f,
            "agentaddress udp:127.0.0.1:%u\nrocommunity public 127.0.0.1\n"
            "sysName windows-style-agent\n",
            port);
    fclose(f);
    snprintf(cmd, sizeof cmd,
             "MIBS= MIBDIRS= /usr/sbin/snmpd -C -c %s -Lf %s/snmpd.log -p %s/snmpd.pid -r "
             "--persistentDir=%s -m '' -M /dev/null -I -smux,mteTrigger,mteTriggerConf -U "
             "</dev/null >/dev/null 2>&1",
             conf, dir, dir, dir);
    if (system(cmd) != 0)
        return 0;
    for (int i = 0; i < 100; i++) { /* the pid file is written once it is bound */
        char path[128];
        snprintf(path, sizeof path, "%s/snmpd.pid", dir);
        FILE *p = fopen(path, "r");
        int pid = 0;
        if (p && fscanf(p, "%d", &pid) == 1 && pid > 0) {
            fclose(p);
            snmpd_pid = pid;
            return 1;
        }
        if (p)
            fclose(p);
        usleep(50000);
    }
    return 0;
}

static void stop_snmpd(void)
{
    char cmd[128];
    if (snmpd_pid > 0)
        kill(snmpd_pid, SIGTERM);
    for (int i = 0; i < 40 && snmpd_pid > 0 && kill(snmpd_pid, 0) == 0; i++)
        usleep(50000);
    snprintf(cmd, sizeof cmd, "rm -rf %s", dir);
    if (system(cmd) != 0)
        fprintf(stderr, "cannot remove %s\n", dir);
}

static int send_trap(unsigned port)
{
    char cmd[256];
    snprintf(cmd, sizeof cmd,
             "snmptrap -v 2c -c public -m '' -M /dev/null 127.0.0.1:%u '' "
             "1.3.6.1.6.3.1.1.5.1 >/dev/null 2>&1",
             port);
    return system(cmd) == 0;
}

/* ======================================================================== */
/* The program                                                              */
/* ======================================================================== */

typedef struct {
    HSNMP_ENTITY agent;
    HSNMP_CONTEXT community;
    HANDLE got_response, got_trap;
    char sysname[64];
    int responses, traps, unmatched;
} manager_state;

static SNMPAPI_STATUS CALLBACK on_message(HSNMP_SESSION session, HWND hWnd, UINT wMsg,
                                          WPARAM wParam, LPARAM lParam, LPVOID lpClientData)
{
    manager_state *st = (manager_state *)lpClientData;
    (void)hWnd, (void)wMsg, (void)lParam;
    if (wParam != 0) /* a transport error, e.g. SNMPAPI_TL_TIMEOUT */
        return SNMPAPI_SUCCESS;
    HSNMP_ENTITY src = NULL, dst = NULL;
    HSNMP_CONTEXT ctx = NULL;
    HSNMP_PDU pdu = NULL;
    if (SnmpRecvMsg(session, &src, &dst, &ctx, &pdu) != SNMPAPI_SUCCESS)
        return SNMPAPI_SUCCESS;
    smiINT type = 0;
    HSNMP_VBL vbl = NULL;
    SnmpGetPduData(pdu, &type, NULL, NULL, NULL, &vbl);
    if (type == SNMP_PDU_RESPONSE) {
        /* Which agent answered? Windows gives back the request's handles. */
        if (src == st->agent && ctx == st->community) {
            smiOID name;
            smiVALUE value;
            if (SnmpGetVb(vbl, 1, &name, &value) == SNMPAPI_SUCCESS) {
                if (value.syntax == SNMP_SYNTAX_OCTETS && st->responses == 0) {
                    size_t n = value.value.string.len < sizeof st->sysname - 1
                                   ? value.value.string.len
                                   : sizeof st->sysname - 1;
                    memcpy(st->sysname, value.value.string.ptr, n);
                    st->sysname[n] = '\0';
                }
                SnmpFreeDescriptor(SNMP_SYNTAX_OID, (smiLPOPAQUE)&name);
                if (value.syntax == SNMP_SYNTAX_OCTETS)
                    SnmpFreeDescriptor(value.syntax, &value.value.string);
            }
            st->responses++;
            SetEvent(st->got_response);
        } else {
            st->unmatched++;
        }
    } else if (type == SNMP_PDU_TRAP) {
        st->traps++;
        SetEvent(st->got_trap);
    }
    SnmpFreeVbl(vbl);
    SnmpFreePdu(pdu);
    SnmpFreeEntity(src);
    SnmpFreeEntity(dst);
    SnmpFreeContext(ctx);
    return SNMPAPI_SUCCESS;
}

static int send_get(HSNMP_SESSION session, const manager_state *st)
{
    smiOID oid;
    if (SnmpStrToOid("1.3.6.1.2.1.1.5.0", &oid) == SNMPAPI_FAILURE)
        return 0;
    HSNMP_VBL vbl = SnmpCreateVbl(session, &oid, NULL);
    HSNMP_PDU pdu = SnmpCreatePdu(session, SNMP_PDU_GET, 0, 0, 0, vbl);
    int ok = SnmpSendMsg(session, NULL, st->agent, st->community, pdu) == SNMPAPI_SUCCESS;
    SnmpFreePdu(pdu);
    SnmpFreeVbl(vbl);
    SnmpFreeDescriptor(SNMP_SYNTAX_OID, (smiLPOPAQUE)&oid);
    return ok;
}

static int run(unsigned agent_port, unsigned trap_port)
{
    int failures = 0;
    smiUINT32 major, minor, level, translate, retransmit;
    if (SnmpStartup(&major, &minor, &level, &translate, &retransmit) != SNMPAPI_SUCCESS)
        return 1;
    if (translate != SNMPAPI_UNTRANSLATED_V1) {
        fprintf(stderr, "translate mode %lu, not SNMPAPI_UNTRANSLATED_V1\n",
                (unsigned long)translate);
        failures++;
    }
    WsnmpStartServiceThread(); /* the one line for Linux: callbacks from a thread */

    manager_state st;
    memset(&st, 0, sizeof st);
    st.got_response = CreateEvent(NULL, FALSE, FALSE, NULL);
    st.got_trap = CreateEvent(NULL, FALSE, FALSE, NULL);
    HSNMP_SESSION session = SnmpCreateSession(NULL, 0, on_message, &st);
    st.agent = SnmpStrToEntity(session, "127.0.0.1");
    SnmpSetPort(st.agent, agent_port);
    SnmpSetTimeout(st.agent, 100); /* one second */
    SnmpSetRetry(st.agent, 2);
    smiOCTETS public_ = {6, (smiLPBYTE) "public"};
    st.community = SnmpStrToContext(session, &public_);

    /* A second StrToEntity with the same string is the same entity. */
    HSNMP_ENTITY again = SnmpStrToEntity(session, "127.0.0.1");
    if (again != st.agent) {
        fprintf(stderr, "SnmpStrToEntity: equal strings gave different handles\n");
        failures++;
    }
    SnmpFreeEntity(again);

    char trap_address[64];
    snprintf(trap_address, sizeof trap_address, "127.0.0.1:%u", trap_port);
    HSNMP_ENTITY trap_entity = SnmpStrToEntity(session, trap_address);
    if (SnmpRegister(session, trap_entity, NULL, NULL, NULL, SNMPAPI_ON) != SNMPAPI_SUCCESS) {
        fprintf(stderr, "SnmpRegister: error %lu\n", (unsigned long)SnmpGetLastError(session));
        failures++;
    }

    if (!send_get(session, &st))
        failures++;
    if (WaitForSingleObject(st.got_response, 5000) != WAIT_OBJECT_0) {
        fprintf(stderr, "no response matched by handle\n");
        failures++;
    } else if (strcmp(st.sysname, "windows-style-agent") != 0) {
        fprintf(stderr, "sysName.0 is '%s'\n", st.sysname);
        failures++;
    }

    /* More GETs from this thread while the service thread delivers. */
    for (int i = 0; i < 20; i++) {
        if (!send_get(session, &st))
            failures++;
        if (WaitForSingleObject(st.got_response, 5000) != WAIT_OBJECT_0)
            failures++;
    }

    if (!send_trap(trap_port)) {
        fprintf(stderr, "snmptrap failed\n");
        failures++;
    } else if (WaitForSingleObject(st.got_trap, 5000) != WAIT_OBJECT_0) {
        fprintf(stderr, "no trap\n");
        failures++;
    }

    SnmpClose(session);
    WsnmpStopServiceThread();
    WsnmpStats stats;
    WsnmpGetStats(NULL, &stats);
    if (stats.sessions + stats.entities + stats.contexts + stats.pdus + stats.vbls +
            stats.descriptors !=
        0) {
        fprintf(stderr, "handles left after SnmpClose\n");
        failures++;
    }
    SnmpCleanup();
    if (st.unmatched != 0 || st.responses != 21 || st.traps != 1) {
        fprintf(stderr, "responses %d, unmatched %d, traps %d\n", st.responses, st.unmatched,
                st.traps);
        failures++;
    }
    CloseHandle(st.got_response);
    CloseHandle(st.got_trap);
    printf("windows-style manager: SnmpStartup %lu.%lu.%lu.%lu.%lu, sysName '%s', "
           "%d responses matched by handle, %d trap; %d failures\n",
           (unsigned long)major, (unsigned long)minor, (unsigned long)level,
           (unsigned long)translate, (unsigned long)retransmit, st.sysname, st.responses, st.traps,
           failures);
    return failures ? 1 : 0;
}

int main(void)
{
    unsigned agent_port = free_port(), trap_port = free_port();
    if (agent_port == 0 || trap_port == 0 || trap_port == agent_port || !start_snmpd(agent_port)) {
        fprintf(stderr, "cannot start snmpd (Debian package snmpd): skipped\n");
        stop_snmpd();
        return 77; /* ctest SKIP_RETURN_CODE */
    }
    int rc = run(agent_port, trap_port);
    stop_snmpd();
    return rc;
}
