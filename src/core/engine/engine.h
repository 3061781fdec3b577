/*
 * engine.h — the engine layer: messages in motion.  Requests in flight
 * (pending.c, request.c), each session's I/O state and sockets (io.c, tcp.c,
 * peer.c), the poll loop and session callbacks (poll.c), the receive path
 * (deliver.c), v3 engine discovery as a manager (discovery.c), the receive
 * queue (queue.c), listeners, notifications and the agent role (notify.c),
 * and the public send/receive functions (send.c, recv.c).
 * Includes only the layers below (objects.h and what it includes).
 */
#ifndef WSNMP_ENGINE_H
#define WSNMP_ENGINE_H

#include "objects.h"

#include <sys/socket.h>

/* ---- resolved destinations (peer.c) -------------------------------------------- */
typedef struct {
    struct sockaddr_storage addr;
    socklen_t len;
    int transport; /* WSNMP_TRANSPORT_* */
} wsnmp_peer;

/* Resolves an entity address (numeric, or a name via getaddrinfo). */
bool wsnmp_peer_resolve(const wsnmp_address *a, wsnmp_peer *out, const char **why);
bool wsnmp_peer_equal(const wsnmp_peer *a, const struct sockaddr_storage *b, socklen_t blen);
/* Canonical "udp:1.2.3.4:161" text of a socket address. */
void wsnmp_peer_format(const struct sockaddr_storage *a, int transport, char *buf, size_t size);

/* ---- a request in flight (request.c) ---------------------------------------------- */
enum { WSNMP_REQ_SENT = 1, WSNMP_REQ_WAIT_ENGINE, WSNMP_REQ_PROBE };

typedef struct wsnmp_request {
    uint32_t session_slot;
    smiINT32 id; /* request id; also the v3 msgID */
    int state;
    wsnmp_peer peer;
    wsnmp_credentials sec;
    wsnmp_pdu *pdu; /* copy of what was sent, returned with a failure */
    unsigned char *packet;
    size_t packet_len;
    uint64_t deadline;
    smiUINT32 timeout_ms, attempts_left;
    int fd;           /* a listener's socket for responses, else -1: the session's own */
    int time_resends; /* v3 notInTimeWindow re-encodes */
    /* The entity it was sent to (its figures; a freed entity is skipped),
     * its pacing, and when the request last went out. */
    HSNMP_ENTITY entity;
    /* The source entity and context it was sent with (may be NULL): with
     * `entity`, the handles SnmpRecvMsg returns for its outcome. */
    HSNMP_ENTITY src_entity;
    HSNMP_CONTEXT context;
    bool counted, any_source;
    bool batchable; /* a v1/v2c request: its sends may wait in the outbox */
    double backoff;
    uint64_t sent_ms;
    size_t heap_index;
    struct wsnmp_request *hash_next; /* per-session table */
    struct wsnmp_request *wait_next; /* waiting for engine discovery */
} wsnmp_request;

struct wsnmp_io;
/* A request to peer with its own retransmission policy (credentials and
 * PDU still to be filled in); NULL when out of memory. */
wsnmp_request *wsnmp_request_new(uint32_t session_slot, const wsnmp_peer *peer,
                                 smiUINT32 timeout_ms, smiUINT32 attempts);
void wsnmp_request_free(wsnmp_request *r);
void wsnmp_request_release_spares(void); /* at unload */
/* The community a v1/v2c request went with (borrowed from the request: a
 * v1/v2c request holds it in its packet only). */
smiOCTETS wsnmp_request_community(const wsnmp_request *r);
/* The entity r was sent to, if it still exists (its figures), else NULL. */
wsnmp_entity *wsnmp_request_entity(const wsnmp_request *r);
/* A reply accepted for r: counts it (and its round trip) for the entity. */
void wsnmp_request_note_reply(const wsnmp_request *r, smiINT error_status);
/* Encodes r for `engine` (v3; NULL otherwise) and sends it. */
wsnmp_result wsnmp_request_start(wsnmp_session *s, wsnmp_request *r, const smiOCTETS *engine,
                                 const char **why);
/* Fails a request: queues the failure, records an event, frees r. */
void wsnmp_request_fail(wsnmp_session *s, wsnmp_request *r, SNMPAPI_STATUS code,
                        const char *reason);

/* ---- requests in flight (pending.c) -------------------------------------------- */
/* Process total, for the limit and the stats. */
extern smiUINT32 wsnmp_pending_total;
bool wsnmp_pending_add(struct wsnmp_io *io, wsnmp_request *r);
wsnmp_request *wsnmp_pending_find(struct wsnmp_io *io, smiINT32 id);
void wsnmp_pending_remove(struct wsnmp_io *io, wsnmp_request *r);
/* A fresh random id unused by the session's requests in flight. */
smiINT32 wsnmp_pending_unused_id(struct wsnmp_io *io);
/* Retransmission deadlines: one process-wide min-heap. */
void wsnmp_pending_timer_set(wsnmp_request *r, uint64_t deadline);
void wsnmp_pending_timer_clear(wsnmp_request *r);
wsnmp_request *wsnmp_pending_timer_next(void); /* earliest, or NULL */
void wsnmp_pending_release(void);

/* ---- v3 engines known to a session (discovery.c) --------------------------------- */
typedef struct wsnmp_engine {
    struct wsnmp_engine *next;
    wsnmp_peer peer; /* the agent's transport address */
    smiOCTETS id;
    bool known;
    smiINT32 probe_id;
    wsnmp_request *waiting; /* requests queued until the probe answers */
} wsnmp_engine;

/* The session's record of the engine at peer, or NULL. */
wsnmp_engine *wsnmp_discovery_find(struct wsnmp_io *io, const wsnmp_peer *peer);
/* Sends v3 request r (not yet pending): at once when its agent's engine is
 * known, else behind a discovery probe.  On success r is pending; on
 * failure the caller still owns r. */
wsnmp_result wsnmp_discovery_send(wsnmp_session *s, wsnmp_request *r, const char **why);
/* Before a v3 reply is authenticated: installs the keys of the request it
 * says it answers.  False when it answers no request of ours from its
 * sender (dropped unread); *request is that request when its keys are in. */
bool wsnmp_discovery_prepare_reply(wsnmp_session *s, const unsigned char *data, size_t len,
                                   const struct sockaddr_storage *from, socklen_t fromlen,
                                   wsnmp_request **request);
/* A v3 reply for `request` could not be read: when it came from another
 * engine than the one discovered, discover again and resend. */
void wsnmp_discovery_unreadable(wsnmp_session *s, wsnmp_request *request, const unsigned char *data,
                                size_t len);
/* A Report PDU for r: a probe's answer, a time-window resend, or r fails. */
void wsnmp_discovery_report(wsnmp_session *s, wsnmp_request *r, wsnmp_decoded *d);
/* The probe r (off the pending table) timed out: its waiters fail. */
void wsnmp_discovery_probe_timeout(wsnmp_session *s, wsnmp_request *r);
/* Takes r, waiting for its engine, off that engine's queue (SnmpCancelMsg). */
void wsnmp_discovery_cancel(struct wsnmp_io *io, wsnmp_request *r);
void wsnmp_discovery_free_all(struct wsnmp_io *io);

/* ---- queued messages and failures (queue.c) --------------------------------------- */
typedef struct wsnmp_message {
    struct wsnmp_message *next;
    int kind;             /* WSNMP_MSG_* */
    SNMPAPI_STATUS error; /* 0 for a received message, else a TL_* or other code */
    char reason[160];     /* for failures */
    smiINT32 request_id;
    wsnmp_peer source;       /* who sent it (failures: the request's destination) */
    wsnmp_credentials sec;   /* version and community/context it came with */
    wsnmp_pdu *pdu;          /* the PDU received (failures: the request sent) */
    wsnmp_pdu reply_pdu;     /* a reply's PDU lives here (pdu points to it): one
                                allocation less per reply; see wsnmp_queue_own_pdu */
    uint32_t listener;       /* notifications and requests: the listener it came in on */
    uint32_t *registrations; /* notifications: the matching registrations */
    smiUINT32 registration_count;
    size_t bytes; /* what it holds in memory, counted while it is queued */
    /* v3 requests: what the response repeats (RFC 3412 7.1) */
    int32_t msg_id;
    smiOCTETS context_engine_id;
    int level;        /* WSNMP_LEVEL_* it came with */
    int32_t max_size; /* the requester's msgMaxSize */
    /* Responses and failures: the handles the request was sent with, which
     * SnmpRecvMsg returns again (as Windows does) while they are live. */
    HSNMP_ENTITY req_dst, req_src;
    HSNMP_CONTEXT req_context;
} wsnmp_message;

/* Notifications and requests dropped because a queue was full. */
extern smiUINT32 wsnmp_queue_dropped_total;
void wsnmp_queue_push(struct wsnmp_io *io, wsnmp_message *m);
/* Queues a notification or request if the session has room for it (in
 * count, and in bytes: WsnmpLimits.queue_bytes); else frees it and counts
 * the drop.  True when queued. */
bool wsnmp_queue_push_bounded(struct wsnmp_io *io, wsnmp_message *m);
/* The oldest queued message of a kind in `kinds` (bit 1 << WSNMP_MSG_*),
 * and with request id `id` when by_id.  By id, callers ask for replies
 * only: an incoming notification or request may carry the same id. */
wsnmp_message *wsnmp_queue_take(struct wsnmp_io *io, smiUINT32 kinds, bool by_id, smiINT32 id);
void wsnmp_queue_message_free(wsnmp_message *m);
/* A zeroed message (from the spares the frees above keep); NULL when out
 * of memory.  Any message may be made with calloc instead. */
wsnmp_message *wsnmp_queue_message_new(void);
void wsnmp_queue_release_spares(void); /* at unload */
/* Moves a reply's PDU out of the message onto the heap, for a handle to
 * own (m->pdu then points there); false, with the error recorded for
 * `fn`, when out of memory. */
bool wsnmp_queue_own_pdu(wsnmp_message *m, uint32_t session_slot, const char *fn);

/* ---- listeners and registrations (notify.c) ---------------------------------------- */
typedef struct wsnmp_listener {
    struct wsnmp_listener *next;
    uint32_t id;
    int fd;
    wsnmp_peer local;
    unsigned registrations;    /* registrations using it */
    HSNMP_ENTITY agent_entity; /* the SnmpListen entity, or NULL */
    wsnmp_credentials *users;  /* SNMPv3 users of the agent role (WsnmpListenUser) */
    size_t user_count;
} wsnmp_listener;

typedef struct wsnmp_registration {
    struct wsnmp_registration *next;
    uint32_t id;
    wsnmp_listener *listener;
    bool has_source;
    wsnmp_peer source; /* matched on the address only: traps come from any port */
    bool has_community;
    smiOCTETS community;  /* v1/v2c community, or v3 context name */
    smiOID prefix;        /* notification OID prefix; length 0 matches all */
    wsnmp_credentials v3; /* a USM user whose notifications are accepted */
} wsnmp_registration;

/* Registrations and listening entities, process total. */
extern smiUINT32 wsnmp_notify_registrations_total;
wsnmp_listener *wsnmp_notify_listeners(void); /* the process-wide list */
wsnmp_listener *wsnmp_notify_listener_by_id(uint32_t id);
/* Reads what arrived on a listener's socket. */
void wsnmp_notify_listener_ready(wsnmp_listener *l);
void wsnmp_notify_listener_stop(uint32_t listener_id, uint32_t owner_slot);
void wsnmp_notify_registrations_free(struct wsnmp_io *io);
void wsnmp_notify_release(void);

/* ---- the I/O state of a session (io.c) --------------------------------------------- */
typedef struct wsnmp_tcp wsnmp_tcp;
typedef struct wsnmp_subagent wsnmp_subagent;
typedef struct wsnmp_io {
    int fd4, fd6;
    wsnmp_registration *registrations;
    wsnmp_tcp *tcp; /* connections to TCP agents */
    wsnmp_request **buckets;
    size_t nbuckets, pending;
    wsnmp_message *queue_head, *queue_tail;
    size_t queued, queued_bytes;
    wsnmp_engine *engines;
    size_t io_index;             /* position in the list of sessions with sockets */
    wsnmp_subagent *subagent;    /* the AgentX master it is connected to, or NULL */
    struct wsnmp_outbox *outbox; /* first sends waiting for one sendmmsg (outbox.c) */
} wsnmp_io;

wsnmp_io *wsnmp_io_of(wsnmp_session *s, bool create);
/* Adds a session to the poll set; the slots of all such sessions. */
bool wsnmp_io_join(wsnmp_io *io, uint32_t slot);
uint32_t *wsnmp_io_session_slots(size_t *count);
void wsnmp_io_destroy(wsnmp_io *io);
/* Sends a request's packet now (and arms its timer). */
bool wsnmp_io_transmit(wsnmp_session *s, wsnmp_request *r, const char **why);
void wsnmp_io_release(void);

/* ---- batched first sends (outbox.c) ----------------------------------------------------- */
typedef struct wsnmp_outbox wsnmp_outbox;
/* Batching on or off (off sends what waits). */
void wsnmp_outbox_batch(bool on);
bool wsnmp_outbox_active(void);
/* Queues a pending request's datagram for socket fd; false: send it now. */
bool wsnmp_outbox_add(wsnmp_session *s, wsnmp_request *r, int fd);
void wsnmp_outbox_flush(wsnmp_session *s);
void wsnmp_outbox_flush_all(void);
/* sendmmsg calls made and datagrams they sent, since the process started. */
void wsnmp_outbox_stats(uint64_t *calls, uint64_t *sent);

/* ---- TCP (tcp.c) ---------------------------------------------------------------------- */
struct pollfd;
bool wsnmp_tcp_send(wsnmp_session *s, const wsnmp_peer *peer, const unsigned char *data, size_t len,
                    const char **why);
size_t wsnmp_tcp_pollfds(wsnmp_io *io, struct pollfd *fds, size_t room);
void wsnmp_tcp_ready(wsnmp_session *s, uint32_t slot, int fd, short revents);
void wsnmp_tcp_close_all(wsnmp_io *io);
bool wsnmp_tcp_wants_write(const wsnmp_io *io);

/* ---- AgentX subagent connections (subagent.c) ---------------------------------------- */
/* Live connections, process total (WsnmpStats.agentx). */
extern smiUINT32 wsnmp_subagent_total;
/* The connections' descriptors (with their sessions' slots) for the poll
 * set; *writing is set when one has output queued or is connecting.
 * Returns how many there are (fills at most room). */
size_t wsnmp_subagent_pollfds(struct pollfd *fds, uint32_t *slots, size_t room, bool *writing);
/* The session in `slot`'s connection is ready (poll's revents). */
void wsnmp_subagent_ready(uint32_t slot, short revents);
/* Reconnections, connect timeouts and unanswered requests. */
void wsnmp_subagent_run_timers(uint64_t now);
/* Milliseconds until run_timers has something to do; -1: nothing. */
int64_t wsnmp_subagent_next_deadline(uint64_t now);
void wsnmp_subagent_free(wsnmp_subagent *a);

/* ---- the receive path (deliver.c) ---------------------------------------------------- */
/* Datagrams dropped: late, duplicate, spoofed, unsolicited or malformed. */
extern smiUINT32 wsnmp_deliver_dropped_total;
/* Decodes a received message and hands it to the request it answers. */
void wsnmp_deliver(wsnmp_session *s, uint32_t slot, const unsigned char *data, size_t len,
                   const struct sockaddr_storage *from, socklen_t fromlen);

/* ---- the poll loop (poll.c) ------------------------------------------------------------ */
/* Events (session, wParam, lParam) collected during a poll and given to the
 * session callbacks once the I/O work is done. */
void wsnmp_poll_event(uint32_t session_slot, SNMPAPI_STATUS code, smiINT32 request_id);
void wsnmp_poll_release(void);
/* WsnmpPoll's work.  With wake_fd >= 0 (the service thread) the lock is
 * released while poll() blocks, and wake_fd is watched too. */
SNMPAPI_STATUS wsnmp_poll_run(smiINT32 timeout_ms, smiUINT32 *handled, int wake_fd);

/* ---- the opt-in service thread (service.c) ------------------------------------------ */
/* Stops it (joins it; from one of its callbacks, lets it end after). */
void wsnmp_service_stop(void);
bool wsnmp_service_stopping(void);
/* It runs, and the caller is another thread. */
bool wsnmp_service_other_thread(void);
/* Its wake-up descriptor was readable: drain it. */
void wsnmp_service_woken(void);

/* ---- sending (send.c) ------------------------------------------------------------------ */
/* The session, destination, context (may be absent) and PDU of a send or
 * an encode, each checked with its own *_INVALID error. */
typedef struct {
    wsnmp_session *session;
    uint32_t slot;
    wsnmp_entity *dst;
    HSNMP_ENTITY dst_handle;
    wsnmp_context *ctx;
    HSNMP_CONTEXT ctx_handle;
    const wsnmp_pdu *pdu;
} wsnmp_send_args;
/* What a PDU may be sent as to an agent of `version` (GETBULK becomes
 * GETNEXT for v1); WSNMP_OK, or the error code and a reason. */
wsnmp_result wsnmp_send_check_pdu(const wsnmp_pdu *p, int version, smiINT *type, const char **why);
bool wsnmp_send_lookup_args(HSNMP_SESSION session, HSNMP_ENTITY dst, HSNMP_CONTEXT context,
                            HSNMP_PDU pdu, const char *fn, wsnmp_send_args *a);

/* ---- the local SNMPv3 engine (local_engine.c) -------------------------------------- */
void wsnmp_local_engine_release(void); /* forgets the state file counted in */

/* ---- receiving (recv.c) ----------------------------------------------------------------- */
/* The reply to request_id, taken off the session's queue; NULL with the
 * last error set: SNMPAPI_NOOP while it is in flight, else why it failed
 * (the failure is consumed). */
wsnmp_message *wsnmp_recv_reply(HSNMP_SESSION session, smiINT32 request_id, const char *fn,
                                uint32_t *session_slot);

/* The hooks the objects layer needs from this one (api/startup.c installs
 * them). */
extern const wsnmp_session_engine_hooks wsnmp_io_session_hooks;

#endif
