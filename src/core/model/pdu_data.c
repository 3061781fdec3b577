/*
 * pdu_data.c — a PDU's contents as a value (type, ids, varbinds, and the
 * SNMPv1 Trap-PDU fields): deep copy and clear.  PDU handles are in
 * objects/pdu.c; the wire codecs read and write these directly.
 */
#include "model.h"

void wsnmp_pdu_data_clear(wsnmp_pdu *p)
{
    wsnmp_varbinds_clear(&p->vbl);
    wsnmp_oid_free(&p->enterprise);
}

bool wsnmp_pdu_data_copy(wsnmp_pdu *dst, const wsnmp_pdu *src)
{
    *dst = *src;
    wsnmp_varbinds_init(&dst->vbl);
    dst->enterprise.ptr = NULL;
    dst->enterprise.len = 0;
    if (!wsnmp_varbinds_copy(&dst->vbl, &src->vbl))
        return false;
    if (!wsnmp_oid_copy(&dst->enterprise, &src->enterprise)) {
        wsnmp_varbinds_clear(&dst->vbl);
        return false;
    }
    return true;
}
