/*
 * test_pending.c — requests in flight (src/core/engine/pending.c): the
 * per-session hash table by request id, and the process-wide min-heap of
 * retransmission deadlines.  No sockets and no SnmpStartup: a bare
 * wsnmp_io and requests from wsnmp_request_new are all these need.
 */
#include "engine.h"
#include "../test.h"

#include <sys/random.h>
#include <sys/syscall.h>
#include <unistd.h>

/* ---- a scripted kernel CSPRNG --------------------------------------------------
 * Request ids come from getrandom (base/random.c, in batches of 64).  This
 * definition takes the place of the C library's, so that a test can choose
 * the ids wsnmp_random_request_id returns; unscripted, it asks the kernel. */
#define POOL 64
static uint32_t script[POOL];
static int scripted;
static unsigned getrandom_calls;

ssize_t getrandom(void *buf, size_t len, unsigned int flags)
{
    getrandom_calls++;
    if (!scripted || len != sizeof script)
        return syscall(SYS_getrandom, buf, len, flags);
    memcpy(buf, script, len);
    return (ssize_t)len;
}

/* The next n request ids drawn are ids[0..n-1] (n < POOL), then `rest`. */
static void script_ids(const smiINT32 *ids, size_t n, smiINT32 rest)
{
    /* The pool is read from its end; its last entry goes to the drain below. */
    for (size_t i = 0; i < POOL; i++)
        script[i] = (uint32_t)rest;
    for (size_t i = 0; i < n; i++)
        script[POOL - 2 - i] = (uint32_t)ids[i];
    scripted = 1;
    unsigned before = getrandom_calls;
    while (getrandom_calls == before) /* use up what the pool held: it refills from the script */
        wsnmp_random_request_id();
    scripted = 0;
}

/* ---- helpers ------------------------------------------------------------------ */
static const wsnmp_peer no_peer;

static wsnmp_request *request(smiINT32 id)
{
    wsnmp_request *r = wsnmp_request_new(0, &no_peer, 1000, 3);
    if (r == NULL) {
        fprintf(stderr, "out of memory\n");
        exit(2);
    }
    r->id = id;
    return r;
}

static wsnmp_io *io_new(void)
{
    wsnmp_io *io = calloc(1, sizeof *io);
    if (io == NULL) {
        fprintf(stderr, "out of memory\n");
        exit(2);
    }
    io->fd4 = io->fd6 = -1;
    io->io_index = SIZE_MAX;
    return io;
}

static void io_free(wsnmp_io *io)
{
    free(io->buckets);
    free(io);
}

/* Whether a, b and c share one chain of the table. */
static bool same_chain(const wsnmp_io *io, const wsnmp_request *a, const wsnmp_request *b,
                       const wsnmp_request *c)
{
    for (size_t k = 0; k < io->nbuckets; k++) {
        int seen = 0;
        for (const wsnmp_request *r = io->buckets[k]; r; r = r->hash_next)
            seen += r == a || r == b || r == c;
        if (seen)
            return seen == 3;
    }
    return false;
}

/* A small deterministic generator for deadlines. */
static uint64_t rng_state = 88172645463325252u;
static uint64_t rng(void)
{
    rng_state ^= rng_state << 13;
    rng_state ^= rng_state >> 7;
    rng_state ^= rng_state << 17;
    return rng_state;
}

/* Takes every request off the heap, earliest first; returns how many came
 * out and sets *ordered to whether their deadlines never went down. */
static size_t drain_heap(bool *ordered)
{
    size_t n = 0;
    uint64_t last = 0;
    *ordered = true;
    for (wsnmp_request *r; (r = wsnmp_pending_timer_next()) != NULL; n++) {
        if (r->deadline < last)
            *ordered = false;
        last = r->deadline;
        wsnmp_pending_timer_clear(r);
        if (n > 100000)
            break; /* clear did not take it off */
    }
    return n;
}

/* ---- the hash table by request id ---------------------------------------------- */
#define MANY 700

static void test_table(void)
{
    TEST_SECTION("empty table");
    smiUINT32 total0 = wsnmp_pending_total;
    wsnmp_io *io = io_new();
    CHECK(wsnmp_pending_find(io, 1) == NULL);
    CHECK(wsnmp_pending_unused_id(io) > 0);
    CHECK_EQ_INT(io->pending, 0);

    TEST_SECTION("growth");
    static wsnmp_request *r[MANY];
    bool all_added = true;
    for (int i = 0; i < MANY; i++) {
        r[i] = request(1000 + 7 * i);
        all_added = wsnmp_pending_add(io, r[i]) && all_added;
    }
    CHECK(all_added);
    CHECK_EQ_INT(io->pending, MANY);
    CHECK_EQ_INT(wsnmp_pending_total, total0 + MANY);
    CHECK(io->nbuckets >= MANY);
    CHECK((io->nbuckets & (io->nbuckets - 1)) == 0); /* a power of two, as bucket_of needs */
    int found = 0;
    for (int i = 0; i < MANY; i++)
        found += wsnmp_pending_find(io, r[i]->id) == r[i];
    CHECK_EQ_INT(found, MANY);

    TEST_SECTION("absent ids");
    CHECK(wsnmp_pending_find(io, 0) == NULL);
    CHECK(wsnmp_pending_find(io, 999) == NULL);
    CHECK(wsnmp_pending_find(io, 1001) == NULL); /* between two ids in the table */
    CHECK(wsnmp_pending_find(io, 1000 + 7 * MANY) == NULL);
    CHECK(wsnmp_pending_find(io, -1000) == NULL);
    CHECK(wsnmp_pending_find(io, INT32_MAX) == NULL);

    TEST_SECTION("colliding ids");
    /* Ids 2^16 apart fall in one bucket of any table of up to 2^16 buckets. */
    const smiINT32 base = 5;
    wsnmp_request *c1 = request(base), *c2 = request(base + 65536), *c3 = request(base + 131072);
    CHECK(wsnmp_pending_add(io, c1));
    CHECK(wsnmp_pending_add(io, c2));
    CHECK(wsnmp_pending_add(io, c3));
    CHECK(same_chain(io, c1, c2, c3));
    CHECK(wsnmp_pending_find(io, base) == c1);
    CHECK(wsnmp_pending_find(io, base + 65536) == c2);
    CHECK(wsnmp_pending_find(io, base + 131072) == c3);
    CHECK(wsnmp_pending_find(io, base + 196608) == NULL); /* same bucket, not there */
    CHECK_EQ_INT(io->pending, MANY + 3);

    TEST_SECTION("remove from the middle of a chain");
    CHECK(c3->hash_next == c2 && c2->hash_next == c1); /* newest first */
    wsnmp_pending_remove(io, c2);
    CHECK(wsnmp_pending_find(io, base + 65536) == NULL);
    CHECK(wsnmp_pending_find(io, base) == c1);
    CHECK(wsnmp_pending_find(io, base + 131072) == c3);
    CHECK(c2->hash_next == NULL);
    CHECK_EQ_INT(io->pending, MANY + 2);
    CHECK_EQ_INT(wsnmp_pending_total, total0 + MANY + 2);

    TEST_SECTION("remove of what is not there");
    wsnmp_pending_remove(io, c2); /* again */
    wsnmp_request *stranger = request(base + 196608);
    wsnmp_pending_remove(io, stranger); /* never added; its bucket is not empty */
    CHECK_EQ_INT(io->pending, MANY + 2);
    CHECK_EQ_INT(wsnmp_pending_total, total0 + MANY + 2);
    CHECK(wsnmp_pending_find(io, base) == c1);
    CHECK(wsnmp_pending_find(io, base + 131072) == c3);

    TEST_SECTION("remove the ends of a chain");
    wsnmp_pending_remove(io, c3); /* head */
    CHECK(wsnmp_pending_find(io, base) == c1);
    CHECK(wsnmp_pending_find(io, base + 131072) == NULL);
    wsnmp_pending_remove(io, c1); /* the first added, behind the others */
    CHECK(wsnmp_pending_find(io, base) == NULL);
    CHECK_EQ_INT(io->pending, MANY);

    TEST_SECTION("remove also stops the timer");
    wsnmp_pending_timer_set(r[0], 1);
    CHECK(wsnmp_pending_timer_next() == r[0]);
    wsnmp_pending_remove(io, r[0]);
    CHECK(wsnmp_pending_timer_next() == NULL);

    TEST_SECTION("unused ids");
    /* The generator offers three ids in flight before a free one. */
    const smiINT32 busy[] = {r[1]->id, r[2]->id, r[MANY - 1]->id};
    script_ids(busy, 3, 424242);
    CHECK(wsnmp_pending_find(io, 424242) == NULL);
    CHECK_EQ_INT(wsnmp_pending_unused_id(io), 424242);
    int in_use = 0;
    for (int i = 0; i < 2000; i++) {
        smiINT32 id = wsnmp_pending_unused_id(io);
        in_use += id <= 0 || wsnmp_pending_find(io, id) != NULL;
    }
    CHECK_EQ_INT(in_use, 0);

    TEST_SECTION("empty again");
    for (int i = 1; i < MANY; i++)
        wsnmp_pending_remove(io, r[i]);
    CHECK_EQ_INT(io->pending, 0);
    CHECK_EQ_INT(wsnmp_pending_total, total0);
    int left = 0;
    for (int i = 0; i < MANY; i++)
        left += wsnmp_pending_find(io, r[i]->id) != NULL;
    CHECK_EQ_INT(left, 0);
    for (int i = 0; i < MANY; i++)
        wsnmp_request_free(r[i]);
    wsnmp_request_free(c1);
    wsnmp_request_free(c2);
    wsnmp_request_free(c3);
    wsnmp_request_free(stranger);
    io_free(io);
}

/* ---- the deadline heap ----------------------------------------------------------- */
#define HEAP_N 600

static void test_heap(void)
{
    static wsnmp_request *r[HEAP_N];
    bool ordered;
    for (int i = 0; i < HEAP_N; i++)
        r[i] = request(i + 1);

    TEST_SECTION("heap: random deadlines come out in order");
    CHECK(wsnmp_pending_timer_next() == NULL);
    for (int i = 0; i < HEAP_N; i++)
        wsnmp_pending_timer_set(r[i], rng() % 5000); /* with many ties */
    CHECK_EQ_INT(drain_heap(&ordered), HEAP_N);
    CHECK(ordered);
    CHECK(wsnmp_pending_timer_next() == NULL);

    TEST_SECTION("heap: clearing arbitrary elements keeps the order");
    for (int i = 0; i < HEAP_N; i++)
        wsnmp_pending_timer_set(r[i], rng());
    int cleared = 0;
    for (int i = 0; i < HEAP_N; i += 1 + (int)(rng() % 5), cleared++)
        wsnmp_pending_timer_clear(r[i]);
    wsnmp_request *first = wsnmp_pending_timer_next();
    uint64_t earliest = UINT64_MAX;
    for (int i = 0; i < HEAP_N; i++)
        if (r[i]->heap_index != SIZE_MAX && r[i]->deadline < earliest)
            earliest = r[i]->deadline;
    CHECK(first != NULL && first->deadline == earliest);
    CHECK_EQ_INT(drain_heap(&ordered), HEAP_N - cleared);
    CHECK(ordered);

    TEST_SECTION("heap: setting again moves a deadline");
    for (int i = 0; i < HEAP_N; i++)
        wsnmp_pending_timer_set(r[i], 1000 + rng() % 100000);
    wsnmp_request *mid = r[HEAP_N / 2];
    wsnmp_pending_timer_set(mid, 5); /* earlier than all */
    CHECK(wsnmp_pending_timer_next() == mid);
    wsnmp_pending_timer_set(mid, UINT64_MAX); /* later than all */
    CHECK(wsnmp_pending_timer_next() != mid);
    wsnmp_request *head = wsnmp_pending_timer_next();
    wsnmp_pending_timer_set(head, head->deadline); /* the same deadline: stays first */
    CHECK(wsnmp_pending_timer_next()->deadline == head->deadline);
    wsnmp_request *last = NULL;
    size_t n = 0;
    for (wsnmp_request *x; (x = wsnmp_pending_timer_next()) != NULL && n <= HEAP_N; n++) {
        last = x;
        wsnmp_pending_timer_clear(x);
    }
    CHECK_EQ_INT(n, HEAP_N); /* moved, not added twice */
    CHECK(last == mid);

    TEST_SECTION("heap: clearing twice is harmless");
    for (int i = 0; i < HEAP_N; i++)
        wsnmp_pending_timer_set(r[i], rng() % 1000);
    wsnmp_pending_timer_clear(r[7]);
    wsnmp_pending_timer_clear(r[7]);
    wsnmp_pending_timer_clear(r[8]);
    wsnmp_request *never_set = request(HEAP_N + 1);
    wsnmp_pending_timer_clear(never_set);
    CHECK_EQ_INT(drain_heap(&ordered), HEAP_N - 2);
    CHECK(ordered);
    wsnmp_pending_timer_clear(r[9]); /* the heap is empty now */
    CHECK(wsnmp_pending_timer_next() == NULL);

    TEST_SECTION("heap: freeing a request takes it off");
    wsnmp_pending_timer_set(r[0], 50);
    wsnmp_pending_timer_set(r[1], 10);
    wsnmp_pending_timer_set(never_set, 20);
    wsnmp_request_free(never_set);
    CHECK(wsnmp_pending_timer_next() == r[1]);
    wsnmp_pending_timer_clear(r[1]);
    CHECK(wsnmp_pending_timer_next() == r[0]);

    for (int i = 0; i < HEAP_N; i++)
        wsnmp_request_free(r[i]);
    CHECK(wsnmp_pending_timer_next() == NULL);
}

int main(void)
{
    test_table();
    test_heap();
    wsnmp_pending_release();
    CHECK(wsnmp_pending_timer_next() == NULL);
    return TEST_REPORT();
}
