/*
 * internal.h — shared declarations of the C core.  No Lua, no net-snmp.
 */
#ifndef WSNMP_INTERNAL_H
#define WSNMP_INTERNAL_H

#include "../winsnmp.h"

#include <stdarg.h>
#include <stdbool.h>
#include <sys/socket.h>

#define WSNMP_NO_SLOT UINT32_MAX
#define WSNMP_KIND_COUNT 6 /* kinds 1..5, index 0 unused */

/* ---- library state (library.c) ----------------------------------------- */
typedef struct {
    int started;            /* SnmpStartup seen and no SnmpCleanup since */
    unsigned startup_count; /* outstanding SnmpStartupEx/SnmpStartup calls */
    smiUINT32 translate_mode;
    smiUINT32 retransmit_mode;
    WsnmpLimits limits;
} wsnmp_library;

extern wsnmp_library wsnmp_lib;

/* Fails with NOT_INITIALIZED when the library is not started. */
bool wsnmp_require_started(const char *fn);

/* ---- errors (errors.c) --------------------------------------------------- */
/* Records a failure in the process-wide slot and, when session_slot names a
 * live session, in that session's slot.  Returns SNMPAPI_FAILURE so callers
 * can `return wsnmp_fail(...)`.  The message must never contain secrets. */
SNMPAPI_STATUS wsnmp_fail(uint32_t session_slot, SNMPAPI_STATUS code, const char *fmt, ...)
    __attribute__((format(printf, 3, 4)));
void wsnmp_errors_reset_global(void);

typedef struct {
    SNMPAPI_STATUS code;
    char message[256];
} wsnmp_error_slot;

/* ---- handle table (handles.c) ------------------------------------------ */
typedef struct wsnmp_session wsnmp_session;

/* Allocates a handle of `kind` for `obj`, owned by the session in
 * owner_slot (WSNMP_NO_SLOT for sessions themselves).  Enforces limits.
 * Returns 0 and sets the error on failure (the caller still owns obj). */
uint64_t wsnmp_handle_new(int kind, uint32_t owner_slot, void *obj, const char *fn);
/* The object behind a live handle of `kind`, or NULL.  Never sets errors. */
void *wsnmp_handle_get(uint64_t handle, int kind, uint32_t *slot_out);
/* Destroys the object in a slot and releases the slot; the handle and every
 * copy of it become invalid. */
void wsnmp_handle_destroy(uint32_t slot);
/* Destroys every handle owned by a session (not the session itself). */
void wsnmp_handle_destroy_owned(uint32_t session_slot);
/* Owner slot of a live slot. */
uint32_t wsnmp_handle_owner_slot(uint32_t slot);
uint64_t wsnmp_handle_of_slot(uint32_t slot);
/* Destroys every live handle, sessions last. */
void wsnmp_handle_destroy_all(void);
void wsnmp_handles_release(void); /* frees the table itself (process exit) */
/* Live counts per kind: process totals. */
extern smiUINT32 wsnmp_live[WSNMP_KIND_COUNT];

/* Looks up a handle and reports `invalid_code` when it is not live.  On
 * success *session_slot is set to the object's owner (or the session's own
 * slot for sessions) for error reporting. */
void *wsnmp_lookup(uint64_t handle, int kind, uint32_t *slot, uint32_t *session_slot,
                   const char *fn);

/* ---- sessions (session.c) ------------------------------------------------ */
struct wsnmp_io;
struct wsnmp_session {
    struct wsnmp_io *io; /* sockets, requests and queue; NULL until first used */
    SNMPAPI_CALLBACK callback;
    void *client_data;
    uint32_t owned_head;              /* first slot of the owned-handle list */
    smiUINT32 live[WSNMP_KIND_COUNT]; /* owned live handles per kind */
    smiUINT32 registrations;
    wsnmp_error_slot error;
};
/* Process totals of what sessions hold beyond handles. */
extern smiUINT32 wsnmp_pending_total, wsnmp_registrations_total;
wsnmp_session *wsnmp_session_at(uint32_t slot); /* live session in slot or NULL */
void wsnmp_session_destroy(void *obj);
smiUINT32 wsnmp_session_owned_total(const wsnmp_session *s);

/* ---- objects ------------------------------------------------------------- */
typedef struct {
    int transport; /* WSNMP_TRANSPORT_* */
    char host[WSNMP_MAX_ADDRESS];
    unsigned port;
} wsnmp_address;

enum { WSNMP_TRANSPORT_UDP = 1, WSNMP_TRANSPORT_UDP6, WSNMP_TRANSPORT_TCP, WSNMP_TRANSPORT_TCP6 };

typedef struct {
    wsnmp_address address;
    char friendly[WSNMP_MAX_NAME]; /* friendly name it was created from, or "" */
    int version;
    smiOCTETS community;  /* owned; len 0 means "public" */
    smiUINT32 timeout_ms; /* 0: library default */
    smiUINT32 retries;    /* WSNMP_DEFAULT: library default */
    bool has_usm;
    char *usm_user, *usm_auth_pass, *usm_priv_pass;
    int usm_level, usm_auth, usm_priv;
    smiOCTETS usm_context;
    /* The resolved socket address, cached after the first send. */
    bool resolved;
    struct sockaddr_storage peer_addr;
    socklen_t peer_len;
    /* Agent role: the listener this entity opened (SnmpListen), or, for a
     * requester's entity from SnmpRecvMsg, the listener to answer through. */
    uint32_t listening, reply_via;
    uint32_t listen_owner; /* session slot counting the listening entity */
} wsnmp_entity;

typedef struct {
    smiOCTETS value;               /* owned bytes: community or context name */
    char friendly[WSNMP_MAX_NAME]; /* friendly name it was created from, or "" */
} wsnmp_context;

typedef struct {
    smiOID name;
    smiVALUE value;
} wsnmp_varbind;

typedef struct {
    wsnmp_varbind *items;
    smiUINT32 count, capacity;
} wsnmp_vbl;

typedef struct {
    smiINT type;
    smiINT32 request_id;
    smiINT error_status; /* non_repeaters for GETBULK */
    smiINT error_index;  /* max_repetitions for GETBULK */
    wsnmp_vbl vbl;
    /* The SNMPv1 Trap-PDU fields, used only while encoding or decoding one
     * (applications see traps in v2 form, RFC 3584). */
    smiOID enterprise; /* owned */
    smiBYTE agent_addr[4];
    smiINT generic_trap, specific_trap;
    smiUINT32 time_stamp;
} wsnmp_pdu;

/* Deep copy of a PDU's contents; false when out of memory. */
bool wsnmp_pdu_copy(wsnmp_pdu *dst, const wsnmp_pdu *src);
void wsnmp_pdu_clear(wsnmp_pdu *p);

/* Checks v3 credentials; returns 0 or the error code, with a reason that
 * never quotes a passphrase. */
SNMPAPI_STATUS wsnmp_usm_check(const WsnmpUsm *u, const char **why);
void wsnmp_entity_destroy(void *obj);
void wsnmp_context_destroy(void *obj);
void wsnmp_pdu_destroy(void *obj);
void wsnmp_vbl_destroy(void *obj);

/* ---- addresses (address.c) ---------------------------------------------- */
/* Parses an entity address; returns false with a reason on bad syntax. */
bool wsnmp_address_parse(const char *text, wsnmp_address *out, const char **why);
/* Canonical "transport:host:port" form; returns the length (excluding NUL)
 * that the full form needs, like snprintf. */
int wsnmp_address_format(const wsnmp_address *a, char *buf, size_t size);

/* ---- VBL contents and values (vbl.c, value.c) ---------------------------- */
void wsnmp_vbl_init(wsnmp_vbl *v);
void wsnmp_vbl_clear(wsnmp_vbl *v);
bool wsnmp_vbl_copy(wsnmp_vbl *dst, const wsnmp_vbl *src); /* false: out of memory */
/* Validates a value; returns 0 or the SNMPAPI error code, with a reason. */
SNMPAPI_STATUS wsnmp_value_check(smiLPCVALUE v, const char **why);
/* Deep copy of a checked value; false: out of memory. */
bool wsnmp_value_copy(smiVALUE *dst, smiLPCVALUE src);
void wsnmp_value_free(smiVALUE *v);
bool wsnmp_syntax_is_octets(smiUINT32 syntax);

/* ---- OIDs (oid.c) --------------------------------------------------------- */
/* Validates an OID argument; returns 0 or the error code. */
SNMPAPI_STATUS wsnmp_oid_check(smiLPCOID oid, const char **why);
bool wsnmp_oid_copy(smiOID *dst, smiLPCOID src); /* plain malloc copy */
void wsnmp_oid_free(smiOID *oid);
int wsnmp_oid_cmp(smiLPCOID a, smiLPCOID b);

/* ---- descriptors (descriptor.c) ------------------------------------------ */
/* Library-owned output buffers, tracked so that SnmpFreeDescriptor can tell
 * a double free or a foreign pointer.  Always returns a unique non-NULL
 * pointer (at least one byte), or NULL when out of memory. */
void *wsnmp_descriptor_alloc(size_t size, bool is_oid);
size_t wsnmp_descriptor_count(void);
void wsnmp_descriptor_free_all(void);

/* Fills an output descriptor with a copy; false when out of memory. */
bool wsnmp_descriptor_octets(smiOCTETS *out, const smiBYTE *bytes, smiUINT32 len);
bool wsnmp_descriptor_oid(smiOID *out, smiLPCOID src);

/* ---- friendly names (friendly.c) ---------------------------------------- */
typedef struct wsnmp_friendly wsnmp_friendly;
/* The agent record named `name`, or NULL. */
const WsnmpAgent *wsnmp_friendly_agent(const char *name);
/* The context record named `name`, or NULL. */
smiLPCOCTETS wsnmp_friendly_context(const smiOCTETS *name);
void wsnmp_friendly_clear_all(void);

/* ---- misc ----------------------------------------------------------------- */
/* An unpredictable, positive, non-zero request id. */
smiINT32 wsnmp_random_request_id(void);
char *wsnmp_strdup(const char *s);
/* Overwrites and frees a secret string. */
void wsnmp_free_secret(char *s);
void wsnmp_octets_free(smiOCTETS *o);
bool wsnmp_octets_copy(smiOCTETS *dst, const smiBYTE *bytes, smiUINT32 len);

#endif
