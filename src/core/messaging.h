/*
 * messaging.h — requests in flight, sockets, the receive queue, timers and
 * the codec interface.  No Lua, no net-snmp types.
 */
#ifndef WSNMP_MESSAGING_H
#define WSNMP_MESSAGING_H

#include "internal.h"

#include <sys/socket.h>

/* ---- clock ---------------------------------------------------------------- */
uint64_t wsnmp_now_ms(void); /* monotonic milliseconds */

/* ---- resolved destination ------------------------------------------------ */
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

/* ---- security parameters of one destination (a copy, not a handle) ------- */
typedef struct {
    int version;
    smiOCTETS community; /* v1/v2c */
    char *user;          /* v3 */
    int level, auth, priv;
    char *auth_pass, *priv_pass;
    smiOCTETS context; /* v3 context name */
} wsnmp_security;

void wsnmp_security_free(wsnmp_security *sec);

/* ---- codec (codec.c: the only net-snmp user on the hot path) ----------- */
typedef struct {
    int version;         /* WSNMP_VERSION_* */
    smiOCTETS community; /* v1/v2c community (owned) */
    wsnmp_pdu pdu;       /* decoded PDU (owned vbl) */
    /* v3 */
    smiOCTETS engine_id;    /* authoritative engine of the sender (owned) */
    smiOCTETS context_name; /* owned */
    smiOCTETS user;         /* v3 security name (owned) */
    int32_t msg_id;
    int report; /* WSNMP_REPORT_* for Report PDUs */
    bool authenticated;
} wsnmp_decoded;

enum {
    WSNMP_REPORT_NONE = 0,
    WSNMP_REPORT_UNKNOWN_ENGINE,
    WSNMP_REPORT_NOT_IN_TIME,
    WSNMP_REPORT_UNKNOWN_USER,
    WSNMP_REPORT_WRONG_DIGEST,
    WSNMP_REPORT_DECRYPTION,
    WSNMP_REPORT_UNSUPPORTED_LEVEL,
    WSNMP_REPORT_OTHER,
};

bool wsnmp_codec_init(const char **why);
/* Encodes pdu for a destination; *out is malloc'd.  For v3, engine_id is the
 * destination's authoritative engine (empty for a discovery probe). */
SNMPAPI_STATUS wsnmp_encode(const wsnmp_security *sec, const wsnmp_pdu *pdu,
                            const smiOCTETS *engine_id, int32_t msg_id, unsigned char **out,
                            size_t *out_len, const char **why);
/* Decodes one message.  0 on success, else an error code and a reason.
 * v3 messages are authenticated and decrypted with the registered users. */
SNMPAPI_STATUS wsnmp_decode(const unsigned char *data, size_t len, wsnmp_decoded *out,
                            const char **why);
void wsnmp_decoded_free(wsnmp_decoded *d);
/* net-snmp's encoder, for everything (the test of ber.c compares them). */
SNMPAPI_STATUS wsnmp_netsnmp_encode(const wsnmp_security *sec, const wsnmp_pdu *pdu,
                                    const smiOCTETS *engine_id, int32_t msg_id, unsigned char **out,
                                    size_t *out_len, const char **why);
/* ber.c: the direct encoder for v1/v2c messages (not v1 Trap-PDUs). */
bool wsnmp_ber_can_encode(const wsnmp_security *sec, const wsnmp_pdu *pdu);
SNMPAPI_STATUS wsnmp_ber_encode(const wsnmp_security *sec, const wsnmp_pdu *pdu,
                                unsigned char **out, size_t *out_len, const char **why);
/* BER primitives shared by the decoder and the v3 header peeks. */
const unsigned char *wsnmp_ber_tlv(const unsigned char *p, const unsigned char *end,
                                   unsigned char *tag, size_t *len);
bool wsnmp_ber_signed(const unsigned char *p, size_t len, int64_t lo, int64_t hi, int64_t *out);
/* The direct decoder for v1/v2c messages: 0, or an error; *mine is false
 * when the message is one it leaves to net-snmp (v3, v1 Trap-PDUs, unusual
 * syntaxes, trailing bytes). */
SNMPAPI_STATUS wsnmp_ber_decode(const unsigned char *data, size_t len, wsnmp_decoded *out,
                                bool *mine, const char **why);
/* net-snmp's decoder, for everything. */
SNMPAPI_STATUS wsnmp_netsnmp_decode(const unsigned char *data, size_t len, wsnmp_decoded *out,
                                    const char **why);
/* Makes the USM user of sec known for engine_id, replacing stale keys. */
SNMPAPI_STATUS wsnmp_usm_register(const wsnmp_security *sec, const smiOCTETS *engine_id,
                                  const char **why);
/* This process's own SNMPv3 engine id (authoritative for the traps it
 * sends); returns its length. */
size_t wsnmp_local_engine_id(unsigned char *buf, size_t size);
/* The msgID of an SNMPv3 message, read without decoding the rest. */
bool wsnmp_v3_msg_id(const unsigned char *data, size_t len, int32_t *msg_id);
/* The authoritative engine (pointing into data) and user name of an SNMPv3
 * message: whose keys authenticate it. */
bool wsnmp_v3_sender(const unsigned char *data, size_t len, smiOCTETS *engine, char *user,
                     size_t user_size);
/* Length of the first BER message in a byte stream (TCP framing): 0 if more
 * bytes are needed, -1 if the stream is not BER. */
long wsnmp_ber_message_length(const unsigned char *data, size_t len);

/* ---- requests in flight (pending.c) -------------------------------------- */
enum { WSNMP_REQ_SENT = 1, WSNMP_REQ_WAIT_ENGINE, WSNMP_REQ_PROBE };

typedef struct wsnmp_request {
    uint32_t session_slot;
    smiINT32 id; /* request id; also the v3 msgID */
    int state;
    wsnmp_peer peer;
    wsnmp_security sec;
    wsnmp_pdu *pdu; /* copy of what was sent, returned with a failure */
    unsigned char *packet;
    size_t packet_len;
    uint64_t deadline;
    smiUINT32 timeout_ms, attempts_left;
    int fd;           /* a listener's socket for responses, else -1: the session's own */
    int time_resends; /* v3 notInTimeWindow re-encodes */
    size_t heap_index;
    struct wsnmp_request *hash_next; /* per-session table */
    struct wsnmp_request *wait_next; /* waiting for engine discovery */
} wsnmp_request;

/* A v3 engine known to a session (by transport address). */
typedef struct wsnmp_engine {
    struct wsnmp_engine *next;
    wsnmp_peer peer;
    smiOCTETS id;
    bool known;
    smiINT32 probe_id;
    wsnmp_request *waiting; /* requests queued until the probe answers */
} wsnmp_engine;

/* ---- queued messages and failures (queue.c) ----------------------------- */
typedef struct wsnmp_message {
    struct wsnmp_message *next;
    int kind;             /* WSNMP_MSG_* */
    SNMPAPI_STATUS error; /* 0 for a received message, else a TL_* or other code */
    char reason[160];     /* for failures */
    smiINT32 request_id;
    wsnmp_peer source;       /* who sent it (failures: the request's destination) */
    wsnmp_security sec;      /* version and community/context it came with */
    wsnmp_pdu *pdu;          /* the PDU received (failures: the request sent) */
    uint32_t listener;       /* notifications and requests: the listener it came in on */
    uint32_t *registrations; /* notifications: the matching registrations */
    smiUINT32 registration_count;
} wsnmp_message;

/* ---- listeners and registrations (notify.c) ----------------------------- */
typedef struct wsnmp_listener {
    struct wsnmp_listener *next;
    uint32_t id;
    int fd;
    wsnmp_peer local;
    unsigned registrations; /* registrations using it */
    uint64_t agent_entity;  /* the SnmpListen entity, or 0 */
} wsnmp_listener;

typedef struct wsnmp_registration {
    struct wsnmp_registration *next;
    uint32_t id;
    wsnmp_listener *listener;
    bool has_source;
    wsnmp_peer source; /* matched on the address only: traps come from any port */
    bool has_community;
    smiOCTETS community; /* v1/v2c community, or v3 context name */
    smiOID prefix;       /* notification OID prefix; length 0 matches all */
    wsnmp_security v3;   /* a USM user whose notifications are accepted */
} wsnmp_registration;

wsnmp_listener *wsnmp_listeners(void); /* the process-wide list */
void wsnmp_listener_ready(wsnmp_listener *l);
void wsnmp_registrations_free(struct wsnmp_io *io);
void wsnmp_listener_stop(uint32_t listener_id, uint32_t owner_slot);
void wsnmp_listener_unref(wsnmp_listener *l);
void wsnmp_listeners_release(void);
wsnmp_listener *wsnmp_listener_by_id(uint32_t id);
extern smiUINT32 wsnmp_queue_dropped_total;

/* ---- the I/O state of a session (io.c) ------------------------------------- */
typedef struct wsnmp_tcp wsnmp_tcp;
typedef struct wsnmp_io {
    int fd4, fd6;
    wsnmp_registration *registrations;
    wsnmp_tcp *tcp; /* connections to TCP agents */
    wsnmp_request **buckets;
    size_t nbuckets, pending;
    wsnmp_message *queue_head, *queue_tail;
    size_t queued;
    wsnmp_engine *engines;
    size_t io_index; /* position in the list of sessions with sockets */
} wsnmp_io;

wsnmp_io *wsnmp_io_of(wsnmp_session *s, bool create);
/* Adds a session to the poll set; the slots of all such sessions. */
bool wsnmp_io_join(wsnmp_io *io, uint32_t slot);
uint32_t *wsnmp_io_session_slots(size_t *count);
void wsnmp_io_destroy(wsnmp_io *io);

/* pending.c */
bool wsnmp_pending_add(wsnmp_io *io, wsnmp_request *r);
wsnmp_request *wsnmp_pending_find(wsnmp_io *io, smiINT32 id);
void wsnmp_pending_remove(wsnmp_io *io, wsnmp_request *r);
void wsnmp_timer_set(wsnmp_request *r, uint64_t deadline);
void wsnmp_timer_clear(wsnmp_request *r);
wsnmp_request *wsnmp_timer_next(void); /* earliest, or NULL */
void wsnmp_request_free(wsnmp_request *r);

/* queue.c */
void wsnmp_queue_push(wsnmp_io *io, wsnmp_message *m);
/* The oldest queued message of a kind in `kinds` (bit 1 << WSNMP_MSG_*),
 * and with request id `id` when by_id.  By id, callers ask for replies
 * only: an incoming notification or request may carry the same id. */
wsnmp_message *wsnmp_queue_take(wsnmp_io *io, smiUINT32 kinds, bool by_id, smiINT32 id);
void wsnmp_message_free(wsnmp_message *m);
bool wsnmp_security_copy(wsnmp_security *dst, const wsnmp_security *src);

/* Events (session, wParam, lParam) collected during a poll and given to the
 * session callbacks once the I/O work is done. */
void wsnmp_event(uint32_t session_slot, SNMPAPI_STATUS code, smiINT32 request_id);

/* io.c: sends a request's packet now (and arms its timer). */
bool wsnmp_transmit(wsnmp_session *s, wsnmp_request *r, const char **why);
/* The session, destination, context (may be absent) and PDU of a send or
 * an encode, each checked with its own *_INVALID error. */
typedef struct {
    wsnmp_session *session;
    uint32_t slot;
    wsnmp_entity *dst;
    wsnmp_context *ctx;
    const wsnmp_pdu *pdu;
} wsnmp_send_args;
/* What a PDU may be sent as to an agent of `version` (GETBULK becomes
 * GETNEXT for v1); 0, or the error code and a reason. */
SNMPAPI_STATUS wsnmp_check_send_pdu(const wsnmp_pdu *p, int version, smiINT *type,
                                    const char **why);
bool wsnmp_lookup_send_args(HSNMP_SESSION session, HSNMP_ENTITY dst, HSNMP_CONTEXT context,
                            HSNMP_PDU pdu, const char *fn, wsnmp_send_args *a);

/* Decodes a received message and hands it to the request it answers. */
void wsnmp_deliver(wsnmp_session *s, uint32_t slot, const unsigned char *data, size_t len,
                   const struct sockaddr_storage *from, socklen_t fromlen);

/* notify.c: RFC 3584 translations between v1 Trap-PDUs and v2 traps. */
SNMPAPI_STATUS wsnmp_trap_to_v1(wsnmp_pdu *p, const char **why);
bool wsnmp_trap_to_v2(wsnmp_pdu *p);

/* tcp.c */
struct pollfd;
bool wsnmp_tcp_send(wsnmp_session *s, const wsnmp_peer *peer, const unsigned char *data, size_t len,
                    const char **why);
size_t wsnmp_tcp_pollfds(wsnmp_io *io, struct pollfd *fds, size_t room);
void wsnmp_tcp_ready(wsnmp_session *s, uint32_t slot, int fd, short revents);
void wsnmp_tcp_close_all(wsnmp_io *io);
bool wsnmp_tcp_wants_write(const wsnmp_io *io);

/* Fails a request: queues the failure and records an event. */
void wsnmp_request_fail(wsnmp_session *s, wsnmp_request *r, SNMPAPI_STATUS code,
                        const char *reason);
extern smiUINT32 wsnmp_dropped_total;
void wsnmp_engine_ready(wsnmp_session *s, wsnmp_engine *e);
/* The agent of request r (sent, v3) answered from another engine than the
 * one discovered: discover again and resend r once it is known. */
void wsnmp_engine_changed(wsnmp_session *s, wsnmp_request *r);
wsnmp_engine *wsnmp_engine_find(wsnmp_io *io, const wsnmp_peer *peer);
/* Registers the USM user of sec for an engine unless the same credentials
 * already are (deriving keys costs milliseconds). */
SNMPAPI_STATUS wsnmp_usm_ensure(const wsnmp_security *sec, const smiOCTETS *engine_id,
                                const char **why);

/* Process-exit clean-up of each part (library.c calls them in order). */
void wsnmp_io_release(void);
void wsnmp_pending_release(void);
void wsnmp_codec_shutdown(void);

#endif
