/*
 * pdu.c — PDUs.  A PDU holds its own copy of a variable-binding list; VBL
 * handles passed in are copied, and SnmpGetPduData hands out a new VBL
 * handle (a copy) on every call, as WinSNMP specifies.
 */
#include "objects.h"

#include <stdlib.h>

static bool pdu_type_known(smiINT type)
{
    switch (type) {
    case SNMP_PDU_GET:
    case SNMP_PDU_GETNEXT:
    case SNMP_PDU_RESPONSE:
    case SNMP_PDU_SET:
    case SNMP_PDU_V1TRAP:
    case SNMP_PDU_GETBULK:
    case SNMP_PDU_INFORM:
    case SNMP_PDU_TRAP:
        return true;
    default:
        return false;
    }
}

void wsnmp_pdu_destroy(void *obj)
{
    wsnmp_pdu_data_clear(obj);
    free(obj);
}

static HSNMP_PDU new_pdu_handle(wsnmp_pdu *p, uint32_t sslot, const char *fn)
{
    HSNMP_PDU h = wsnmp_handle_new(WSNMP_KIND_PDU, sslot, p, fn);
    if (h == 0)
        wsnmp_pdu_destroy(p);
    return h;
}

WSNMP_API HSNMP_PDU SnmpCreatePdu(HSNMP_SESSION session, smiINT PDU_type, smiINT32 request_id,
                                  smiINT error_status, smiINT error_index, HSNMP_VBL varbindlist)
{
    uint32_t sslot;
    wsnmp_session *s =
        wsnmp_handle_lookup(session, WSNMP_KIND_SESSION, &sslot, NULL, "SnmpCreatePdu");
    if (s == NULL)
        return 0;
    if (PDU_type == 0)
        PDU_type = SNMP_PDU_GETNEXT;
    if (!pdu_type_known(PDU_type))
        return wsnmp_error_fail(sslot, SNMPAPI_PDU_INVALID,
                                "SnmpCreatePdu: unknown PDU type 0x%02x", (unsigned)PDU_type),
               NULL;
    const wsnmp_vbl *src = NULL;
    if (varbindlist != 0 && (src = wsnmp_handle_get(varbindlist, WSNMP_KIND_VBL, NULL)) == NULL)
        return wsnmp_error_fail(sslot, SNMPAPI_VBL_INVALID, "SnmpCreatePdu: invalid VBL handle"),
               NULL;

    wsnmp_pdu *p = calloc(1, sizeof *p);
    if (p == NULL || (src && !wsnmp_varbinds_copy(&p->vbl, src))) {
        free(p);
        return wsnmp_error_fail(sslot, SNMPAPI_ALLOC_ERROR, "SnmpCreatePdu: out of memory"), NULL;
    }
    p->type = PDU_type;
    if (request_id == 0) {
        /* Random, and not in flight in this session: with tens of
         * thousands pending, a bare random id would collide (birthday). */
        do
            request_id = wsnmp_random_request_id();
        while (s->io && wsnmp_session_engine.request_id_in_use &&
               wsnmp_session_engine.request_id_in_use(s->io, request_id));
    }
    p->request_id = request_id;
    p->error_status = error_status;
    p->error_index = error_index;
    return new_pdu_handle(p, sslot, "SnmpCreatePdu");
}

WSNMP_API SNMPAPI_STATUS SnmpGetPduData(HSNMP_PDU PDU, smiLPINT PDU_type, smiLPINT32 request_id,
                                        smiLPINT error_status, smiLPINT error_index,
                                        LPHSNMP_VBL varbindlist)
{
    uint32_t sslot;
    wsnmp_pdu *p = wsnmp_handle_lookup(PDU, WSNMP_KIND_PDU, NULL, &sslot, "SnmpGetPduData");
    if (p == NULL)
        return SNMPAPI_FAILURE;
    if (!PDU_type && !request_id && !error_status && !error_index && !varbindlist)
        return wsnmp_error_fail(sslot, SNMPAPI_NOOP, "SnmpGetPduData: no outputs");
    if (varbindlist) {
        wsnmp_vbl *v = malloc(sizeof *v);
        if (v == NULL || !wsnmp_varbinds_copy(v, &p->vbl)) {
            free(v);
            return wsnmp_error_fail(sslot, SNMPAPI_ALLOC_ERROR, "SnmpGetPduData: out of memory");
        }
        HSNMP_VBL h = wsnmp_handle_new(WSNMP_KIND_VBL, sslot, v, "SnmpGetPduData");
        if (h == 0) {
            wsnmp_vbl_destroy(v);
            return SNMPAPI_FAILURE;
        }
        *varbindlist = h;
    }
    if (PDU_type)
        *PDU_type = p->type;
    if (request_id)
        *request_id = p->request_id;
    if (error_status)
        *error_status = p->error_status;
    if (error_index)
        *error_index = p->error_index;
    return SNMPAPI_SUCCESS;
}

WSNMP_API SNMPAPI_STATUS SnmpSetPduData(HSNMP_PDU PDU, const smiINT *PDU_type,
                                        const smiINT32 *request_id, const smiINT *non_repeaters,
                                        const smiINT *max_repetitions, const HSNMP_VBL *varbindlist)
{
    uint32_t sslot;
    wsnmp_pdu *p = wsnmp_handle_lookup(PDU, WSNMP_KIND_PDU, NULL, &sslot, "SnmpSetPduData");
    if (p == NULL)
        return SNMPAPI_FAILURE;
    if (!PDU_type && !request_id && !non_repeaters && !max_repetitions && !varbindlist)
        return wsnmp_error_fail(sslot, SNMPAPI_NOOP, "SnmpSetPduData: nothing to set");
    if (PDU_type && !pdu_type_known(*PDU_type))
        return wsnmp_error_fail(sslot, SNMPAPI_PDU_INVALID,
                                "SnmpSetPduData: unknown PDU type 0x%02x", (unsigned)*PDU_type);
    /* Validate everything before changing anything. */
    wsnmp_vbl fresh;
    wsnmp_varbinds_init(&fresh);
    if (varbindlist) {
        const wsnmp_vbl *src = wsnmp_handle_get(*varbindlist, WSNMP_KIND_VBL, NULL);
        if (src == NULL)
            return wsnmp_error_fail(sslot, SNMPAPI_VBL_INVALID,
                                    "SnmpSetPduData: invalid VBL handle");
        if (!wsnmp_varbinds_copy(&fresh, src))
            return wsnmp_error_fail(sslot, SNMPAPI_ALLOC_ERROR, "SnmpSetPduData: out of memory");
        wsnmp_varbinds_clear(&p->vbl);
        p->vbl = fresh;
    }
    if (PDU_type)
        p->type = *PDU_type;
    if (request_id)
        p->request_id = *request_id;
    /* The error fields carry non_repeaters/max_repetitions only in GETBULK;
     * otherwise they belong to the agent and cannot be changed here. */
    if (p->type == SNMP_PDU_GETBULK) {
        if (non_repeaters)
            p->error_status = *non_repeaters;
        if (max_repetitions)
            p->error_index = *max_repetitions;
    }
    return SNMPAPI_SUCCESS;
}

WSNMP_API HSNMP_PDU SnmpDuplicatePdu(HSNMP_SESSION session, HSNMP_PDU PDU)
{
    uint32_t sslot;
    if (!wsnmp_handle_lookup(session, WSNMP_KIND_SESSION, &sslot, NULL, "SnmpDuplicatePdu"))
        return 0;
    const wsnmp_pdu *src = wsnmp_handle_get(PDU, WSNMP_KIND_PDU, NULL);
    if (src == NULL)
        return wsnmp_error_fail(sslot, SNMPAPI_PDU_INVALID, "SnmpDuplicatePdu: invalid PDU handle"),
               NULL;
    wsnmp_pdu *p = malloc(sizeof *p);
    if (p == NULL)
        return wsnmp_error_fail(sslot, SNMPAPI_ALLOC_ERROR, "SnmpDuplicatePdu: out of memory"),
               NULL;
    if (!wsnmp_pdu_data_copy(p, src)) {
        free(p);
        return wsnmp_error_fail(sslot, SNMPAPI_ALLOC_ERROR, "SnmpDuplicatePdu: out of memory"),
               NULL;
    }
    return new_pdu_handle(p, sslot, "SnmpDuplicatePdu");
}

WSNMP_API SNMPAPI_STATUS SnmpFreePdu(HSNMP_PDU PDU)
{
    uint32_t slot;
    if (!wsnmp_handle_lookup(PDU, WSNMP_KIND_PDU, &slot, NULL, "SnmpFreePdu"))
        return SNMPAPI_FAILURE;
    wsnmp_handle_destroy(slot);
    return SNMPAPI_SUCCESS;
}

WSNMP_API SNMPAPI_STATUS WsnmpPduVarbindCount(HSNMP_PDU PDU, smiUINT32 *count)
{
    uint32_t sslot;
    wsnmp_pdu *p = wsnmp_handle_lookup(PDU, WSNMP_KIND_PDU, NULL, &sslot, "WsnmpPduVarbindCount");
    if (p == NULL)
        return SNMPAPI_FAILURE;
    if (count == NULL)
        return wsnmp_error_fail(sslot, SNMPAPI_NOOP, "WsnmpPduVarbindCount: no output");
    *count = p->vbl.count;
    return SNMPAPI_SUCCESS;
}

WSNMP_API SNMPAPI_STATUS WsnmpPeekPduVb(HSNMP_PDU PDU, smiUINT32 index, smiLPCOID *name,
                                        smiLPCVALUE *value)
{
    uint32_t sslot;
    wsnmp_pdu *p = wsnmp_handle_lookup(PDU, WSNMP_KIND_PDU, NULL, &sslot, "WsnmpPeekPduVb");
    if (p == NULL)
        return SNMPAPI_FAILURE;
    if (index == 0 || index > p->vbl.count)
        return wsnmp_error_fail(sslot, SNMPAPI_INDEX_INVALID,
                                "WsnmpPeekPduVb: index %u outside 1..%u", (unsigned)index,
                                (unsigned)p->vbl.count);
    if (name)
        *name = &p->vbl.items[index - 1].name;
    if (value)
        *value = &p->vbl.items[index - 1].value;
    return SNMPAPI_SUCCESS;
}
