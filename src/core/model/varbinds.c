/*
 * varbinds.c — variable-binding lists as values: deep copies in, growth,
 * insertion and removal.  The handle-based lists of the API (objects/vbl.c)
 * and the PDUs on the wire are both built on these.
 */
#include "model.h"

#include <stdlib.h>
#include <string.h>

void wsnmp_varbinds_init(wsnmp_vbl *v)
{
    v->items = NULL;
    v->count = v->capacity = 0;
    v->arena = NULL;
    v->borrowed = false;
}

void wsnmp_varbinds_clear(wsnmp_vbl *v)
{
    if (!v->borrowed) {
        for (smiUINT32 i = 0; i < v->count; i++)
            wsnmp_varbinds_item_free(&v->items[i]);
        free(v->items);
    }
    wsnmp_recycle_block_free(v->arena);
    wsnmp_varbinds_init(v);
}

/* A list in an arena gets items of its own before it changes shape. */
static bool own(wsnmp_vbl *v)
{
    if (!v->borrowed)
        return true;
    smiUINT32 cap = v->count ? v->count : 4;
    wsnmp_varbind *items = malloc((size_t)cap * sizeof *items);
    if (items == NULL)
        return false;
    for (smiUINT32 i = 0; i < v->count; i++)
        if (!wsnmp_varbinds_item_copy(&items[i], &v->items[i].name, &v->items[i].value)) {
            while (i > 0)
                wsnmp_varbinds_item_free(&items[--i]);
            free(items);
            return false;
        }
    v->items = items;
    v->capacity = cap;
    v->borrowed = false;
    return true;
}

bool wsnmp_varbinds_reserve(wsnmp_vbl *v, smiUINT32 n)
{
    if (!own(v))
        return false;
    if (n <= v->capacity)
        return true;
    smiUINT32 cap = v->capacity ? v->capacity * 2 : 4;
    while (cap < n)
        cap *= 2;
    wsnmp_varbind *items = realloc(v->items, (size_t)cap * sizeof *items);
    if (items == NULL)
        return false;
    v->items = items;
    v->capacity = cap;
    return true;
}

bool wsnmp_varbinds_item_copy(wsnmp_varbind *dst, smiLPCOID name, smiLPCVALUE value)
{
    static const smiVALUE null_value = {.syntax = SNMP_SYNTAX_NULL};
    if (!wsnmp_oid_copy(&dst->name, name))
        return false;
    if (!wsnmp_value_copy(&dst->value, value ? value : &null_value)) {
        wsnmp_oid_free(&dst->name);
        return false;
    }
    return true;
}

void wsnmp_varbinds_item_free(wsnmp_varbind *vb)
{
    wsnmp_oid_free(&vb->name);
    wsnmp_value_free(&vb->value);
}

bool wsnmp_varbinds_copy(wsnmp_vbl *dst, const wsnmp_vbl *src)
{
    wsnmp_varbinds_init(dst);
    if (!wsnmp_varbinds_reserve(dst, src->count))
        return false;
    for (smiUINT32 i = 0; i < src->count; i++) {
        if (!wsnmp_varbinds_item_copy(&dst->items[i], &src->items[i].name, &src->items[i].value)) {
            wsnmp_varbinds_clear(dst);
            return false;
        }
        dst->count = i + 1;
    }
    return true;
}

bool wsnmp_varbinds_insert(wsnmp_vbl *v, smiUINT32 at, smiLPCOID name, smiLPCVALUE value)
{
    wsnmp_varbind vb;
    if (!wsnmp_varbinds_reserve(v, v->count + 1) || !wsnmp_varbinds_item_copy(&vb, name, value))
        return false;
    memmove(&v->items[at + 1], &v->items[at], (v->count - at) * sizeof vb);
    v->items[at] = vb;
    v->count++;
    return true;
}

void wsnmp_varbinds_remove(wsnmp_vbl *v, smiUINT32 at)
{
    if (!v->borrowed) /* (an arena's item goes with the arena) */
        wsnmp_varbinds_item_free(&v->items[at]);
    memmove(&v->items[at], &v->items[at + 1], (v->count - at - 1) * sizeof v->items[at]);
    v->count--;
}
