/*
 * credentials.c — the one credentials type: a community, or a USM user
 * with level, protocols, passphrases and context name.  Every copy and
 * every wipe of credentials in the core goes through here, so a secret is
 * never duplicated or freed without being overwritten.  Passphrases and
 * communities are kept in secure memory (base/secure.c), and each
 * passphrase's users are counted, so that the USM forgets the keys derived
 * from it when its last user goes (the release hook).
 */
#include "model.h"

#include <string.h>

wsnmp_result wsnmp_credentials_check_usm(const WsnmpUsm *u, const char **why)
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
    return WSNMP_OK;
}

/* ---- who uses each passphrase ------------------------------------------------- */

/* (hash, count) pairs in secure memory: a hash of a passphrase is derived
 * from it, and stays out of core dumps too. */
typedef struct {
    uint64_t hash;
    size_t count;
} live_pass;
static live_pass *live;
static size_t live_len, live_cap;
static wsnmp_credentials_release_fn release_hook;

void wsnmp_credentials_set_release_hook(wsnmp_credentials_release_fn hook)
{
    release_hook = hook;
}

size_t wsnmp_credentials_live_passphrases(void)
{
    return live_len;
}

static bool acquire(uint64_t hash)
{
    for (size_t i = 0; i < live_len; i++)
        if (live[i].hash == hash) {
            live[i].count++;
            return true;
        }
    if (live_len == live_cap) {
        size_t cap = live_cap ? live_cap * 2 : 16;
        live_pass *grown = wsnmp_secure_alloc(cap * sizeof *grown);
        if (grown == NULL)
            return false;
        if (live_len)
            memcpy(grown, live, live_len * sizeof *live);
        wsnmp_secure_free(live);
        live = grown;
        live_cap = cap;
    }
    live[live_len].hash = hash;
    live[live_len].count = 1;
    live_len++;
    return true;
}

static void release(uint64_t hash)
{
    for (size_t i = 0; i < live_len; i++)
        if (live[i].hash == hash) {
            if (--live[i].count > 0)
                return;
            live[i] = live[--live_len];
            if (live_len == 0) {
                wsnmp_secure_free(live);
                live = NULL;
                live_cap = 0;
            }
            if (release_hook)
                release_hook(hash);
            return;
        }
}

/* A secure copy of a passphrase, counted as one more user of it; false
 * when out of memory. */
static bool take_pass(char **dst, uint64_t *hash, const char *pass)
{
    if (pass == NULL)
        return true;
    uint64_t h = wsnmp_secure_hash(pass);
    if ((*dst = wsnmp_secure_string_dup(pass)) == NULL)
        return false;
    if (!acquire(h)) {
        wsnmp_secure_free(*dst);
        *dst = NULL;
        return false;
    }
    *hash = h;
    return true;
}

static void drop_pass(char **pass, uint64_t *hash)
{
    wsnmp_string_free_secret(*pass);
    *pass = NULL;
    if (*hash)
        release(*hash);
    *hash = 0;
}

/* ---- wipes and copies ------------------------------------------------------------- */

static void wipe_string(char *s)
{
    if (s)
        explicit_bzero(s, strlen(s));
}

static void wipe_octets(smiOCTETS *o)
{
    if (o->ptr)
        explicit_bzero(o->ptr, o->len);
}

void wsnmp_credentials_wipe(wsnmp_credentials *c)
{
    wipe_octets(&c->community);
    wipe_string(c->user);
    wipe_string(c->auth_pass);
    wipe_string(c->priv_pass);
    wipe_octets(&c->context);
}

void wsnmp_credentials_clear_usm(wsnmp_credentials *c)
{
    wsnmp_string_free_secret(c->user);
    c->user = NULL;
    drop_pass(&c->auth_pass, &c->auth_hash);
    drop_pass(&c->priv_pass, &c->priv_hash);
    wsnmp_octets_free_secret(&c->context);
    c->level = c->auth = c->priv = 0;
}

void wsnmp_credentials_clear(wsnmp_credentials *c)
{
    /* Every request and reply clears one: a v1/v2c one, with only its
     * community, takes the short way.  Each free below wipes first. */
    if (c->user || c->auth_pass || c->priv_pass || c->context.ptr || c->auth_hash || c->priv_hash)
        wsnmp_credentials_clear_usm(c);
    wsnmp_octets_free_secret(&c->community);
    memset(c, 0, sizeof *c);
}

/* Copies the USM part (user, level, protocols, passphrases, context). */
static bool copy_usm(wsnmp_credentials *dst, const char *user, int level, int auth, int priv,
                     const char *auth_pass, const char *priv_pass, const smiOCTETS *context)
{
    wsnmp_credentials_clear_usm(dst);
    dst->level = level;
    dst->auth = auth;
    dst->priv = priv;
    bool ok = (dst->user = wsnmp_string_dup(user)) != NULL &&
              take_pass(&dst->auth_pass, &dst->auth_hash, auth_pass) &&
              take_pass(&dst->priv_pass, &dst->priv_hash, priv_pass) &&
              wsnmp_octets_copy(&dst->context, context->ptr, context->len);
    if (!ok)
        wsnmp_credentials_clear_usm(dst);
    return ok;
}

bool wsnmp_credentials_set_usm(wsnmp_credentials *c, const WsnmpUsm *u)
{
    /* Only what the level uses is kept: no passphrase lingers unused. */
    int auth = u->level >= WSNMP_LEVEL_AUTH_NOPRIV ? u->auth : WSNMP_AUTH_NONE;
    int priv = u->level == WSNMP_LEVEL_AUTH_PRIV ? u->priv : WSNMP_PRIV_NONE;
    return copy_usm(c, u->user, u->level, auth, priv, auth ? u->auth_pass : NULL,
                    priv ? u->priv_pass : NULL, &u->context);
}

bool wsnmp_credentials_set_usm_receiver(wsnmp_credentials *c, const WsnmpUsm *u)
{
    /* A receiver takes its user at the level given or above (API.md), and
     * a message above it needs the keys for that level: every passphrase
     * given is kept (privacy only with authentication, as RFC 3414 has it). */
    int auth = u->auth_pass ? u->auth : WSNMP_AUTH_NONE;
    int priv = auth != WSNMP_AUTH_NONE && u->priv_pass ? u->priv : WSNMP_PRIV_NONE;
    return copy_usm(c, u->user, u->level, auth, priv, auth ? u->auth_pass : NULL,
                    priv ? u->priv_pass : NULL, &u->context);
}

bool wsnmp_credentials_set_community(wsnmp_credentials *c, const smiBYTE *bytes, smiUINT32 len)
{
    smiOCTETS fresh;
    if (!wsnmp_secure_octets_copy(&fresh, bytes, len))
        return false;
    wsnmp_octets_free_secret(&c->community);
    c->community = fresh;
    return true;
}

bool wsnmp_credentials_copy(wsnmp_credentials *dst, const wsnmp_credentials *src)
{
    memset(dst, 0, sizeof *dst);
    dst->version = src->version;
    bool ok = wsnmp_secure_octets_copy(&dst->community, src->community.ptr, src->community.len);
    if (ok && src->user)
        ok = copy_usm(dst, src->user, src->level, src->auth, src->priv, src->auth_pass,
                      src->priv_pass, &src->context);
    else if (ok)
        ok = wsnmp_octets_copy(&dst->context, src->context.ptr, src->context.len);
    if (!ok)
        wsnmp_credentials_clear(dst);
    return ok;
}

bool wsnmp_credentials_for_send(wsnmp_credentials *dst, const wsnmp_credentials *src,
                                const smiOCTETS *context)
{
    memset(dst, 0, sizeof *dst);
    dst->version = src->version;
    bool ok;
    if (src->version == WSNMP_VERSION_3)
        ok = src->user != NULL &&
             copy_usm(dst, src->user, src->level, src->auth, src->priv, src->auth_pass,
                      src->priv_pass, context ? context : &src->context);
    else {
        const smiOCTETS *c = context ? context : &src->community;
        ok = wsnmp_secure_octets_copy(&dst->community, c->ptr, c->len);
    }
    if (!ok)
        wsnmp_credentials_clear(dst);
    return ok;
}
