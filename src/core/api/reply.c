/*
 * reply.c — a delivered reply read in place, for the Lua binding.  The
 * public path (WsnmpRecvResponse, then a PDU handle read back through
 * SnmpGetPduData and WsnmpPeekPduVb, then SnmpFreePdu) makes and looks up
 * a handle four times per reply; this hands the queued message itself,
 * read-only, and frees it when the binding is done.
 */
#include "api.h"
#include "engine.h"

#include <stdio.h>

/* A reply is the queued message, under another name for the binding. */
struct wsnmp_reply {
    wsnmp_message message;
};

SNMPAPI_STATUS wsnmp_reply_take(HSNMP_SESSION session, smiINT32 request_id, wsnmp_reply **out)
{
    const char *fn = "WsnmpRecvResponse"; /* what a C program would call */
    uint32_t sslot;
    wsnmp_session *s = wsnmp_handle_lookup(session, WSNMP_KIND_SESSION, &sslot, NULL, fn);
    if (s == NULL)
        return SNMPAPI_FAILURE;
    wsnmp_message *m =
        s->io ? wsnmp_queue_take(s->io, 1u << WSNMP_MSG_RESPONSE, true, request_id) : NULL;
    if (m == NULL)
        return wsnmp_error_fail(sslot, SNMPAPI_NOOP, "%s: nothing queued for request %d", fn,
                                (int)request_id);
    if (m->error) {
        SNMPAPI_STATUS error = m->error;
        char reason[sizeof m->reason];
        snprintf(reason, sizeof reason, "%s", m->reason);
        wsnmp_queue_message_free(m);
        return wsnmp_error_fail(sslot, error, "%s", reason);
    }
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
