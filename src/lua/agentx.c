/*
 * agentx.c — the AgentX connection of a session, for lua/winsnmp/agentx.lua:
 * s:_agentx_connect(address, timeout), s:_agentx_send(pdu),
 * s:_agentx_recv(), s:_agentx_state(), s:_agentx_reconnect().  PDUs are
 * tables with the fields of WsnmpAgentxPdu and `type` as a name
 * ("response", "get", ...); varbinds are {oid=, type=, value=} as
 * everywhere, search ranges {start=, ["end"]=, include=}.
 */
#include "binding.h"

#include <string.h>

static const char *const type_names[] = {
    NULL,       "open",    "close",         "register",        "unregister",   "get",
    "getnext",  "getbulk", "testset",       "commitset",       "undoset",      "cleanupset",
    "notify",   "ping",    "indexallocate", "indexdeallocate", "addagentcaps", "removeagentcaps",
    "response",
};
#define TYPE_COUNT ((int)(sizeof type_names / sizeof type_names[0]))

static HSNMP_SESSION check_open_session(lua_State *L)
{
    wsl_object *o = wsl_check(L, 1, WSNMP_KIND_SESSION);
    if (WsnmpHandleKind(o->handle) != WSNMP_KIND_SESSION)
        luaL_error(L, "attempt to use a closed session");
    return o->handle;
}

static int s_agentx_connect(lua_State *L)
{
    HSNMP_SESSION s = check_open_session(L);
    const char *address = luaL_checkstring(L, 2);
    lua_Number timeout = luaL_optnumber(L, 3, 5);
    luaL_argcheck(L, timeout > 0 && timeout < 86400, 3, "timeout out of range");
    if (!WsnmpAgentxConnect(s, address, (smiUINT32)(timeout * 1000)))
        return wsl_push_last_error(L, s);
    lua_pushboolean(L, 1);
    return 1;
}

static smiUINT32 field_u32(lua_State *L, int idx, const char *name, smiUINT32 most)
{
    lua_getfield(L, idx, name);
    lua_Integer v = lua_isnil(L, -1) ? 0 : luaL_checkinteger(L, -1);
    if (v < 0 || (lua_Unsigned)v > most)
        luaL_error(L, "AgentX PDU field %s out of range", name);
    lua_pop(L, 1);
    return (smiUINT32)v;
}

static int s_agentx_send(lua_State *L)
{
    HSNMP_SESSION s = check_open_session(L);
    luaL_checktype(L, 2, LUA_TTABLE);
    lua_settop(L, 2);
    WsnmpAgentxPdu p;
    memset(&p, 0, sizeof p);
    lua_getfield(L, 2, "type");
    const char *type = luaL_checkstring(L, -1);
    for (int i = 1; i < TYPE_COUNT; i++)
        if (strcmp(type, type_names[i]) == 0)
            p.type = (smiBYTE)i;
    if (p.type == 0)
        return luaL_error(L, "unknown AgentX PDU type '%s'", type);
    lua_pop(L, 1);
    p.flags = (smiBYTE)field_u32(L, 2, "flags", 0xFF);
    p.session_id = field_u32(L, 2, "session_id", UINT32_MAX);
    p.transaction_id = field_u32(L, 2, "transaction_id", UINT32_MAX);
    p.packet_id = field_u32(L, 2, "packet_id", UINT32_MAX);
    p.timeout = field_u32(L, 2, "timeout", 255);
    p.priority = field_u32(L, 2, "priority", 255);
    p.range_subid = field_u32(L, 2, "range_subid", 255);
    p.upper_bound = field_u32(L, 2, "upper_bound", UINT32_MAX);
    p.reason = field_u32(L, 2, "reason", 255);
    p.sys_uptime = field_u32(L, 2, "sys_uptime", UINT32_MAX);
    p.error = field_u32(L, 2, "error", 0xFFFF);
    p.index = field_u32(L, 2, "index", 0xFFFF);
    size_t len;
    if (lua_getfield(L, 2, "context") != LUA_TNIL) { /* [3] */
        const char *ctx = luaL_checklstring(L, 3, &len);
        p.context = (smiOCTETS){(smiUINT32)(len > 65535 ? 65536 : len), (smiBYTE *)ctx};
        p.flags |= WSNMP_AGENTX_FLAG_NON_DEFAULT_CONTEXT;
    }
    if (lua_getfield(L, 2, "descr") != LUA_TNIL) { /* [4] */
        const char *d = luaL_checklstring(L, 4, &len);
        p.descr = (smiOCTETS){(smiUINT32)(len > 65535 ? 65536 : len), (smiBYTE *)d};
    }
    smiUINT32 oid_buf[MAXOBJIDSIZE];
    if (lua_getfield(L, 2, "oid") != LUA_TNIL) { /* [5] */
        const char *text = luaL_checkstring(L, 5);
        p.oid.len = wsl_parse_oid(L, s, text, oid_buf);
        p.oid.ptr = oid_buf;
        if (p.oid.len == 0 && text[0] != '\0')
            return wsl_push_last_error(L, s);
    }
    if (lua_getfield(L, 2, "varbinds") != LUA_TNIL) { /* [6] */
        const smiOID *names;
        const smiVALUE *values;
        if (!wsl_read_varbind_list(L, s, 6, &p.varbind_count, &names, &values))
            return wsl_push_last_error(L, s);
        p.names = (smiOID *)names;
        p.values = (smiVALUE *)values;
    }
    if (!WsnmpAgentxSend(s, &p))
        return wsl_push_last_error(L, s);
    lua_pushboolean(L, 1);
    return 1;
}

static void set_int(lua_State *L, const char *name, lua_Integer v)
{
    lua_pushinteger(L, v);
    lua_setfield(L, -2, name);
}

static void push_varbinds(lua_State *L, const WsnmpAgentxPdu *p)
{
    lua_createtable(L, (int)p->varbind_count, 0);
    for (smiUINT32 i = 0; i < p->varbind_count; i++) {
        lua_createtable(L, 0, 3);
        wsl_push_oid(L, &p->names[i]);
        lua_setfield(L, -2, "oid");
        lua_pushstring(L, wsl_syntax_name(p->values[i].syntax));
        lua_setfield(L, -2, "type");
        wsl_push_value(L, &p->values[i]);
        lua_setfield(L, -2, "value");
        lua_rawseti(L, -2, (lua_Integer)i + 1);
    }
    lua_setfield(L, -2, "varbinds");
}

static int s_agentx_recv(lua_State *L)
{
    HSNMP_SESSION s = check_open_session(L);
    WsnmpAgentxPdu p;
    if (!WsnmpAgentxRecv(s, &p)) {
        if (SnmpGetLastError(s) == SNMPAPI_NOOP) {
            lua_pushnil(L);
            return 1;
        }
        return wsl_push_last_error(L, s);
    }
    lua_createtable(L, 0, 12);
    lua_pushstring(L, p.type < TYPE_COUNT && type_names[p.type] ? type_names[p.type] : "unknown");
    lua_setfield(L, -2, "type");
    set_int(L, "flags", p.flags);
    set_int(L, "session_id", p.session_id);
    set_int(L, "transaction_id", p.transaction_id);
    set_int(L, "packet_id", p.packet_id);
    if (p.flags & WSNMP_AGENTX_FLAG_NON_DEFAULT_CONTEXT) {
        lua_pushlstring(L, (const char *)p.context.ptr, p.context.len);
        lua_setfield(L, -2, "context");
    }
    switch (p.type) {
    case WSNMP_AGENTX_RESPONSE:
        set_int(L, "sys_uptime", p.sys_uptime);
        set_int(L, "error", p.error);
        set_int(L, "index", p.index);
        push_varbinds(L, &p);
        break;
    case WSNMP_AGENTX_GETBULK:
        set_int(L, "non_repeaters", p.non_repeaters);
        set_int(L, "max_repetitions", p.max_repetitions);
        /* fall through */
    case WSNMP_AGENTX_GET:
    case WSNMP_AGENTX_GETNEXT:
        lua_createtable(L, (int)p.range_count, 0);
        for (smiUINT32 i = 0; i < p.range_count; i++) {
            lua_createtable(L, 0, 3);
            wsl_push_oid(L, &p.ranges[i].start);
            lua_setfield(L, -2, "start");
            if (p.ranges[i].end.len) {
                wsl_push_oid(L, &p.ranges[i].end);
                lua_setfield(L, -2, "end");
            }
            lua_pushboolean(L, p.ranges[i].include);
            lua_setfield(L, -2, "include");
            lua_rawseti(L, -2, (lua_Integer)i + 1);
        }
        lua_setfield(L, -2, "ranges");
        break;
    case WSNMP_AGENTX_TESTSET:
    case WSNMP_AGENTX_NOTIFY:
    case WSNMP_AGENTX_INDEXALLOCATE:
    case WSNMP_AGENTX_INDEXDEALLOCATE:
        push_varbinds(L, &p);
        break;
    case WSNMP_AGENTX_CLOSE:
        set_int(L, "reason", p.reason);
        break;
    default:
        break;
    }
    WsnmpAgentxFree(&p);
    return 1;
}

static int s_agentx_state(lua_State *L)
{
    HSNMP_SESSION s = check_open_session(L);
    WsnmpAgentxState st;
    if (!WsnmpAgentxGetState(s, &st))
        return wsl_push_last_error(L, s);
    lua_createtable(L, 0, 4);
    lua_pushboolean(L, st.connected);
    lua_setfield(L, -2, "connected");
    set_int(L, "connections", st.connections);
    set_int(L, "reconnect_ms", st.reconnect_ms);
    set_int(L, "parse_errors", st.parse_errors);
    return 1;
}

static int s_agentx_reconnect(lua_State *L)
{
    HSNMP_SESSION s = check_open_session(L);
    if (!WsnmpAgentxReconnect(s))
        return wsl_push_last_error(L, s);
    lua_pushboolean(L, 1);
    return 1;
}

void wsl_open_agentx(lua_State *L)
{
    static const luaL_Reg session_methods[] = {
        {"_agentx_connect", s_agentx_connect},     {"_agentx_send", s_agentx_send},
        {"_agentx_recv", s_agentx_recv},           {"_agentx_state", s_agentx_state},
        {"_agentx_reconnect", s_agentx_reconnect}, {NULL, NULL},
    };
    luaL_getmetatable(L, WSL_SESSION);
    lua_getfield(L, -1, "__index");
    luaL_setfuncs(L, session_methods, 0);
    lua_pop(L, 2);
}
