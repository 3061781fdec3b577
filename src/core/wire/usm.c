/*
 * usm.c — SNMPv3 users for net-snmp's USM (RFC 3414): keys derived from
 * passphrases and localised for an engine, registered with net-snmp,
 * which then authenticates and encrypts (net-snmp glue, like codec.c).
 * Passphrase digests are cached; every copy is wiped when it goes.
 */
#include "netsnmp_glue.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

static const oid *auth_oid(int auth, size_t *len)
{
    *len = USM_AUTH_PROTO_MD5_LEN;
    switch (auth) {
    case WSNMP_AUTH_MD5:
        return usmHMACMD5AuthProtocol;
    case WSNMP_AUTH_SHA:
        return usmHMACSHA1AuthProtocol;
    case WSNMP_AUTH_SHA224:
        return usmHMAC128SHA224AuthProtocol;
    case WSNMP_AUTH_SHA256:
        return usmHMAC192SHA256AuthProtocol;
    case WSNMP_AUTH_SHA384:
        return usmHMAC256SHA384AuthProtocol;
    case WSNMP_AUTH_SHA512:
        return usmHMAC384SHA512AuthProtocol;
    default:
        *len = USM_AUTH_PROTO_NOAUTH_LEN;
        return usmNoAuthProtocol;
    }
}

static const oid *priv_oid(int priv, size_t *len)
{
    switch (priv) {
    case WSNMP_PRIV_DES:
        *len = USM_PRIV_PROTO_DES_LEN;
        return usmDESPrivProtocol;
    case WSNMP_PRIV_AES:
        *len = USM_PRIV_PROTO_AES_LEN;
        return usmAESPrivProtocol;
    case WSNMP_PRIV_AES192:
        *len = sizeof usmAES192PrivProtocol / sizeof(oid);
        return usmAES192PrivProtocol;
    case WSNMP_PRIV_AES256:
        *len = sizeof usmAES256PrivProtocol / sizeof(oid);
        return usmAES256PrivProtocol;
    default:
        *len = USM_PRIV_PROTO_NOPRIV_LEN;
        return usmNoPrivProtocol;
    }
}

/* Ku (the passphrase digest of RFC 3414 A.2) costs a million hash rounds,
 * a few milliseconds: remember the last few, so agents sharing credentials,
 * and credentials that alternate, cost only the cheap localisation.  The
 * entries live in secure memory (base/secure.c) and go, wiped, when the
 * last credentials holding their passphrase are cleared (wsnmp_usm_forget)
 * or at cleanup. */
#define KU_CACHE_SIZE 32
typedef struct {
    int auth;
    uint64_t hash; /* wsnmp_secure_hash of the passphrase */
    char *pass;
    u_char ku[USM_AUTH_KU_LEN];
    size_t kulen;
} ku_entry;
static ku_entry *ku_cache[KU_CACHE_SIZE];
static size_t ku_next, ku_count;

static void ku_drop(size_t i)
{
    if (ku_cache[i] == NULL)
        return;
    wsnmp_secure_free(ku_cache[i]->pass);
    wsnmp_secure_free(ku_cache[i]); /* wipes */
    ku_cache[i] = NULL;
    ku_count--;
}

static bool passphrase_key(int auth, const oid *aoid, size_t alen, const char *pass, u_char *ku,
                           size_t *kulen)
{
    for (size_t i = 0; i < KU_CACHE_SIZE; i++)
        if (ku_cache[i] && ku_cache[i]->auth == auth && strcmp(ku_cache[i]->pass, pass) == 0) {
            memcpy(ku, ku_cache[i]->ku, ku_cache[i]->kulen);
            *kulen = ku_cache[i]->kulen;
            return true;
        }
    if (generate_Ku(aoid, (u_int)alen, (const u_char *)pass, strlen(pass), ku, kulen) !=
        SNMPERR_SUCCESS)
        return false;
    size_t slot = ku_next++ % KU_CACHE_SIZE;
    ku_drop(slot);
    ku_entry *e = wsnmp_secure_alloc(sizeof *e);
    if (e == NULL || (e->pass = wsnmp_secure_string_dup(pass)) == NULL) {
        wsnmp_secure_free(e);
        return true; /* derived; only the shortcut is lost */
    }
    e->auth = auth;
    e->hash = wsnmp_secure_hash(pass);
    memcpy(e->ku, ku, *kulen);
    e->kulen = *kulen;
    ku_cache[slot] = e;
    ku_count++;
    return true;
}

static void ku_cache_clear(void)
{
    for (size_t i = 0; i < KU_CACHE_SIZE; i++)
        ku_drop(i);
}

/* Localised key for a passphrase; false on failure. */
static bool localise(int auth, const oid *aoid, size_t alen, const char *pass,
                     const smiOCTETS *engine, u_char *key, size_t *keylen)
{
    u_char ku[USM_AUTH_KU_LEN];
    size_t kulen = sizeof ku;
    bool ok = passphrase_key(auth, aoid, alen, pass, ku, &kulen) &&
              generate_kul(aoid, (u_int)alen, engine->ptr, engine->len, ku, kulen, key, keylen) ==
                  SNMPERR_SUCCESS;
    explicit_bzero(ku, sizeof ku);
    return ok;
}

/* Frees a user of ours: its localised keys are in secure memory, which
 * net-snmp's free() must never see; they are wiped here. */
static void free_user(struct usmUser *u)
{
    wsnmp_secure_free(u->authKey);
    wsnmp_secure_free(u->privKey);
    u->authKey = u->privKey = NULL;
    u->authKeyLen = u->privKeyLen = 0;
    usm_free_user(u);
}

/* Removes every user net-snmp has for (engine, name). */
static void remove_users(const u_char *engine, size_t len, const char *name)
{
    struct usmUser *u;
    while ((u = usm_get_user(engine, len, name)) != NULL) {
        usm_remove_user(u);
        if (u->authKey && !wsnmp_secure_owns(u->authKey))
            usm_free_user(u); /* not one of ours (net-snmp zeroes its keys) */
        else
            free_user(u);
    }
}

wsnmp_result wsnmp_usm_register(const wsnmp_credentials *sec, const smiOCTETS *engine_id,
                                const char **why)
{
    /* net-snmp never updates the keys of a user it knows (its issue #470):
     * replace the record, so changed credentials take effect at once. */
    remove_users(engine_id->ptr, engine_id->len, sec->user);
    struct usmUser *u = usm_create_user();
    if (u == NULL) {
        *why = "out of memory";
        return SNMPAPI_ALLOC_ERROR;
    }
    u->userStorageType = ST_READONLY; /* never persisted */
    u->name = strdup(sec->user);
    u->secName = strdup(sec->user);
    u->engineID = netsnmp_memdup(engine_id->ptr, engine_id->len);
    u->engineIDLen = engine_id->len;
    *why = "cannot derive the v3 keys";
    /* (the keys given, which for a receiver may serve a level above its
     * user's: see wsnmp_credentials_set_usm_receiver) */
    if (sec->auth != WSNMP_AUTH_NONE && sec->auth_pass) {
        size_t alen;
        const oid *aoid = auth_oid(sec->auth, &alen);
        SNMP_FREE(u->authProtocol);
        u->authProtocol = snmp_duplicate_objid(aoid, alen);
        u->authProtocolLen = alen;
        int proper = sc_get_proper_auth_length_bytype(sc_get_authtype(aoid, (u_int)alen));
        u->authKey = wsnmp_secure_alloc((size_t)proper);
        u->authKeyLen = (size_t)proper;
        if (u->authKey == NULL ||
            !localise(sec->auth, aoid, alen, sec->auth_pass, engine_id, u->authKey, &u->authKeyLen))
            goto fail;
        if (sec->priv != WSNMP_PRIV_NONE && sec->priv_pass) {
            size_t plen;
            const oid *poid = priv_oid(sec->priv, &plen);
            const netsnmp_priv_alg_info *pai = sc_get_priv_alg_byoid(poid, (u_int)plen);
            if (pai == NULL) {
                *why = "this net-snmp build lacks the privacy protocol";
                goto fail;
            }
            SNMP_FREE(u->privProtocol);
            u->privProtocol = snmp_duplicate_objid(poid, plen);
            u->privProtocolLen = plen;
            int proper_priv = pai->proper_length;
            if (pai->type == USM_CREATE_USER_PRIV_DES)
                proper_priv *= 2; /* DES key plus pre-IV */
            u->privKeyLen = (size_t)SNMP_MAX(proper_priv, proper);
            u->privKey = wsnmp_secure_alloc(u->privKeyLen); /* (big enough: never extended) */
            if (u->privKey == NULL || !localise(sec->auth, aoid, alen, sec->priv_pass, engine_id,
                                                u->privKey, &u->privKeyLen))
                goto fail;
            /* A short hash (SHA-1) for a long key (AES-256) needs extending. */
            if ((int)u->privKeyLen < proper_priv &&
                usm_extend_user_kul(u, (u_int)proper_priv) != SNMPERR_SUCCESS)
                goto fail;
            if ((int)u->privKeyLen < proper_priv)
                goto fail;
            u->privKeyLen = (size_t)proper_priv;
        }
    }
    usm_add_user(u);
    return WSNMP_OK;
fail:
    free_user(u);
    return SNMPAPI_OTHER_ERROR;
}

/* Users registered with net-snmp, with a fingerprint of their credentials,
 * so each request need not derive keys again (generate_Ku costs ~5 ms). */
typedef struct registered {
    struct registered *next;
    smiOCTETS engine_id;
    char *user;
    uint64_t fingerprint;          /* (secure memory: derived from the passphrases) */
    uint64_t auth_hash, priv_hash; /* the credentials' passphrase hashes */
} registered_t;

/* Most recently used first.  At most REGISTERED_MAX key sets stay with
 * net-snmp: every use installs its keys again when they are gone
 * (wsnmp_usm_ensure), so this bounds memory only.  Unbounded, any datagram
 * naming a registered notification user under a new engine id added a key
 * set for good (found by fuzz/fuzz_lua_values). */
#define REGISTERED_MAX 1024
static registered_t *registered_users;
static size_t registered_count;

/* Removes a record and its user from net-snmp. */
static void registered_drop(registered_t *r)
{
    remove_users(r->engine_id.ptr, r->engine_id.len, r->user);
    wsnmp_octets_free(&r->engine_id);
    free(r->user);
    free(r);
}

static uint64_t fnv(uint64_t h, const void *data, size_t len)
{
    const unsigned char *p = data;
    for (size_t i = 0; i < len; i++)
        h = (h ^ p[i]) * 0x100000001b3ULL;
    return h;
}

static uint64_t fingerprint(const wsnmp_credentials *sec)
{
    uint64_t h = 0xcbf29ce484222325ULL;
    int fields[3] = {sec->level, sec->auth, sec->priv};
    h = fnv(h, fields, sizeof fields);
    if (sec->auth_pass)
        h = fnv(h, sec->auth_pass, strlen(sec->auth_pass) + 1);
    if (sec->priv_pass)
        h = fnv(h, sec->priv_pass, strlen(sec->priv_pass) + 1);
    return h;
}

wsnmp_result wsnmp_usm_ensure(const wsnmp_credentials *sec, const smiOCTETS *engine_id,
                              const char **why)
{
    uint64_t fp = fingerprint(sec);
    registered_t **link = &registered_users, *r;
    while ((r = *link) != NULL && !(r->engine_id.len == engine_id->len &&
                                    memcmp(r->engine_id.ptr, engine_id->ptr, engine_id->len) == 0 &&
                                    strcmp(r->user, sec->user) == 0))
        link = &r->next;
    if (r && link != &registered_users) { /* most recently used first */
        *link = r->next;
        r->next = registered_users;
        registered_users = r;
    }
    if (r && r->fingerprint == fp)
        return WSNMP_OK;
    wsnmp_result code = wsnmp_usm_register(sec, engine_id, why);
    if (code != WSNMP_OK)
        return code;
    if (r == NULL) {
        /* (no secret in it: an ordinary heap block, whose engine id and
         * user name LeakSanitizer can then see it holds) */
        r = calloc(1, sizeof *r);
        if (r == NULL || !wsnmp_octets_copy(&r->engine_id, engine_id->ptr, engine_id->len) ||
            (r->user = wsnmp_string_dup(sec->user)) == NULL) {
            if (r)
                wsnmp_octets_free(&r->engine_id);
            free(r);
            /* registered, but untracked keys could outlive their users */
            remove_users(engine_id->ptr, engine_id->len, sec->user);
            *why = "out of memory";
            return SNMPAPI_ALLOC_ERROR;
        }
        r->next = registered_users;
        registered_users = r;
        if (++registered_count > REGISTERED_MAX) { /* the least recently used goes */
            registered_t **last = &registered_users;
            while ((*last)->next)
                last = &(*last)->next;
            registered_drop(*last);
            *last = NULL;
            registered_count--;
        }
    }
    r->fingerprint = fp;
    r->auth_hash = sec->auth_hash;
    r->priv_hash = sec->priv_hash;
    return WSNMP_OK;
}

void wsnmp_usm_forget(uint64_t passphrase_hash)
{
    for (size_t i = 0; i < KU_CACHE_SIZE; i++)
        if (ku_cache[i] && ku_cache[i]->hash == passphrase_hash)
            ku_drop(i);
    registered_t **link = &registered_users, *r;
    while ((r = *link) != NULL) {
        if (r->auth_hash == passphrase_hash || r->priv_hash == passphrase_hash) {
            *link = r->next;
            registered_drop(r);
            registered_count--;
        } else {
            link = &r->next;
        }
    }
}

void wsnmp_usm_cache_counts(size_t *passphrase_keys, size_t *localised_users)
{
    *passphrase_keys = ku_count;
    *localised_users = registered_count;
}

void wsnmp_usm_release(void)
{
    for (registered_t *r = registered_users, *next; r; r = next) {
        next = r->next;
        registered_drop(r); /* (net-snmp must not free our keys at its shutdown) */
    }
    registered_users = NULL;
    registered_count = 0;
    /* Any other user with keys of ours (a listener's, the agent role's):
     * net-snmp's shutdown would free() them, which secure memory is not
     * (found by fuzz/fuzz_decode_msg under ASan). */
    for (struct usmUser *u = usm_get_userList(), *next; u; u = next) {
        next = u->next;
        if ((u->authKey && wsnmp_secure_owns(u->authKey)) ||
            (u->privKey && wsnmp_secure_owns(u->privKey))) {
            usm_remove_user(u);
            free_user(u);
        }
    }
    ku_cache_clear();
}

size_t wsnmp_usm_local_engine_id(unsigned char *buf, size_t size)
{
    return snmpv3_get_engineID(buf, size);
}

wsnmp_result wsnmp_usm_set_local_engine(const unsigned char *id, size_t len, smiUINT32 boots,
                                        const char **why)
{
    if (set_exact_engineID(id, len) != SNMPERR_SUCCESS) {
        *why = "net-snmp refused the engine id";
        return SNMPAPI_OTHER_ERROR;
    }
    /* net-snmp sets boots only from its configuration line "engineBoots N",
     * which holds the count of the run before (it adds one). */
    char text[16];
    snprintf(text, sizeof text, "%u", (unsigned)(boots - 1));
    engineBoots_conf("engineBoots", text);
    /* net-snmp's USM knows an engine only from its time table: enter ours,
     * or every message addressed to it would be refused as unknown. */
    if (set_enginetime(id, (u_int)len, (u_int)boots, (u_int)snmpv3_local_snmpEngineTime(), TRUE) !=
        SNMPERR_SUCCESS) {
        *why = "net-snmp refused the engine's time";
        return SNMPAPI_OTHER_ERROR;
    }
    return WSNMP_OK;
}

void wsnmp_usm_local_engine_clock(smiUINT32 *boots, smiUINT32 *time)
{
    *boots = (smiUINT32)snmpv3_local_snmpEngineBoots();
    *time = (smiUINT32)snmpv3_local_snmpEngineTime();
}

void wsnmp_usm_counters(smiUINT32 counters[6])
{
    static const int which[6] = {
        STAT_USMSTATSUNSUPPORTEDSECLEVELS, STAT_USMSTATSNOTINTIMEWINDOWS,
        STAT_USMSTATSUNKNOWNUSERNAMES,     STAT_USMSTATSUNKNOWNENGINEIDS,
        STAT_USMSTATSWRONGDIGESTS,         STAT_USMSTATSDECRYPTIONERRORS,
    };
    for (int i = 0; i < 6; i++)
        counters[i] = (smiUINT32)snmp_get_statistic(which[i]);
}
