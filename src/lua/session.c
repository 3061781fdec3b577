/*
 * session.c — the Session class: lifecycle, error state, accounting, and
 * the factories for entities, contexts, VBLs and PDUs.
 */
#include "binding.h"

#include <string.h>

static wsl_object *check_session(lua_State *L)
{
    return wsl_check(L, 1, WSNMP_KIND_SESSION);
}

static int s_close(lua_State *L)
{
    wsl_release(check_session(L), WSNMP_KIND_SESSION);
    lua_pushboolean(L, 1);
    return 1;
}

static int s_gc(lua_State *L)
{
    wsl_release(check_session(L), WSNMP_KIND_SESSION);
    return 0;
}

static int s_is_open(lua_State *L)
{
    lua_pushboolean(L, WsnmpHandleKind(check_session(L)->handle) == WSNMP_KIND_SESSION);
    return 1;
}

static int s_tostring(lua_State *L)
{
    wsl_object *o = check_session(L);
    if (WsnmpHandleKind(o->handle) == WSNMP_KIND_SESSION)
        lua_pushfstring(L, WSL_SESSION " (%p)", (void *)o);
    else
        lua_pushliteral(L, WSL_SESSION " (closed)");
    return 1;
}

static int s_last_error(lua_State *L)
{
    void *h = check_session(L)->handle;
    if (WsnmpHandleKind(h) != WSNMP_KIND_SESSION) {
        lua_pushstring(L, WsnmpErrorName(SNMPAPI_SESSION_INVALID));
        lua_pushliteral(L, "session is closed");
        lua_pushinteger(L, SNMPAPI_SESSION_INVALID);
        return 3;
    }
    SNMPAPI_STATUS code = SnmpGetLastError(h);
    if (code == 0) {
        lua_pushnil(L);
        lua_pushliteral(L, "no error");
        lua_pushinteger(L, 0);
        return 3;
    }
    lua_pushstring(L, WsnmpErrorName(code));
    lua_pushstring(L, WsnmpGetLastErrorMessage(h));
    lua_pushinteger(L, code);
    return 3;
}

void wsl_push_stats(lua_State *L, const WsnmpStats *st);
void wsl_push_stats(lua_State *L, const WsnmpStats *st)
{
    lua_createtable(L, 0, 8);
    lua_pushinteger(L, st->sessions);
    lua_setfield(L, -2, "sessions");
    lua_pushinteger(L, st->entities);
    lua_setfield(L, -2, "entities");
    lua_pushinteger(L, st->contexts);
    lua_setfield(L, -2, "contexts");
    lua_pushinteger(L, st->pdus);
    lua_setfield(L, -2, "pdus");
    lua_pushinteger(L, st->vbls);
    lua_setfield(L, -2, "vbls");
    lua_pushinteger(L, st->pending);
    lua_setfield(L, -2, "pending");
    lua_pushinteger(L, st->registrations);
    lua_setfield(L, -2, "registrations");
    lua_pushinteger(L, st->descriptors);
    lua_setfield(L, -2, "descriptors");
    lua_pushinteger(L, st->dropped);
    lua_setfield(L, -2, "dropped");
    lua_pushinteger(L, st->queue_dropped);
    lua_setfield(L, -2, "queue_dropped");
    lua_pushinteger(L, st->agentx);
    lua_setfield(L, -2, "agentx");
    lua_createtable(L, 0, 6); /* RFC 3414 usmStats (process totals) */
    lua_pushinteger(L, st->usm_unknown_engine_ids);
    lua_setfield(L, -2, "unknown_engine_ids");
    lua_pushinteger(L, st->usm_not_in_time_windows);
    lua_setfield(L, -2, "not_in_time_windows");
    lua_pushinteger(L, st->usm_unknown_users);
    lua_setfield(L, -2, "unknown_users");
    lua_pushinteger(L, st->usm_wrong_digests);
    lua_setfield(L, -2, "wrong_digests");
    lua_pushinteger(L, st->usm_decryption_errors);
    lua_setfield(L, -2, "decryption_errors");
    lua_pushinteger(L, st->usm_unsupported_sec_levels);
    lua_setfield(L, -2, "unsupported_sec_levels");
    lua_setfield(L, -2, "usm");
}

static int s_stats(lua_State *L)
{
    void *h = check_session(L)->handle;
    WsnmpStats st;
    if (!WsnmpGetStats(h ? h : WSNMP_HANDLE_FROM_VALUE(UINT64_MAX),
                       &st)) /* never 0: that means "process" */
        return wsl_push_last_error(L, 0);
    wsl_push_stats(L, &st);
    return 1;
}

static int s_entity(lua_State *L)
{
    lua_settop(L, 3); /* the new userdata must not land in the options slot */
    void *h = check_session(L)->handle;
    const char *address = wsl_check_text(L, 2, h, SNMPAPI_ENTITY_UNKNOWN, "the address");
    if (!lua_isnoneornil(L, 3))
        luaL_checktype(L, 3, LUA_TTABLE);
    if (address == NULL)
        return wsl_push_last_error(L, h);
    HSNMP_ENTITY e = WsnmpStrToEntityEx(h, address, WSNMP_PRIVATE);
    if (e == 0 && wsl_retry_after_gc(L))
        e = WsnmpStrToEntityEx(h, address, WSNMP_PRIVATE);
    if (e == 0)
        return wsl_push_last_error(L, h);
    wsl_object *o = wsl_push_object(L, WSNMP_KIND_ENTITY, e, 1);
    if (!lua_isnoneornil(L, 3) && !wsl_apply_entity_options(L, h, e, 3)) {
        wsl_release(o, WSNMP_KIND_ENTITY);
        return wsl_push_last_error(L, h);
    }
    return 1;
}

static int s_context(lua_State *L)
{
    void *h = check_session(L)->handle;
    size_t len;
    const char *name = luaL_checklstring(L, 2, &len);
    smiOCTETS octets = {(smiUINT32)(len > UINT32_MAX ? UINT32_MAX : len), (smiBYTE *)name};
    HSNMP_CONTEXT c = WsnmpStrToContextEx(h, &octets, WSNMP_PRIVATE);
    if (c == 0 && wsl_retry_after_gc(L))
        c = WsnmpStrToContextEx(h, &octets, WSNMP_PRIVATE);
    if (c == 0)
        return wsl_push_last_error(L, h);
    wsl_push_object(L, WSNMP_KIND_CONTEXT, c, 1);
    return 1;
}

/* Pushes a new Vbl userdata filled from the list at idx (nil: empty).
 * Returns 1, or pushes the failure and returns 0. */
static int new_vbl(lua_State *L, HSNMP_SESSION h, int idx)
{
    idx = lua_absindex(L, idx);
    if (!lua_isnoneornil(L, idx))
        luaL_checktype(L, idx, LUA_TTABLE);
    HSNMP_VBL v = SnmpCreateVbl(h, NULL, NULL);
    if (v == 0 && wsl_retry_after_gc(L))
        v = SnmpCreateVbl(h, NULL, NULL);
    if (v == 0) {
        wsl_push_last_error(L, h);
        return 0;
    }
    /* Wrap before filling: a raise while reading the list then leaves the
     * handle to the garbage collector instead of leaking it. */
    wsl_object *o = wsl_push_object(L, WSNMP_KIND_VBL, v, 1);
    if (!lua_isnoneornil(L, idx) && !wsl_append_varbinds(L, h, v, idx)) {
        wsl_release(o, WSNMP_KIND_VBL);
        lua_pop(L, 1);
        wsl_push_last_error(L, h);
        return 0;
    }
    return 1;
}

static int s_vbl(lua_State *L)
{
    lua_settop(L, 2);
    void *h = check_session(L)->handle;
    return new_vbl(L, h, 2) ? 1 : 3;
}

static const struct {
    const char *name;
    smiINT type;
} pdu_types[] = {
    {"get", SNMP_PDU_GET},           {"getnext", SNMP_PDU_GETNEXT}, {"getbulk", SNMP_PDU_GETBULK},
    {"set", SNMP_PDU_SET},           {"trap", SNMP_PDU_TRAP},       {"inform", SNMP_PDU_INFORM},
    {"response", SNMP_PDU_RESPONSE}, {"v1trap", SNMP_PDU_V1TRAP},
};

const char *wsl_pdu_type_name(smiINT type);
const char *wsl_pdu_type_name(smiINT type)
{
    for (size_t i = 0; i < sizeof pdu_types / sizeof pdu_types[0]; i++)
        if (pdu_types[i].type == type)
            return pdu_types[i].name;
    return "unknown";
}

static smiINT opt_int(lua_State *L, int opts, const char *key, smiINT dflt, int *given)
{
    if (lua_isnoneornil(L, opts))
        return dflt;
    lua_getfield(L, opts, key);
    if (lua_isnil(L, -1)) {
        lua_pop(L, 1);
        return dflt;
    }
    int ok;
    lua_Integer n = lua_tointegerx(L, -1, &ok);
    if (!ok || lua_type(L, -1) != LUA_TNUMBER || n < INT32_MIN || n > INT32_MAX)
        luaL_error(L, "option '%s' must be an integer in the 32-bit range", key);
    lua_pop(L, 1);
    if (given)
        *given = 1;
    return (smiINT)n;
}

static int s_pdu(lua_State *L)
{
    lua_settop(L, 4);
    void *h = check_session(L)->handle;
    const char *tname = luaL_checkstring(L, 2);
    int opts = 4;
    if (!lua_isnoneornil(L, opts))
        luaL_checktype(L, opts, LUA_TTABLE);
    smiINT type = 0;
    for (size_t i = 0; i < sizeof pdu_types / sizeof pdu_types[0]; i++)
        if (strcmp(pdu_types[i].name, tname) == 0)
            type = pdu_types[i].type;
    if (type == 0)
        return wsl_fail(L, h, SNMPAPI_PDU_INVALID, "unknown PDU type '%.40s'", tname);

    int id_given = 0;
    smiINT32 request_id = opt_int(L, opts, "request_id", 0, &id_given);
    smiINT field1, field2;
    if (type == SNMP_PDU_GETBULK) {
        field1 = opt_int(L, opts, "non_repeaters", 0, NULL);
        field2 = opt_int(L, opts, "max_repetitions", 0, NULL);
    } else {
        field1 = opt_int(L, opts, "error_status", 0, NULL);
        field2 = opt_int(L, opts, "error_index", 0, NULL);
    }

    HSNMP_VBL vbl = 0;
    if (wsl_test(L, 3, WSNMP_KIND_VBL)) {
        vbl = ((wsl_object *)lua_touserdata(L, 3))->handle;
        if (WsnmpHandleKind(vbl) != WSNMP_KIND_VBL)
            return wsl_fail(L, h, SNMPAPI_VBL_INVALID, "the VBL was freed or its session closed");
    } else if (!lua_isnoneornil(L, 3)) {
        if (!new_vbl(L, h, 3))
            return 3;
        vbl = ((wsl_object *)lua_touserdata(L, -1))->handle;
    }
    HSNMP_PDU p = SnmpCreatePdu(h, type, request_id, field1, field2, vbl);
    if (p == 0 && wsl_retry_after_gc(L))
        p = SnmpCreatePdu(h, type, request_id, field1, field2, vbl);
    if (!lua_isnoneornil(L, 3) && !wsl_test(L, 3, WSNMP_KIND_VBL))
        wsl_release(lua_touserdata(L, -1), WSNMP_KIND_VBL); /* the temporary list */
    if (p == 0)
        return wsl_push_last_error(L, h);
    if (id_given && request_id == 0) {
        /* SnmpCreatePdu reads 0 as "generate one"; force it as WinSNMP says. */
        smiINT32 zero = 0;
        SnmpSetPduData(p, NULL, &zero, NULL, NULL, NULL);
    }
    wsl_push_object(L, WSNMP_KIND_PDU, p, 1);
    return 1;
}

void wsl_open_session(lua_State *L)
{
    static const luaL_Reg methods[] = {
        {"close", s_close}, {"is_open", s_is_open}, {"last_error", s_last_error},
        {"stats", s_stats}, {"entity", s_entity},   {"context", s_context},
        {"vbl", s_vbl},     {"pdu", s_pdu},         {NULL, NULL},
    };
    static const luaL_Reg metamethods[] = {
        {"__gc", s_gc},
        {"__close", s_gc},
        {"__tostring", s_tostring},
        {NULL, NULL},
    };
    wsl_new_class(L, WSNMP_KIND_SESSION, methods, metamethods);
}
