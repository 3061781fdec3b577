/*
 * model.h — the model layer: what SNMP is made of, as plain values with
 * no handles and no wire format.  OIDs, values, variable-binding lists and
 * PDU contents, library-owned descriptors, security credentials, the
 * RFC 3584 trap translations and the friendly-name database.
 * Includes only base.h.
 */
#ifndef WSNMP_MODEL_H
#define WSNMP_MODEL_H

#include "base.h"

/* ---- OIDs (oid.c) --------------------------------------------------------- */
/* Validates an OID argument; WSNMP_OK or the error code, with a reason. */
wsnmp_result wsnmp_oid_check(smiLPCOID oid, const char **why);
bool wsnmp_oid_copy(smiOID *dst, smiLPCOID src); /* plain malloc copy */
void wsnmp_oid_free(smiOID *oid);
int wsnmp_oid_cmp(smiLPCOID a, smiLPCOID b);
/* MIB names are parsed two layers up (wire/mib.c); the api layer installs
 * the lookup so that SnmpStrToOid accepts names once a MIB is loaded.  The
 * lookup fills sub (room for MAXOBJIDSIZE) and returns false for a name it
 * does not know; `loaded` tells whether any MIB is loaded at all. */
typedef struct {
    bool (*loaded)(void);
    bool (*name_to_oid)(const char *name, smiUINT32 *sub, smiUINT32 *len);
} wsnmp_oid_name_lookup;
void wsnmp_oid_set_name_lookup(const wsnmp_oid_name_lookup *lookup);

/* ---- values (value.c) ------------------------------------------------------- */
/* Validates a value; WSNMP_OK or the SNMPAPI error code, with a reason. */
wsnmp_result wsnmp_value_check(smiLPCVALUE v, const char **why);
/* Deep copy of a checked value; false: out of memory. */
bool wsnmp_value_copy(smiVALUE *dst, smiLPCVALUE src);
void wsnmp_value_free(smiVALUE *v);
bool wsnmp_value_syntax_is_octets(smiUINT32 syntax);

/* ---- variable-binding lists (varbinds.c) ----------------------------------- */
typedef struct {
    smiOID name;
    smiVALUE value;
} wsnmp_varbind;

typedef struct {
    wsnmp_varbind *items;
    smiUINT32 count, capacity;
    /* A decoded message's list lives in one block (wire/ber.c): `arena`,
     * freed by wsnmp_varbinds_clear; while `borrowed`, the items and what
     * they point to are in it and are not freed one by one.  Growing the
     * list first copies them out (the block stays until the clear, so a
     * pointer read from an item before stays valid). */
    void *arena;
    bool borrowed;
} wsnmp_vbl;

void wsnmp_varbinds_init(wsnmp_vbl *v);
void wsnmp_varbinds_clear(wsnmp_vbl *v);
bool wsnmp_varbinds_reserve(wsnmp_vbl *v, smiUINT32 n); /* false: out of memory */
bool wsnmp_varbinds_copy(wsnmp_vbl *dst, const wsnmp_vbl *src);
/* Deep copy of one varbind (value NULL: a NULL value); frees what it made
 * when it fails. */
bool wsnmp_varbinds_item_copy(wsnmp_varbind *dst, smiLPCOID name, smiLPCVALUE value);
void wsnmp_varbinds_item_free(wsnmp_varbind *vb);
/* Inserts a copy at index `at` (0-based, at most count). */
bool wsnmp_varbinds_insert(wsnmp_vbl *v, smiUINT32 at, smiLPCOID name, smiLPCVALUE value);
void wsnmp_varbinds_remove(wsnmp_vbl *v, smiUINT32 at);

/* ---- PDU contents (pdu_data.c) --------------------------------------------- */
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
bool wsnmp_pdu_data_copy(wsnmp_pdu *dst, const wsnmp_pdu *src);
void wsnmp_pdu_data_clear(wsnmp_pdu *p);

/* ---- RFC 3584 translations (rfc3584.c) -------------------------------------- */
/* A v2 trap (sysUpTime.0, snmpTrapOID.0, ...) into SNMPv1 Trap-PDU fields. */
wsnmp_result wsnmp_rfc3584_trap_to_v1(wsnmp_pdu *p, const char **why);
/* A decoded SNMPv1 Trap-PDU into v2 form; false when out of memory or the
 * enterprise is too long. */
bool wsnmp_rfc3584_trap_to_v2(wsnmp_pdu *p);
/* snmpTrapOID.0 (1.3.6.1.6.3.1.1.4.1.0), the name of a v2 trap's OID. */
extern const smiOID wsnmp_rfc3584_snmp_trap_oid_0;

/* ---- security credentials (credentials.c) ---------------------------------- */
/* What a message is sent or received with: a community (v1/v2c) or a USM
 * user with its level, protocols, passphrases and context name (v3).
 * Entities, requests, queued messages and registrations all embed one;
 * copies and wipes go through the functions below only. */
typedef struct {
    int version;         /* WSNMP_VERSION_* */
    smiOCTETS community; /* v1/v2c (owned); len 0 means "public" on an entity */
    char *user;          /* v3 user name, NULL when none */
    int level, auth, priv;
    char *auth_pass, *priv_pass;
    smiOCTETS context; /* v3 context name */
    /* wsnmp_secure_hash of the passphrases (0: none): each counts as one
     * user of the keys derived from that passphrase until cleared */
    uint64_t auth_hash, priv_hash;
} wsnmp_credentials;

/* Checks v3 credentials; WSNMP_OK or the error code, with a reason that
 * never quotes a passphrase. */
wsnmp_result wsnmp_credentials_check_usm(const WsnmpUsm *u, const char **why);
/* Replaces the USM part of c with a copy of u (user, the passphrases its
 * level needs, context name); false when out of memory (c's USM part is
 * then empty). */
bool wsnmp_credentials_set_usm(wsnmp_credentials *c, const WsnmpUsm *u);
/* The same for a registration or a listener's user, which also take their
 * user above its level: keeps every passphrase given, used or not. */
bool wsnmp_credentials_set_usm_receiver(wsnmp_credentials *c, const WsnmpUsm *u);
/* Replaces the community with a copy; false when out of memory. */
bool wsnmp_credentials_set_community(wsnmp_credentials *c, const smiBYTE *bytes, smiUINT32 len);
/* A full copy; on failure dst is left empty. */
bool wsnmp_credentials_copy(wsnmp_credentials *dst, const wsnmp_credentials *src);
/* The credentials to send with: a copy of src whose community (v1/v2c) or
 * context name (v3) is replaced by `context` when it is not NULL, and with
 * only the part its version uses. */
bool wsnmp_credentials_for_send(wsnmp_credentials *dst, const wsnmp_credentials *src,
                                const smiOCTETS *context);
/* Overwrites every byte that may be secret (community, user name,
 * passphrases, context name) in place, freeing nothing. */
void wsnmp_credentials_wipe(wsnmp_credentials *c);
/* Wipes every secret, frees everything, and leaves c empty. */
void wsnmp_credentials_clear(wsnmp_credentials *c);
void wsnmp_credentials_clear_usm(wsnmp_credentials *c);
/* Passphrases and communities live in wsnmp_secure_alloc memory.  Every
 * credentials holding a passphrase counts as a user of it; when the last
 * one is cleared, `hook` (installed from above: the USM's key cache) is
 * called with the passphrase's wsnmp_secure_hash, so that the keys derived
 * from it are forgotten and wiped. */
typedef void (*wsnmp_credentials_release_fn)(uint64_t passphrase_hash);
void wsnmp_credentials_set_release_hook(wsnmp_credentials_release_fn hook);
/* How many distinct passphrases live credentials hold. */
size_t wsnmp_credentials_live_passphrases(void);

/* ---- descriptors (descriptor.c) ------------------------------------------- */
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
/* The agent record named `name`, or NULL. */
const WsnmpAgent *wsnmp_friendly_agent(const char *name);
/* The context record named `name`, or NULL. */
smiLPCOCTETS wsnmp_friendly_context(const smiOCTETS *name);
void wsnmp_friendly_clear_all(void);
/* Changes whenever a name is defined, redefined or undefined. */
smiUINT32 wsnmp_friendly_generation(void);

#endif
