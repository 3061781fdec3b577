/*
 * descriptor.c — library-owned output descriptors.
 *
 * WinSNMP hands out buffers (OID names, octet values, context strings) that
 * the caller returns with SnmpFreeDescriptor, and a double free or a foreign
 * pointer must be refused with SNMPAPI_OPERATION_INVALID rather than crash.
 * So every buffer we hand out is remembered in an open-addressing hash set
 * keyed by its address, together with whether it holds an OID.
 */
#include "model.h"

#include <stdlib.h>
#include <string.h>

typedef struct {
    void *ptr; /* NULL: empty; TOMBSTONE: deleted */
    bool is_oid;
} entry_t;

static char tombstone_byte;
#define TOMBSTONE ((void *)&tombstone_byte)

static entry_t *table;
static size_t capacity, used, live;

static size_t hash_ptr(const void *p)
{
    uintptr_t x = (uintptr_t)p;
    x ^= x >> 33;
    x *= 0xff51afd7ed558ccdULL;
    x ^= x >> 33;
    return (size_t)x;
}

static entry_t *find(const void *p)
{
    if (capacity == 0)
        return NULL;
    for (size_t i = hash_ptr(p) & (capacity - 1);; i = (i + 1) & (capacity - 1)) {
        if (table[i].ptr == NULL)
            return NULL;
        if (table[i].ptr == p)
            return &table[i];
    }
}

static bool insert(void *p, bool is_oid);

static bool rehash(size_t new_capacity)
{
    entry_t *old = table;
    size_t old_capacity = capacity;
    table = calloc(new_capacity, sizeof *table);
    if (table == NULL) {
        table = old;
        return false;
    }
    capacity = new_capacity;
    used = live = 0;
    for (size_t i = 0; i < old_capacity; i++)
        if (old[i].ptr != NULL && old[i].ptr != TOMBSTONE)
            insert(old[i].ptr, old[i].is_oid);
    free(old);
    return true;
}

static bool insert(void *p, bool is_oid)
{
    if ((used + 1) * 4 >= capacity * 3) {
        size_t want = capacity ? capacity : 64;
        while ((live + 1) * 2 >= want)
            want *= 2;
        if (!rehash(want))
            return false;
    }
    size_t i = hash_ptr(p) & (capacity - 1);
    while (table[i].ptr != NULL && table[i].ptr != TOMBSTONE)
        i = (i + 1) & (capacity - 1);
    if (table[i].ptr == NULL)
        used++;
    table[i].ptr = p;
    table[i].is_oid = is_oid;
    live++;
    return true;
}

void *wsnmp_descriptor_alloc(size_t size, bool is_oid)
{
    void *p = malloc(size ? size : 1);
    if (p == NULL)
        return NULL;
    if (!insert(p, is_oid)) {
        free(p);
        return NULL;
    }
    return p;
}

size_t wsnmp_descriptor_count(void)
{
    return live;
}

void wsnmp_descriptor_free_all(void)
{
    for (size_t i = 0; i < capacity; i++)
        if (table[i].ptr != NULL && table[i].ptr != TOMBSTONE)
            free(table[i].ptr);
    free(table);
    table = NULL;
    capacity = used = live = 0;
}

bool wsnmp_descriptor_octets(smiOCTETS *out, const smiBYTE *bytes, smiUINT32 len)
{
    smiBYTE *p = wsnmp_descriptor_alloc(len, false);
    if (p == NULL)
        return false;
    if (len)
        memcpy(p, bytes, len);
    out->ptr = p;
    out->len = len;
    return true;
}

bool wsnmp_descriptor_oid(smiOID *out, smiLPCOID src)
{
    smiUINT32 *p = wsnmp_descriptor_alloc((size_t)src->len * sizeof *p, true);
    if (p == NULL)
        return false;
    if (src->len)
        memcpy(p, src->ptr, (size_t)src->len * sizeof *p);
    out->ptr = p;
    out->len = src->len;
    return true;
}

WSNMP_API SNMPAPI_STATUS SnmpFreeDescriptor(smiUINT32 syntax, smiLPOPAQUE descriptor)
{
    if (!wsnmp_library_require_started("SnmpFreeDescriptor"))
        return SNMPAPI_FAILURE;
    bool want_oid = syntax == SNMP_SYNTAX_OID;
    if (!want_oid && !wsnmp_value_syntax_is_octets(syntax))
        return wsnmp_error_fail(WSNMP_NO_SLOT, SNMPAPI_SYNTAX_INVALID,
                                "SnmpFreeDescriptor: syntax 0x%02x has no descriptor",
                                (unsigned)syntax);
    if (descriptor == NULL)
        return wsnmp_error_fail(WSNMP_NO_SLOT, SNMPAPI_ALLOC_ERROR,
                                "SnmpFreeDescriptor: NULL descriptor");
    /* smiOID and smiOCTETS share the {len, ptr} layout. */
    smiOCTETS *d = descriptor;
    entry_t *e = d->ptr ? find(d->ptr) : NULL;
    if (e == NULL)
        return wsnmp_error_fail(WSNMP_NO_SLOT, SNMPAPI_OPERATION_INVALID,
                                "SnmpFreeDescriptor: not a descriptor the library allocated, or "
                                "already freed");
    if (e->is_oid != want_oid)
        return wsnmp_error_fail(WSNMP_NO_SLOT, SNMPAPI_SYNTAX_INVALID,
                                "SnmpFreeDescriptor: syntax 0x%02x does not match the descriptor",
                                (unsigned)syntax);
    e->ptr = TOMBSTONE;
    live--;
    free(d->ptr);
    d->ptr = NULL;
    d->len = 0;
    return SNMPAPI_SUCCESS;
}
