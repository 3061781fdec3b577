/*
 * reply.c — a delivered reply read in place, for the Lua binding.  The
 * public path (WsnmpRecvResponse, then a PDU handle read back through
 * SnmpGetPduData and WsnmpPeekPduVb, then SnmpFreePdu) makes and looks up
 * a handle four times per reply; this hands the queued message itself,
 * read-only, and frees it when the binding is done.
 */
#include "api.h"
#include "engine.h"

/* A reply is the queued message, under another name for the binding. */
struct wsnmp_reply {
    wsnmp_message message;
};

SNMPAPI_STATUS wsnmp_reply_take(HSNMP_SESSION session, smiINT32 request_id, wsnmp_reply **out)
{
    uint32_t sslot;
    /* Named as what a C program would call */
    wsnmp_message *m = wsnmp_recv_reply(session, request_id, "WsnmpRecvResponse", &sslot);
    if (m == NULL)
        return SNMPAPI_FAILURE;
    *out = (wsnmp_reply *)m;
    return SNMPAPI_SUCCESS;
}

void wsnmp_reply_status(const wsnmp_reply *r, smiINT *error_status, smiINT *error_index)
{
    *error_status = r->message.pdu->error_status;
    *error_index = r->message.pdu->error_index;
}

smiUINT32 wsnmp_reply_count(const wsnmp_reply *r)
{
    return r->message.pdu->vbl.count;
}

void wsnmp_reply_varbind(const wsnmp_reply *r, smiUINT32 index, smiLPCOID *name, smiLPCVALUE *value)
{
    const wsnmp_varbind *vb = &r->message.pdu->vbl.items[index - 1];
    *name = &vb->name;
    *value = &vb->value;
}

void wsnmp_reply_release(wsnmp_reply *r)
{
    wsnmp_queue_message_free(&r->message);
}
