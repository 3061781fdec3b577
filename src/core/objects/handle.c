/*
 * handle.c — the one process-wide handle table.
 *
 * A handle packs (kind, generation, slot) into a 64-bit value, carried in
 * the pointer-sized public handle types (HSNMP_* are HANDLE-like void *;
 * the value is never an address):
 *
 *     bits 56..59  kind (WSNMP_KIND_*)
 *     bits 32..55  generation of the slot, 1..0xFFFFFF
 *     bits  0..31  slot index
 *
 * Freeing an object bumps its slot's generation, so every copy of the old
 * handle stops matching.  A slot whose generation is exhausted is retired for
 * good rather than wrapped, so a handle can never come to name a newer
 * object.  The table survives SnmpCleanup for the same reason.
 *
 * Each slot also links into its owning session's list of handles, so that
 * SnmpClose frees what a session owns without scanning the table.
 */
#include "objects.h"

#include <stdlib.h>

#define GEN_MAX 0xFFFFFFu

_Static_assert(sizeof(void *) >= sizeof(uint64_t), "handles need 64-bit pointers");

typedef struct {
    void *obj;
    uint32_t gen;
    uint8_t kind;   /* WSNMP_KIND_NONE when free */
    uint32_t owner; /* owning session slot, or WSNMP_NO_SLOT */
    uint32_t refs;  /* acquisitions of an entity or context (1 for the other kinds) */
    uint32_t prev;  /* owner list; `next` doubles as the free-list link */
    uint32_t next;
} slot_t;

static slot_t *slots;
static uint32_t slot_count, slot_capacity;
static uint32_t free_head = WSNMP_NO_SLOT, free_tail = WSNMP_NO_SLOT;

smiUINT32 wsnmp_handle_live[WSNMP_KIND_COUNT];

static void (*const destroyers[WSNMP_KIND_COUNT])(void *) = {
    [WSNMP_KIND_SESSION] = wsnmp_session_destroy, [WSNMP_KIND_ENTITY] = wsnmp_entity_destroy,
    [WSNMP_KIND_CONTEXT] = wsnmp_context_destroy, [WSNMP_KIND_PDU] = wsnmp_pdu_destroy,
    [WSNMP_KIND_VBL] = wsnmp_vbl_destroy,
};

static const SNMPAPI_STATUS invalid_codes[WSNMP_KIND_COUNT] = {
    [WSNMP_KIND_SESSION] = SNMPAPI_SESSION_INVALID, [WSNMP_KIND_ENTITY] = SNMPAPI_ENTITY_INVALID,
    [WSNMP_KIND_CONTEXT] = SNMPAPI_CONTEXT_INVALID, [WSNMP_KIND_PDU] = SNMPAPI_PDU_INVALID,
    [WSNMP_KIND_VBL] = SNMPAPI_VBL_INVALID,
};

static const char *const kind_names[WSNMP_KIND_COUNT] = {
    "none", "session", "entity", "context", "PDU", "VBL",
};

static void *make_handle(uint32_t slot)
{
    return WSNMP_HANDLE_FROM_VALUE(((uint64_t)slots[slot].kind << 56) |
                                   ((uint64_t)slots[slot].gen << 32) | slot);
}

void *wsnmp_handle_of_slot(uint32_t slot)
{
    return slot < slot_count ? make_handle(slot) : NULL; /* NULL is never a live handle */
}

void *wsnmp_handle_object_at(uint32_t slot, int kind)
{
    return slot < slot_count && slots[slot].kind == kind ? slots[slot].obj : NULL;
}

static smiUINT32 live_handles(void)
{
    smiUINT32 n = 0;
    for (int k = WSNMP_KIND_ENTITY; k < WSNMP_KIND_COUNT; k++)
        n += wsnmp_handle_live[k];
    return n;
}

static uint32_t take_free_slot(void)
{
    if (free_head != WSNMP_NO_SLOT) {
        uint32_t slot = free_head;
        free_head = slots[slot].next;
        if (free_head == WSNMP_NO_SLOT)
            free_tail = WSNMP_NO_SLOT;
        return slot;
    }
    if (slot_count == slot_capacity) {
        uint32_t cap = slot_capacity ? slot_capacity * 2 : 256;
        if (cap <= slot_capacity || cap >= WSNMP_NO_SLOT)
            return WSNMP_NO_SLOT;
        slot_t *grown = realloc(slots, (size_t)cap * sizeof *grown);
        if (grown == NULL)
            return WSNMP_NO_SLOT;
        slots = grown;
        slot_capacity = cap;
    }
    slots[slot_count].gen = 1;
    return slot_count++;
}

void *wsnmp_handle_new(int kind, uint32_t owner_slot, void *obj, const char *fn)
{
    wsnmp_session *owner = NULL;
    if (kind == WSNMP_KIND_SESSION) {
        if (wsnmp_handle_live[WSNMP_KIND_SESSION] >= wsnmp_library.limits.sessions)
            return wsnmp_error_fail(WSNMP_NO_SLOT, SNMPAPI_ALLOC_ERROR,
                                    "%s: session limit reached (%u live sessions)", fn,
                                    (unsigned)wsnmp_library.limits.sessions),
                   NULL;
    } else {
        owner = wsnmp_session_at(owner_slot);
        if (live_handles() >= wsnmp_library.limits.handles)
            return wsnmp_error_fail(owner_slot, SNMPAPI_ALLOC_ERROR,
                                    "%s: handle limit reached (%u live handles)", fn,
                                    (unsigned)wsnmp_library.limits.handles),
                   NULL;
        if (owner && wsnmp_session_owned_total(owner) >= wsnmp_library.limits.handles_per_session)
            return wsnmp_error_fail(owner_slot, SNMPAPI_ALLOC_ERROR,
                                    "%s: per-session handle limit reached (%u handles)", fn,
                                    (unsigned)wsnmp_library.limits.handles_per_session),
                   NULL;
    }
    uint32_t slot = take_free_slot();
    if (slot == WSNMP_NO_SLOT)
        return wsnmp_error_fail(owner_slot, SNMPAPI_ALLOC_ERROR, "%s: out of memory for handles",
                                fn),
               NULL;

    slot_t *e = &slots[slot];
    e->obj = obj;
    e->kind = (uint8_t)kind;
    e->refs = 1;
    e->owner = owner ? owner_slot : WSNMP_NO_SLOT;
    e->prev = WSNMP_NO_SLOT;
    e->next = WSNMP_NO_SLOT;
    if (owner) {
        e->next = owner->owned_head;
        if (owner->owned_head != WSNMP_NO_SLOT)
            slots[owner->owned_head].prev = slot;
        owner->owned_head = slot;
        owner->live[kind]++;
    }
    wsnmp_handle_live[kind]++;
    return make_handle(slot);
}

void *wsnmp_handle_get(const void *h, int kind, uint32_t *slot_out)
{
    uint64_t handle = WSNMP_HANDLE_VALUE(h);
    uint32_t slot = (uint32_t)handle;
    uint32_t gen = (uint32_t)(handle >> 32) & GEN_MAX;
    int hkind = (int)(handle >> 56);
    if (hkind != kind || slot >= slot_count)
        return NULL;
    slot_t *e = &slots[slot];
    if (e->kind != kind || e->gen != gen || (handle >> 60) != 0)
        return NULL;
    if (slot_out)
        *slot_out = slot;
    return e->obj;
}

void *wsnmp_handle_lookup(const void *handle, int kind, uint32_t *slot, uint32_t *session_slot,
                          const char *fn)
{
    if (!wsnmp_library_require_started(fn))
        return NULL;
    uint32_t s;
    void *obj = wsnmp_handle_get(handle, kind, &s);
    if (obj == NULL) {
        wsnmp_error_fail(WSNMP_NO_SLOT, invalid_codes[kind], "%s: invalid or freed %s handle", fn,
                         kind_names[kind]);
        return NULL;
    }
    if (slot)
        *slot = s;
    if (session_slot)
        *session_slot = kind == WSNMP_KIND_SESSION ? s : slots[s].owner;
    return obj;
}

uint32_t wsnmp_handle_owner_slot(uint32_t slot)
{
    return slot < slot_count ? slots[slot].owner : WSNMP_NO_SLOT;
}

void wsnmp_handle_destroy(uint32_t slot)
{
    slot_t *e = &slots[slot];
    int kind = e->kind;
    void *obj = e->obj;

    wsnmp_session *owner = e->owner == WSNMP_NO_SLOT ? NULL : wsnmp_session_at(e->owner);
    if (owner) {
        if (e->prev != WSNMP_NO_SLOT)
            slots[e->prev].next = e->next;
        else
            owner->owned_head = e->next;
        if (e->next != WSNMP_NO_SLOT)
            slots[e->next].prev = e->prev;
        owner->live[kind]--;
    }
    wsnmp_handle_live[kind]--;

    /* Invalidate before destroying, so nothing reached from the destructor
     * can find this object through its handle. */
    e->kind = WSNMP_KIND_NONE;
    e->obj = NULL;
    e->owner = WSNMP_NO_SLOT;
    e->refs = 0;
    e->prev = WSNMP_NO_SLOT;
    e->next = WSNMP_NO_SLOT;
    if (++e->gen <= GEN_MAX) {
        if (free_tail == WSNMP_NO_SLOT)
            free_head = slot;
        else
            slots[free_tail].next = slot;
        free_tail = slot;
    } /* else: retired for good */

    destroyers[kind](obj);
}

void wsnmp_handle_acquire(uint32_t slot)
{
    if (slots[slot].refs < UINT32_MAX)
        slots[slot].refs++;
}

void wsnmp_handle_unref(uint32_t slot)
{
    if (slots[slot].refs > 1)
        slots[slot].refs--;
    else
        wsnmp_handle_destroy(slot);
}

WSNMP_API smiUINT32 WsnmpHandleRefs(const void *handle)
{
    int kind = WsnmpHandleKind(handle);
    return kind == WSNMP_KIND_NONE ? 0 : slots[(uint32_t)WSNMP_HANDLE_VALUE(handle)].refs;
}

void wsnmp_handle_destroy_owned(uint32_t session_slot)
{
    wsnmp_session *s = wsnmp_session_at(session_slot);
    if (s == NULL)
        return;
    while (s->owned_head != WSNMP_NO_SLOT)
        wsnmp_handle_destroy(s->owned_head);
}

void wsnmp_handle_destroy_all(void)
{
    for (uint32_t i = 0; i < slot_count; i++)
        if (slots[i].kind == WSNMP_KIND_SESSION) {
            wsnmp_handle_destroy_owned(i);
            wsnmp_handle_destroy(i);
        }
    /* Handles whose owner is gone cannot exist, but be thorough. */
    for (uint32_t i = 0; i < slot_count; i++)
        if (slots[i].kind != WSNMP_KIND_NONE)
            wsnmp_handle_destroy(i);
}

WSNMP_API int WsnmpHandleKind(const void *handle)
{
    int kind = (int)(WSNMP_HANDLE_VALUE(handle) >> 56);
    if (kind <= WSNMP_KIND_NONE || kind >= WSNMP_KIND_COUNT)
        return WSNMP_KIND_NONE;
    return wsnmp_handle_get(handle, kind, NULL) ? kind : WSNMP_KIND_NONE;
}

WSNMP_API HSNMP_SESSION WsnmpHandleOwner(const void *handle)
{
    int kind = WsnmpHandleKind(handle);
    if (kind == WSNMP_KIND_NONE)
        return NULL;
    uint32_t slot = (uint32_t)WSNMP_HANDLE_VALUE(handle);
    if (kind == WSNMP_KIND_SESSION)
        return (void *)handle;
    return slots[slot].owner == WSNMP_NO_SLOT ? NULL : make_handle(slots[slot].owner);
}

void wsnmp_handle_release(void)
{
    free(slots);
    slots = NULL;
    slot_count = slot_capacity = 0;
    free_head = free_tail = WSNMP_NO_SLOT;
}
