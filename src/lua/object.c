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
#include <string.h>

static const char *const class_names[] = {
    [WSNMP_KIND_SESSION] = WSL_SESSION, [WSNMP_KIND_ENTITY] = WSL_ENTITY,
    [WSNMP_KIND_CONTEXT] = WSL_CONTEXT, [WSNMP_KIND_PDU] = WSL_PDU,
    [WSNMP_KIND_VBL] = WSL_VBL,
};

wsl_object *wsl_push_object(lua_State *L, int kind, void *handle, int session_idx)
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

/* Checking a receiver is on the path of every method call, and
 * luaL_checkudata interns the class name each time.  So each class's
 * metatable is also kept in the registry under the address of its entry
 * here, and the Lua state that loaded the module first has the addresses
 * of its metatables cached: a pointer comparison.  The cache is dropped
 * when that state closes (see forget_classes), so an address in it is
 * always a live table, which no object of another state can have as its
 * metatable; other states take the registry path. */
static const char class_keys[WSNMP_KIND_VBL + 1];
static const void *cached_mt[WSNMP_KIND_VBL + 1];
static const void *cache_owner; /* the main thread of the state cached */

static int forget_classes(lua_State *L)
{
    lua_rawgeti(L, LUA_REGISTRYINDEX, LUA_RIDX_MAINTHREAD);
    if (lua_topointer(L, -1) == cache_owner) {
        memset(cached_mt, 0, sizeof cached_mt);
        cache_owner = NULL;
    }
    return 0;
}

/* Caches the class metatable on top of the stack if this state owns the
 * cache or nobody does; the first claim leaves a sentinel whose __gc runs
 * when the state closes. */
static void cache_class(lua_State *L, int kind)
{
    lua_rawgeti(L, LUA_REGISTRYINDEX, LUA_RIDX_MAINTHREAD);
    const void *state = lua_topointer(L, -1);
    lua_pop(L, 1);
    if (cache_owner == NULL) {
        cache_owner = state;
        lua_newuserdatauv(L, 1, 0);
        lua_createtable(L, 0, 1);
        lua_pushcfunction(L, forget_classes);
        lua_setfield(L, -2, "__gc");
        lua_setmetatable(L, -2);
        lua_rawsetp(L, LUA_REGISTRYINDEX, &cache_owner);
    }
    if (cache_owner == state)
        cached_mt[kind] = lua_topointer(L, -1);
}

static int has_class(lua_State *L, int idx, int kind)
{
    if (!lua_getmetatable(L, idx))
        return 0;
    int same = lua_topointer(L, -1) == cached_mt[kind];
    if (!same) {
        lua_rawgetp(L, LUA_REGISTRYINDEX, &class_keys[kind]);
        same = lua_rawequal(L, -1, -2);
        lua_pop(L, 1);
    }
    lua_pop(L, 1);
    return same;
}

/* The object of each class checked last, which every request checks again
 * (its session and entity): found by address, the metatable is not
 * fetched.  An address leaves this when its object is released, which
 * every object's __gc does, so a freed address reused by another userdata
 * never matches; the size test keeps even a script that removed __gc from
 * the class reading no more than a handle's bytes (a handle the core
 * checks, like any). */
static const void *checked_last[WSNMP_KIND_VBL + 1];

wsl_object *wsl_test(lua_State *L, int idx, int kind)
{
    void *p = lua_touserdata(L, idx);
    if (p && p == checked_last[kind] && lua_rawlen(L, idx) == sizeof(wsl_object))
        return p;
    if (p && lua_type(L, idx) == LUA_TUSERDATA && has_class(L, idx, kind)) {
        checked_last[kind] = p;
        return p;
    }
    return NULL;
}

wsl_object *wsl_check(lua_State *L, int idx, int kind)
{
    wsl_object *o = wsl_test(L, idx, kind);
    /* The slow path only to raise luaL_checkudata's standard message. */
    return o ? o : luaL_checkudata(L, idx, class_names[kind]);
}

void wsl_release(wsl_object *o, int kind)
{
    for (int k = 0; k <= WSNMP_KIND_VBL; k++)
        if (checked_last[k] == o)
            checked_last[k] = NULL;
    void *h = o->handle;
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

void wsl_new_class(lua_State *L, int kind, const luaL_Reg *methods, const luaL_Reg *metamethods)
{
    luaL_newmetatable(L, class_names[kind]); /* also sets __name */
    lua_pushvalue(L, -1);
    lua_rawsetp(L, LUA_REGISTRYINDEX, &class_keys[kind]);
    cache_class(L, kind);
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
    wsl_object *s = wsl_test(L, -1, WSNMP_KIND_SESSION);
    HSNMP_SESSION h = s ? s->handle : 0;
    lua_pop(L, 1);
    return h;
}
