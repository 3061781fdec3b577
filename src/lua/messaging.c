/*
 * messaging.c — the binding's side of communications: poll, send, recv,
 * cancel, descriptors for event loops, and the request fast path used by
 * the Lua request helpers (get, walk, ...).
 *
 * The C callback of every session only records (session, error, request
 * id).  core.poll returns those records to the Lua layer, which resumes
 * tasks and runs user callbacks under pcall once no C frame of the engine
 * is on the stack.
 */
#include "binding.h"

#include <malloc.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#define WSL_SESSION_MAP "winsnmp.sessions" /* registry: handle -> session userdata */

typedef struct {
    HSNMP_SESSION session;
    SNMPAPI_STATUS code;
    smiINT32 request_id;
} wsl_event;

static wsl_event *events;
static size_t event_count, event_capacity;

static SNMPAPI_STATUS record_event(HSNMP_SESSION s, HWND hwnd, UINT msg, WPARAM wParam,
                                   LPARAM lParam, LPVOID data)
{
    (void)hwnd;
    (void)msg;
    (void)data;
    if (event_count == event_capacity) {
        size_t cap = event_capacity ? event_capacity * 2 : 64;
        wsl_event *grown = realloc(events, cap * sizeof *grown);
        if (grown == NULL)
            return SNMPAPI_SUCCESS; /* the message stays queued for recv */
        events = grown;
        event_capacity = cap;
    }
    events[event_count++] = (wsl_event){s, (SNMPAPI_STATUS)wParam, (smiINT32)lParam};
    return SNMPAPI_SUCCESS;
}

/* The module is unloaded when its Lua state closes: free the buffer. */
__attribute__((destructor)) static void events_unload(void)
{
    free(events);
    events = NULL;
    event_count = event_capacity = 0;
}

SNMPAPI_CALLBACK wsl_session_callback(void)
{
    return record_event;
}

void wsl_remember_session(lua_State *L, int idx, HSNMP_SESSION h)
{
    idx = lua_absindex(L, idx);
    if (luaL_getsubtable(L, LUA_REGISTRYINDEX, WSL_SESSION_MAP) == 0) {
        lua_createtable(L, 0, 1); /* weak values: the map keeps no session alive */
        lua_pushliteral(L, "v");
        lua_setfield(L, -2, "__mode");
        lua_setmetatable(L, -2);
    }
    lua_pushvalue(L, idx);
    lua_rawseti(L, -2, (lua_Integer)h);
    lua_pop(L, 1);
}

/* core.poll([timeout]) -> n, {session, request_id, error_name|false, ...} */
static int l_poll(lua_State *L)
{
    lua_Number t = luaL_optnumber(L, 1, -1);
    smiINT32 ms = t < 0 ? -1 : t > 2147483.0 ? 2147483647 : (smiINT32)(t * 1000.0 + 0.5);
    /* Events left by s:_call (which stops at the first one not its own) are
     * handed out first, before anything new is waited for. */
    if (event_count == 0 && !WsnmpPoll(ms, NULL))
        return wsl_push_last_error(L, 0);
    lua_pushinteger(L, (lua_Integer)event_count);
    lua_createtable(L, (int)(event_count * 3), 0);
    luaL_getsubtable(L, LUA_REGISTRYINDEX, WSL_SESSION_MAP);
    int n = 0;
    for (size_t i = 0; i < event_count; i++) {
        if (lua_rawgeti(L, -1, (lua_Integer)events[i].session) == LUA_TNIL) {
            lua_pop(L, 1); /* a session already collected */
            continue;
        }
        lua_rawseti(L, -3, ++n);
        lua_pushinteger(L, events[i].request_id);
        lua_rawseti(L, -3, ++n);
        if (events[i].code)
            lua_pushstring(L, WsnmpErrorName(events[i].code));
        else
            lua_pushboolean(L, 0);
        lua_rawseti(L, -3, ++n);
    }
    lua_pop(L, 1);
    event_count = 0;
    lua_pushinteger(L, n / 3);
    lua_replace(L, -3);
    return 2;
}

/* core.fds() -> {fd, ...}, seconds until poll must run (nil: no deadline) */
/* core._batch(on): requests sent while on go out together when it is
 * turned off (winsnmp.tasks brackets resuming its tasks with it). */
static int l_batch(lua_State *L)
{
    wsnmp_batch_sends(lua_toboolean(L, 1));
    return 0;
}

/* core._batch_stats() -> sendmmsg calls, datagrams they sent */
static int l_batch_stats(lua_State *L)
{
    uint64_t calls, datagrams;
    wsnmp_batch_stats(&calls, &datagrams);
    lua_pushinteger(L, (lua_Integer)calls);
    lua_pushinteger(L, (lua_Integer)datagrams);
    return 2;
}

static int l_fds(lua_State *L)
{
    smiUINT32 count;
    smiINT32 timeout;
    if (!WsnmpGetPollFds(NULL, 0, &count, &timeout))
        return wsl_push_last_error(L, 0);
    int *fds = lua_newuserdatauv(L, (count ? count : 1) * sizeof *fds, 0);
    if (!WsnmpGetPollFds(fds, count, &count, &timeout))
        return wsl_push_last_error(L, 0);
    lua_createtable(L, (int)count, 0);
    for (smiUINT32 i = 0; i < count; i++) {
        lua_pushinteger(L, fds[i]);
        lua_rawseti(L, -2, i + 1);
    }
    if (timeout < 0)
        lua_pushnil(L);
    else
        lua_pushnumber(L, timeout / 1000.0);
    return 2;
}

/* core.heap() -> bytes of C heap in use (for the benchmark's memory
 * figures: RSS cannot see reuse of freed memory). */
static int l_heap(lua_State *L)
{
    struct mallinfo2 mi = mallinfo2();
    lua_pushinteger(L, (lua_Integer)mi.uordblks);
    return 1;
}

static int l_now(lua_State *L)
{
    struct timespec ts;
    clock_gettime(CLOCK_MONOTONIC, &ts);
    lua_pushnumber(L, (lua_Number)ts.tv_sec + ts.tv_nsec / 1e9);
    return 1;
}

static void *handle_arg(lua_State *L, int idx, int kind, int optional)
{
    if (optional && lua_isnoneornil(L, idx))
        return 0;
    return wsl_check(L, idx, kind)->handle;
}

/* A context given but freed: not "no context", which its 0 handle would
 * read as, but SNMPAPI_CONTEXT_INVALID, as API.md says of freed handles. */
static int freed_context(lua_State *L, int idx)
{
    return !lua_isnoneornil(L, idx) && wsl_check(L, idx, WSNMP_KIND_CONTEXT)->handle == 0;
}
#define FREED_CONTEXT "the context has been freed"

/* s:send(dst, ctx, pdu) -> request id */
static int s_send(lua_State *L)
{
    void *s = wsl_check(L, 1, WSNMP_KIND_SESSION)->handle;
    void *dst = handle_arg(L, 2, WSNMP_KIND_ENTITY, 0);
    void *ctx = handle_arg(L, 3, WSNMP_KIND_CONTEXT, 1);
    void *pdu = handle_arg(L, 4, WSNMP_KIND_PDU, 0);
    if (freed_context(L, 3))
        return wsl_fail(L, s, SNMPAPI_CONTEXT_INVALID, FREED_CONTEXT);
    if (!SnmpSendMsg(s, 0, dst, ctx, pdu))
        return wsl_push_last_error(L, s);
    smiINT32 id;
    SnmpGetPduData(pdu, NULL, &id, NULL, NULL, NULL);
    lua_pushinteger(L, id);
    return 1;
}

/* s:recv() -> {src=, dst=, context=, pdu=, request_id=} */
static int s_recv(lua_State *L)
{
    lua_settop(L, 1);
    void *s = wsl_check(L, 1, WSNMP_KIND_SESSION)->handle;
    HSNMP_ENTITY src = 0, dst = 0;
    HSNMP_CONTEXT ctx = 0;
    HSNMP_PDU pdu = 0;
    SNMPAPI_STATUS ok = SnmpRecvMsg(s, &src, &dst, &ctx, &pdu);
    if (!ok && pdu == 0)
        return wsl_push_last_error(L, s); /* NOOP, or the session is closed */
    smiINT32 id = 0;
    SnmpGetPduData(pdu, NULL, &id, NULL, NULL, NULL);
    if (!ok) {
        /* A failed request: report it with its id, and free what RecvMsg
         * filled in only to say which request it was. */
        SNMPAPI_STATUS code = SnmpGetLastError(s);
        const char *message = WsnmpGetLastErrorMessage(s);
        lua_pushnil(L);
        lua_pushstring(L, message);
        lua_pushstring(L, WsnmpErrorName(code));
        lua_pushinteger(L, id);
        SnmpFreeEntity(src);
        SnmpFreeEntity(dst);
        if (ctx)
            SnmpFreeContext(ctx);
        SnmpFreePdu(pdu);
        return 4;
    }
    lua_createtable(L, 0, 5);
    wsl_push_object(L, WSNMP_KIND_ENTITY, src, 1);
    lua_setfield(L, -2, "src");
    wsl_push_object(L, WSNMP_KIND_ENTITY, dst, 1);
    lua_setfield(L, -2, "dst");
    wsl_push_object(L, WSNMP_KIND_CONTEXT, ctx, 1);
    lua_setfield(L, -2, "context");
    wsl_push_object(L, WSNMP_KIND_PDU, pdu, 1);
    lua_setfield(L, -2, "pdu");
    lua_pushinteger(L, id);
    lua_setfield(L, -2, "request_id");
    return 1;
}

static int s_cancel(lua_State *L)
{
    void *s = wsl_check(L, 1, WSNMP_KIND_SESSION)->handle;
    lua_Integer id = luaL_checkinteger(L, 2);
    if (id < INT32_MIN || id > INT32_MAX)
        return wsl_fail(L, s, SNMPAPI_PDU_INVALID, "SnmpCancelMsg: no such request");
    if (!SnmpCancelMsg(s, (smiINT32)id))
        return wsl_push_last_error(L, s);
    lua_pushboolean(L, 1);
    return 1;
}

static smiINT pdu_type_by_name(const char *name)
{
    static const struct {
        const char *name;
        smiINT type;
    } types[] = {{"get", SNMP_PDU_GET},         {"getnext", SNMP_PDU_GETNEXT},
                 {"getbulk", SNMP_PDU_GETBULK}, {"set", SNMP_PDU_SET},
                 {"inform", SNMP_PDU_INFORM},   {"trap", SNMP_PDU_TRAP}};
    for (size_t i = 0; i < sizeof types / sizeof types[0]; i++)
        if (strcmp(types[i].name, name) == 0)
            return types[i].type;
    return 0;
}

/* s:_request(type, dst, varbinds, [ctx], [non_repeaters], [max_repetitions])
 * -> request id.  Reads the list straight into the request: no VBL or PDU
 * handle on this hot path.  (Slot 8 is s:_call's collector.) */
static int request(lua_State *L, HSNMP_SESSION *session, smiINT32 *request_id, wsl_asked *asked)
{
    lua_settop(L, 8);
    void *s = *session = wsl_check(L, 1, WSNMP_KIND_SESSION)->handle;
    smiINT type = pdu_type_by_name(luaL_checkstring(L, 2));
    void *dst = handle_arg(L, 3, WSNMP_KIND_ENTITY, 0);
    luaL_checktype(L, 4, LUA_TTABLE);
    void *ctx = handle_arg(L, 5, WSNMP_KIND_CONTEXT, 1);
    lua_Integer nonrep = luaL_optinteger(L, 6, 0), maxrep = luaL_optinteger(L, 7, 0);
    luaL_argcheck(L, type != 0, 2, "unknown request type");
    luaL_argcheck(L, nonrep >= 0 && nonrep <= INT32_MAX, 6, "non_repeaters out of range");
    luaL_argcheck(L, maxrep >= 0 && maxrep <= INT32_MAX, 7, "max_repetitions out of range");
    if (ctx == 0 && freed_context(L, 5))
        return wsl_fail(L, s, SNMPAPI_CONTEXT_INVALID, FREED_CONTEXT);

    smiUINT32 count;
    const smiOID *names;
    const smiVALUE *values;
    if (!wsl_read_varbind_list(L, s, 4, &count, &names, &values))
        return wsl_push_last_error(L, s);
    smiINT32 id;
    if (!WsnmpSendRequest(s, dst, ctx, type, count, names, values, (smiINT)nonrep, (smiINT)maxrep,
                          &id))
        return wsl_push_last_error(L, s);
    if (asked && (type == SNMP_PDU_GET || type == SNMP_PDU_SET))
        *asked = (wsl_asked){4, count, names};
    *request_id = id;
    lua_pushinteger(L, id);
    return 1;
}

static int s_request(lua_State *L)
{
    HSNMP_SESSION s;
    smiINT32 id;
    return request(L, &s, &id, NULL);
}

/* Pushes the outcome of request `id`: the varbinds, or nil, msg, NAME[,
 * index].  Returns the number of results, or 0 while it is in flight.
 * With a collector (collector_idx != 0), the varbinds go into it instead
 * and what wsl_collect_reply says is pushed. */
static wsnmp_reply *unreleased_reply;

static int push_response(lua_State *L, HSNMP_SESSION s, smiINT32 id, int collector_idx,
                         const wsl_asked *asked)
{
    if (unreleased_reply) { /* a table build that raised last time */
        wsnmp_reply_release(unreleased_reply);
        unreleased_reply = NULL;
    }
    wsnmp_reply *reply;
    if (!wsnmp_reply_take(s, id, &reply)) {
        if (SnmpGetLastError(0) == SNMPAPI_NOOP)
            return 0;
        return wsl_push_last_error(L, s);
    }
    smiINT status, index;
    wsnmp_reply_status(reply, &status, &index);
    if (status != 0) {
        wsnmp_reply_release(reply);
        const char *name = WsnmpPduErrorName(status);
        char message[96];
        snprintf(message, sizeof message, "the agent answered %s (varbind %d)",
                 name ? name : "an unknown error", (int)index);
        wsl_fail(L, s, SNMPAPI_OTHER_ERROR, "%s", message);
        /* The name is the agent's error, not an API error. */
        lua_pushstring(L, name ? name : "SNMP_ERROR_GENERR");
        lua_replace(L, -2);
        lua_pushinteger(L, index);
        return 4;
    }
    /* Building the tables may raise (out of memory) and unwind past the
     * release: the reply is parked where the next call frees it. */
    unreleased_reply = reply;
    int n = 1, kept = 0;
    if (collector_idx)
        n = wsl_collect_reply(L, collector_idx, reply, &kept);
    else
        wsl_push_reply_varbinds(L, reply, asked);
    unreleased_reply = NULL;
    if (!kept)
        wsnmp_reply_release(reply);
    return n;
}

/* s:_response(id, [collector]) -> false while in flight; the varbinds (with
 * a collector: what it took); or nil, msg, NAME[, index] */
static int s_response(lua_State *L)
{
    void *s = wsl_check(L, 1, WSNMP_KIND_SESSION)->handle;
    lua_Integer id = luaL_checkinteger(L, 2);
    int n = push_response(L, s, (smiINT32)id, lua_isnoneornil(L, 3) ? 0 : 3, NULL);
    if (n == 0)
        lua_pushboolean(L, 0);
    return n ? n : 1;
}

/* s:_call(type, dst, varbinds, [ctx], [non_repeaters], [max_repetitions],
 * [collector]) -> what s:_response gives, or false, id.
 *
 * The blocking request of a script outside any task: sends, then polls in
 * C for as long as the only event is this request's outcome, which is the
 * whole story for a script that asks one thing at a time.  At the first
 * other event (another session's, a notification, a callback's) it stops
 * and answers false, id: the events stay buffered for core.poll, and the
 * Lua side waits through the general path, which hands them out. */
static int s_call(lua_State *L)
{
    HSNMP_SESSION s;
    /* A GET's or SET's reply names what was asked: its varbinds take the
     * request's strings (the scratch arrays stay as read: nothing else
     * reads a list until this returns). */
    wsl_asked asked = {0, 0, NULL};
    smiINT32 id;
    int n = request(L, &s, &id, &asked);
    if (n != 1)
        return n; /* nil, msg, NAME */
    while (event_count == 0) {
        if (!WsnmpPoll(1000, NULL))
            break; /* the general path reports it */
        if (event_count == 1 && events[0].session == s && events[0].request_id == id) {
            /* An incoming request with the same id (the sender's) also says
             * (s, id): then nothing is ours yet and the event stays. */
            if ((n = push_response(L, s, id, lua_isnil(L, 8) ? 0 : 8,
                                   asked.list_idx ? &asked : NULL)) != 0) {
                event_count = 0;
                return n;
            }
            break;
        }
    }
    lua_pushboolean(L, 0);
    lua_insert(L, -2);
    return 2;
}

/* s:encode(dst, [ctx], pdu) -> the message bytes (v1/v2c) */
static int s_encode(lua_State *L)
{
    void *s = wsl_check(L, 1, WSNMP_KIND_SESSION)->handle;
    void *dst = handle_arg(L, 2, WSNMP_KIND_ENTITY, 0);
    void *ctx = handle_arg(L, 3, WSNMP_KIND_CONTEXT, 1);
    void *pdu = handle_arg(L, 4, WSNMP_KIND_PDU, 0);
    if (freed_context(L, 3))
        return wsl_fail(L, s, SNMPAPI_CONTEXT_INVALID, FREED_CONTEXT);
    smiOCTETS out;
    if (!SnmpEncodeMsg(s, 0, dst, ctx, pdu, &out))
        return wsl_push_last_error(L, s);
    lua_pushlstring(L, (const char *)out.ptr, out.len);
    SnmpFreeDescriptor(SNMP_SYNTAX_OCTETS, &out);
    return 1;
}

/* s:decode(bytes) -> {context=, pdu=, length=} for one v1/v2c/v3 message */
static int s_decode(lua_State *L)
{
    lua_settop(L, 2);
    void *s = wsl_check(L, 1, WSNMP_KIND_SESSION)->handle;
    size_t len;
    const char *bytes = luaL_checklstring(L, 2, &len);
    smiOCTETS in = {(smiUINT32)(len > UINT32_MAX ? UINT32_MAX : len), (smiBYTE *)bytes};
    HSNMP_CONTEXT ctx = 0;
    HSNMP_PDU pdu = 0;
    SNMPAPI_STATUS used = SnmpDecodeMsg(s, NULL, NULL, &ctx, &pdu, &in);
    if (!used)
        return wsl_push_last_error(L, s);
    lua_createtable(L, 0, 3);
    wsl_push_object(L, WSNMP_KIND_CONTEXT, ctx, 1);
    lua_setfield(L, -2, "context");
    wsl_push_object(L, WSNMP_KIND_PDU, pdu, 1);
    lua_setfield(L, -2, "pdu");
    lua_pushinteger(L, used);
    lua_setfield(L, -2, "length");
    return 1;
}

/* Reads a v3 user table {user=, level=, auth=, auth_pass=, priv=, priv_pass=}
 * at idx into usm; its strings stay on the stack (6 values pushed). */
static void read_usm(lua_State *L, int idx, WsnmpUsm *usm)
{
    memset(usm, 0, sizeof *usm);
    lua_getfield(L, idx, "user");
    lua_getfield(L, idx, "level");
    lua_getfield(L, idx, "auth");
    lua_getfield(L, idx, "auth_pass");
    lua_getfield(L, idx, "priv");
    lua_getfield(L, idx, "priv_pass");
    int top = lua_gettop(L);
    for (int i = top - 5; i <= top; i++) {
        size_t len;
        const char *s = lua_tolstring(L, i, &len);
        if (s && strlen(s) != len) /* C text: a NUL byte would cut it short */
            luaL_error(L, "listen users: a user name, level, protocol or passphrase contains a "
                          "NUL byte");
    }
    usm->user = lua_tostring(L, top - 5);
    usm->auth = lua_isnil(L, top - 3) ? WSNMP_AUTH_NONE : WsnmpAuthByName(lua_tostring(L, top - 3));
    usm->auth_pass = lua_tostring(L, top - 2);
    usm->priv = lua_isnil(L, top - 1) ? WSNMP_PRIV_NONE : WsnmpPrivByName(lua_tostring(L, top - 1));
    usm->priv_pass = lua_tostring(L, top);
    usm->level = lua_isnil(L, top - 4) ? (usm->priv > 0   ? WSNMP_LEVEL_AUTH_PRIV
                                          : usm->auth > 0 ? WSNMP_LEVEL_AUTH_NOPRIV
                                                          : WSNMP_LEVEL_NOAUTH_NOPRIV)
                                       : WsnmpLevelByName(lua_tostring(L, top - 4));
}

/* s:_register(address|nil, source|nil, community|nil, notification|nil,
 *             v3 (table: user, level, auth, auth_pass, priv, priv_pass)|nil)
 * -> registration id, the bound local address */
static int s_register(lua_State *L)
{
    lua_settop(L, 6);
    void *s = wsl_check(L, 1, WSNMP_KIND_SESSION)->handle;
    int bad_address, bad_source, bad_notification;
    const char *address =
        wsl_opt_text(L, 2, s, SNMPAPI_ENTITY_UNKNOWN, "the address", &bad_address);
    const char *source = wsl_opt_text(L, 3, s, SNMPAPI_ENTITY_UNKNOWN, "the source", &bad_source);
    size_t clen = 0;
    const char *community = luaL_optlstring(L, 4, NULL, &clen);
    const char *notification =
        wsl_opt_text(L, 5, s, SNMPAPI_OID_INVALID, "the notification OID", &bad_notification);
    if (!lua_isnil(L, 6))
        luaL_checktype(L, 6, LUA_TTABLE);
    if (bad_address || bad_source || bad_notification)
        return wsl_push_last_error(L, s);
    if (address == NULL)
        address = "udp:0.0.0.0:162";
    /* Temporary handles, wrapped at once so an error cannot leak them. */
    HSNMP_ENTITY local = WsnmpStrToEntityEx(s, address, WSNMP_PRIVATE);
    if (local == 0)
        return wsl_push_last_error(L, s);
    wsl_object *o_local = wsl_push_object(L, WSNMP_KIND_ENTITY, local, 1);
    HSNMP_ENTITY src = 0;
    HSNMP_CONTEXT ctx = 0;
    wsl_object *o_src = NULL, *o_ctx = NULL;
    smiUINT32 prefix[MAXOBJIDSIZE];
    smiOID oid = {0, prefix};
    int ok = 1;
    if (source) {
        ok = (src = WsnmpStrToEntityEx(s, source, WSNMP_PRIVATE)) != 0;
        if (ok)
            o_src = wsl_push_object(L, WSNMP_KIND_ENTITY, src, 1);
    }
    if (community && ok) {
        smiOCTETS c = {(smiUINT32)clen, (smiBYTE *)community};
        ok = (ctx = WsnmpStrToContextEx(s, &c, WSNMP_PRIVATE)) != 0;
        if (ok)
            o_ctx = wsl_push_object(L, WSNMP_KIND_CONTEXT, ctx, 1);
    }
    if (notification && ok)
        ok = (oid.len = wsl_parse_oid(L, s, notification, prefix)) != 0;
    WsnmpUsm usm, *v3 = NULL;
    if (ok && !lua_isnil(L, 6)) {
        read_usm(L, 6, &usm);
        v3 = &usm;
    }
    smiUINT32 id = 0;
    if (ok)
        ok = WsnmpRegister(s, local, src, ctx, notification ? &oid : NULL, SNMPAPI_ON, v3, &id) !=
             SNMPAPI_FAILURE;
    int results;
    if (ok) {
        lua_pushinteger(L, id);
        results = 1;
    } else {
        results = wsl_push_last_error(L, s);
    }
    wsl_release(o_local, WSNMP_KIND_ENTITY);
    if (o_src)
        wsl_release(o_src, WSNMP_KIND_ENTITY);
    if (o_ctx)
        wsl_release(o_ctx, WSNMP_KIND_CONTEXT);
    return results;
}

static int s_unregister(lua_State *L)
{
    void *s = wsl_check(L, 1, WSNMP_KIND_SESSION)->handle;
    lua_Integer id = luaL_checkinteger(L, 2);
    if (id < 0 || id > UINT32_MAX || !WsnmpUnregister(s, (smiUINT32)id))
        return wsl_push_last_error(L, s);
    lua_pushboolean(L, 1);
    return 1;
}

/* s:_listen(address) -> listening Entity, its bound address, listener id */
static int s_listen(lua_State *L)
{
    lua_settop(L, 2);
    void *s = wsl_check(L, 1, WSNMP_KIND_SESSION)->handle;
    const char *address = wsl_check_text(L, 2, s, SNMPAPI_ENTITY_UNKNOWN, "the address");
    HSNMP_ENTITY e = address ? WsnmpStrToEntityEx(s, address, WSNMP_PRIVATE) : 0;
    if (e == 0)
        return wsl_push_last_error(L, s);
    wsl_object *o = wsl_push_object(L, WSNMP_KIND_ENTITY, e, 1);
    char bound[WSNMP_MAX_ADDRESS];
    if (!SnmpListen(e, SNMPAPI_ON) || !WsnmpGetListenAddress(e, sizeof bound, bound)) {
        wsl_release(o, WSNMP_KIND_ENTITY);
        return wsl_push_last_error(L, s);
    }
    lua_pushstring(L, bound);
    lua_pushinteger(L, WsnmpListenerOf(e));
    return 3;
}

/* s:_listen_user(entity, {user=, level=, auth=, auth_pass=, priv=, priv_pass=})
 * -> true: a v3 user of the listening entity's agent role */
static int s_listen_user(lua_State *L)
{
    void *s = wsl_check(L, 1, WSNMP_KIND_SESSION)->handle;
    void *e = wsl_check(L, 2, WSNMP_KIND_ENTITY)->handle;
    luaL_checktype(L, 3, LUA_TTABLE);
    WsnmpUsm usm;
    read_usm(L, 3, &usm);
    if (!WsnmpListenUser(e, &usm))
        return wsl_push_last_error(L, s);
    lua_pushboolean(L, 1);
    return 1;
}

/* s:_incoming() -> the next queued notification or request as a table
 * {kind=, src=Entity, context=Context, pdu=Pdu, request_id=, listener=,
 *  registrations={...}}, or nil when there is none */
static int s_incoming(lua_State *L)
{
    lua_settop(L, 1);
    void *s = wsl_check(L, 1, WSNMP_KIND_SESSION)->handle;
    WsnmpMsgInfo info;
    HSNMP_ENTITY src = 0;
    HSNMP_CONTEXT ctx = 0;
    HSNMP_PDU pdu = 0;
    smiUINT32 kinds = 1u << WSNMP_MSG_NOTIFICATION | 1u << WSNMP_MSG_REQUEST;
    if (!WsnmpRecvMsgEx(s, kinds, &info, &src, NULL, &ctx, &pdu)) {
        if (SnmpGetLastError(0) == SNMPAPI_NOOP)
            return 0;
        return wsl_push_last_error(L, s);
    }
    lua_createtable(L, 0, 7);
    lua_pushstring(L, info.kind == WSNMP_MSG_REQUEST ? "request" : "notification");
    lua_setfield(L, -2, "kind");
    wsl_push_object(L, WSNMP_KIND_ENTITY, src, 1);
    lua_setfield(L, -2, "src");
    wsl_push_object(L, WSNMP_KIND_CONTEXT, ctx, 1);
    lua_setfield(L, -2, "context");
    wsl_push_object(L, WSNMP_KIND_PDU, pdu, 1);
    lua_setfield(L, -2, "pdu");
    lua_pushinteger(L, info.request_id);
    lua_setfield(L, -2, "request_id");
    lua_pushinteger(L, info.listener);
    lua_setfield(L, -2, "listener");
    if (info.user[0]) { /* SNMPv3: who asked, at which level */
        static const char *const levels[] = {"", "noAuthNoPriv", "authNoPriv", "authPriv"};
        lua_pushstring(L, info.user);
        lua_setfield(L, -2, "user");
        lua_pushstring(L, info.level >= 1 && info.level <= 3 ? levels[info.level] : "");
        lua_setfield(L, -2, "level");
        lua_pushinteger(L, info.max_size);
        lua_setfield(L, -2, "max_size");
        if (info.engine_id_len) { /* hex, as winsnmp.engine() gives an id */
            char hex[2 * sizeof info.engine_id + 1];
            for (smiUINT32 i = 0; i < info.engine_id_len; i++)
                snprintf(hex + 2 * i, 3, "%02x", info.engine_id[i]);
            lua_pushlstring(L, hex, 2 * info.engine_id_len);
            lua_setfield(L, -2, "engine_id");
        }
    }
    lua_createtable(L, (int)info.registration_count, 0);
    for (smiUINT32 i = 0; i < info.registration_count; i++) {
        lua_pushinteger(L, info.registrations[i]);
        lua_rawseti(L, -2, i + 1);
    }
    lua_setfield(L, -2, "registrations");
    return 1;
}

static int s_callback(lua_State *L)
{
    wsl_check(L, 1, WSNMP_KIND_SESSION);
    lua_getiuservalue(L, 1, 1);
    return 1;
}

void wsl_open_messaging(lua_State *L)
{
    static const luaL_Reg session_methods[] = {
        {"send", s_send},
        {"recv", s_recv},
        {"cancel", s_cancel},
        {"_request", s_request},
        {"_callback", s_callback},
        {"encode", s_encode},
        {"decode", s_decode},
        {"_register", s_register},
        {"_unregister", s_unregister},
        {"_listen", s_listen},
        {"_incoming", s_incoming},
        {"_listen_user", s_listen_user},
        {NULL, NULL},
    };
    static const luaL_Reg functions[] = {
        {"poll", l_poll}, {"fds", l_fds},      {"now", l_now},
        {"heap", l_heap}, {"_batch", l_batch}, {"_batch_stats", l_batch_stats},
        {NULL, NULL},
    };
    luaL_getmetatable(L, WSL_SESSION);
    lua_getfield(L, -1, "__index");
    luaL_setfuncs(L, session_methods, 0);
    wsl_push_reply_upvalues(L);
    lua_pushcclosure(L, s_response, WSL_REPLY_UPVALUES);
    lua_setfield(L, -2, "_response");
    wsl_push_reply_upvalues(L);
    lua_pushcclosure(L, s_call, WSL_REPLY_UPVALUES);
    lua_setfield(L, -2, "_call");
    lua_pop(L, 2);
    luaL_setfuncs(L, functions, 0); /* into the module table on top */
}
