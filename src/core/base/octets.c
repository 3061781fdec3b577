/*
 * octets.c — owned copies of byte strings (smiOCTETS), and the wipe for
 * those that may hold a secret (communities, context names).
 */
#include "base.h"

#include <stdlib.h>
#include <string.h>

bool wsnmp_octets_copy(smiOCTETS *dst, const smiBYTE *bytes, smiUINT32 len)
{
    dst->len = len;
    dst->ptr = NULL;
    if (len == 0)
        return true;
    dst->ptr = malloc(len);
    if (dst->ptr == NULL)
        return false;
    memcpy(dst->ptr, bytes, len);
    return true;
}

void wsnmp_octets_free(smiOCTETS *o)
{
    free(o->ptr);
    o->ptr = NULL;
    o->len = 0;
}

void wsnmp_octets_free_secret(smiOCTETS *o)
{
    if (o->ptr && wsnmp_secure_owns(o->ptr)) {
        wsnmp_secure_free(o->ptr); /* wipes */
        o->ptr = NULL;
        o->len = 0;
        return;
    }
    if (o->ptr)
        explicit_bzero(o->ptr, o->len);
    wsnmp_octets_free(o);
}
