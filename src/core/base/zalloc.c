/*
 * zalloc.c — zeroed allocations that go through glibc's per-thread cache.
 *
 * glibc's calloc takes no block from that cache while free puts blocks
 * into it, so an object made with calloc and freed once per request
 * (requests, replies) fills the cache and then takes the slow path both
 * ways.  GCC turns malloc followed by memset(0) back into calloc; the
 * empty asm between them is what stops it.
 */
#include "base.h"

#include <stdlib.h>
#include <string.h>

void *wsnmp_zalloc(size_t n)
{
    void *p = malloc(n);
    if (p == NULL)
        return NULL;
    __asm__ volatile("" : : "r"(p) : "memory");
    return memset(p, 0, n);
}
