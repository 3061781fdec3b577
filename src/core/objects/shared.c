/*
 * shared.c — the index that makes entity and context handles shared, as in
 * Windows: SnmpStrToEntity and SnmpStrToContext look up (session, kind,
 * translate mode, string) here first and, when a live handle was made from
 * that same string, return it again with one more reference.
 *
 * The key is the string as the caller gave it (not a canonical address):
 * "equal string" is Microsoft's rule, and "10.0.0.1" and "udp:10.0.0.1:161"
 * stay two entities.  The translate mode is part of the key because it
 * changes what a string means (a friendly name, a v1 or a v2c agent).
 * Handles stay per session: an object still dies with the session that made
 * it, so a session never receives a handle another session can free.
 *
 * Entities that carry per-message state (made by SnmpRecvMsg) and those
 * made with WSNMP_PRIVATE (the Lua binding's, whose options belong to one
 * Lua object) never enter the index.
 */
#include "objects.h"

#include <stdlib.h>
#include <string.h>

struct wsnmp_shared_node {
    struct wsnmp_shared_node *next;
    uint64_t hash;
    uint32_t owner, slot;
    int kind;
    smiUINT32 mode;
    size_t len;
    unsigned char key[];
};

static wsnmp_shared_node **buckets;
static size_t bucket_count, node_count;

static uint64_t hash_of(uint32_t owner, int kind, smiUINT32 mode, const void *key, size_t len)
{
    uint64_t h = 0xcbf29ce484222325ULL;
    const unsigned char *p = key;
    h = (h ^ owner) * 0x100000001b3ULL;
    h = (h ^ (uint64_t)kind) * 0x100000001b3ULL;
    h = (h ^ mode) * 0x100000001b3ULL;
    for (size_t i = 0; i < len; i++)
        h = (h ^ p[i]) * 0x100000001b3ULL;
    return h;
}

uint32_t wsnmp_shared_find(uint32_t owner, int kind, smiUINT32 mode, const void *key, size_t len)
{
    if (bucket_count == 0)
        return WSNMP_NO_SLOT;
    uint64_t h = hash_of(owner, kind, mode, key, len);
    for (wsnmp_shared_node *n = buckets[h % bucket_count]; n; n = n->next)
        if (n->hash == h && n->owner == owner && n->kind == kind && n->mode == mode &&
            n->len == len && memcmp(n->key, key, len) == 0)
            return n->slot;
    return WSNMP_NO_SLOT;
}

static bool grow(void)
{
    size_t count = bucket_count ? bucket_count * 2 : 64;
    wsnmp_shared_node **fresh = calloc(count, sizeof *fresh);
    if (fresh == NULL)
        return false;
    for (size_t i = 0; i < bucket_count; i++)
        for (wsnmp_shared_node *n = buckets[i], *next; n; n = next) {
            next = n->next;
            n->next = fresh[n->hash % count];
            fresh[n->hash % count] = n;
        }
    free(buckets);
    buckets = fresh;
    bucket_count = count;
    return true;
}

wsnmp_shared_node *wsnmp_shared_add(uint32_t owner, int kind, smiUINT32 mode, const void *key,
                                    size_t len, uint32_t slot)
{
    if (node_count >= bucket_count && !grow() && bucket_count == 0)
        return NULL;
    wsnmp_shared_node *n = malloc(sizeof *n + len);
    if (n == NULL)
        return NULL;
    n->hash = hash_of(owner, kind, mode, key, len);
    n->owner = owner;
    n->slot = slot;
    n->kind = kind;
    n->mode = mode;
    n->len = len;
    if (len)
        memcpy(n->key, key, len);
    n->next = buckets[n->hash % bucket_count];
    buckets[n->hash % bucket_count] = n;
    node_count++;
    return n;
}

void wsnmp_shared_remove(wsnmp_shared_node *node)
{
    if (node == NULL)
        return;
    for (wsnmp_shared_node **p = &buckets[node->hash % bucket_count]; *p; p = &(*p)->next)
        if (*p == node) {
            *p = node->next;
            node_count--;
            /* The key may be a community: wipe it. */
            explicit_bzero(node->key, node->len);
            free(node);
            return;
        }
}

smiUINT32 wsnmp_shared_mode(void)
{
    smiUINT32 mode = wsnmp_library.translate_mode;
    return mode == SNMPAPI_TRANSLATED ? mode | wsnmp_friendly_generation() << 2 : mode;
}

void wsnmp_shared_release(void)
{
    free(buckets); /* empty by now: every object removed its node */
    buckets = NULL;
    bucket_count = node_count = 0;
}
