/*
 * objects.h — the objects layer: WinSNMP's handles and what they name.
 * The one process-wide handle table; sessions (with their last-error
 * slot); entities, contexts, PDUs and variable-binding lists.
 * Includes only the layers below (model.h, wire.h).
 *
 * Sessions hold an I/O state owned by the engine layer above, which this
 * layer sees only as an opaque pointer, and reaches through the hooks the
 * engine installs (wsnmp_session_set_engine_hooks).
 */
#ifndef WSNMP_OBJECTS_H
#define WSNMP_OBJECTS_H

#include "wire.h"

#include <sys/socket.h>

/* ---- handle table (handle.c) ----------------------------------------------- */
/* Allocates a handle of `kind` for `obj`, owned by the session in
 * owner_slot (WSNMP_NO_SLOT for sessions themselves).  Enforces limits.
 * Returns 0 and sets the error on failure (the caller still owns obj). */
void *wsnmp_handle_new(int kind, uint32_t owner_slot, void *obj, const char *fn);
/* The object behind a live handle of `kind`, or NULL.  Never sets errors. */
void *wsnmp_handle_get(const void *handle, int kind, uint32_t *slot_out);
/* Looks up a handle and reports `invalid_code` when it is not live.  On
 * success *session_slot is set to the object's owner (or the session's own
 * slot for sessions) for error reporting. */
void *wsnmp_handle_lookup(const void *handle, int kind, uint32_t *slot, uint32_t *session_slot,
                          const char *fn);
/* Destroys the object in a slot and releases the slot; the handle and every
 * copy of it become invalid, whatever references it held. */
void wsnmp_handle_destroy(uint32_t slot);
/* Entity and context handles are reference-counted (a new handle holds
 * one): acquire adds one; unref takes one and destroys the object when
 * none is left.  SnmpClose and SnmpCleanup destroy regardless. */
void wsnmp_handle_acquire(uint32_t slot);
void wsnmp_handle_unref(uint32_t slot);
/* Destroys every handle owned by a session (not the session itself). */
void wsnmp_handle_destroy_owned(uint32_t session_slot);
uint32_t wsnmp_handle_owner_slot(uint32_t slot); /* owner slot of a live slot */
void *wsnmp_handle_of_slot(uint32_t slot);
/* The object in a slot if it holds one of `kind`, else NULL: what
 * wsnmp_handle_get(wsnmp_handle_of_slot(slot), kind, NULL) gives, for the
 * loops that hold slots. */
void *wsnmp_handle_object_at(uint32_t slot, int kind);
/* Destroys every live handle, sessions last. */
void wsnmp_handle_destroy_all(void);
void wsnmp_handle_release(void); /* frees the table itself (process exit) */
/* Live counts per kind: process totals. */
extern smiUINT32 wsnmp_handle_live[WSNMP_KIND_COUNT];

/* ---- shared entity and context handles (shared.c) ----------------------------- */
/* The index of handles made from a string, by (owner session, kind,
 * translate mode, string).  find returns the slot, or WSNMP_NO_SLOT; add
 * returns the node the object keeps (to remove itself when destroyed), or
 * NULL when out of memory (the object is then simply not shared). */
typedef struct wsnmp_shared_node wsnmp_shared_node;
uint32_t wsnmp_shared_find(uint32_t owner, int kind, smiUINT32 mode, const void *key, size_t len);
wsnmp_shared_node *wsnmp_shared_add(uint32_t owner, int kind, smiUINT32 mode, const void *key,
                                    size_t len, uint32_t slot);
void wsnmp_shared_remove(wsnmp_shared_node *node); /* NULL: nothing */
/* The translate mode as a key: in SNMPAPI_TRANSLATED mode, with the
 * generation of the friendly-name table (a redefined name is a new entity). */
smiUINT32 wsnmp_shared_mode(void);
void wsnmp_shared_release(void); /* frees the index (process exit) */

/* ---- sessions (session.c) ---------------------------------------------------- */
struct wsnmp_io; /* the engine's per-session I/O state */
typedef struct wsnmp_session {
    struct wsnmp_io *io; /* sockets, requests and queue; NULL until first used */
    SNMPAPI_CALLBACK callback;
    void *client_data;
    uint32_t owned_head;              /* first slot of the owned-handle list */
    smiUINT32 live[WSNMP_KIND_COUNT]; /* owned live handles per kind */
    smiUINT32 registrations;
    wsnmp_error_slot error;
} wsnmp_session;

wsnmp_session *wsnmp_session_at(uint32_t slot); /* live session in slot or NULL */
void wsnmp_session_destroy(void *obj);
smiUINT32 wsnmp_session_owned_total(const wsnmp_session *s);
/* The error slot of the live session in `slot`, or NULL (installed in the
 * base layer by the api layer: wsnmp_error_set_session_lookup). */
wsnmp_error_slot *wsnmp_session_error_slot(uint32_t slot);

/* What objects need of the engine layer above; installed by the api layer
 * at startup.  Every hook is optional until then. */
typedef struct {
    /* Frees a session's I/O state: sockets, requests in flight, queue. */
    void (*io_destroy)(struct wsnmp_io *io);
    /* Whether a request with this id is in flight in the session. */
    bool (*request_id_in_use)(struct wsnmp_io *io, smiINT32 request_id);
    /* Stops the agent role of a listening entity that is freed. */
    void (*listener_stop)(uint32_t listener_id, uint32_t owner_slot);
} wsnmp_session_engine_hooks;
void wsnmp_session_set_engine_hooks(const wsnmp_session_engine_hooks *hooks);
extern wsnmp_session_engine_hooks wsnmp_session_engine;

/* ---- entities (entity.c) ------------------------------------------------------- */
typedef struct {
    wsnmp_address address;
    char friendly[WSNMP_MAX_NAME]; /* friendly name it was created from, or "" */
    wsnmp_credentials cred;        /* version, community (len 0: "public"), USM user */
    smiUINT32 timeout_ms;          /* 0: library default */
    smiUINT32 retries;             /* WSNMP_DEFAULT: library default */
    /* The resolved socket address, cached after the first send. */
    bool resolved;
    struct sockaddr_storage peer_addr;
    socklen_t peer_len;
    /* Agent role: the listener this entity opened (SnmpListen), or, for a
     * requester's entity from SnmpRecvMsg, the listener to answer through. */
    uint32_t listening, reply_via;
    uint32_t listen_owner; /* session slot counting the listening entity */
    /* A v3 requester's entity: the msgID and contextEngineID its response
     * repeats (RFC 3412 7.1). */
    bool has_reply_msg_id;
    int32_t reply_msg_id;
    smiOCTETS reply_context_engine;
    /* Pacing and figures (WsnmpSetEntityBackoff, WsnmpSetEntityAnySource,
     * WsnmpGetEntityStats): the engine counts into `stats` through the
     * entity's handle, so a freed entity just stops counting. */
    double backoff; /* 0: 1 */
    bool any_source;
    struct {
        uint64_t requests, responses, timeouts, retries, too_big, rtt_count;
        uint64_t rtt_sum_ms, rtt_max_ms;
        smiUINT32 in_flight;
    } stats;
    wsnmp_shared_node *shared; /* its entry in the shared index, or NULL (private) */
} wsnmp_entity;

void wsnmp_entity_destroy(void *obj);

/* ---- contexts (context.c) -------------------------------------------------------- */
typedef struct {
    smiOCTETS value;               /* owned bytes: community or context name */
    char friendly[WSNMP_MAX_NAME]; /* friendly name it was created from, or "" */
    wsnmp_shared_node *shared;     /* its entry in the shared index, or NULL (private) */
} wsnmp_context;

void wsnmp_context_destroy(void *obj);

/* ---- PDUs and variable-binding lists (pdu.c, vbl.c) ------------------------------ */
void wsnmp_pdu_destroy(void *obj);
void wsnmp_vbl_destroy(void *obj);

#endif
