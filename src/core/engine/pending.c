/*
 * pending.c — requests in flight: a per-session hash table by request id,
 * and one process-wide min-heap of retransmission deadlines, so that
 * thousands of requests cost O(1) to match and O(log n) to time.
 */
#include "engine.h"

#include <stdlib.h>

smiUINT32 wsnmp_pending_total;

static wsnmp_request **heap;
static size_t heap_count, heap_capacity;

#define NOT_IN_HEAP SIZE_MAX

static size_t bucket_of(const wsnmp_io *io, smiINT32 id)
{
    uint32_t x = (uint32_t)id * 2654435761u; /* ids are random already; spread anyway */
    return x & (io->nbuckets - 1);
}

static bool grow(wsnmp_io *io)
{
    size_t n = io->nbuckets ? io->nbuckets * 2 : 64;
    wsnmp_request **b = calloc(n, sizeof *b);
    if (b == NULL)
        return false;
    size_t old_n = io->nbuckets;
    wsnmp_request **old = io->buckets;
    io->buckets = b;
    io->nbuckets = n;
    for (size_t i = 0; i < old_n; i++)
        for (wsnmp_request *r = old[i], *next; r; r = next) {
            next = r->hash_next;
            size_t k = bucket_of(io, r->id);
            r->hash_next = b[k];
            b[k] = r;
        }
    free(old);
    return true;
}

bool wsnmp_pending_add(wsnmp_io *io, wsnmp_request *r)
{
    if (io->pending + 1 > io->nbuckets && !grow(io))
        return false;
    size_t k = bucket_of(io, r->id);
    r->hash_next = io->buckets[k];
    io->buckets[k] = r;
    io->pending++;
    wsnmp_pending_total++;
    return true;
}

wsnmp_request *wsnmp_pending_find(wsnmp_io *io, smiINT32 id)
{
    if (io->nbuckets == 0)
        return NULL;
    for (wsnmp_request *r = io->buckets[bucket_of(io, id)]; r; r = r->hash_next)
        if (r->id == id)
            return r;
    return NULL;
}

void wsnmp_pending_remove(wsnmp_io *io, wsnmp_request *r)
{
    wsnmp_pending_timer_clear(r);
    if (io->nbuckets == 0)
        return; /* nothing was ever added */
    wsnmp_request **p = &io->buckets[bucket_of(io, r->id)];
    while (*p && *p != r)
        p = &(*p)->hash_next;
    if (*p) {
        *p = r->hash_next;
        io->pending--;
        wsnmp_pending_total--;
    }
    r->hash_next = NULL;
}

/* ---- the deadline heap ------------------------------------------------------- */

static void heap_swap(size_t i, size_t j)
{
    wsnmp_request *t = heap[i];
    heap[i] = heap[j];
    heap[j] = t;
    heap[i]->heap_index = i;
    heap[j]->heap_index = j;
}

static void sift_up(size_t i)
{
    while (i > 0 && heap[(i - 1) / 2]->deadline > heap[i]->deadline) {
        heap_swap(i, (i - 1) / 2);
        i = (i - 1) / 2;
    }
}

static void sift_down(size_t i)
{
    for (;;) {
        size_t l = 2 * i + 1, r = l + 1, m = i;
        if (l < heap_count && heap[l]->deadline < heap[m]->deadline)
            m = l;
        if (r < heap_count && heap[r]->deadline < heap[m]->deadline)
            m = r;
        if (m == i)
            return;
        heap_swap(i, m);
        i = m;
    }
}

void wsnmp_pending_timer_clear(wsnmp_request *r)
{
    size_t i = r->heap_index;
    if (i == NOT_IN_HEAP || i >= heap_count || heap[i] != r)
        return;
    heap_count--;
    if (i != heap_count) {
        heap[i] = heap[heap_count];
        heap[i]->heap_index = i;
        sift_down(i);
        sift_up(i);
    }
    r->heap_index = NOT_IN_HEAP;
}

void wsnmp_pending_timer_set(wsnmp_request *r, uint64_t deadline)
{
    wsnmp_pending_timer_clear(r);
    r->deadline = deadline;
    if (heap_count == heap_capacity) {
        size_t cap = heap_capacity ? heap_capacity * 2 : 256;
        wsnmp_request **h = realloc(heap, cap * sizeof *h);
        if (h == NULL)
            abort(); /* cannot keep a request without a deadline */
        heap = h;
        heap_capacity = cap;
    }
    heap[heap_count] = r;
    r->heap_index = heap_count++;
    sift_up(r->heap_index);
}

wsnmp_request *wsnmp_pending_timer_next(void)
{
    return heap_count ? heap[0] : NULL;
}

smiINT32 wsnmp_pending_unused_id(wsnmp_io *io)
{
    smiINT32 id;
    do
        id = wsnmp_random_request_id();
    while (wsnmp_pending_find(io, id));
    return id;
}

void wsnmp_pending_release(void)
{
    free(heap);
    heap = NULL;
    heap_count = heap_capacity = 0;
}
