/*
 * entity.c — destination entities: address, version, community or USM
 * credentials, and the retransmission policy (timeout, retries).
 *
 * In translate mode SNMPAPI_TRANSLATED a string is first looked up in the
 * friendly-name table; a string that names no agent is taken as a literal
 * address.  The UNTRANSLATED modes take literal addresses only, and set the
 * version: v1 for UNTRANSLATED_V1, v2c for UNTRANSLATED_V2.
 *
 * Entity handles are shared and reference-counted as in Windows (shared.c):
 * an equal string in the same session and translate mode returns the same
 * handle, with one more reference, and its settings (timeout, retries,
 * version, community, USM user, port) are those of every holder.  An entity
 * made with WSNMP_PRIVATE is never returned to anyone else: the Lua binding
 * makes all of its entities so, because s:entity(address, {community=...})
 * gives one Lua object settings that another must not see change.
 */
#include "objects.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

void wsnmp_entity_destroy(void *obj)
{
    wsnmp_entity *e = obj;
    wsnmp_shared_remove(e->shared);
    /* Freeing a listening entity stops the agent role. */
    if (e->listening && wsnmp_session_engine.listener_stop)
        wsnmp_session_engine.listener_stop(e->listening, e->listen_owner);
    wsnmp_credentials_clear(&e->cred);
    wsnmp_octets_free(&e->reply_context_engine);
    free(e);
}

/* Fills a new entity from a friendly-name record. */
static bool from_agent(wsnmp_entity *e, const WsnmpAgent *a)
{
    const char *why;
    if (!wsnmp_address_parse(a->address, &e->address, &why))
        return false; /* cannot happen: checked when the record was defined */
    e->cred.version = a->version ? a->version : WSNMP_VERSION_2C;
    e->timeout_ms = a->timeout_ms;
    e->retries = a->retries;
    if (!wsnmp_credentials_set_community(&e->cred, a->community.ptr, a->community.len))
        return false;
    if (a->usm.user && !wsnmp_credentials_set_usm(&e->cred, &a->usm))
        return false;
    return true;
}

WSNMP_API HSNMP_ENTITY WsnmpStrToEntityEx(HSNMP_SESSION session, LPCSTR string, smiUINT32 flags)
{
    uint32_t sslot;
    if (!wsnmp_handle_lookup(session, WSNMP_KIND_SESSION, &sslot, NULL, "SnmpStrToEntity"))
        return NULL;
    if (string == NULL)
        return wsnmp_error_fail(sslot, SNMPAPI_ALLOC_ERROR, "SnmpStrToEntity: NULL string"), NULL;
    bool shared = !(flags & WSNMP_PRIVATE);
    smiUINT32 mode = wsnmp_shared_mode();
    size_t len = strlen(string);
    if (shared) {
        uint32_t slot = wsnmp_shared_find(sslot, WSNMP_KIND_ENTITY, mode, string, len);
        if (slot != WSNMP_NO_SLOT) {
            wsnmp_handle_acquire(slot);
            return wsnmp_handle_of_slot(slot);
        }
    }
    wsnmp_entity *e = calloc(1, sizeof *e);
    if (e == NULL)
        return wsnmp_error_fail(sslot, SNMPAPI_ALLOC_ERROR, "SnmpStrToEntity: out of memory"), NULL;
    e->retries = WSNMP_DEFAULT;

    const WsnmpAgent *agent = NULL;
    if (wsnmp_library.translate_mode == SNMPAPI_TRANSLATED)
        agent = wsnmp_friendly_agent(string);
    if (agent) {
        if (!from_agent(e, agent)) {
            wsnmp_entity_destroy(e);
            return wsnmp_error_fail(sslot, SNMPAPI_ALLOC_ERROR, "SnmpStrToEntity: out of memory"),
                   NULL;
        }
        snprintf(e->friendly, sizeof e->friendly, "%s", string);
    } else {
        const char *why;
        if (!wsnmp_address_parse(string, &e->address, &why)) {
            free(e);
            return wsnmp_error_fail(sslot, SNMPAPI_ENTITY_UNKNOWN,
                                    "SnmpStrToEntity: cannot use '%.80s%s' as an address: %s",
                                    string, strlen(string) > 80 ? "..." : "", why),
                   NULL;
        }
        e->cred.version = wsnmp_library.translate_mode == SNMPAPI_UNTRANSLATED_V1
                              ? WSNMP_VERSION_1
                              : WSNMP_VERSION_2C;
    }
    HSNMP_ENTITY h = wsnmp_handle_new(WSNMP_KIND_ENTITY, sslot, e, "SnmpStrToEntity");
    if (h == NULL) {
        wsnmp_entity_destroy(e);
        return NULL;
    }
    if (shared) /* out of memory here only leaves it unshared */
        e->shared = wsnmp_shared_add(sslot, WSNMP_KIND_ENTITY, mode, string, len,
                                     (uint32_t)WSNMP_HANDLE_VALUE(h));
    return h;
}

WSNMP_API HSNMP_ENTITY SnmpStrToEntity(HSNMP_SESSION session, LPCSTR string)
{
    return WsnmpStrToEntityEx(session, string, 0);
}

static SNMPAPI_STATUS copy_out(uint32_t sslot, const char *fn, const char *text, smiUINT32 size,
                               LPSTR string)
{
    size_t need = strlen(text) + 1;
    if (string == NULL)
        return wsnmp_error_fail(sslot, SNMPAPI_ALLOC_ERROR, "%s: NULL buffer", fn);
    if (need > size)
        return wsnmp_error_fail(sslot, SNMPAPI_OUTPUT_TRUNCATED,
                                "%s: buffer of %u bytes, %u needed", fn, (unsigned)size,
                                (unsigned)need);
    memcpy(string, text, need);
    return (SNMPAPI_STATUS)need;
}

WSNMP_API SNMPAPI_STATUS SnmpEntityToStr(HSNMP_ENTITY entity, smiUINT32 size, LPSTR string)
{
    uint32_t sslot;
    wsnmp_entity *e =
        wsnmp_handle_lookup(entity, WSNMP_KIND_ENTITY, NULL, &sslot, "SnmpEntityToStr");
    if (e == NULL)
        return SNMPAPI_FAILURE;
    char buf[WSNMP_MAX_ADDRESS + 32];
    if (wsnmp_library.translate_mode == SNMPAPI_TRANSLATED && e->friendly[0])
        snprintf(buf, sizeof buf, "%s", e->friendly);
    else
        wsnmp_address_format(&e->address, buf, sizeof buf);
    return copy_out(sslot, "SnmpEntityToStr", buf, size, string);
}

WSNMP_API SNMPAPI_STATUS WsnmpEntityAddress(HSNMP_ENTITY entity, smiUINT32 size, LPSTR string)
{
    uint32_t sslot;
    wsnmp_entity *e =
        wsnmp_handle_lookup(entity, WSNMP_KIND_ENTITY, NULL, &sslot, "WsnmpEntityAddress");
    if (e == NULL)
        return SNMPAPI_FAILURE;
    char buf[WSNMP_MAX_ADDRESS + 32];
    wsnmp_address_format(&e->address, buf, sizeof buf);
    return copy_out(sslot, "WsnmpEntityAddress", buf, size, string);
}

WSNMP_API SNMPAPI_STATUS SnmpFreeEntity(HSNMP_ENTITY entity)
{
    uint32_t slot;
    if (!wsnmp_handle_lookup(entity, WSNMP_KIND_ENTITY, &slot, NULL, "SnmpFreeEntity"))
        return SNMPAPI_FAILURE;
    wsnmp_handle_unref(slot); /* balances one acquisition */
    return SNMPAPI_SUCCESS;
}

WSNMP_API SNMPAPI_STATUS SnmpSetPort(HSNMP_ENTITY hEntity, UINT nPort)
{
    uint32_t sslot;
    wsnmp_entity *e = wsnmp_handle_lookup(hEntity, WSNMP_KIND_ENTITY, NULL, &sslot, "SnmpSetPort");
    if (e == NULL)
        return SNMPAPI_FAILURE;
    if (e->listening)
        return wsnmp_error_fail(sslot, SNMPAPI_OPERATION_INVALID,
                                "SnmpSetPort: the entity is listening");
    if (nPort > 65535)
        return wsnmp_error_fail(sslot, SNMPAPI_TL_INVALID_PARAM, "SnmpSetPort: port %u above 65535",
                                nPort);
    e->address.port = nPort;
    e->resolved = false;
    return SNMPAPI_SUCCESS;
}

static smiUINT32 effective_timeout_ms(const wsnmp_entity *e)
{
    return e->timeout_ms ? e->timeout_ms : WSNMP_DEFAULT_TIMEOUT_MS;
}

static smiUINT32 effective_retries(const wsnmp_entity *e)
{
    return e->retries == WSNMP_DEFAULT ? WSNMP_DEFAULT_RETRIES : e->retries;
}

WSNMP_API SNMPAPI_STATUS SnmpGetTimeout(HSNMP_ENTITY hEntity, smiLPTIMETICKS nPolicyTimeout,
                                        smiLPTIMETICKS nActualTimeout)
{
    uint32_t sslot;
    wsnmp_entity *e =
        wsnmp_handle_lookup(hEntity, WSNMP_KIND_ENTITY, NULL, &sslot, "SnmpGetTimeout");
    if (e == NULL)
        return SNMPAPI_FAILURE;
    if (nPolicyTimeout == NULL && nActualTimeout == NULL)
        return wsnmp_error_fail(sslot, SNMPAPI_NOOP, "SnmpGetTimeout: no outputs");
    /* Timeticks are hundredths of a second; round up so that a short
     * timeout never reads back as "library default". */
    smiUINT32 cs = (effective_timeout_ms(e) + 9) / 10;
    if (nPolicyTimeout)
        *nPolicyTimeout = cs;
    if (nActualTimeout)
        *nActualTimeout = cs;
    return SNMPAPI_SUCCESS;
}

WSNMP_API SNMPAPI_STATUS SnmpSetTimeout(HSNMP_ENTITY hEntity, smiTIMETICKS nPolicyTimeout)
{
    uint64_t ms = (uint64_t)nPolicyTimeout * 10;
    return WsnmpSetTimeoutMs(hEntity, ms > UINT32_MAX ? UINT32_MAX : (smiUINT32)ms);
}

WSNMP_API SNMPAPI_STATUS WsnmpGetTimeoutMs(HSNMP_ENTITY entity, smiUINT32 *timeout_ms)
{
    uint32_t sslot;
    wsnmp_entity *e =
        wsnmp_handle_lookup(entity, WSNMP_KIND_ENTITY, NULL, &sslot, "WsnmpGetTimeoutMs");
    if (e == NULL)
        return SNMPAPI_FAILURE;
    if (timeout_ms == NULL)
        return wsnmp_error_fail(sslot, SNMPAPI_NOOP, "WsnmpGetTimeoutMs: no output");
    *timeout_ms = effective_timeout_ms(e);
    return SNMPAPI_SUCCESS;
}

WSNMP_API SNMPAPI_STATUS WsnmpSetTimeoutMs(HSNMP_ENTITY entity, smiUINT32 timeout_ms)
{
    wsnmp_entity *e = wsnmp_handle_lookup(entity, WSNMP_KIND_ENTITY, NULL, NULL, "SnmpSetTimeout");
    if (e == NULL)
        return SNMPAPI_FAILURE;
    e->timeout_ms = timeout_ms; /* 0: library default */
    return SNMPAPI_SUCCESS;
}

WSNMP_API SNMPAPI_STATUS WsnmpSetEntityBackoff(HSNMP_ENTITY entity, double factor)
{
    uint32_t sslot;
    wsnmp_entity *e =
        wsnmp_handle_lookup(entity, WSNMP_KIND_ENTITY, NULL, &sslot, "WsnmpSetEntityBackoff");
    if (e == NULL)
        return SNMPAPI_FAILURE;
    if (!(factor >= 1.0 && factor <= 10.0))
        return wsnmp_error_fail(sslot, SNMPAPI_OTHER_ERROR,
                                "WsnmpSetEntityBackoff: the factor must be 1 .. 10");
    e->backoff = factor;
    return SNMPAPI_SUCCESS;
}

WSNMP_API SNMPAPI_STATUS WsnmpSetEntityAnySource(HSNMP_ENTITY entity, smiINT on)
{
    wsnmp_entity *e =
        wsnmp_handle_lookup(entity, WSNMP_KIND_ENTITY, NULL, NULL, "WsnmpSetEntityAnySource");
    if (e == NULL)
        return SNMPAPI_FAILURE;
    e->any_source = on != 0;
    return SNMPAPI_SUCCESS;
}

WSNMP_API SNMPAPI_STATUS WsnmpGetEntityStats(HSNMP_ENTITY entity, WsnmpEntityStats *stats)
{
    uint32_t sslot;
    wsnmp_entity *e =
        wsnmp_handle_lookup(entity, WSNMP_KIND_ENTITY, NULL, &sslot, "WsnmpGetEntityStats");
    if (e == NULL)
        return SNMPAPI_FAILURE;
    if (stats == NULL)
        return wsnmp_error_fail(sslot, SNMPAPI_NOOP, "WsnmpGetEntityStats: no output");
    stats->requests = e->stats.requests;
    stats->responses = e->stats.responses;
    stats->timeouts = e->stats.timeouts;
    stats->retries = e->stats.retries;
    stats->too_big = e->stats.too_big;
    stats->in_flight = e->stats.in_flight;
    stats->rtt_avg =
        e->stats.rtt_count ? (double)e->stats.rtt_sum_ms / (double)e->stats.rtt_count / 1000.0 : 0;
    stats->rtt_max = (double)e->stats.rtt_max_ms / 1000.0;
    return SNMPAPI_SUCCESS;
}

WSNMP_API SNMPAPI_STATUS SnmpGetRetry(HSNMP_ENTITY hEntity, smiLPUINT32 nPolicyRetry,
                                      smiLPUINT32 nActualRetry)
{
    uint32_t sslot;
    wsnmp_entity *e = wsnmp_handle_lookup(hEntity, WSNMP_KIND_ENTITY, NULL, &sslot, "SnmpGetRetry");
    if (e == NULL)
        return SNMPAPI_FAILURE;
    if (nPolicyRetry == NULL && nActualRetry == NULL)
        return wsnmp_error_fail(sslot, SNMPAPI_NOOP, "SnmpGetRetry: no outputs");
    if (nPolicyRetry)
        *nPolicyRetry = effective_retries(e);
    if (nActualRetry)
        *nActualRetry = effective_retries(e);
    return SNMPAPI_SUCCESS;
}

WSNMP_API SNMPAPI_STATUS SnmpSetRetry(HSNMP_ENTITY hEntity, smiUINT32 nPolicyRetry)
{
    /* WinSNMP: 0 lets the library choose. */
    return WsnmpSetRetries(hEntity, nPolicyRetry ? nPolicyRetry : WSNMP_DEFAULT);
}

WSNMP_API SNMPAPI_STATUS WsnmpSetRetries(HSNMP_ENTITY entity, smiUINT32 retries)
{
    wsnmp_entity *e = wsnmp_handle_lookup(entity, WSNMP_KIND_ENTITY, NULL, NULL, "SnmpSetRetry");
    if (e == NULL)
        return SNMPAPI_FAILURE;
    e->retries = retries;
    return SNMPAPI_SUCCESS;
}

WSNMP_API SNMPAPI_STATUS WsnmpGetEntityVersion(HSNMP_ENTITY entity, int *version)
{
    uint32_t sslot;
    wsnmp_entity *e =
        wsnmp_handle_lookup(entity, WSNMP_KIND_ENTITY, NULL, &sslot, "WsnmpGetEntityVersion");
    if (e == NULL)
        return SNMPAPI_FAILURE;
    if (version == NULL)
        return wsnmp_error_fail(sslot, SNMPAPI_NOOP, "WsnmpGetEntityVersion: no output");
    *version = e->cred.version;
    return SNMPAPI_SUCCESS;
}

WSNMP_API SNMPAPI_STATUS WsnmpSetEntityVersion(HSNMP_ENTITY entity, int version)
{
    uint32_t sslot;
    wsnmp_entity *e =
        wsnmp_handle_lookup(entity, WSNMP_KIND_ENTITY, NULL, &sslot, "WsnmpSetEntityVersion");
    if (e == NULL)
        return SNMPAPI_FAILURE;
    if (WsnmpVersionName(version) == NULL)
        return wsnmp_error_fail(sslot, SNMPAPI_MODE_INVALID,
                                "WsnmpSetEntityVersion: unknown SNMP version %d", version);
    e->cred.version = version;
    return SNMPAPI_SUCCESS;
}

WSNMP_API SNMPAPI_STATUS WsnmpSetEntityCommunity(HSNMP_ENTITY entity, smiLPCOCTETS community)
{
    uint32_t sslot;
    wsnmp_entity *e =
        wsnmp_handle_lookup(entity, WSNMP_KIND_ENTITY, NULL, &sslot, "WsnmpSetEntityCommunity");
    if (e == NULL)
        return SNMPAPI_FAILURE;
    if (community && community->len > WSNMP_MAX_CONTEXT)
        return wsnmp_error_fail(sslot, SNMPAPI_SIZE_INVALID,
                                "WsnmpSetEntityCommunity: community longer than %u bytes",
                                WSNMP_MAX_CONTEXT);
    if (community && community->len && community->ptr == NULL)
        return wsnmp_error_fail(sslot, SNMPAPI_ALLOC_ERROR, "WsnmpSetEntityCommunity: NULL bytes");
    if (!wsnmp_credentials_set_community(&e->cred, community ? community->ptr : NULL,
                                         community ? community->len : 0))
        return wsnmp_error_fail(sslot, SNMPAPI_ALLOC_ERROR,
                                "WsnmpSetEntityCommunity: out of memory");
    return SNMPAPI_SUCCESS;
}

WSNMP_API SNMPAPI_STATUS WsnmpSetEntityUsm(HSNMP_ENTITY entity, const WsnmpUsm *usm)
{
    uint32_t sslot;
    wsnmp_entity *e =
        wsnmp_handle_lookup(entity, WSNMP_KIND_ENTITY, NULL, &sslot, "WsnmpSetEntityUsm");
    if (e == NULL)
        return SNMPAPI_FAILURE;
    if (usm == NULL) {
        wsnmp_credentials_clear_usm(&e->cred);
        return SNMPAPI_SUCCESS;
    }
    const char *why;
    wsnmp_result code = wsnmp_credentials_check_usm(usm, &why);
    if (code != WSNMP_OK)
        return wsnmp_error_fail(sslot, code, "WsnmpSetEntityUsm: %s", why);
    if (!wsnmp_credentials_set_usm(&e->cred, usm))
        return wsnmp_error_fail(sslot, SNMPAPI_ALLOC_ERROR, "WsnmpSetEntityUsm: out of memory");
    return SNMPAPI_SUCCESS;
}
