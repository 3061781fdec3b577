/*
 * random.c — request ids from the kernel's CSPRNG.
 */
#include "base.h"

#include <stdlib.h>
#include <sys/random.h>

/* Request ids must be unpredictable, so that an off-path sender cannot
 * forge a reply.  Draw them from the kernel in batches. */
smiINT32 wsnmp_random_request_id(void)
{
    static uint32_t pool[64];
    static size_t left;
    for (;;) {
        if (left == 0) {
            ssize_t n = getrandom(pool, sizeof pool, 0);
            if (n != (ssize_t)sizeof pool)
                abort(); /* the kernel CSPRNG does not fail on Linux >= 3.17 */
            left = sizeof pool / sizeof pool[0];
        }
        smiINT32 id = (smiINT32)(pool[--left] & 0x7FFFFFFFu);
        if (id != 0)
            return id;
    }
}
