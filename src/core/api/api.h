/*
 * api.h — the top layer of the core: startup and cleanup (which wire the
 * layers together: startup.c), statistics and limits (stats.c), and what
 * the Lua binding reads of the core beyond the public C API (reply.c).
 *
 * This header is the binding's window into the core, so it includes only
 * base.h: the binding sees none of the core's structures.  The api/ files
 * include engine.h themselves.
 */
#ifndef WSNMP_API_H
#define WSNMP_API_H

#include "base.h"

/* ---- a delivered reply, read in place (reply.c) --------------------------------- */
/* The reply to a request, taken off its session's queue: read through the
 * functions below, then released.  No PDU or VBL handle is made, and
 * nothing is copied: this is the binding's hot path for every GET. */
typedef struct wsnmp_reply wsnmp_reply;

/* Takes the reply to request_id.  SNMPAPI_SUCCESS; or SNMPAPI_FAILURE with
 * the last error set: SNMPAPI_NOOP while the request is in flight, else why
 * it failed (a timeout, say), the reply being consumed. */
SNMPAPI_STATUS wsnmp_reply_take(HSNMP_SESSION session, smiINT32 request_id, wsnmp_reply **out);
void wsnmp_reply_status(const wsnmp_reply *r, smiINT *error_status, smiINT *error_index);
smiUINT32 wsnmp_reply_count(const wsnmp_reply *r);
/* The varbind at `index` (1-based, at most the count): pointers into the
 * reply, valid until it is released. */
void wsnmp_reply_varbind(const wsnmp_reply *r, smiUINT32 index, smiLPCOID *name,
                         smiLPCVALUE *value);
void wsnmp_reply_release(wsnmp_reply *r);

/* ---- batched first sends (batch.c) --------------------------------------------- */
/* While on, the first sends of v1/v2c requests wait to go out together in
 * one sendmmsg; off sends them (and so does polling, and asking for the
 * descriptors).  The Lua module brackets resuming its tasks with it. */
void wsnmp_batch_sends(bool on);
/* sendmmsg calls made and datagrams they sent, since the process started. */
void wsnmp_batch_stats(uint64_t *calls, uint64_t *datagrams);

/* ---- secrets: the key cache, the secure memory, snmp.conf (security.c) ---------- */
typedef struct {
    size_t passphrase_keys;             /* cached passphrase digests (Ku) */
    size_t localised_users;             /* users registered with net-snmp with localised keys */
    size_t live_passphrases;            /* distinct passphrases held by live credentials */
    size_t secure_blocks, secure_bytes; /* secure memory in use */
    size_t secure_mapped, secure_dontdump, secure_locked; /* its pages, in bytes */
} wsnmp_security_stats;
void wsnmp_security_get_stats(wsnmp_security_stats *out);
/* The folders net-snmp was built to read snmp.conf from, before ~/.snmp
 * (SYSCONFDIR/snmp:DATADIR/snmp:LIBDIR/snmp), colon-separated. */
const char *wsnmp_security_netsnmp_conf_dirs(void);

/* ---- startup defaults (startup.c) ----------------------------------------------- */
/* The modes SnmpStartup starts with (after SnmpCleanup too).  A C program
 * gets Windows' (SNMPAPI_UNTRANSLATED_V1, SNMPAPI_ON).  The Lua module sets
 * its documented defaults (translated, on) here: it links its own copy of
 * the core (src/lua/exports.map), so this never changes what a C program
 * using libwinsnmp in the same process sees. */
void wsnmp_startup_set_defaults(smiUINT32 translate_mode, smiUINT32 retransmit_mode);

#endif
