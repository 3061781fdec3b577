/*
 * entity.c — destination entities: address, version, community or USM
 * credentials, and the retransmission policy (timeout, retries).
 *
 * In translate mode SNMPAPI_TRANSLATED a string is first looked up in the
 * friendly-name table; a string that names no agent is taken as a literal
 * address.  The UNTRANSLATED modes take literal addresses only, and set the
 * version: v1 for UNTRANSLATED_V1, v2c for UNTRANSLATED_V2.
 */
#include "messaging.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

static void clear_usm(wsnmp_entity *e)
{
    wsnmp_free_secret(e->usm_user);
    wsnmp_free_secret(e->usm_auth_pass);
    wsnmp_free_secret(e->usm_priv_pass);
    e->usm_user = e->usm_auth_pass = e->usm_priv_pass = NULL;
    if (e->usm_context.ptr)
        explicit_bzero(e->usm_context.ptr, e->usm_context.len);
    wsnmp_octets_free(&e->usm_context);
    e->has_usm = false;
}

static void clear_community(wsnmp_entity *e)
{
    if (e->community.ptr)
        explicit_bzero(e->community.ptr, e->community.len);
    wsnmp_octets_free(&e->community);
}

void wsnmp_entity_destroy(void *obj)
{
    wsnmp_entity *e = obj;
    if (e->listening) /* freeing a listening entity stops the agent role */
        wsnmp_listener_stop(e->listening, e->listen_owner);
    clear_usm(e);
    clear_community(e);
    free(e);
}

SNMPAPI_STATUS wsnmp_usm_check(const WsnmpUsm *u, const char **why)
{
    if (u->user == NULL || u->user[0] == '\0' || strlen(u->user) >= WSNMP_MAX_NAME) {
        *why = "a v3 user name of 1..127 characters is required";
        return SNMPAPI_OTHER_ERROR;
    }
    if (u->level < WSNMP_LEVEL_NOAUTH_NOPRIV || u->level > WSNMP_LEVEL_AUTH_PRIV) {
        *why = "unknown security level";
        return SNMPAPI_OTHER_ERROR;
    }
    if (u->auth < WSNMP_AUTH_NONE || u->auth > WSNMP_AUTH_SHA512 || u->priv < WSNMP_PRIV_NONE ||
        u->priv > WSNMP_PRIV_AES256) {
        *why = "unknown authentication or privacy protocol";
        return SNMPAPI_OTHER_ERROR;
    }
    if (u->level >= WSNMP_LEVEL_AUTH_NOPRIV) {
        if (u->auth == WSNMP_AUTH_NONE) {
            *why = "this security level needs an authentication protocol";
            return SNMPAPI_OTHER_ERROR;
        }
        /* RFC 3414 (and net-snmp) require passphrases of 8 or more characters. */
        if (u->auth_pass == NULL || strlen(u->auth_pass) < 8) {
            *why = "the authentication passphrase must have at least 8 characters";
            return SNMPAPI_OTHER_ERROR;
        }
    }
    if (u->level == WSNMP_LEVEL_AUTH_PRIV) {
        if (u->priv == WSNMP_PRIV_NONE) {
            *why = "authPriv needs a privacy protocol";
            return SNMPAPI_OTHER_ERROR;
        }
        if (u->priv_pass == NULL || strlen(u->priv_pass) < 8) {
            *why = "the privacy passphrase must have at least 8 characters";
            return SNMPAPI_OTHER_ERROR;
        }
    }
    if (u->context.len > WSNMP_MAX_CONTEXT || (u->context.len && u->context.ptr == NULL)) {
        *why = "bad v3 context name";
        return SNMPAPI_OTHER_ERROR;
    }
    return 0;
}

static bool store_usm(wsnmp_entity *e, const WsnmpUsm *u)
{
    clear_usm(e);
    e->has_usm = true;
    e->usm_level = u->level;
    e->usm_auth = u->level >= WSNMP_LEVEL_AUTH_NOPRIV ? u->auth : WSNMP_AUTH_NONE;
    e->usm_priv = u->level == WSNMP_LEVEL_AUTH_PRIV ? u->priv : WSNMP_PRIV_NONE;
    e->usm_user = wsnmp_strdup(u->user);
    if (e->usm_auth)
        e->usm_auth_pass = wsnmp_strdup(u->auth_pass);
    if (e->usm_priv)
        e->usm_priv_pass = wsnmp_strdup(u->priv_pass);
    bool ok = e->usm_user && (!e->usm_auth || e->usm_auth_pass) &&
              (!e->usm_priv || e->usm_priv_pass) &&
              wsnmp_octets_copy(&e->usm_context, u->context.ptr, u->context.len);
    if (!ok)
        clear_usm(e);
    return ok;
}

/* Fills a new entity from a friendly-name record. */
static bool from_agent(wsnmp_entity *e, const WsnmpAgent *a)
{
    const char *why;
    if (!wsnmp_address_parse(a->address, &e->address, &why))
        return false; /* cannot happen: checked when the record was defined */
    e->version = a->version ? a->version : WSNMP_VERSION_2C;
    e->timeout_ms = a->timeout_ms;
    e->retries = a->retries;
    if (!wsnmp_octets_copy(&e->community, a->community.ptr, a->community.len))
        return false;
    if (a->usm.user && !store_usm(e, &a->usm))
        return false;
    return true;
}

WSNMP_API HSNMP_ENTITY SnmpStrToEntity(HSNMP_SESSION session, LPCSTR string)
{
    uint32_t sslot;
    if (!wsnmp_lookup(session, WSNMP_KIND_SESSION, &sslot, NULL, "SnmpStrToEntity"))
        return 0;
    if (string == NULL)
        return wsnmp_fail(sslot, SNMPAPI_ALLOC_ERROR, "SnmpStrToEntity: NULL string"), 0;
    wsnmp_entity *e = calloc(1, sizeof *e);
    if (e == NULL)
        return wsnmp_fail(sslot, SNMPAPI_ALLOC_ERROR, "SnmpStrToEntity: out of memory"), 0;
    e->retries = WSNMP_DEFAULT;

    const WsnmpAgent *agent = NULL;
    if (wsnmp_lib.translate_mode == SNMPAPI_TRANSLATED)
        agent = wsnmp_friendly_agent(string);
    if (agent) {
        if (!from_agent(e, agent)) {
            wsnmp_entity_destroy(e);
            return wsnmp_fail(sslot, SNMPAPI_ALLOC_ERROR, "SnmpStrToEntity: out of memory"), 0;
        }
        snprintf(e->friendly, sizeof e->friendly, "%s", string);
    } else {
        const char *why;
        if (!wsnmp_address_parse(string, &e->address, &why)) {
            free(e);
            return wsnmp_fail(sslot, SNMPAPI_ENTITY_UNKNOWN,
                              "SnmpStrToEntity: cannot use '%.80s%s' as an address: %s", string,
                              strlen(string) > 80 ? "..." : "", why),
                   0;
        }
        e->version = wsnmp_lib.translate_mode == SNMPAPI_UNTRANSLATED_V1 ? WSNMP_VERSION_1
                                                                         : WSNMP_VERSION_2C;
    }
    HSNMP_ENTITY h = wsnmp_handle_new(WSNMP_KIND_ENTITY, sslot, e, "SnmpStrToEntity");
    if (h == 0)
        wsnmp_entity_destroy(e);
    return h;
}

static SNMPAPI_STATUS copy_out(uint32_t sslot, const char *fn, const char *text, smiUINT32 size,
                               LPSTR string)
{
    size_t need = strlen(text) + 1;
    if (string == NULL)
        return wsnmp_fail(sslot, SNMPAPI_ALLOC_ERROR, "%s: NULL buffer", fn);
    if (need > size)
        return wsnmp_fail(sslot, SNMPAPI_OUTPUT_TRUNCATED, "%s: buffer of %u bytes, %u needed", fn,
                          (unsigned)size, (unsigned)need);
    memcpy(string, text, need);
    return (SNMPAPI_STATUS)need;
}

WSNMP_API SNMPAPI_STATUS SnmpEntityToStr(HSNMP_ENTITY entity, smiUINT32 size, LPSTR string)
{
    uint32_t sslot;
    wsnmp_entity *e = wsnmp_lookup(entity, WSNMP_KIND_ENTITY, NULL, &sslot, "SnmpEntityToStr");
    if (e == NULL)
        return SNMPAPI_FAILURE;
    char buf[WSNMP_MAX_ADDRESS + 32];
    if (wsnmp_lib.translate_mode == SNMPAPI_TRANSLATED && e->friendly[0])
        snprintf(buf, sizeof buf, "%s", e->friendly);
    else
        wsnmp_address_format(&e->address, buf, sizeof buf);
    return copy_out(sslot, "SnmpEntityToStr", buf, size, string);
}

WSNMP_API SNMPAPI_STATUS WsnmpEntityAddress(HSNMP_ENTITY entity, smiUINT32 size, LPSTR string)
{
    uint32_t sslot;
    wsnmp_entity *e = wsnmp_lookup(entity, WSNMP_KIND_ENTITY, NULL, &sslot, "WsnmpEntityAddress");
    if (e == NULL)
        return SNMPAPI_FAILURE;
    char buf[WSNMP_MAX_ADDRESS + 32];
    wsnmp_address_format(&e->address, buf, sizeof buf);
    return copy_out(sslot, "WsnmpEntityAddress", buf, size, string);
}

WSNMP_API SNMPAPI_STATUS SnmpFreeEntity(HSNMP_ENTITY entity)
{
    uint32_t slot;
    if (!wsnmp_lookup(entity, WSNMP_KIND_ENTITY, &slot, NULL, "SnmpFreeEntity"))
        return SNMPAPI_FAILURE;
    wsnmp_handle_destroy(slot);
    return SNMPAPI_SUCCESS;
}

WSNMP_API SNMPAPI_STATUS SnmpSetPort(HSNMP_ENTITY hEntity, UINT nPort)
{
    uint32_t sslot;
    wsnmp_entity *e = wsnmp_lookup(hEntity, WSNMP_KIND_ENTITY, NULL, &sslot, "SnmpSetPort");
    if (e == NULL)
        return SNMPAPI_FAILURE;
    if (e->listening)
        return wsnmp_fail(sslot, SNMPAPI_OPERATION_INVALID, "SnmpSetPort: the entity is listening");
    if (nPort > 65535)
        return wsnmp_fail(sslot, SNMPAPI_TL_INVALID_PARAM, "SnmpSetPort: port %u above 65535",
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
    wsnmp_entity *e = wsnmp_lookup(hEntity, WSNMP_KIND_ENTITY, NULL, &sslot, "SnmpGetTimeout");
    if (e == NULL)
        return SNMPAPI_FAILURE;
    if (nPolicyTimeout == NULL && nActualTimeout == NULL)
        return wsnmp_fail(sslot, SNMPAPI_NOOP, "SnmpGetTimeout: no outputs");
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
    wsnmp_entity *e = wsnmp_lookup(entity, WSNMP_KIND_ENTITY, NULL, &sslot, "WsnmpGetTimeoutMs");
    if (e == NULL)
        return SNMPAPI_FAILURE;
    if (timeout_ms == NULL)
        return wsnmp_fail(sslot, SNMPAPI_NOOP, "WsnmpGetTimeoutMs: no output");
    *timeout_ms = effective_timeout_ms(e);
    return SNMPAPI_SUCCESS;
}

WSNMP_API SNMPAPI_STATUS WsnmpSetTimeoutMs(HSNMP_ENTITY entity, smiUINT32 timeout_ms)
{
    wsnmp_entity *e = wsnmp_lookup(entity, WSNMP_KIND_ENTITY, NULL, NULL, "SnmpSetTimeout");
    if (e == NULL)
        return SNMPAPI_FAILURE;
    e->timeout_ms = timeout_ms; /* 0: library default */
    return SNMPAPI_SUCCESS;
}

WSNMP_API SNMPAPI_STATUS SnmpGetRetry(HSNMP_ENTITY hEntity, smiLPUINT32 nPolicyRetry,
                                      smiLPUINT32 nActualRetry)
{
    uint32_t sslot;
    wsnmp_entity *e = wsnmp_lookup(hEntity, WSNMP_KIND_ENTITY, NULL, &sslot, "SnmpGetRetry");
    if (e == NULL)
        return SNMPAPI_FAILURE;
    if (nPolicyRetry == NULL && nActualRetry == NULL)
        return wsnmp_fail(sslot, SNMPAPI_NOOP, "SnmpGetRetry: no outputs");
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
    wsnmp_entity *e = wsnmp_lookup(entity, WSNMP_KIND_ENTITY, NULL, NULL, "SnmpSetRetry");
    if (e == NULL)
        return SNMPAPI_FAILURE;
    e->retries = retries;
    return SNMPAPI_SUCCESS;
}

WSNMP_API SNMPAPI_STATUS WsnmpGetEntityVersion(HSNMP_ENTITY entity, int *version)
{
    uint32_t sslot;
    wsnmp_entity *e =
        wsnmp_lookup(entity, WSNMP_KIND_ENTITY, NULL, &sslot, "WsnmpGetEntityVersion");
    if (e == NULL)
        return SNMPAPI_FAILURE;
    if (version == NULL)
        return wsnmp_fail(sslot, SNMPAPI_NOOP, "WsnmpGetEntityVersion: no output");
    *version = e->version;
    return SNMPAPI_SUCCESS;
}

WSNMP_API SNMPAPI_STATUS WsnmpSetEntityVersion(HSNMP_ENTITY entity, int version)
{
    uint32_t sslot;
    wsnmp_entity *e =
        wsnmp_lookup(entity, WSNMP_KIND_ENTITY, NULL, &sslot, "WsnmpSetEntityVersion");
    if (e == NULL)
        return SNMPAPI_FAILURE;
    if (WsnmpVersionName(version) == NULL)
        return wsnmp_fail(sslot, SNMPAPI_MODE_INVALID,
                          "WsnmpSetEntityVersion: unknown SNMP version %d", version);
    e->version = version;
    return SNMPAPI_SUCCESS;
}

WSNMP_API SNMPAPI_STATUS WsnmpSetEntityCommunity(HSNMP_ENTITY entity, smiLPCOCTETS community)
{
    uint32_t sslot;
    wsnmp_entity *e =
        wsnmp_lookup(entity, WSNMP_KIND_ENTITY, NULL, &sslot, "WsnmpSetEntityCommunity");
    if (e == NULL)
        return SNMPAPI_FAILURE;
    if (community && community->len > WSNMP_MAX_CONTEXT)
        return wsnmp_fail(sslot, SNMPAPI_SIZE_INVALID,
                          "WsnmpSetEntityCommunity: community longer than %u bytes",
                          WSNMP_MAX_CONTEXT);
    if (community && community->len && community->ptr == NULL)
        return wsnmp_fail(sslot, SNMPAPI_ALLOC_ERROR, "WsnmpSetEntityCommunity: NULL bytes");
    smiOCTETS fresh = {0, NULL};
    if (community && !wsnmp_octets_copy(&fresh, community->ptr, community->len))
        return wsnmp_fail(sslot, SNMPAPI_ALLOC_ERROR, "WsnmpSetEntityCommunity: out of memory");
    clear_community(e);
    e->community = fresh;
    return SNMPAPI_SUCCESS;
}

WSNMP_API SNMPAPI_STATUS WsnmpSetEntityUsm(HSNMP_ENTITY entity, const WsnmpUsm *usm)
{
    uint32_t sslot;
    wsnmp_entity *e = wsnmp_lookup(entity, WSNMP_KIND_ENTITY, NULL, &sslot, "WsnmpSetEntityUsm");
    if (e == NULL)
        return SNMPAPI_FAILURE;
    if (usm == NULL) {
        clear_usm(e);
        return SNMPAPI_SUCCESS;
    }
    const char *why;
    SNMPAPI_STATUS code = wsnmp_usm_check(usm, &why);
    if (code)
        return wsnmp_fail(sslot, code, "WsnmpSetEntityUsm: %s", why);
    if (!store_usm(e, usm))
        return wsnmp_fail(sslot, SNMPAPI_ALLOC_ERROR, "WsnmpSetEntityUsm: out of memory");
    return SNMPAPI_SUCCESS;
}
