/*
 * test_recycle.c — the blocks kept for reuse (src/core/base/recycle.c):
 * a freed block comes back for a request that fits in it, never for one
 * that does not, blocks above WSNMP_RECYCLE_BLOCK_MAX are not kept, and
 * every block is aligned as malloc's are.  Under AddressSanitizer nothing
 * is kept (its use-after-free checks need every block freed), which the
 * reuse checks allow for.
 */
#include "base.h"
#include "../test.h"

#include <stdalign.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#if defined(__SANITIZE_ADDRESS__)
#define KEPT 0
#elif defined(__has_feature)
#if __has_feature(address_sanitizer)
#define KEPT 0
#endif
#endif
#ifndef KEPT
#define KEPT 1
#endif

static int aligned(const void *p)
{
    return (uintptr_t)p % alignof(max_align_t) == 0;
}

/* A block of `size` bytes, all written (all of it is the caller's); the
 * test stops if there is none. */
static unsigned char *filled(size_t size, int byte)
{
    unsigned char *p = wsnmp_recycle_block(size);
    if (p == NULL) {
        fprintf(stderr, "no block of %zu bytes\n", size);
        exit(1);
    }
    return memset(p, byte, size);
}

int main(void)
{
    TEST_SECTION("blocks");
    unsigned char *a = filled(1000, 0xA5);
    CHECK(aligned(a));
    wsnmp_recycle_block_free(a);
    unsigned char *b = filled(900, 0x5A); /* fits in a's room */
    CHECK(aligned(b));
    if (KEPT)
        CHECK(b == a);
    wsnmp_recycle_block_free(b);

    /* A larger request than the block kept gets a block of its own, and
     * the larger one freed replaces the smaller one kept. */
    unsigned char *big = filled(100000, 1);
    CHECK(aligned(big));
    wsnmp_recycle_block_free(big);
    unsigned char *again = filled(120000, 2);
    CHECK(aligned(again));
    wsnmp_recycle_block_free(again);
    unsigned char *small = filled(50, 3); /* (from the 120,000 kept) */
    if (KEPT)
        CHECK(small == again);
    wsnmp_recycle_block_free(small);

    /* Above the bound: given back to free, never kept. */
    size_t huge = WSNMP_RECYCLE_BLOCK_MAX + 1;
    wsnmp_recycle_block_free(filled(huge, 4));
    wsnmp_recycle_block_free(filled(huge, 5));

    wsnmp_recycle_block_free(NULL); /* (as free) */
    CHECK(wsnmp_recycle_block(SIZE_MAX) == NULL);
    CHECK(wsnmp_recycle_block(SIZE_MAX - 8) == NULL);
    wsnmp_recycle_blocks_release();
    wsnmp_recycle_blocks_release(); /* (twice is harmless) */
    return TEST_REPORT();
}
