/*
 * queue.c — each session's queue of received messages and failed
 * requests, read by SnmpRecvMsg (oldest first) or by request id.
 */
#include "messaging.h"

#include <stdlib.h>
#include <string.h>

void wsnmp_security_free(wsnmp_security *sec)
{
    if (sec->community.ptr)
        explicit_bzero(sec->community.ptr, sec->community.len);
    wsnmp_octets_free(&sec->community);
    wsnmp_free_secret(sec->user);
    wsnmp_free_secret(sec->auth_pass);
    wsnmp_free_secret(sec->priv_pass);
    wsnmp_octets_free(&sec->context);
    memset(sec, 0, sizeof *sec);
}

bool wsnmp_security_copy(wsnmp_security *dst, const wsnmp_security *src)
{
    memset(dst, 0, sizeof *dst);
    dst->version = src->version;
    dst->level = src->level;
    dst->auth = src->auth;
    dst->priv = src->priv;
    bool ok = wsnmp_octets_copy(&dst->community, src->community.ptr, src->community.len) &&
              wsnmp_octets_copy(&dst->context, src->context.ptr, src->context.len);
    if (ok && src->user)
        ok = (dst->user = wsnmp_strdup(src->user)) != NULL;
    if (ok && src->auth_pass)
        ok = (dst->auth_pass = wsnmp_strdup(src->auth_pass)) != NULL;
    if (ok && src->priv_pass)
        ok = (dst->priv_pass = wsnmp_strdup(src->priv_pass)) != NULL;
    if (!ok)
        wsnmp_security_free(dst);
    return ok;
}

void wsnmp_message_free(wsnmp_message *m)
{
    free(m->registrations);
    wsnmp_security_free(&m->sec);
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
