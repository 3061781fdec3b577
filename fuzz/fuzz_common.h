/*
 * fuzz_common.h — shared set-up of the libFuzzer targets in fuzz/.
 *
 * Each target is built from the core's sources (fuzz_lua_values and
 * fuzz_parsers also from the Lua binding's), so it may use the internal
 * headers as the C tests in tests/internal do.
 *
 *  - fuzz_register_v3_users(): the USM users of the seed corpus (see
 *    fuzz/make_corpus.lua, which fixes the engine ids and credentials), so
 *    the captured SNMPv3 messages authenticate and decrypt, and the
 *    agents' engines are "known" (net-snmp refuses reportable v3 messages
 *    from an engine it has never seen).
 *  - fuzz_check_clean(): aborts (so libFuzzer reports the input) when a
 *    handle or descriptor outlives its iteration.
 *  - getaddrinfo is wrapped (-Wl,--wrap=getaddrinfo, see build.sh): no
 *    target may ever reach the resolver; if the core tries, the target
 *    aborts instead of sending a DNS query.
 */
#ifndef WSNMP_FUZZ_COMMON_H
#define WSNMP_FUZZ_COMMON_H

#include "engine.h" /* the core up to the engine: fuzz/build.sh puts every layer on the path */

#include <netdb.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#define FUZZ_FAIL(...)                                                                             \
    do {                                                                                           \
        fprintf(stderr, "FUZZ CHECK FAILED (%s:%d): ", __FILE__, __LINE__);                        \
        fprintf(stderr, __VA_ARGS__);                                                              \
        fprintf(stderr, "\n");                                                                     \
        abort();                                                                                   \
    } while (0)

#define FUZZ_CHECK(cond, ...)                                                                      \
    do {                                                                                           \
        if (!(cond))                                                                               \
            FUZZ_FAIL(__VA_ARGS__);                                                                \
    } while (0)

int __wrap_getaddrinfo(const char *node, const char *service, const struct addrinfo *hints,
                       struct addrinfo **res);
int __wrap_getaddrinfo(const char *node, const char *service, const struct addrinfo *hints,
                       struct addrinfo **res)
{
    (void)service;
    (void)hints;
    (void)res;
    FUZZ_FAIL("getaddrinfo(\"%s\") reached from a fuzz target: a DNS lookup", node ? node : "");
}

/* The v3 users of the seed corpus (keep in step with fuzz/make_corpus.lua). */
typedef struct {
    const char *engine; /* text of "engineID TEXT": the id is 80 00 1f 88 04 TEXT */
    const char *user;
    int level, auth, priv;
    const char *auth_pass, *priv_pass;
} fuzz_v3_user;

static const fuzz_v3_user fuzz_v3_users[] = {
    {"winsnmp-fuzz-agent", "winsnmpUser", WSNMP_LEVEL_AUTH_PRIV, WSNMP_AUTH_SHA, WSNMP_PRIV_AES,
     "winsnmp-auth-pass", "winsnmp-priv-pass"},
    {"winsnmp-fuzz-agent", "fuzzAuthUser", WSNMP_LEVEL_AUTH_NOPRIV, WSNMP_AUTH_SHA, WSNMP_PRIV_NONE,
     "fuzz-auth-pass", NULL},
    {"winsnmp-fuzz-agent", "fuzzDesUser", WSNMP_LEVEL_AUTH_PRIV, WSNMP_AUTH_MD5, WSNMP_PRIV_DES,
     "fuzz-md5-pass", "fuzz-des-pass"},
    {"winsnmp-fuzz-agent", "fuzzSha2User", WSNMP_LEVEL_AUTH_PRIV, WSNMP_AUTH_SHA256,
     WSNMP_PRIV_AES256, "fuzz-sha256-pass", "fuzz-aes256-pass"},
    {"winsnmp-fuzz-trapd", "fuzzInformUser", WSNMP_LEVEL_AUTH_PRIV, WSNMP_AUTH_SHA, WSNMP_PRIV_AES,
     "fuzz-inform-auth", "fuzz-inform-priv"},
    {"winsnmp-fuzz-sender", "fuzzTrapUser", WSNMP_LEVEL_AUTH_PRIV, WSNMP_AUTH_SHA, WSNMP_PRIV_AES,
     "fuzz-trap-auth", "fuzz-trap-priv"},
};

/* net-snmp's engine time table (lcd_time.h), declared here so that the
 * targets need no net-snmp headers. */
int set_enginetime(const unsigned char *engineID, unsigned engineID_len, unsigned engineboot,
                   unsigned engine_time, unsigned authenticated);

static inline void fuzz_register_v3_users(void)
{
    for (size_t i = 0; i < sizeof fuzz_v3_users / sizeof fuzz_v3_users[0]; i++) {
        const fuzz_v3_user *u = &fuzz_v3_users[i];
        unsigned char id[64] = {0x80, 0x00, 0x1f, 0x88, 0x04};
        size_t n = strlen(u->engine);
        memcpy(id + 5, u->engine, n);
        smiOCTETS engine = {(smiUINT32)(5 + n), id};
        wsnmp_credentials sec;
        memset(&sec, 0, sizeof sec);
        sec.version = WSNMP_VERSION_3;
        sec.user = (char *)u->user;
        sec.level = u->level;
        sec.auth = u->auth;
        sec.priv = u->priv;
        sec.auth_pass = (char *)u->auth_pass;
        sec.priv_pass = (char *)u->priv_pass;
        const char *why = "";
        if (wsnmp_usm_register(&sec, &engine, &why) != 0)
            fprintf(stderr, "fuzz: cannot register v3 user %s: %s\n", u->user, why);
        set_enginetime(id, (unsigned)engine.len, 0, 0, 1);
    }
}

/* The process totals (WsnmpGetStats) a target starts each input with. */
static inline WsnmpStats fuzz_stats(void)
{
    WsnmpStats st;
    if (WsnmpGetStats(0, &st) != SNMPAPI_SUCCESS)
        FUZZ_FAIL("WsnmpGetStats failed");
    return st;
}

/* Every live count is back where it was (normally: the one session the
 * target keeps, and nothing else). */
static inline void fuzz_check_clean(const WsnmpStats *base)
{
    WsnmpStats st = fuzz_stats();
    FUZZ_CHECK(st.sessions == base->sessions && st.entities == base->entities &&
                   st.contexts == base->contexts && st.pdus == base->pdus &&
                   st.vbls == base->vbls && st.pending == base->pending &&
                   st.registrations == base->registrations && st.descriptors == base->descriptors,
               "leaked handles: sessions %u entities %u contexts %u pdus %u vbls %u pending %u "
               "registrations %u descriptors %u (at the start: %u %u %u %u %u %u %u %u)",
               st.sessions, st.entities, st.contexts, st.pdus, st.vbls, st.pending,
               st.registrations, st.descriptors, base->sessions, base->entities, base->contexts,
               base->pdus, base->vbls, base->pending, base->registrations, base->descriptors);
}

#endif
