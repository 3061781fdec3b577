/*
 * recycle.c — a few freed blocks of one size, kept for the next
 * allocation of that size.
 *
 * A request and its reply are each made and freed once per request; a
 * block taken back from here costs a fraction of malloc and free.  The
 * blocks kept are bounded (WSNMP_RECYCLE_KEEP: a burst beyond it goes back
 * to free), they are given back when the library unloads, and nothing is
 * kept under AddressSanitizer, whose use-after-free checks need every
 * block really freed.  Like the rest of the engine's state, a recycler is
 * used under the library lock (or from the one thread that drives it).
 */
#include "base.h"

#include <stdlib.h>
#include <string.h>

#if defined(__SANITIZE_ADDRESS__)
#define KEEP_NONE 1
#elif defined(__has_feature)
#if __has_feature(address_sanitizer)
#define KEEP_NONE 1
#endif
#endif

void *wsnmp_recycle_take(wsnmp_recycler *r, size_t size)
{
    if (r->count == 0)
        return wsnmp_zalloc(size);
    void *p = r->blocks[--r->count];
    return memset(p, 0, size);
}

void wsnmp_recycle(wsnmp_recycler *r, void *p)
{
#ifndef KEEP_NONE
    if (p && r->count < WSNMP_RECYCLE_KEEP) {
        r->blocks[r->count++] = p;
        return;
    }
#endif
    free(p);
}

void wsnmp_recycle_release(wsnmp_recycler *r)
{
    while (r->count)
        free(r->blocks[--r->count]);
}
