/*
 * mib.c — core.mib_*: the binding's side of MIB names (the Lua module
 * winsnmp.mib wraps these).  Everything goes through the public C API.
 */
#include "binding.h"

#include <stdlib.h>

#define MAX_SOURCES 256

/* Reads the optional array of strings at idx into out (NULL-terminated). */
static void read_strings(lua_State *L, int idx, const char *what, const char **out)
{
    out[0] = NULL;
    if (lua_isnil(L, idx))
        return;
    luaL_argexpected(L, lua_type(L, idx) == LUA_TTABLE, idx, "table of strings");
    lua_Integer n = luaL_len(L, idx);
    luaL_argcheck(L, n < MAX_SOURCES, idx, "too many entries");
    for (lua_Integer i = 1; i <= n; i++) {
        lua_geti(L, idx, i);
        if (lua_type(L, -1) != LUA_TSTRING)
            luaL_error(L, "mib.load: %s[%d] must be a string", what, (int)i);
        out[i - 1] = lua_tostring(L, -1); /* kept alive by the table */
        lua_pop(L, 1);
    }
    out[n] = NULL;
}

/* core.mib_load(dirs|nil, modules|nil, files|nil) -> true */
static int l_mib_load(lua_State *L)
{
    lua_settop(L, 3);
    const char *dirs[MAX_SOURCES], *modules[MAX_SOURCES], *files[MAX_SOURCES];
    read_strings(L, 1, "dirs", dirs);
    read_strings(L, 2, "modules", modules);
    read_strings(L, 3, "files", files);
    WsnmpMibSources src = {dirs, modules, files};
    if (!WsnmpMibLoad(&src))
        return wsl_push_last_error(L, 0);
    lua_pushboolean(L, 1);
    return 1;
}

/* core.mib_oid(name) -> dotted OID (numeric input is returned canonical) */
static int l_mib_oid(lua_State *L)
{
    smiUINT32 buf[MAXOBJIDSIZE];
    smiOID oid = {0, buf};
    if ((oid.len = wsl_parse_oid_at(L, 0, 1, buf)) == 0)
        return wsl_push_last_error(L, 0);
    wsl_push_oid(L, &oid);
    return 1;
}

/* core.mib_name(oid) -> "MODULE::label.index" */
static int l_mib_name(lua_State *L)
{
    smiUINT32 buf[MAXOBJIDSIZE];
    smiOID oid = {0, buf};
    if ((oid.len = wsl_parse_oid_at(L, 0, 1, buf)) == 0)
        return wsl_push_last_error(L, 0);
    char text[MAXOBJIDSTRSIZE * 2];
    if (!WsnmpMibOidToName(&oid, text, sizeof text))
        return wsl_push_last_error(L, 0);
    lua_pushstring(L, text);
    return 1;
}

/* core._mib_index(entry_oid) -> {{name=, syntax=, size=, implied=, tc=}, ...}
 * from the loaded MIB's INDEX clause, or nil, msg, NAME */
static int l_mib_index(lua_State *L)
{
    smiUINT32 buf[MAXOBJIDSIZE];
    smiOID oid = {0, buf};
    if ((oid.len = wsl_parse_oid_at(L, 0, 1, buf)) == 0)
        return wsl_push_last_error(L, 0);
    WsnmpMibIndex items[16];
    SNMPAPI_STATUS n = WsnmpMibTableIndex(&oid, items, 16);
    if (n == SNMPAPI_FAILURE)
        return wsl_push_last_error(L, 0);
    if (n > 16)
        return wsl_fail(L, 0, SNMPAPI_OTHER_ERROR, "an INDEX clause of more than 16 objects");
    lua_createtable(L, (int)n, 0);
    for (SNMPAPI_STATUS i = 0; i < n; i++) {
        lua_createtable(L, 0, 5);
        lua_pushstring(L, items[i].name);
        lua_setfield(L, -2, "name");
        lua_pushstring(L, items[i].syntax);
        lua_setfield(L, -2, "syntax");
        lua_pushinteger(L, items[i].fixed_size);
        lua_setfield(L, -2, "size");
        lua_pushboolean(L, items[i].implied);
        lua_setfield(L, -2, "implied");
        lua_pushstring(L, items[i].tc);
        lua_setfield(L, -2, "tc");
        lua_rawseti(L, -2, (lua_Integer)i + 1);
    }
    return 1;
}

/* core.mib_enum(oid, number) -> label, or nil, msg, NAME */
static int l_mib_enum(lua_State *L)
{
    smiUINT32 buf[MAXOBJIDSIZE];
    smiOID oid = {0, buf};
    lua_Integer value = luaL_checkinteger(L, 2);
    if ((oid.len = wsl_parse_oid_at(L, 0, 1, buf)) == 0)
        return wsl_push_last_error(L, 0);
    luaL_argcheck(L, value >= INT32_MIN && value <= INT32_MAX, 2, "not a 32-bit integer");
    char label[256];
    if (!WsnmpMibEnumLabel(&oid, (smiINT32)value, label, sizeof label))
        return wsl_push_last_error(L, 0);
    lua_pushstring(L, label);
    return 1;
}

/* core.mib_format(oid, type, value, varbind, numeric) -> text */
static int l_mib_format(lua_State *L)
{
    lua_settop(L, 5);
    wsl_vb_storage store;
    smiOID name;
    smiVALUE value;
    if (!wsl_read_varbind(L, 0, 1, 2, 3, &store, &name, &value))
        return wsl_push_last_error(L, 0);
    smiUINT32 flags = (lua_toboolean(L, 4) ? WSNMP_MIB_FORMAT_VARBIND : 0) |
                      (lua_toboolean(L, 5) ? WSNMP_MIB_FORMAT_NUMERIC : 0);
    char small[1024];
    SNMPAPI_STATUS n = WsnmpMibFormat(&name, &value, flags, small, sizeof small);
    if (n) {
        lua_pushlstring(L, small, (size_t)n - 1);
        return 1;
    }
    if (SnmpGetLastError(0) != SNMPAPI_OUTPUT_TRUNCATED)
        return wsl_push_last_error(L, 0);
    /* Long values (a big OCTET STRING in hex) take a heap buffer. */
    size_t cap = (size_t)1 << 22;
    char *big = malloc(cap);
    if (big == NULL)
        return luaL_error(L, "out of memory");
    n = WsnmpMibFormat(&name, &value, flags, big, (smiUINT32)cap);
    if (n)
        lua_pushlstring(L, big, (size_t)n - 1);
    free(big);
    return n ? 1 : wsl_push_last_error(L, 0);
}

void wsl_open_mib(lua_State *L)
{
    static const luaL_Reg functions[] = {
        {"_mib_load", l_mib_load},
        {"_mib_oid", l_mib_oid},
        {"_mib_name", l_mib_name},
        {"_mib_enum", l_mib_enum},
        {"_mib_format", l_mib_format},
        {"_mib_index", l_mib_index},
        {NULL, NULL},
    };
    luaL_setfuncs(L, functions, 0); /* into the module table on top */
}
