/*
 * test_handle_table.c — the handle table (src/core/objects/handle.c) seen
 * from inside: the (kind, generation, slot) encoding of a handle, slot
 * reuse under a new generation, refusal of stale, wrong-kind and forged
 * handles both by wsnmp_handle_get and by the public API, and the live
 * counts per kind.
 */
#include "objects.h"
#include "../test.h"

#define KIND_OF(h) ((int)(WSNMP_HANDLE_VALUE(h) >> 56))
#define GEN_OF(h) ((uint32_t)(WSNMP_HANDLE_VALUE(h) >> 32) & 0xFFFFFFu)
#define SLOT_OF(h) ((uint32_t)WSNMP_HANDLE_VALUE(h))
#define MAKE(kind, gen, slot)                                                                      \
    WSNMP_HANDLE_FROM_VALUE(((uint64_t)(kind) << 56) | ((uint64_t)(gen) << 32) | (uint32_t)(slot))

static HSNMP_CONTEXT context(HSNMP_SESSION s, const char *text)
{
    smiOCTETS o = {(smiUINT32)strlen(text), (smiLPBYTE)text};
    return WsnmpStrToContextEx(s, &o, WSNMP_PRIVATE); /* a new handle each time */
}

/* No kind takes h: wsnmp_handle_get refuses it whatever is asked for. */
static bool refused_by_all_kinds(void *h)
{
    for (int k = WSNMP_KIND_NONE; k < WSNMP_KIND_COUNT; k++)
        if (wsnmp_handle_get(h, k, NULL) != NULL)
            return false;
    return WsnmpHandleKind(h) == WSNMP_KIND_NONE && WsnmpHandleOwner(h) == 0;
}

static bool live_counts_zero(void)
{
    for (int k = 0; k < WSNMP_KIND_COUNT; k++)
        if (wsnmp_handle_live[k] != 0)
            return false;
    return true;
}

static void test_encoding(HSNMP_SESSION s)
{
    TEST_SECTION("encoding");
    HSNMP_ENTITY e = SnmpStrToEntity(s, "127.0.0.1");
    CHECK_HANDLE(e);
    CHECK_EQ_INT(KIND_OF(s), WSNMP_KIND_SESSION);
    CHECK_EQ_INT(KIND_OF(e), WSNMP_KIND_ENTITY);
    CHECK(GEN_OF(e) >= 1);
    CHECK(SLOT_OF(e) != SLOT_OF(s));
    uint32_t slot = WSNMP_NO_SLOT;
    CHECK(wsnmp_handle_get(e, WSNMP_KIND_ENTITY, &slot) != NULL);
    CHECK_EQ_INT(slot, SLOT_OF(e));
    CHECK(wsnmp_handle_of_slot(slot) == e);
    CHECK_EQ_INT(wsnmp_handle_owner_slot(slot), SLOT_OF(s));
    CHECK(WsnmpHandleOwner(e) == s);
    CHECK_OK(SnmpFreeEntity(e));
}

static void test_freed(HSNMP_SESSION s)
{
    char buf[64];
    smiOCTETS out;
    smiINT type;

    TEST_SECTION("freed handles: every copy is dead");
    HSNMP_ENTITY e = SnmpStrToEntity(s, "127.0.0.1:1161");
    HSNMP_CONTEXT c = context(s, "public");
    HSNMP_PDU p = SnmpCreatePdu(s, SNMP_PDU_GET, 1, 0, 0, 0);
    HSNMP_VBL v = SnmpCreateVbl(s, NULL, NULL);
    HSNMP_SESSION s2 = WsnmpCreateSession(NULL, NULL);
    CHECK(e && c && p && v && s2);
    void *const copies[] = {s2, e, c, p, v}; /* by kind, from WSNMP_KIND_SESSION */
    CHECK_OK(SnmpFreeEntity(e));
    CHECK_OK(SnmpFreeContext(c));
    CHECK_OK(SnmpFreePdu(p));
    CHECK_OK(SnmpFreeVbl(v));
    CHECK_OK(SnmpClose(s2));
    for (int k = WSNMP_KIND_SESSION; k < WSNMP_KIND_COUNT; k++) {
        void *h = copies[k - 1];
        CHECK_EQ_INT(KIND_OF(h), k);
        CHECK(wsnmp_handle_get(h, k, NULL) == NULL);
        CHECK(refused_by_all_kinds(h));
    }
    CHECK(wsnmp_session_at(SLOT_OF(s2)) == NULL);
    CHECK_FAIL(SnmpEntityToStr(copies[1], sizeof buf, buf), SNMPAPI_ENTITY_INVALID);
    CHECK_FAIL(SnmpFreeEntity(copies[1]), SNMPAPI_ENTITY_INVALID);
    CHECK_FAIL(SnmpContextToStr(copies[2], &out), SNMPAPI_CONTEXT_INVALID);
    CHECK_FAIL(SnmpFreeContext(copies[2]), SNMPAPI_CONTEXT_INVALID);
    CHECK_FAIL(SnmpGetPduData(copies[3], &type, NULL, NULL, NULL, NULL), SNMPAPI_PDU_INVALID);
    CHECK_FAIL(SnmpFreePdu(copies[3]), SNMPAPI_PDU_INVALID);
    CHECK_FAIL(SnmpCountVbl(copies[4]), SNMPAPI_VBL_INVALID);
    CHECK_FAIL(SnmpFreeVbl(copies[4]), SNMPAPI_VBL_INVALID);
    CHECK_FAIL(SnmpClose(copies[0]), SNMPAPI_SESSION_INVALID);
    CHECK_FAIL(SnmpStrToEntity(copies[0], "127.0.0.1"), SNMPAPI_SESSION_INVALID);
}

static void test_reuse(HSNMP_SESSION s)
{
    TEST_SECTION("a reused slot gets a new generation");
    /* Allocate until the freed slot comes back (the free list is first in,
     * first out: slots freed earlier come first). */
    HSNMP_ENTITY old = SnmpStrToEntity(s, "127.0.0.1");
    CHECK_HANDLE(old);
    CHECK_OK(SnmpFreeEntity(old));
    HSNMP_CONTEXT made[64];
    int n = 0;
    HSNMP_CONTEXT reused = 0;
    while (n < 64 && !reused) {
        made[n] = context(s, "x");
        if (SLOT_OF(made[n]) == SLOT_OF(old))
            reused = made[n];
        n++;
    }
    CHECK(reused != 0);
    CHECK_EQ_INT(SLOT_OF(reused), SLOT_OF(old));
    CHECK(GEN_OF(reused) != GEN_OF(old));
    CHECK(GEN_OF(reused) != 0);
    CHECK_EQ_INT(KIND_OF(reused), WSNMP_KIND_CONTEXT);
    CHECK(wsnmp_handle_get(reused, WSNMP_KIND_CONTEXT, NULL) != NULL);
    CHECK(refused_by_all_kinds(old));
    /* The old handle under the new kind, and the new one under the old kind. */
    CHECK(wsnmp_handle_get(MAKE(WSNMP_KIND_CONTEXT, GEN_OF(old), SLOT_OF(old)), WSNMP_KIND_CONTEXT,
                           NULL) == NULL);
    CHECK(refused_by_all_kinds(MAKE(WSNMP_KIND_ENTITY, GEN_OF(reused), SLOT_OF(reused))));
    CHECK_FAIL(SnmpFreeEntity(old), SNMPAPI_ENTITY_INVALID);

    /* The same kind again in that slot, the only free one now. */
    CHECK_OK(SnmpFreeContext(reused));
    HSNMP_CONTEXT again = context(s, "y");
    CHECK_HANDLE(again);
    CHECK(again != reused);
    CHECK_EQ_INT(SLOT_OF(again), SLOT_OF(reused));
    CHECK(GEN_OF(again) != GEN_OF(reused) && GEN_OF(again) != GEN_OF(old));
    CHECK(wsnmp_handle_get(reused, WSNMP_KIND_CONTEXT, NULL) == NULL);
    CHECK_FAIL(SnmpFreeContext(reused), SNMPAPI_CONTEXT_INVALID);
    CHECK_OK(SnmpFreeContext(again));
    for (int i = 0; i < n; i++)
        if (made[i] != reused)
            CHECK_OK(SnmpFreeContext(made[i]));
}

static void test_wrong_kind(HSNMP_SESSION s)
{
    char buf[64];
    smiOCTETS out;

    TEST_SECTION("a handle of the wrong kind is refused");
    HSNMP_ENTITY e = SnmpStrToEntity(s, "127.0.0.1");
    HSNMP_CONTEXT c = context(s, "public");
    CHECK(e && c);
    for (int k = WSNMP_KIND_NONE; k < WSNMP_KIND_COUNT; k++)
        if (k != WSNMP_KIND_ENTITY)
            CHECK(wsnmp_handle_get(e, k, NULL) == NULL);
    CHECK_FAIL(SnmpFreeContext(e), SNMPAPI_CONTEXT_INVALID);
    CHECK_FAIL(SnmpContextToStr(e, &out), SNMPAPI_CONTEXT_INVALID);
    CHECK_FAIL(SnmpFreeEntity(c), SNMPAPI_ENTITY_INVALID);
    CHECK_FAIL(SnmpFreePdu(e), SNMPAPI_PDU_INVALID);
    CHECK_FAIL(SnmpCountVbl(s), SNMPAPI_VBL_INVALID);
    CHECK_FAIL(SnmpClose(e), SNMPAPI_SESSION_INVALID);
    CHECK_FAIL(SnmpStrToEntity(e, "127.0.0.1"), SNMPAPI_SESSION_INVALID);
    /* The entity's slot and generation relabelled as a context. */
    void *relabelled = MAKE(WSNMP_KIND_CONTEXT, GEN_OF(e), SLOT_OF(e));
    CHECK(refused_by_all_kinds(relabelled));
    CHECK_FAIL(SnmpFreeContext(relabelled), SNMPAPI_CONTEXT_INVALID);
    /* None of that touched the objects. */
    CHECK(wsnmp_handle_get(e, WSNMP_KIND_ENTITY, NULL) != NULL);
    CHECK(wsnmp_handle_get(c, WSNMP_KIND_CONTEXT, NULL) != NULL);
    CHECK(SnmpEntityToStr(e, sizeof buf, buf) != SNMPAPI_FAILURE);
    CHECK_STR_EQ(buf, "udp:127.0.0.1:161");
    CHECK_OK(SnmpFreeEntity(e));
    CHECK_OK(SnmpFreeContext(c));
}

static void test_forged(HSNMP_SESSION s)
{
    TEST_SECTION("forged handles are refused");
    HSNMP_ENTITY e = SnmpStrToEntity(s, "127.0.0.1");
    CHECK_HANDLE(e);
    uint32_t slot = SLOT_OF(e), gen = GEN_OF(e);
    CHECK(refused_by_all_kinds(0));
    CHECK(refused_by_all_kinds(MAKE(0, gen, slot))); /* kind 0 */
    for (int k = WSNMP_KIND_COUNT; k < 16; k++)      /* kinds 6..15 */
        CHECK(refused_by_all_kinds(MAKE(k, gen, slot)));
    CHECK(refused_by_all_kinds(MAKE(WSNMP_KIND_ENTITY, 0, slot)));        /* generation 0 */
    CHECK(refused_by_all_kinds(MAKE(WSNMP_KIND_ENTITY, gen + 1, slot)));  /* a later one */
    CHECK(refused_by_all_kinds(MAKE(WSNMP_KIND_ENTITY, 0xFFFFFF, slot))); /* the last */
    CHECK(refused_by_all_kinds(
        WSNMP_HANDLE_FROM_VALUE(WSNMP_HANDLE_VALUE(e) | (1ull << 60)))); /* bits above kind */
    CHECK(refused_by_all_kinds(WSNMP_HANDLE_FROM_VALUE(WSNMP_HANDLE_VALUE(e) | (1ull << 63))));
    CHECK(refused_by_all_kinds(MAKE(WSNMP_KIND_ENTITY, gen, slot + 100000))); /* past the table */
    CHECK(refused_by_all_kinds(MAKE(WSNMP_KIND_ENTITY, gen, UINT32_MAX)));
    CHECK(refused_by_all_kinds(MAKE(WSNMP_KIND_SESSION, gen, UINT32_MAX)));

    /* Random bits (a fixed sequence, so a failure can be replayed). */
    uint64_t x = 0x9E3779B97F4A7C15u;
    int accepted = 0;
    for (int i = 0; i < 100000; i++) {
        x ^= x << 13;
        x ^= x >> 7;
        x ^= x << 17;
        if (x != WSNMP_HANDLE_VALUE(e) && x != WSNMP_HANDLE_VALUE(s) &&
            !refused_by_all_kinds(WSNMP_HANDLE_FROM_VALUE(x)))
            accepted++;
    }
    CHECK_EQ_INT(accepted, 0);

    /* The public API refuses the forgeries, and the entity survives them. */
    CHECK_FAIL(SnmpFreeEntity(MAKE(WSNMP_KIND_ENTITY, 0, slot)), SNMPAPI_ENTITY_INVALID);
    CHECK_FAIL(SnmpFreeEntity(MAKE(WSNMP_KIND_ENTITY, gen + 1, slot)), SNMPAPI_ENTITY_INVALID);
    CHECK_FAIL(SnmpFreeEntity(WSNMP_HANDLE_FROM_VALUE(WSNMP_HANDLE_VALUE(e) | (1ull << 60))),
               SNMPAPI_ENTITY_INVALID);
    CHECK_FAIL(SnmpFreeEntity(MAKE(WSNMP_KIND_ENTITY, gen, UINT32_MAX)), SNMPAPI_ENTITY_INVALID);
    CHECK_FAIL(SnmpClose(MAKE(9, gen, slot)), SNMPAPI_SESSION_INVALID);
    CHECK_EQ_INT(WsnmpHandleKind(e), WSNMP_KIND_ENTITY);
    CHECK_OK(SnmpFreeEntity(e));
}

static void test_direct(HSNMP_SESSION s)
{
    TEST_SECTION("wsnmp_handle_new and wsnmp_handle_destroy");
    uint32_t sslot = SLOT_OF(s);
    smiUINT32 before = wsnmp_handle_live[WSNMP_KIND_CONTEXT];
    wsnmp_context *obj = calloc(1, sizeof *obj);
    CHECK(obj != NULL);
    if (obj == NULL)
        return;
    void *h = wsnmp_handle_new(WSNMP_KIND_CONTEXT, sslot, obj, "test_direct");
    CHECK_HANDLE(h);
    uint32_t slot = WSNMP_NO_SLOT;
    CHECK(wsnmp_handle_get(h, WSNMP_KIND_CONTEXT, &slot) == obj);
    CHECK_EQ_INT(wsnmp_handle_live[WSNMP_KIND_CONTEXT], before + 1);
    CHECK_EQ_INT(wsnmp_handle_owner_slot(slot), sslot);
    CHECK(WsnmpHandleOwner(h) == s);
    CHECK(wsnmp_session_at(sslot) != NULL && wsnmp_session_at(sslot)->live[WSNMP_KIND_CONTEXT] > 0);
    wsnmp_handle_destroy(slot); /* frees obj through wsnmp_context_destroy */
    CHECK(wsnmp_handle_get(h, WSNMP_KIND_CONTEXT, NULL) == NULL);
    CHECK_EQ_INT(wsnmp_handle_live[WSNMP_KIND_CONTEXT], before);
    CHECK_FAIL(SnmpFreeContext(h), SNMPAPI_CONTEXT_INVALID);
}

static void test_shared(HSNMP_SESSION s)
{
    TEST_SECTION("shared handles: references, then a new generation");
    HSNMP_ENTITY a = SnmpStrToEntity(s, "127.0.0.1:1161");
    HSNMP_ENTITY b = SnmpStrToEntity(s, "127.0.0.1:1161");
    CHECK_HANDLE(a);
    CHECK(a == b);
    uint32_t slot;
    CHECK(wsnmp_handle_get(a, WSNMP_KIND_ENTITY, &slot) != NULL);
    CHECK_EQ_INT(WsnmpHandleRefs(a), 2);
    smiUINT32 live = wsnmp_handle_live[WSNMP_KIND_ENTITY];
    CHECK_OK(SnmpFreeEntity(b));
    CHECK_EQ_INT(wsnmp_handle_live[WSNMP_KIND_ENTITY], live); /* one reference left */
    CHECK(wsnmp_handle_get(a, WSNMP_KIND_ENTITY, NULL) != NULL);
    CHECK_OK(SnmpFreeEntity(a));
    CHECK_EQ_INT(wsnmp_handle_live[WSNMP_KIND_ENTITY], live - 1);
    CHECK(refused_by_all_kinds(a));
    CHECK_FAIL(SnmpFreeEntity(a), SNMPAPI_ENTITY_INVALID);
    /* The same string again: a new object, in a new generation (the old
     * handle never names it), here in the same slot (the only free one). */
    HSNMP_ENTITY c = SnmpStrToEntity(s, "127.0.0.1:1161");
    CHECK_HANDLE(c);
    CHECK(c != a);
    CHECK_EQ_INT(WsnmpHandleRefs(c), 1);
    CHECK(refused_by_all_kinds(a));
    /* A private handle is never found by its string, nor does it hide the
     * shared one. */
    HSNMP_ENTITY p = WsnmpStrToEntityEx(s, "127.0.0.1:1161", WSNMP_PRIVATE);
    CHECK_HANDLE(p);
    CHECK(p != c);
    CHECK(SnmpStrToEntity(s, "127.0.0.1:1161") == c);
    CHECK_EQ_INT(WsnmpHandleRefs(c), 2);
    CHECK_EQ_INT(WsnmpHandleRefs(p), 1);
    CHECK_OK(SnmpFreeEntity(p));
    CHECK_OK(SnmpFreeEntity(c));
    CHECK_OK(SnmpFreeEntity(c));
    CHECK_EQ_INT(WsnmpHandleRefs(c), 0);
}

static void test_counts(void)
{
    TEST_SECTION("live counts per kind");
    CHECK(live_counts_zero());
    HSNMP_SESSION s = WsnmpCreateSession(NULL, NULL);
    HSNMP_ENTITY e[3];
    for (int i = 0; i < 3; i++)
        e[i] = WsnmpStrToEntityEx(s, "127.0.0.1", WSNMP_PRIVATE);
    HSNMP_CONTEXT c = context(s, "public");
    HSNMP_PDU p[2] = {SnmpCreatePdu(s, SNMP_PDU_GET, 1, 0, 0, 0),
                      SnmpCreatePdu(s, SNMP_PDU_GET, 2, 0, 0, 0)};
    HSNMP_VBL v = SnmpCreateVbl(s, NULL, NULL);
    CHECK_EQ_INT(wsnmp_handle_live[WSNMP_KIND_SESSION], 1);
    CHECK_EQ_INT(wsnmp_handle_live[WSNMP_KIND_ENTITY], 3);
    CHECK_EQ_INT(wsnmp_handle_live[WSNMP_KIND_CONTEXT], 1);
    CHECK_EQ_INT(wsnmp_handle_live[WSNMP_KIND_PDU], 2);
    CHECK_EQ_INT(wsnmp_handle_live[WSNMP_KIND_VBL], 1);
    CHECK_OK(SnmpFreeEntity(e[1]));
    CHECK_OK(SnmpFreePdu(p[0]));
    CHECK_FAIL(SnmpFreePdu(p[0]), SNMPAPI_PDU_INVALID); /* a failed free counts nothing */
    CHECK_EQ_INT(wsnmp_handle_live[WSNMP_KIND_ENTITY], 2);
    CHECK_EQ_INT(wsnmp_handle_live[WSNMP_KIND_PDU], 1);
    CHECK_OK(SnmpClose(s)); /* frees what s owns */
    CHECK(live_counts_zero());
    CHECK(refused_by_all_kinds(e[0]) && refused_by_all_kinds(e[2]) && refused_by_all_kinds(c) &&
          refused_by_all_kinds(p[1]) && refused_by_all_kinds(v));
}

int main(void)
{
    CHECK_OK(SnmpStartup(NULL, NULL, NULL, NULL, NULL));
    CHECK_OK(SnmpSetTranslateMode(SNMPAPI_UNTRANSLATED_V2));
    HSNMP_SESSION s = WsnmpCreateSession(NULL, NULL);
    CHECK_HANDLE(s);
    test_encoding(s);
    test_freed(s);
    test_reuse(s);
    test_wrong_kind(s);
    test_forged(s);
    test_direct(s);
    test_shared(s);
    CHECK_OK(SnmpClose(s));
    test_counts();

    TEST_SECTION("SnmpCleanup");
    HSNMP_SESSION last = WsnmpCreateSession(NULL, NULL);
    HSNMP_VBL v = SnmpCreateVbl(last, NULL, NULL);
    CHECK(last && v);
    CHECK_OK(SnmpCleanup());
    CHECK(live_counts_zero());
    /* The table survives SnmpCleanup: a new start does not revive old handles. */
    CHECK_OK(SnmpStartup(NULL, NULL, NULL, NULL, NULL));
    CHECK(refused_by_all_kinds(last) && refused_by_all_kinds(v));
    HSNMP_SESSION fresh = WsnmpCreateSession(NULL, NULL);
    CHECK(fresh != 0 && fresh != last);
    CHECK(wsnmp_handle_get(last, WSNMP_KIND_SESSION, NULL) == NULL);
    CHECK_OK(SnmpCleanup());
    CHECK(live_counts_zero());
    return TEST_REPORT();
}
