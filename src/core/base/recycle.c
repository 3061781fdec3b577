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

#include <stddef.h>
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
#else
    (void)r;
#endif
    free(p);
}

void wsnmp_recycle_release(wsnmp_recycler *r)
{
    while (r->count)
        free(r->blocks[--r->count]);
}

/* A block of wsnmp_recycle_block: its size ahead of what the caller gets
 * (aligned as malloc's blocks are, so that what follows is too). */
typedef struct {
    _Alignas(max_align_t) size_t size;
} block_head;

/* The block kept.  One is enough: a message's list is freed before the
 * next message is decoded, nearly always.  A large block (a GETBULK
 * answer's list is some kilobytes) taken from malloc and freed again made
 * glibc consolidate its small free chunks each time, which was a tenth of
 * a walk's instructions per varbind. */
static block_head *spare_block;

void *wsnmp_recycle_block(size_t size)
{
    block_head *b = spare_block;
    if (b && b->size >= size) {
        spare_block = NULL;
        return b + 1;
    }
    if (size > SIZE_MAX - sizeof *b)
        return NULL;
    /* (some room above the size asked: the next list is rarely the same) */
    size_t room = size < WSNMP_RECYCLE_BLOCK_MAX / 2 ? size + size / 2 : size;
    if ((b = malloc(sizeof *b + room)) == NULL)
        return NULL;
    b->size = room;
    return b + 1;
}

void wsnmp_recycle_block_free(void *p)
{
    if (p == NULL)
        return;
    block_head *b = (block_head *)p - 1;
#ifndef KEEP_NONE
    if (b->size <= WSNMP_RECYCLE_BLOCK_MAX &&
        (spare_block == NULL || spare_block->size < b->size)) {
        free(spare_block);
        spare_block = b;
        return;
    }
#endif
    free(b);
}

void wsnmp_recycle_blocks_release(void)
{
    free(spare_block);
    spare_block = NULL;
}
