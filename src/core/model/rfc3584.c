/*
 * rfc3584.c — the RFC 3584 translations between SNMPv1 Trap-PDUs and
 * SNMPv2 traps: a v1 trap is received and delivered in v2 form (3.1), and a
 * v2 trap sent to a v1 destination becomes a Trap-PDU (3.2).
 */
#include "model.h"

#include <string.h>

static const smiUINT32 sys_uptime_0[] = {1, 3, 6, 1, 2, 1, 1, 3, 0};
static const smiUINT32 snmp_trap_oid_0[] = {1, 3, 6, 1, 6, 3, 1, 1, 4, 1, 0};
static const smiUINT32 snmp_traps[] = {1, 3, 6, 1, 6, 3, 1, 1, 5};
static const smiUINT32 snmp_trap_enterprise_0[] = {1, 3, 6, 1, 6, 3, 1, 1, 4, 3, 0};
static const smiUINT32 snmp_trap_address_0[] = {1, 3, 6, 1, 6, 3, 18, 1, 3, 0};

#define OID_OF(a) ((smiOID){sizeof a / sizeof a[0], (smiLPUINT32)a})

const smiOID wsnmp_rfc3584_snmp_trap_oid_0 = {sizeof snmp_trap_oid_0 / sizeof snmp_trap_oid_0[0],
                                              (smiLPUINT32)snmp_trap_oid_0};

static bool oid_equal(const smiOID *a, const smiOID *b)
{
    return wsnmp_oid_cmp(a, b) == 0;
}

bool wsnmp_rfc3584_trap_to_v2(wsnmp_pdu *p)
{
    /* 3.1: sysUpTime.0 = time-stamp, snmpTrapOID.0 from generic/specific,
     * the original varbinds, then snmpTrapAddress.0 and snmpTrapEnterprise.0. */
    smiUINT32 trap_oid[MAXOBJIDSIZE + 2];
    smiOID t = {0, trap_oid};
    if (p->generic_trap >= 0 && p->generic_trap < 6) {
        memcpy(trap_oid, snmp_traps, sizeof snmp_traps);
        t.len = sizeof snmp_traps / sizeof snmp_traps[0];
        // cppcheck-suppress unreadVariable ; read through t below
        trap_oid[t.len++] = (smiUINT32)p->generic_trap + 1;
    } else {
        if (p->enterprise.len + 2 > MAXOBJIDSIZE)
            return false;
        memcpy(trap_oid, p->enterprise.ptr, p->enterprise.len * sizeof *trap_oid);
        t.len = p->enterprise.len;
        trap_oid[t.len++] = 0;
        // cppcheck-suppress unreadVariable ; read through t below
        trap_oid[t.len++] = (smiUINT32)p->specific_trap;
    }
    smiVALUE uptime = {.syntax = SNMP_SYNTAX_TIMETICKS, .value.uNumber = p->time_stamp};
    smiVALUE trap = {.syntax = SNMP_SYNTAX_OID, .value.oid = t};
    smiVALUE address = {.syntax = SNMP_SYNTAX_IPADDR, .value.string = {4, p->agent_addr}};
    smiVALUE enterprise = {.syntax = SNMP_SYNTAX_OID, .value.oid = p->enterprise};
    smiOID n_uptime = OID_OF(sys_uptime_0), n_trap = OID_OF(snmp_trap_oid_0);
    smiOID n_address = OID_OF(snmp_trap_address_0), n_enterprise = OID_OF(snmp_trap_enterprise_0);
    if (!wsnmp_varbinds_insert(&p->vbl, 0, &n_uptime, &uptime) ||
        !wsnmp_varbinds_insert(&p->vbl, 1, &n_trap, &trap) ||
        !wsnmp_varbinds_insert(&p->vbl, p->vbl.count, &n_address, &address) ||
        !wsnmp_varbinds_insert(&p->vbl, p->vbl.count, &n_enterprise, &enterprise))
        return false;
    p->type = SNMP_PDU_TRAP;
    wsnmp_oid_free(&p->enterprise);
    return true;
}

wsnmp_result wsnmp_rfc3584_trap_to_v1(wsnmp_pdu *p, const char **why)
{
    /* 3.2: the varbinds of a v2 trap start with sysUpTime.0, snmpTrapOID.0. */
    smiOID n_uptime = OID_OF(sys_uptime_0), n_trap = OID_OF(snmp_trap_oid_0);
    if (p->vbl.count < 2 || !oid_equal(&p->vbl.items[0].name, &n_uptime) ||
        !oid_equal(&p->vbl.items[1].name, &n_trap) ||
        p->vbl.items[1].value.syntax != SNMP_SYNTAX_OID ||
        p->vbl.items[1].value.value.oid.len < 2) {
        *why = "a trap starts with sysUpTime.0 and snmpTrapOID.0";
        return SNMPAPI_PDU_INVALID;
    }
    for (smiUINT32 i = 2; i < p->vbl.count; i++)
        if (p->vbl.items[i].value.syntax == SNMP_SYNTAX_CNTR64) {
            *why = "a Counter64 varbind cannot be sent in an SNMPv1 trap";
            return SNMPAPI_OPERATION_INVALID;
        }
    p->time_stamp = p->vbl.items[0].value.syntax == SNMP_SYNTAX_TIMETICKS
                        ? p->vbl.items[0].value.value.uNumber
                        : 0;
    smiOID trap = p->vbl.items[1].value.value.oid; /* still owned by the list */
    smiOID traps = OID_OF(snmp_traps), n_enterprise = OID_OF(snmp_trap_enterprise_0);
    smiUINT32 buf[MAXOBJIDSIZE];
    smiOID enterprise = {0, buf};
    smiUINT32 last = trap.ptr[trap.len - 1];
    if (trap.len == traps.len + 1 && memcmp(trap.ptr, traps.ptr, traps.len * sizeof *buf) == 0 &&
        last >= 1 && last <= 6) {
        p->generic_trap = (smiINT)last - 1;
        p->specific_trap = 0;
        /* The last snmpTrapEnterprise.0: the translation to v2 appends it
         * (RFC 3584 3.1), after any the sender put among its own varbinds. */
        enterprise = traps;
        for (smiUINT32 i = p->vbl.count; i-- > 2;)
            if (oid_equal(&p->vbl.items[i].name, &n_enterprise) &&
                p->vbl.items[i].value.syntax == SNMP_SYNTAX_OID) {
                enterprise = p->vbl.items[i].value.value.oid;
                break;
            }
    } else {
        p->generic_trap = SNMP_TRAP_ENTERPRISESPECIFIC;
        p->specific_trap = (smiINT)last;
        enterprise.len = trap.len - 1;
        memcpy(buf, trap.ptr, enterprise.len * sizeof *buf);
        if (enterprise.len > 1 && buf[enterprise.len - 1] == 0)
            enterprise.len--;
    }
    smiOID copy;
    if (!wsnmp_oid_copy(&copy, &enterprise)) {
        *why = "out of memory";
        return SNMPAPI_ALLOC_ERROR;
    }
    wsnmp_oid_free(&p->enterprise);
    p->enterprise = copy;
    memset(p->agent_addr, 0, sizeof p->agent_addr);
    /* Keep the payload only: the header varbinds and snmpTrapEnterprise.0. */
    wsnmp_varbinds_remove(&p->vbl, 1);
    wsnmp_varbinds_remove(&p->vbl, 0);
    for (smiUINT32 i = 0; i < p->vbl.count;)
        if (oid_equal(&p->vbl.items[i].name, &n_enterprise))
            wsnmp_varbinds_remove(&p->vbl, i);
        else
            i++;
    p->type = SNMP_PDU_V1TRAP;
    p->error_status = p->error_index = 0;
    return WSNMP_OK;
}
