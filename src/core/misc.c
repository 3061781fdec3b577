/*
 * misc.c — small helpers: request ids, secret-safe strings.
 */
#include "internal.h"

#include <stdlib.h>
#include <string.h>
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

char *wsnmp_strdup(const char *s)
{
    if (s == NULL)
        return NULL;
    size_t n = strlen(s) + 1;
    char *p = malloc(n);
    if (p)
        memcpy(p, s, n);
    return p;
}

void wsnmp_free_secret(char *s)
{
    if (s == NULL)
        return;
    explicit_bzero(s, strlen(s));
    free(s);
}
