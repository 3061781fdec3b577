/*
 * pdu.c — the Pdu and Vbl classes.
 */
#include "binding.h"

const char *wsl_pdu_type_name(smiINT type);

/* The session userdata a child keeps in its user value, pushed on the
 * stack, and its handle. */
static HSNMP_SESSION push_owner(lua_State *L, int idx)
{
    lua_getiuservalue(L, idx, 1);
    wsl_object *s = wsl_test(L, -1, WSNMP_KIND_SESSION);
    return s ? s->handle : 0;
}

/* Fails with the kind's *_INVALID when the handle is no longer live. */
static int check_live(lua_State *L, void *h, int kind)
{
    if (WsnmpHandleKind(h) == kind)
        return 1;
    wsl_fail(L, 0, kind == WSNMP_KIND_PDU ? SNMPAPI_PDU_INVALID : SNMPAPI_VBL_INVALID,
             "the %s was freed or its session closed", kind == WSNMP_KIND_PDU ? "PDU" : "VBL");
    return 0;
}

/* ---- Pdu ------------------------------------------------------------------- */

static int p_data(lua_State *L)
{
    void *p = wsl_check(L, 1, WSNMP_KIND_PDU)->handle;
    HSNMP_SESSION s = wsl_owner(L, 1);
    smiINT type, error_status, error_index;
    smiINT32 request_id;
    if (!SnmpGetPduData(p, &type, &request_id, &error_status, &error_index, NULL))
        return wsl_push_last_error(L, s);
    lua_createtable(L, 0, 6);
    lua_pushstring(L, wsl_pdu_type_name(type));
    lua_setfield(L, -2, "type");
    lua_pushinteger(L, request_id);
    lua_setfield(L, -2, "request_id");
    if (type == SNMP_PDU_GETBULK) {
        /* In GETBULK the error fields carry the repetition parameters. */
        lua_pushinteger(L, error_status);
        lua_setfield(L, -2, "non_repeaters");
        lua_pushinteger(L, error_index);
        lua_setfield(L, -2, "max_repetitions");
        error_status = error_index = 0;
    }
    lua_pushinteger(L, error_status);
    lua_setfield(L, -2, "error_status");
    lua_pushinteger(L, error_index);
    lua_setfield(L, -2, "error_index");
    if (error_status != 0 && WsnmpPduErrorName(error_status)) {
        lua_pushstring(L, WsnmpPduErrorName(error_status));
        lua_setfield(L, -2, "error_name");
    }
    if (!wsl_push_pdu_varbinds(L, p))
        return wsl_push_last_error(L, s);
    lua_setfield(L, -2, "varbinds");
    return 1;
}

static int p_dup(lua_State *L)
{
    void *p = wsl_check(L, 1, WSNMP_KIND_PDU)->handle;
    if (!check_live(L, p, WSNMP_KIND_PDU))
        return 3;
    HSNMP_SESSION s = push_owner(L, 1);
    HSNMP_PDU copy = SnmpDuplicatePdu(s, p);
    if (copy == 0 && wsl_retry_after_gc(L))
        copy = SnmpDuplicatePdu(s, p);
    if (copy == 0)
        return wsl_push_last_error(L, s);
    wsl_push_object(L, WSNMP_KIND_PDU, copy, -1);
    return 1;
}

static int p_free(lua_State *L)
{
    wsl_release(wsl_check(L, 1, WSNMP_KIND_PDU), WSNMP_KIND_PDU);
    lua_pushboolean(L, 1);
    return 1;
}

static int p_gc(lua_State *L)
{
    wsl_release(wsl_check(L, 1, WSNMP_KIND_PDU), WSNMP_KIND_PDU);
    return 0;
}

static int p_tostring(lua_State *L)
{
    void *p = wsl_check(L, 1, WSNMP_KIND_PDU)->handle;
    smiINT type;
    smiINT32 id;
    if (WsnmpHandleKind(p) != WSNMP_KIND_PDU || !SnmpGetPduData(p, &type, &id, NULL, NULL, NULL))
        lua_pushliteral(L, WSL_PDU " (freed)");
    else
        lua_pushfstring(L, WSL_PDU " (%s, request %d)", wsl_pdu_type_name(type), (int)id);
    return 1;
}

/* ---- Vbl --------------------------------------------------------------------- */

static void *vbl_handle(lua_State *L)
{
    return wsl_check(L, 1, WSNMP_KIND_VBL)->handle;
}

/* A Lua index as a VBL index; out-of-range values become an index the core
 * rejects with SNMPAPI_INDEX_INVALID. */
static smiUINT32 vb_index(lua_State *L, int idx)
{
    lua_Integer i = luaL_checkinteger(L, idx);
    return i < 0 || i > (lua_Integer)UINT32_MAX ? UINT32_MAX : (smiUINT32)i;
}

static int v_count(lua_State *L)
{
    void *v = vbl_handle(L);
    smiUINT32 n;
    if (!WsnmpCountVbl(v, &n))
        return wsl_push_last_error(L, wsl_owner(L, 1));
    lua_pushinteger(L, n);
    return 1;
}

static int v_get(lua_State *L)
{
    void *v = vbl_handle(L);
    smiUINT32 i = vb_index(L, 2);
    smiOID name;
    smiVALUE value;
    if (!SnmpGetVb(v, i, &name, &value))
        return wsl_push_last_error(L, wsl_owner(L, 1));
    wsl_push_oid(L, &name);
    lua_pushstring(L, wsl_syntax_name(value.syntax));
    wsl_push_value(L, &value);
    SnmpFreeDescriptor(SNMP_SYNTAX_OID, (smiLPOPAQUE)&name);
    wsl_free_value(&value);
    return 3;
}

static int v_set(lua_State *L)
{
    void *v = vbl_handle(L);
    smiUINT32 i = vb_index(L, 2);
    lua_settop(L, 5);
    HSNMP_SESSION s = wsl_owner(L, 1);
    if (!check_live(L, v, WSNMP_KIND_VBL))
        return 3;
    SNMPAPI_STATUS index = wsl_set_varbind(L, s, v, i, 3, 4, 5);
    if (index == 0)
        return wsl_push_last_error(L, s);
    lua_pushinteger(L, index);
    return 1;
}

static int v_delete(lua_State *L)
{
    void *v = vbl_handle(L);
    if (!SnmpDeleteVb(v, vb_index(L, 2)))
        return wsl_push_last_error(L, wsl_owner(L, 1));
    lua_pushboolean(L, 1);
    return 1;
}

static int v_dup(lua_State *L)
{
    void *v = vbl_handle(L);
    if (!check_live(L, v, WSNMP_KIND_VBL))
        return 3;
    HSNMP_SESSION s = push_owner(L, 1);
    HSNMP_VBL copy = SnmpDuplicateVbl(s, v);
    if (copy == 0 && wsl_retry_after_gc(L))
        copy = SnmpDuplicateVbl(s, v);
    if (copy == 0)
        return wsl_push_last_error(L, s);
    wsl_push_object(L, WSNMP_KIND_VBL, copy, -1);
    return 1;
}

static int v_totable(lua_State *L)
{
    void *v = vbl_handle(L);
    if (!wsl_push_vbl_table(L, v))
        return wsl_push_last_error(L, wsl_owner(L, 1));
    return 1;
}

static int v_free(lua_State *L)
{
    wsl_release(wsl_check(L, 1, WSNMP_KIND_VBL), WSNMP_KIND_VBL);
    lua_pushboolean(L, 1);
    return 1;
}

static int v_gc(lua_State *L)
{
    wsl_release(wsl_check(L, 1, WSNMP_KIND_VBL), WSNMP_KIND_VBL);
    return 0;
}

static int v_tostring(lua_State *L)
{
    void *v = vbl_handle(L);
    smiUINT32 n;
    if (WsnmpHandleKind(v) != WSNMP_KIND_VBL || !WsnmpCountVbl(v, &n))
        lua_pushliteral(L, WSL_VBL " (freed)");
    else
        lua_pushfstring(L, WSL_VBL " (%d varbinds)", (int)n);
    return 1;
}

void wsl_open_pdu(lua_State *L)
{
    static const luaL_Reg pdu_methods[] = {
        {"data", p_data}, {"dup", p_dup}, {"free", p_free}, {"close", p_free}, {NULL, NULL},
    };
    static const luaL_Reg pdu_meta[] = {
        {"__gc", p_gc},
        {"__close", p_gc},
        {"__tostring", p_tostring},
        {NULL, NULL},
    };
    static const luaL_Reg vbl_methods[] = {
        {"count", v_count},   {"get", v_get},    {"set", v_set},
        {"delete", v_delete}, {"dup", v_dup},    {"totable", v_totable},
        {"free", v_free},     {"close", v_free}, {NULL, NULL},
    };
    static const luaL_Reg vbl_meta[] = {
        {"__gc", v_gc},
        {"__close", v_gc},
        {"__tostring", v_tostring},
        {NULL, NULL},
    };
    wsl_new_class(L, WSNMP_KIND_PDU, pdu_methods, pdu_meta);
    wsl_new_class(L, WSNMP_KIND_VBL, vbl_methods, vbl_meta);
}
