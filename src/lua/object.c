/*
 * object.c — userdata for handles, the shared release path, and failure
 * results.
 *
 * Userdata hold only a handle.  The C core decides whether a handle is
 * live, so a userdata whose session was closed, or that was freed, simply
 * carries a dead number: every method then answers SNMPAPI_*_INVALID.
 */
#include "binding.h"

#include <stdarg.h>
#include <stdio.h>

static const char *const class_names[] = {
    [WSNMP_KIND_SESSION] = WSL_SESSION, [WSNMP_KIND_ENTITY] = WSL_ENTITY,
    [WSNMP_KIND_CONTEXT] = WSL_CONTEXT, [WSNMP_KIND_PDU] = WSL_PDU,
    [WSNMP_KIND_VBL] = WSL_VBL,
};

const char *wsl_kind_mt(int kind)
{
    return class_names[kind];
}

wsl_object *wsl_push_object(lua_State *L, int kind, uint64_t handle, int session_idx)
{
    session_idx = lua_absindex(L, session_idx);
    wsl_object *o = lua_newuserdatauv(L, sizeof *o, 1);
    o->handle = 0; /* closed until fully built */
    luaL_setmetatable(L, class_names[kind]);
    if (kind != WSNMP_KIND_SESSION) {
        lua_pushvalue(L, session_idx);
        lua_setiuservalue(L, -2, 1); /* keep the session alive */
    }
    o->handle = handle;
    return o;
}

wsl_object *wsl_check(lua_State *L, int idx, int kind)
{
    return luaL_checkudata(L, idx, class_names[kind]);
}

void wsl_release(wsl_object *o, int kind)
{
    uint64_t h = o->handle;
    o->handle = 0;
    /* Check first: freeing a dead handle would overwrite the last error at
     * whatever moment the garbage collector runs. */
    if (h == 0 || WsnmpHandleKind(h) != kind)
        return;
    switch (kind) {
    case WSNMP_KIND_SESSION:
        SnmpClose(h);
        break;
    case WSNMP_KIND_ENTITY:
        SnmpFreeEntity(h);
        break;
    case WSNMP_KIND_CONTEXT:
        SnmpFreeContext(h);
        break;
    case WSNMP_KIND_PDU:
        SnmpFreePdu(h);
        break;
    case WSNMP_KIND_VBL:
        SnmpFreeVbl(h);
        break;
    }
}

int wsl_push_last_error(lua_State *L, HSNMP_SESSION session)
{
    SNMPAPI_STATUS code = SnmpGetLastError(0);
    const char *message = WsnmpGetLastErrorMessage(0);
    if (session != 0 && WsnmpHandleKind(session) == WSNMP_KIND_SESSION)
        WsnmpSetLastError(session, code, message);
    const char *name = WsnmpErrorName(code);
    luaL_pushfail(L);
    lua_pushstring(L, message);
    lua_pushstring(L, name ? name : "SNMPAPI_OTHER_ERROR");
    return 3;
}

int wsl_fail(lua_State *L, HSNMP_SESSION session, SNMPAPI_STATUS code, const char *fmt, ...)
{
    char message[256];
    va_list ap;
    va_start(ap, fmt);
    vsnprintf(message, sizeof message, fmt, ap);
    va_end(ap);
    WsnmpSetLastError(session, code, message);
    luaL_pushfail(L);
    lua_pushstring(L, message);
    lua_pushstring(L, WsnmpErrorName(code));
    return 3;
}

void wsl_new_class(lua_State *L, const char *name, const luaL_Reg *methods,
                   const luaL_Reg *metamethods)
{
    luaL_newmetatable(L, name); /* also sets __name */
    luaL_setfuncs(L, metamethods, 0);
    lua_newtable(L);
    luaL_setfuncs(L, methods, 0);
    lua_setfield(L, -2, "__index");
    lua_pop(L, 1);
}

int wsl_retry_after_gc(lua_State *L)
{
    if (SnmpGetLastError(0) != SNMPAPI_ALLOC_ERROR)
        return 0;
    lua_gc(L, LUA_GCCOLLECT);
    lua_gc(L, LUA_GCCOLLECT); /* finalized objects go one cycle later */
    return 1;
}

HSNMP_SESSION wsl_owner(lua_State *L, int idx)
{
    lua_getiuservalue(L, idx, 1);
    wsl_object *s = luaL_testudata(L, -1, WSL_SESSION);
    HSNMP_SESSION h = s ? s->handle : 0;
    lua_pop(L, 1);
    return h;
}
