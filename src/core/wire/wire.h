/*
 * wire.h — the wire layer: messages as bytes.  Our own BER (ber.c) for the
 * v1/v2c hot path and the header peeks; net-snmp as codec and USM for the
 * rest (codec.c, usm.c) and as MIB parser (mib.c).  Those three are the only
 * files that include net-snmp's headers (through netsnmp_glue.h); this
 * header exposes none of net-snmp's types.  Includes only model.h.
 */
#ifndef WSNMP_WIRE_H
#define WSNMP_WIRE_H

#include "model.h"

/* ---- a decoded message (decoded.c) ---------------------------------------- */
typedef struct {
    int version;         /* WSNMP_VERSION_* */
    smiOCTETS community; /* v1/v2c community (owned) */
    wsnmp_pdu pdu;       /* decoded PDU (owned vbl) */
    /* v3 */
    smiOCTETS engine_id;         /* authoritative engine of the sender (owned) */
    smiOCTETS context_name;      /* owned */
    smiOCTETS context_engine_id; /* owned; a response repeats it (RFC 3412 7.1) */
    smiOCTETS user;              /* v3 security name (owned) */
    int32_t msg_id;
    int report;       /* WSNMP_REPORT_* for Report PDUs */
    int level;        /* v3: WSNMP_LEVEL_* the message was verified at */
    int32_t max_size; /* v3: the sender's msgMaxSize */
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

void wsnmp_decoded_free(wsnmp_decoded *d);

/* ---- codec (codec.c) -------------------------------------------------------- */
bool wsnmp_codec_init(const char **why);
void wsnmp_codec_shutdown(void);
/* net-snmp's built-in snmp.conf folders (without ~/.snmp), colon-separated. */
const char *wsnmp_codec_conf_dirs(void);
/* Encodes pdu for a destination; *out is malloc'd.  For v3, engine_id is the
 * destination's authoritative engine (empty for a discovery probe). */
wsnmp_result wsnmp_codec_encode(const wsnmp_credentials *sec, const wsnmp_pdu *pdu,
                                const smiOCTETS *engine_id, int32_t msg_id, unsigned char **out,
                                size_t *out_len, const char **why);
/* Decodes one message: WSNMP_OK, else an error code and a reason.  v3
 * messages are authenticated and decrypted with the registered users. */
wsnmp_result wsnmp_codec_decode(const unsigned char *data, size_t len, wsnmp_decoded *out,
                                const char **why);
/* A response (or report) from this engine, the authoritative one: secured
 * for engine_id (ours), with the request's contextEngineID and msgID. */
wsnmp_result wsnmp_codec_encode_response(const wsnmp_credentials *sec, const wsnmp_pdu *pdu,
                                         const smiOCTETS *engine_id,
                                         const smiOCTETS *context_engine_id, int32_t msg_id,
                                         unsigned char **out, size_t *out_len, const char **why);
/* The report of `kind` (WSNMP_REPORT_UNSUPPORTED_LEVEL) for an SNMPv3
 * request the USM accepted but this engine refuses; counted in usmStats. */
bool wsnmp_codec_report(const unsigned char *data, size_t len, int kind, unsigned char **report,
                        size_t *report_len);
/* net-snmp's encoder and decoder, for everything (the tests of ber.c
 * compare them). */
wsnmp_result wsnmp_codec_netsnmp_encode(const wsnmp_credentials *sec, const wsnmp_pdu *pdu,
                                        const smiOCTETS *engine_id, int32_t msg_id,
                                        unsigned char **out, size_t *out_len, const char **why);
wsnmp_result wsnmp_codec_netsnmp_decode(const unsigned char *data, size_t len, wsnmp_decoded *out,
                                        const char **why);
/* Decodes a message that arrived for this process as the authoritative
 * engine (a request or an inform).  When net-snmp's USM refuses a reportable
 * SNMPv3 message (unknown engine id: discovery; time window; user; digest;
 * decryption; level), *report is the Report to answer with (malloc'd), as
 * snmpd would send it. */
wsnmp_result wsnmp_codec_decode_as_authority(const unsigned char *data, size_t len,
                                             wsnmp_decoded *out, unsigned char **report,
                                             size_t *report_len, const char **why);

/* ---- our own BER (ber.c) ------------------------------------------------------ */
/* The direct encoder, for v1/v2c messages (not v1 Trap-PDUs). */
bool wsnmp_ber_can_encode(const wsnmp_credentials *sec, const wsnmp_pdu *pdu);
wsnmp_result wsnmp_ber_encode(const wsnmp_credentials *sec, const wsnmp_pdu *pdu,
                              unsigned char **out, size_t *out_len, const char **why);
/* The direct decoder for v1/v2c messages: WSNMP_OK, or an error; *mine is
 * false when the message is one it leaves to net-snmp (v3, v1 Trap-PDUs,
 * unusual syntaxes, trailing bytes). */
wsnmp_result wsnmp_ber_decode(const unsigned char *data, size_t len, wsnmp_decoded *out, bool *mine,
                              const char **why);
/* One TLV: the start of its contents, or NULL when malformed or past end. */
const unsigned char *wsnmp_ber_tlv(const unsigned char *p, const unsigned char *end,
                                   unsigned char *tag, size_t *len);
bool wsnmp_ber_signed(const unsigned char *p, size_t len, int64_t lo, int64_t hi, int64_t *out);
/* The msgID of an SNMPv3 message, read without decoding the rest. */
bool wsnmp_ber_v3_msg_id(const unsigned char *data, size_t len, int32_t *msg_id);
/* The authoritative engine (pointing into data) and user name of an SNMPv3
 * message: whose keys authenticate it. */
bool wsnmp_ber_v3_sender(const unsigned char *data, size_t len, smiOCTETS *engine, char *user,
                         size_t user_size);
/* The community of a v1/v2c message (pointing into data). */
bool wsnmp_ber_community(const unsigned char *data, size_t len, smiOCTETS *community);
/* Whether an SNMPv3 message has its reportable flag (RFC 3412 6.4): a
 * request or inform, which this engine receives as the authoritative one. */
bool wsnmp_ber_v3_reportable(const unsigned char *data, size_t len);
/* Length of the first BER message in a byte stream (TCP framing): 0 if more
 * bytes are needed, -1 if the stream is not BER. */
long wsnmp_ber_message_length(const unsigned char *data, size_t len);

/* ---- AgentX PDUs (agentx.c) ------------------------------------------------------ */
/* Length of the first AgentX PDU in a byte stream: 0 if more bytes are
 * needed, -1 if the stream is not AgentX (version, or a payload length
 * beyond WSNMP_AGENTX_MAX_PAYLOAD or not a multiple of 4). */
long wsnmp_agentx_frame_length(const unsigned char *data, size_t len);
/* Decodes exactly one PDU (header and payload) in either byte order; the
 * PDU owns what it holds (wsnmp_agentx_clear).  WSNMP_OK, else an error
 * code and a reason, with *pdu empty. */
wsnmp_result wsnmp_agentx_decode(const unsigned char *data, size_t len, WsnmpAgentxPdu *pdu,
                                 const char **why);
/* Encodes a PDU (its flags, but NETWORK_BYTE_ORDER as asked); *out is
 * malloc'd. */
wsnmp_result wsnmp_agentx_encode(const WsnmpAgentxPdu *pdu, bool network_order, unsigned char **out,
                                 size_t *out_len, const char **why);
void wsnmp_agentx_clear(WsnmpAgentxPdu *pdu);

/* ---- USM users (usm.c) ---------------------------------------------------------- */
/* Makes the USM user of sec known for engine_id, replacing stale keys. */
wsnmp_result wsnmp_usm_register(const wsnmp_credentials *sec, const smiOCTETS *engine_id,
                                const char **why);
/* Registers the USM user of sec for an engine unless the same credentials
 * already are (deriving keys costs milliseconds). */
wsnmp_result wsnmp_usm_ensure(const wsnmp_credentials *sec, const smiOCTETS *engine_id,
                              const char **why);
/* This process's own SNMPv3 engine id (authoritative for the traps it
 * sends); returns its length. */
size_t wsnmp_usm_local_engine_id(unsigned char *buf, size_t size);
void wsnmp_usm_release(void); /* forgets every user and cached key */
/* Forgets, wiped, the cached digests of a passphrase and the users whose
 * keys came from it: the hook wsnmp_credentials_set_release_hook installs. */
void wsnmp_usm_forget(uint64_t passphrase_hash);
/* Cached passphrase digests (Ku), and users registered with localised keys. */
void wsnmp_usm_cache_counts(size_t *passphrase_keys, size_t *localised_users);
/* Makes id (5..32 octets) the local engine's, at snmpEngineBoots `boots`. */
wsnmp_result wsnmp_usm_set_local_engine(const unsigned char *id, size_t len, smiUINT32 boots,
                                        const char **why);
void wsnmp_usm_local_engine_clock(smiUINT32 *boots, smiUINT32 *time);
/* RFC 3414's usmStats counters, in the order of the MIB (unsupportedSecLevels,
 * notInTimeWindows, unknownUserNames, unknownEngineIDs, wrongDigests,
 * decryptionErrors). */
void wsnmp_usm_counters(smiUINT32 counters[6]);

/* ---- MIB names (mib.c) ---------------------------------------------------------- */
/* Whether any MIB module or file has been loaded. */
bool wsnmp_mib_loaded(void);
/* Translates a MIB name ("IF-MIB::ifDescr.3", "ifDescr.3") into sub-ids
 * (room for MAXOBJIDSIZE); false for a name it does not know (the caller
 * reports the error). */
bool wsnmp_mib_name_to_oid(const char *name, smiUINT32 *sub, smiUINT32 *len);

#endif
