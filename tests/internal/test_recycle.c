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

int main(void)
{
    TEST_SECTION("blocks");
    unsigned char *a = wsnmp_recycle_block(1000);
    CHECK(a != NULL && aligned(a));
    memset(a, 0xA5, 1000); /* (all of it is the caller's) */
    wsnmp_recycle_block_free(a);
    unsigned char *b = wsnmp_recycle_block(900); /* fits in a's room */
    CHECK(b != NULL && aligned(b));
    if (KEPT)
        CHECK(b == a);
    memset(b, 0x5A, 900);
    wsnmp_recycle_block_free(b);

    /* A larger request than the block kept gets a block of its own, and
     * the larger one freed replaces the smaller one kept. */
    unsigned char *big = wsnmp_recycle_block(100000);
    CHECK(big != NULL && aligned(big));
    memset(big, 1, 100000);
    wsnmp_recycle_block_free(big);
    unsigned char *again = wsnmp_recycle_block(120000);
    CHECK(again != NULL);
    memset(again, 2, 120000);
    wsnmp_recycle_block_free(again);

    /* Above the bound: given back to free, never kept. */
    size_t huge = WSNMP_RECYCLE_BLOCK_MAX + 1;
    unsigned char *h = wsnmp_recycle_block(huge);
    CHECK(h != NULL);
    memset(h, 3, huge);
    wsnmp_recycle_block_free(h);
    unsigned char *after = wsnmp_recycle_block(huge);
    CHECK(after != NULL);
    memset(after, 4, huge);
    wsnmp_recycle_block_free(after);

    wsnmp_recycle_block_free(NULL); /* (as free) */
    CHECK(wsnmp_recycle_block(SIZE_MAX) == NULL);
    CHECK(wsnmp_recycle_block(SIZE_MAX - 8) == NULL);
    wsnmp_recycle_blocks_release();
    wsnmp_recycle_blocks_release(); /* (twice is harmless) */
    return TEST_REPORT();
}
