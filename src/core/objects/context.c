/*
 * context.c — contexts: a community (v1/v2c) or a context name (v3).
 * Bytes are kept exactly (8-bit clean, no NUL needed) and wiped on free.
 * Shared and reference-counted like entities (entity.c, shared.c): equal
 * bytes in one session and translate mode give the same handle again,
 * unless made with WSNMP_PRIVATE.
 */
#include "objects.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

void wsnmp_context_destroy(void *obj)
{
    wsnmp_context *c = obj;
    wsnmp_shared_remove(c->shared);
    wsnmp_octets_free_secret(&c->value); /* a community is a secret */
    free(c);
}

WSNMP_API HSNMP_CONTEXT WsnmpStrToContextEx(HSNMP_SESSION session, smiLPCOCTETS string,
                                            smiUINT32 flags)
{
    uint32_t sslot;
    if (!wsnmp_handle_lookup(session, WSNMP_KIND_SESSION, &sslot, NULL, "SnmpStrToContext"))
        return NULL;
    if (string == NULL || (string->len && string->ptr == NULL))
        return wsnmp_error_fail(sslot, SNMPAPI_ALLOC_ERROR, "SnmpStrToContext: NULL string"), NULL;
    if (string->len > WSNMP_MAX_CONTEXT)
        return wsnmp_error_fail(sslot, SNMPAPI_SIZE_INVALID,
                                "SnmpStrToContext: longer than %u bytes", WSNMP_MAX_CONTEXT),
               NULL;
    bool shared = !(flags & WSNMP_PRIVATE);
    smiUINT32 mode = wsnmp_shared_mode();
    if (shared) {
        uint32_t slot =
            wsnmp_shared_find(sslot, WSNMP_KIND_CONTEXT, mode, string->ptr, string->len);
        if (slot != WSNMP_NO_SLOT) {
            wsnmp_handle_acquire(slot);
            return wsnmp_handle_of_slot(slot);
        }
    }
    smiLPCOCTETS value = string;
    smiLPCOCTETS named = NULL;
    if (wsnmp_library.translate_mode == SNMPAPI_TRANSLATED &&
        (named = wsnmp_friendly_context(string)) != NULL)
        value = named;

    wsnmp_context *c = calloc(1, sizeof *c);
    if (c == NULL || !wsnmp_octets_copy(&c->value, value->ptr, value->len)) {
        free(c);
        return wsnmp_error_fail(sslot, SNMPAPI_ALLOC_ERROR, "SnmpStrToContext: out of memory"),
               NULL;
    }
    if (named)
        snprintf(c->friendly, sizeof c->friendly, "%.*s", (int)string->len,
                 (const char *)string->ptr);
    HSNMP_CONTEXT h = wsnmp_handle_new(WSNMP_KIND_CONTEXT, sslot, c, "SnmpStrToContext");
    if (h == NULL) {
        wsnmp_context_destroy(c);
        return NULL;
    }
    if (shared)
        c->shared = wsnmp_shared_add(sslot, WSNMP_KIND_CONTEXT, mode, string->ptr, string->len,
                                     (uint32_t)WSNMP_HANDLE_VALUE(h));
    return h;
}

WSNMP_API HSNMP_CONTEXT SnmpStrToContext(HSNMP_SESSION session, smiLPCOCTETS string)
{
    return WsnmpStrToContextEx(session, string, 0);
}

WSNMP_API SNMPAPI_STATUS SnmpContextToStr(HSNMP_CONTEXT context, smiLPOCTETS string)
{
    uint32_t sslot;
    wsnmp_context *c =
        wsnmp_handle_lookup(context, WSNMP_KIND_CONTEXT, NULL, &sslot, "SnmpContextToStr");
    if (c == NULL)
        return SNMPAPI_FAILURE;
    if (string == NULL)
        return wsnmp_error_fail(sslot, SNMPAPI_ALLOC_ERROR, "SnmpContextToStr: NULL output");
    bool ok;
    if (wsnmp_library.translate_mode == SNMPAPI_TRANSLATED && c->friendly[0])
        ok = wsnmp_descriptor_octets(string, (const smiBYTE *)c->friendly,
                                     (smiUINT32)strlen(c->friendly));
    else
        ok = wsnmp_descriptor_octets(string, c->value.ptr, c->value.len);
    if (!ok)
        return wsnmp_error_fail(sslot, SNMPAPI_ALLOC_ERROR, "SnmpContextToStr: out of memory");
    return SNMPAPI_SUCCESS;
}

WSNMP_API SNMPAPI_STATUS SnmpFreeContext(HSNMP_CONTEXT context)
{
    uint32_t slot;
    if (!wsnmp_handle_lookup(context, WSNMP_KIND_CONTEXT, &slot, NULL, "SnmpFreeContext"))
        return SNMPAPI_FAILURE;
    wsnmp_handle_unref(slot); /* balances one acquisition */
    return SNMPAPI_SUCCESS;
}
