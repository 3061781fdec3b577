/*
 * queue.c — each session's queue of received messages and failed
 * requests, read by SnmpRecvMsg (oldest first) or by request id.
 */
#include "engine.h"

#include <stdlib.h>
#include <string.h>

smiUINT32 wsnmp_queue_dropped_total;

/* Unsolicited messages queued per session before new ones are dropped (and
 * counted), whatever their size: a flood of tiny ones is bounded too. */
#define QUEUE_LIMIT 10000

/* The memory a message holds: the allocations behind it, by their sizes. */
static size_t message_bytes(const wsnmp_message *m)
{
    size_t n = sizeof *m + m->registration_count * sizeof *m->registrations + m->sec.community.len +
               m->sec.context.len;
    if (m->pdu == NULL)
        return n;
    n += sizeof *m->pdu + m->pdu->enterprise.len * sizeof(smiUINT32);
    for (smiUINT32 i = 0; i < m->pdu->vbl.count; i++) {
        const wsnmp_varbind *vb = &m->pdu->vbl.items[i];
        n += sizeof *vb + vb->name.len * sizeof(smiUINT32);
        if (wsnmp_value_syntax_is_octets(vb->value.syntax))
            n += vb->value.value.string.len;
        else if (vb->value.syntax == SNMP_SYNTAX_OID)
            n += vb->value.value.oid.len * sizeof(smiUINT32);
    }
    return n;
}

/* Messages freed lately, for the next replies (one per reply). */
static wsnmp_recycler spare_messages;

wsnmp_message *wsnmp_queue_message_new(void)
{
    return wsnmp_recycle_take(&spare_messages, sizeof(wsnmp_message));
}

void wsnmp_queue_release_spares(void)
{
    wsnmp_recycle_release(&spare_messages);
}

void wsnmp_queue_message_free(wsnmp_message *m)
{
    free(m->registrations);
    wsnmp_credentials_clear(&m->sec);
    wsnmp_octets_free(&m->context_engine_id);
    if (m->pdu == &m->reply_pdu)
        wsnmp_pdu_data_clear(m->pdu);
    else if (m->pdu)
        wsnmp_pdu_destroy(m->pdu);
    wsnmp_recycle(&spare_messages, m);
}

bool wsnmp_queue_own_pdu(wsnmp_message *m, uint32_t session_slot, const char *fn)
{
    if (m->pdu != &m->reply_pdu)
        return true;
    wsnmp_pdu *p = malloc(sizeof *p);
    if (p == NULL)
        return wsnmp_error_fail(session_slot, SNMPAPI_ALLOC_ERROR, "%s: out of memory", fn), false;
    *p = m->reply_pdu; /* moved */
    memset(&m->reply_pdu, 0, sizeof m->reply_pdu);
    m->pdu = p;
    return true;
}

void wsnmp_queue_push(wsnmp_io *io, wsnmp_message *m)
{
    m->next = NULL;
    if (io->queue_tail)
        io->queue_tail->next = m;
    else
        io->queue_head = m;
    io->queue_tail = m;
    io->queued++;
    m->bytes = message_bytes(m);
    io->queued_bytes += m->bytes;
}

bool wsnmp_queue_push_bounded(wsnmp_io *io, wsnmp_message *m)
{
    if (io->queued >= QUEUE_LIMIT ||
        io->queued_bytes + message_bytes(m) > wsnmp_library.limits.queue_bytes) {
        wsnmp_queue_dropped_total++;
        wsnmp_queue_message_free(m);
        return false;
    }
    wsnmp_queue_push(io, m);
    return true;
}

wsnmp_message *wsnmp_queue_take(wsnmp_io *io, smiUINT32 kinds, bool by_id, smiINT32 id)
{
    wsnmp_message *prev = NULL;
    for (wsnmp_message *m = io->queue_head; m; prev = m, m = m->next) {
        if (!(kinds & (1u << m->kind)) || (by_id && m->request_id != id))
            continue;
        if (prev)
            prev->next = m->next;
        else
            io->queue_head = m->next;
        if (io->queue_tail == m)
            io->queue_tail = prev;
        io->queued--;
        io->queued_bytes -= m->bytes;
        m->next = NULL;
        return m;
    }
    return NULL;
}
