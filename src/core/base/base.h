/*
 * base.h — the bottom layer of the core: result codes, the two last-error
 * slots, library state, entity address syntax, the clock, random request
 * ids and small byte helpers.  Includes only the public header and libc.
 *
 * Layers, bottom to top (doc/architecture.md): base, model, wire, objects,
 * engine, api.  Each folder's header includes only the layers below it;
 * the build gives each layer only the include directories below it, so an
 * upward include does not compile.
 */
#ifndef WSNMP_BASE_H
#define WSNMP_BASE_H

#include "../../winsnmp.h"

#include <stdarg.h>
#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#define WSNMP_NO_SLOT UINT32_MAX
#define WSNMP_KIND_COUNT 6 /* kinds 1..5, index 0 unused */

/* The one internal result type: WSNMP_OK, or the SNMPAPI_* error code of
 * the failure.  SNMPAPI_STATUS (1 = success) is for the public API only. */
typedef smiUINT32 wsnmp_result;
#define WSNMP_OK 0u

/* ---- library state (library.c) ----------------------------------------- */
typedef struct {
    int started;            /* SnmpStartup seen and no SnmpCleanup since */
    unsigned startup_count; /* outstanding SnmpStartupEx/SnmpStartup calls */
    smiUINT32 translate_mode;
    smiUINT32 retransmit_mode;
    WsnmpLimits limits;
} wsnmp_library_state;

extern wsnmp_library_state wsnmp_library;

/* Fails with NOT_INITIALIZED when the library is not started. */
bool wsnmp_library_require_started(const char *fn);

/* ---- errors (error.c) ---------------------------------------------------- */
typedef struct {
    SNMPAPI_STATUS code;
    char message[256];
} wsnmp_error_slot;

/* Records a failure in the process-wide slot and, when session_slot names a
 * live session, in that session's slot.  Returns SNMPAPI_FAILURE so public
 * functions can `return wsnmp_error_fail(...)`.  The message must never
 * contain secrets. */
SNMPAPI_STATUS wsnmp_error_fail(uint32_t session_slot, SNMPAPI_STATUS code, const char *fmt, ...)
    __attribute__((format(printf, 3, 4)));
void wsnmp_error_reset_global(void);
const wsnmp_error_slot *wsnmp_error_global(void);
/* Sessions live two layers up: the objects layer installs the lookup of a
 * session's error slot (NULL when the slot holds no live session). */
typedef wsnmp_error_slot *(*wsnmp_error_session_slot_fn)(uint32_t session_slot);
void wsnmp_error_set_session_lookup(wsnmp_error_session_slot_fn lookup);

/* ---- addresses (address.c) ---------------------------------------------- */
typedef struct {
    int transport; /* WSNMP_TRANSPORT_* */
    char host[WSNMP_MAX_ADDRESS];
    unsigned port;
} wsnmp_address;

enum { WSNMP_TRANSPORT_UDP = 1, WSNMP_TRANSPORT_UDP6, WSNMP_TRANSPORT_TCP, WSNMP_TRANSPORT_TCP6 };

/* Parses an entity address; returns false with a reason on bad syntax. */
bool wsnmp_address_parse(const char *text, wsnmp_address *out, const char **why);
/* Canonical "transport:host:port" form; returns the length (excluding NUL)
 * that the full form needs, like snprintf. */
int wsnmp_address_format(const wsnmp_address *a, char *buf, size_t size);

/* ---- clock (clock.c) ----------------------------------------------------- */
uint64_t wsnmp_clock_now_ms(void); /* monotonic milliseconds */

/* ---- request ids (random.c) ---------------------------------------------- */
/* An unpredictable, positive, non-zero request id. */
smiINT32 wsnmp_random_request_id(void);

/* ---- strings and octets (string.c, octets.c) ----------------------------- */
char *wsnmp_string_dup(const char *s);
/* Overwrites and frees a secret string. */
void wsnmp_string_free_secret(char *s);
bool wsnmp_octets_copy(smiOCTETS *dst, const smiBYTE *bytes, smiUINT32 len);
void wsnmp_octets_free(smiOCTETS *o);
/* Overwrites and frees octets that may hold a secret (community, context). */
void wsnmp_octets_free_secret(smiOCTETS *o);
/* (The two frees of secrets above take memory from wsnmp_secure_* too.) */

/* ---- memory for secrets (secure.c) ----------------------------------------- */
/* Zeroed blocks on pages excluded from core dumps (MADV_DONTDUMP) and
 * locked in RAM where mlock is permitted (refusals are quiet); a freed
 * block is wiped.  NULL when out of memory. */
void *wsnmp_secure_alloc(size_t n);
/* Wipes and frees a block of wsnmp_secure_alloc (NULL: nothing). */
void wsnmp_secure_free(void *p);
/* Whether p points into memory of wsnmp_secure_alloc. */
bool wsnmp_secure_owns(const void *p);
char *wsnmp_secure_string_dup(const char *s);
bool wsnmp_secure_octets_copy(smiOCTETS *dst, const smiBYTE *bytes, smiUINT32 len);
typedef struct {
    size_t blocks, bytes;  /* blocks in use, and their bytes (headers included) */
    size_t mapped_bytes;   /* pages mapped for secrets */
    size_t dontdump_bytes; /* of those, excluded from core dumps */
    size_t locked_bytes;   /* of those, locked in RAM */
} wsnmp_secure_stats;
void wsnmp_secure_get_stats(wsnmp_secure_stats *out);
/* A hash of a secret string, keyed by a random key of this process kept in
 * secure memory: it identifies a passphrase without revealing it.  Never 0. */
uint64_t wsnmp_secure_hash(const char *s);

#endif
