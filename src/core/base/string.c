/*
 * string.c — NUL-terminated strings the core owns, and the wipe for those
 * that hold secrets (user names and passphrases).
 */
#include "base.h"

#include <stdlib.h>
#include <string.h>

char *wsnmp_string_dup(const char *s)
{
    if (s == NULL)
        return NULL;
    size_t n = strlen(s) + 1;
    char *p = malloc(n);
    if (p)
        memcpy(p, s, n);
    return p;
}

void wsnmp_string_free_secret(char *s)
{
    if (s == NULL)
        return;
    if (wsnmp_secure_owns(s)) {
        wsnmp_secure_free(s); /* wipes */
        return;
    }
    explicit_bzero(s, strlen(s));
    free(s);
}
