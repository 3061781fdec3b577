/*
 * binding.h — shared declarations of the Lua binding (winsnmp.core).
 * The binding sees only the public C API (winsnmp.h), never net-snmp.
 */
#ifndef WSNMP_BINDING_H
#define WSNMP_BINDING_H

#include <lauxlib.h>
#include <lua.h>

#include "winsnmp.h"

#include "api.h" /* the core's window for the binding: replies read in place */

#define WSL_SESSION "winsnmp.session"
#define WSL_ENTITY "winsnmp.entity"
#define WSL_CONTEXT "winsnmp.context"
#define WSL_PDU "winsnmp.pdu"
#define WSL_VBL "winsnmp.vbl"

/* Every userdata holds only a handle; 0 once closed or freed. */
typedef struct {
    void *handle; /* HSNMP_*: NULL once closed or freed */
} wsl_object;

/* ---- object.c ------------------------------------------------------------ */
/* Pushes a new userdata for `handle` of `kind`.  Children keep the session
 * userdata at session_idx alive through their user value.  Created closed,
 * then opened, so a failure part-way leaves nothing to release. */
wsl_object *wsl_push_object(lua_State *L, int kind, void *handle, int session_idx);
wsl_object *wsl_check(lua_State *L, int idx, int kind);
/* The object at idx if it is a userdata of `kind`'s class, else NULL. */
wsl_object *wsl_test(lua_State *L, int idx, int kind);
/* Releases the handle (if still live) without touching the last-error
 * slots; the one idempotent path behind close, free, __close and __gc. */
void wsl_release(wsl_object *o, int kind);
/* The session handle a child userdata at idx was created by (kept in its
 * user value), so failures can be recorded in that session's slot even
 * after the child was freed; 0 once the session is closed. */
HSNMP_SESSION wsl_owner(lua_State *L, int idx);
/* Pushes nil, message, NAME from the process-wide last-error slot, first
 * copying it into `session`'s slot.  Returns 3. */
int wsl_push_last_error(lua_State *L, HSNMP_SESSION session);
/* Records a failure found in the binding and pushes nil, message, NAME. */
int wsl_fail(lua_State *L, HSNMP_SESSION session, SNMPAPI_STATUS code, const char *fmt, ...);
/* Registers a metatable with methods and metamethods. */
void wsl_new_class(lua_State *L, int kind, const luaL_Reg *methods, const luaL_Reg *metamethods);
/* Runs a full collection and tells whether the last failure was a resource
 * limit, so a creation can be retried once: objects dropped by the script
 * but not yet collected should not make a limit fire. */
int wsl_retry_after_gc(lua_State *L);

/* ---- values.c ------------------------------------------------------------ */
smiUINT32 wsl_syntax_by_name(const char *name); /* 0 if unknown */
const char *wsl_syntax_name(smiUINT32 syntax);
/* Pushes the table of every syntax's name (one per Lua state): a reply's
 * type strings come from it, each without a string lookup. */
void wsl_push_syntax_names(lua_State *L);
/* Pushes the name of `syntax` from the names table at names_idx. */
void wsl_push_syntax(lua_State *L, int names_idx, smiUINT32 syntax);
void wsl_push_value(lua_State *L, const smiVALUE *v);
void wsl_push_oid(lua_State *L, const smiOID *oid);
/* Writes arc v in decimal at out (at most 10 characters); its length.
 * Inline, with the arcs most OIDs are made of (below 1,000) written at
 * once: every OID of a walk is formatted here. */
size_t wsl_format_long_arc(char *out, smiUINT32 v);
static inline size_t wsl_format_arc(char *out, smiUINT32 v)
{
    if (v < 10) {
        out[0] = (char)('0' + v);
        return 1;
    }
    if (v < 100) {
        out[0] = (char)('0' + v / 10);
        out[1] = (char)('0' + v % 10);
        return 2;
    }
    if (v < 1000) { /* (the bytes of addresses in table indexes) */
        out[0] = (char)('0' + v / 100);
        out[1] = (char)('0' + v / 10 % 10);
        out[2] = (char)('0' + v % 10);
        return 3;
    }
    return wsl_format_long_arc(out, v);
}
/* Returns the library-owned descriptors of a value from SnmpGetVb. */
void wsl_free_value(smiVALUE *v);
/* Parses a dotted OID string into buf (MAXOBJIDSIZE); 0 and a recorded
 * SNMPAPI_OID_INVALID on failure. */
smiUINT32 wsl_parse_oid(lua_State *L, HSNMP_SESSION s, const char *text, smiUINT32 *buf);
/* The string at idx as C text, or NULL with the last error set to `code`
 * when it holds a NUL byte: C would silently cut it there ("127.0.0.1\0:99"
 * would become port 161).  A non-string raises, as luaL_checkstring. */
const char *wsl_check_text(lua_State *L, int idx, HSNMP_SESSION s, SNMPAPI_STATUS code,
                           const char *what);
/* The same for an optional argument: NULL for nil/none (with *bad = 0), or
 * NULL with *bad = 1 and the last error set. */
const char *wsl_opt_text(lua_State *L, int idx, HSNMP_SESSION s, SNMPAPI_STATUS code,
                         const char *what, int *bad);
/* wsl_parse_oid for the string at idx (NUL-checked). */
smiUINT32 wsl_parse_oid_at(lua_State *L, HSNMP_SESSION s, int idx, smiUINT32 *buf);
/* Room for the OIDs and address a varbind read from Lua points into. */
typedef struct {
    smiUINT32 name_buf[MAXOBJIDSIZE], value_oid_buf[MAXOBJIDSIZE];
    unsigned char ipaddr[4];
} wsl_vb_storage;
/* Reads the varbind at (oid_idx, type_idx, value_idx) into *name and
 * *value, pointing into `store` and the Lua strings; 1, or 0 after
 * recording the error.  Lua misuse raises. */
int wsl_read_varbind(lua_State *L, HSNMP_SESSION s, int oid_idx, int type_idx, int value_idx,
                     wsl_vb_storage *store, smiOID *out_name, smiVALUE *out_value);
/* Reads the varbind list at idx (no VBL made): arrays valid until the next
 * call, values pointing into strings the list keeps; 1, or 0 after
 * recording the error. */
int wsl_read_varbind_list(lua_State *L, HSNMP_SESSION s, int idx, smiUINT32 *count,
                          const smiOID **names, const smiVALUE **values);
/* Appends the varbinds of the list at idx to vbl; 1 on success, or 0 after
 * recording the error. */
int wsl_append_varbinds(lua_State *L, HSNMP_SESSION s, HSNMP_VBL vbl, int idx);
/* The varbinds of a PDU as an array of {oid=, type=, value=}, read in
 * place (no copies); 1, or 0 after recording the error. */
int wsl_push_pdu_varbinds(lua_State *L, HSNMP_PDU pdu);
/* The names a request asked for, as Lua strings (the list at list_idx) and
 * as parsed, for a reply that names them again (GET, SET). */
/* The upvalues of the functions that push replies: the keys of a varbind
 * table ("oid", "type", "value"), then the names of the syntaxes
 * (wsl_push_syntax_names).  Push them, then
 * lua_pushcclosure(L, f, WSL_REPLY_UPVALUES). */
#define WSL_REPLY_UPVALUES 4
void wsl_push_reply_upvalues(lua_State *L);
typedef struct {
    int list_idx; /* 0: none */
    smiUINT32 count;
    const smiOID *names;
} wsl_asked;
/* The same from a reply read in place (no handle).  A varbind whose name
 * is the one asked for at its place (asked may be NULL) takes the
 * request's own OID string instead of a new one.  Only from C functions
 * registered with the reply upvalues (wsl_push_reply_upvalues). */
void wsl_push_reply_varbinds(lua_State *L, const wsnmp_reply *r, const wsl_asked *asked);
/* Pushes {oid=, type=, value=} for each entry of vbl as an array. */
int wsl_push_vbl_table(lua_State *L, HSNMP_VBL vbl);
/* Reads one varbind (a table or a bare OID string) at idx and stores it at
 * `index` of vbl; returns the SnmpSetVb result (0 on failure, recorded). */
SNMPAPI_STATUS wsl_set_varbind(lua_State *L, HSNMP_SESSION s, HSNMP_VBL vbl, smiUINT32 index,
                               int oid_idx, int type_idx, int value_idx);

/* ---- messaging.c ----------------------------------------------------------- */
/* The C callback every Lua session gets: it records events for core.poll. */
SNMPAPI_CALLBACK wsl_session_callback(void);
/* Maps a session handle to its userdata (weakly) for event delivery. */
void wsl_remember_session(lua_State *L, int idx, HSNMP_SESSION h);
/* Adds send/recv/cancel/... to Session and poll/fds/now to the module
 * table on top of the stack. */
void wsl_open_messaging(lua_State *L);
/* ---- agentx.c -------------------------------------------------------------- */
/* Adds the AgentX connection methods (_agentx_*) to Session. */
void wsl_open_agentx(lua_State *L);
/* core._collector, s:table's per-cell work in C (collect.c). */
void wsl_open_collector(lua_State *L);
/* (called only inside s:_call and s:_response: it reads their reply
 * upvalues, see wsl_push_reply_upvalues) */
/* *kept: the collector keeps the reply (a flat walk's, read as it is
 * yielded) and releases it itself; else the caller releases it. */
int wsl_collect_reply(lua_State *L, int idx, wsnmp_reply *r, int *kept);
/* ---- mib.c ---------------------------------------------------------------- */
void wsl_open_mib(lua_State *L);

/* ---- openers -------------------------------------------------------------- */
void wsl_open_session(lua_State *L);
void wsl_open_entity(lua_State *L);
void wsl_open_pdu(lua_State *L);
int wsl_define_agent(lua_State *L);
/* Reads entity options (table at idx) and applies them to entity `e`;
 * returns 1, or 0 after recording the error. */
int wsl_apply_entity_options(lua_State *L, HSNMP_SESSION s, HSNMP_ENTITY e, int idx);

#endif
