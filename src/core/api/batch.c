/*
 * batch.c — batched first sends for the Lua binding (engine/outbox.c): the
 * module turns batching on while it resumes its tasks, so that the
 * requests they send then go out in one sendmmsg, and off after, which
 * sends them.  A C program never turns it on.
 */
#include "api.h"
#include "engine.h"

void wsnmp_batch_sends(bool on)
{
    wsnmp_outbox_batch(on);
}

void wsnmp_batch_stats(uint64_t *calls, uint64_t *datagrams)
{
    wsnmp_outbox_stats(calls, datagrams);
}
