/*
 * queue.c — each session's queue of received messages and failed
 * requests, read by SnmpRecvMsg (oldest first) or by request id.
 */
#include "engine.h"

#include <stdlib.h>
#include <string.h>

smiUINT32 wsnmp_queue_dropped_total;

void wsnmp_queue_message_free(wsnmp_message *m)
{
    free(m->registrations);
    wsnmp_credentials_clear(&m->sec);
    if (m->pdu)
        wsnmp_pdu_destroy(m->pdu);
    free(m);
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
        m->next = NULL;
        return m;
    }
    return NULL;
}
