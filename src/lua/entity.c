/*
 * entity.c — the Entity and Context classes, entity options, and friendly
 * names defined from Lua.  No community string or passphrase is ever put in
 * a message or a tostring.
 */
#include "binding.h"

#include <math.h>
#include <string.h>

/* Options accepted by s:entity() and winsnmp.define_agent(). */
typedef struct {
    const char *address;
    const char *version;
    const char *community;
    size_t community_len;
    int has_timeout, has_retries, has_backoff, has_any_source;
    double timeout, backoff;
    lua_Integer retries;
    int any_source;
    const char *user, *level, *auth, *auth_pass, *priv, *priv_pass, *context;
    size_t context_len;
} entity_opts;

static const char *const option_names[] = {
    "address", "version", "community",     "timeout",    "retries",   "user",
    "level",   "auth",    "auth_pass",     "priv",       "priv_pass", "context",
    "backoff", "rate",    "max_in_flight", "any_source", NULL,
};

/* Reads the options table at idx.  Misuse (unknown keys, wrong Lua types)
 * raises; strings stay anchored by the table. */
static void read_options(lua_State *L, int idx, entity_opts *o, int allow_address)
{
    memset(o, 0, sizeof *o);
    idx = lua_absindex(L, idx);
    lua_pushnil(L);
    while (lua_next(L, idx)) {
        if (lua_type(L, -2) != LUA_TSTRING)
            luaL_error(L, "entity options: keys must be strings");
        const char *key = lua_tostring(L, -2);
        int k = 0;
        while (option_names[k] && strcmp(option_names[k], key) != 0)
            k++;
        if (option_names[k] == NULL || (k == 0 && !allow_address))
            luaL_error(L, "entity options: unknown option '%s'", key);
        if (strcmp(key, "timeout") == 0) {
            if (lua_type(L, -1) != LUA_TNUMBER)
                luaL_error(L, "entity options: 'timeout' must be a number of seconds");
            o->timeout = lua_tonumber(L, -1);
            if (!(o->timeout >= 0) || o->timeout > 4294967.0)
                luaL_error(L, "entity options: 'timeout' must be 0..4294967 seconds");
            o->has_timeout = 1;
        } else if (strcmp(key, "retries") == 0) {
            if (!lua_isinteger(L, -1) || lua_tointeger(L, -1) < 0 || lua_tointeger(L, -1) > 1000)
                luaL_error(L, "entity options: 'retries' must be an integer 0..1000");
            o->retries = lua_tointeger(L, -1);
            o->has_retries = 1;
        } else if (strcmp(key, "backoff") == 0) {
            o->backoff = lua_tonumber(L, -1);
            if (lua_type(L, -1) != LUA_TNUMBER || !(o->backoff >= 1.0 && o->backoff <= 10.0))
                luaL_error(L, "entity options: 'backoff' must be a number 1..10");
            o->has_backoff = 1;
        } else if (strcmp(key, "any_source") == 0) {
            if (lua_type(L, -1) != LUA_TBOOLEAN)
                luaL_error(L, "entity options: 'any_source' must be a boolean");
            o->any_source = lua_toboolean(L, -1);
            o->has_any_source = 1;
        } else if (strcmp(key, "rate") == 0) {
            /* pacing is done by the Lua layer (winsnmp.requests): checked here */
            if (lua_type(L, -1) != LUA_TNUMBER || !(lua_tonumber(L, -1) > 0))
                luaL_error(L, "entity options: 'rate' must be a number of requests per second > 0");
        } else if (strcmp(key, "max_in_flight") == 0) {
            if (!lua_isinteger(L, -1) || lua_tointeger(L, -1) < 1)
                luaL_error(L, "entity options: 'max_in_flight' must be an integer >= 1");
        } else if (strcmp(key, "version") == 0 && lua_type(L, -1) == LUA_TNUMBER) {
            lua_Integer v = lua_tointeger(L, -1);
            o->version = v == 1 ? "1" : v == 2 ? "2c" : v == 3 ? "3" : "?";
        } else {
            if (lua_type(L, -1) != LUA_TSTRING)
                luaL_error(L, "entity options: '%s' must be a string", key);
            size_t len;
            const char *s = lua_tolstring(L, -1, &len);
            /* community and context carry their length; the others are C
             * text, which a NUL byte would silently cut short */
            if (k != 2 && k != 11 && strlen(s) != len)
                luaL_error(L, "entity options: '%s' contains a NUL byte", key);
            const char **slot[] = {&o->address,   &o->version, &o->community, NULL,
                                   NULL,          &o->user,    &o->level,     &o->auth,
                                   &o->auth_pass, &o->priv,    &o->priv_pass, &o->context};
            *slot[k] = s;
            if (k == 2)
                o->community_len = len;
            if (k == 11)
                o->context_len = len;
        }
        lua_pop(L, 1);
    }
}

/* Turns option names into a WsnmpUsm; returns NULL or a reason. */
static const char *to_usm(const entity_opts *o, WsnmpUsm *u)
{
    memset(u, 0, sizeof *u);
    u->user = o->user;
    u->auth_pass = o->auth_pass;
    u->priv_pass = o->priv_pass;
    if (o->auth && (u->auth = WsnmpAuthByName(o->auth)) < 0)
        return "unknown auth protocol (MD5, SHA, SHA-224, SHA-256, SHA-384, SHA-512)";
    if (o->priv && (u->priv = WsnmpPrivByName(o->priv)) < 0)
        return "unknown priv protocol (DES, AES, AES-192, AES-256)";
    if (o->level) {
        if ((u->level = WsnmpLevelByName(o->level)) < 0)
            return "unknown level (noAuthNoPriv, authNoPriv, authPriv)";
    } else {
        u->level = u->priv   ? WSNMP_LEVEL_AUTH_PRIV
                   : u->auth ? WSNMP_LEVEL_AUTH_NOPRIV
                             : WSNMP_LEVEL_NOAUTH_NOPRIV;
    }
    u->context.ptr = (smiBYTE *)o->context;
    u->context.len = (smiUINT32)o->context_len;
    return NULL;
}

static int has_v3_options(const entity_opts *o)
{
    return o->level || o->auth || o->auth_pass || o->priv || o->priv_pass || o->context;
}

int wsl_apply_entity_options(lua_State *L, HSNMP_SESSION s, HSNMP_ENTITY e, int idx)
{
    entity_opts o;
    read_options(L, idx, &o, 0);
    int version = 0;
    if (o.version && (version = WsnmpVersionByName(o.version)) < 0)
        return WsnmpSetLastError(s, SNMPAPI_MODE_INVALID, "unknown SNMP version (1, 2c or 3)"), 0;
    if (!o.user && has_v3_options(&o))
        return WsnmpSetLastError(s, SNMPAPI_OTHER_ERROR, "v3 options need 'user'"), 0;
    if (o.user && version && version != WSNMP_VERSION_3)
        return WsnmpSetLastError(s, SNMPAPI_OTHER_ERROR, "'user' is a v3 option"), 0;
    if (o.user) {
        WsnmpUsm u;
        const char *why = to_usm(&o, &u);
        if (why)
            return WsnmpSetLastError(s, SNMPAPI_OTHER_ERROR, why), 0;
        if (!WsnmpSetEntityUsm(e, &u))
            return 0;
        version = WSNMP_VERSION_3;
    } else if (version == WSNMP_VERSION_3) {
        int current = 0;
        WsnmpGetEntityVersion(e, &current);
        if (current != WSNMP_VERSION_3) /* a friendly v3 agent already has a user */
            return WsnmpSetLastError(s, SNMPAPI_OTHER_ERROR, "a v3 entity needs 'user'"), 0;
    }
    if (version && !WsnmpSetEntityVersion(e, version))
        return 0;
    if (o.community) {
        smiOCTETS c = {(smiUINT32)o.community_len, (smiBYTE *)o.community};
        if (!WsnmpSetEntityCommunity(e, &c))
            return 0;
    }
    if (o.has_timeout && !WsnmpSetTimeoutMs(e, (smiUINT32)ceil(o.timeout * 1000.0)))
        return 0;
    if (o.has_retries && !WsnmpSetRetries(e, (smiUINT32)o.retries))
        return 0;
    if (o.has_backoff && !WsnmpSetEntityBackoff(e, o.backoff))
        return 0;
    if (o.has_any_source && !WsnmpSetEntityAnySource(e, o.any_source))
        return 0;
    return 1;
}

int wsl_define_agent(lua_State *L)
{
    const char *name = luaL_checkstring(L, 1);
    luaL_checktype(L, 2, LUA_TTABLE);
    entity_opts o;
    read_options(L, 2, &o, 1);
    if (o.address == NULL)
        luaL_error(L, "define_agent: 'address' is required");
    WsnmpAgent a;
    memset(&a, 0, sizeof a);
    a.address = o.address;
    a.retries = o.has_retries ? (smiUINT32)o.retries : WSNMP_DEFAULT;
    a.timeout_ms = o.has_timeout ? (smiUINT32)ceil(o.timeout * 1000.0) : 0;
    if (o.version && (a.version = WsnmpVersionByName(o.version)) < 0)
        return wsl_fail(L, 0, SNMPAPI_MODE_INVALID, "unknown SNMP version (1, 2c or 3)");
    if (o.community)
        a.community = (smiOCTETS){(smiUINT32)o.community_len, (smiBYTE *)o.community};
    if (!o.user && has_v3_options(&o))
        return wsl_fail(L, 0, SNMPAPI_OTHER_ERROR, "v3 options need 'user'");
    if (o.user) {
        const char *why = to_usm(&o, &a.usm);
        if (why)
            return wsl_fail(L, 0, SNMPAPI_OTHER_ERROR, "%s", why);
        if (a.version == 0)
            a.version = WSNMP_VERSION_3;
    }
    if (!WsnmpDefineAgent(name, &a))
        return wsl_push_last_error(L, 0);
    lua_pushboolean(L, 1);
    return 1;
}

/* ---- Entity methods ------------------------------------------------------- */

static void *entity_handle(lua_State *L)
{
    return wsl_check(L, 1, WSNMP_KIND_ENTITY)->handle;
}

static int e_address(lua_State *L)
{
    void *e = entity_handle(L);
    char buf[WSNMP_MAX_ADDRESS + 32];
    if (!WsnmpEntityAddress(e, sizeof buf, buf))
        return wsl_push_last_error(L, wsl_owner(L, 1));
    lua_pushstring(L, buf);
    return 1;
}

static int e_name(lua_State *L)
{
    void *e = entity_handle(L);
    char buf[WSNMP_MAX_ADDRESS + 32];
    if (!SnmpEntityToStr(e, sizeof buf, buf))
        return wsl_push_last_error(L, wsl_owner(L, 1));
    lua_pushstring(L, buf);
    return 1;
}

static int e_timeout(lua_State *L)
{
    void *e = entity_handle(L);
    HSNMP_SESSION s = wsl_owner(L, 1);
    if (!lua_isnoneornil(L, 2)) {
        lua_Number t = luaL_checknumber(L, 2);
        luaL_argcheck(L, t >= 0 && t <= 4294967.0, 2, "timeout must be 0..4294967 seconds");
        if (!WsnmpSetTimeoutMs(e, (smiUINT32)ceil(t * 1000.0)))
            return wsl_push_last_error(L, s);
    }
    smiUINT32 ms;
    if (!WsnmpGetTimeoutMs(e, &ms))
        return wsl_push_last_error(L, s);
    lua_pushnumber(L, ms / 1000.0);
    return 1;
}

static int e_retries(lua_State *L)
{
    void *e = entity_handle(L);
    HSNMP_SESSION s = wsl_owner(L, 1);
    if (!lua_isnoneornil(L, 2)) {
        lua_Integer n = luaL_checkinteger(L, 2);
        luaL_argcheck(L, n >= 0 && n <= 1000, 2, "retries must be 0..1000");
        if (!WsnmpSetRetries(e, (smiUINT32)n))
            return wsl_push_last_error(L, s);
    }
    smiUINT32 n;
    if (!SnmpGetRetry(e, &n, NULL))
        return wsl_push_last_error(L, s);
    lua_pushinteger(L, n);
    return 1;
}

/* e:_set(opts) -> true: s:entity's options, on an existing entity (e:set
 * in Lua adds the pacing the Lua layer keeps) */
static int e_set(lua_State *L)
{
    void *e = entity_handle(L);
    luaL_checktype(L, 2, LUA_TTABLE);
    HSNMP_SESSION s = wsl_owner(L, 1);
    if (!wsl_apply_entity_options(L, s, e, 2))
        return wsl_push_last_error(L, s);
    lua_pushboolean(L, 1);
    return 1;
}

/* e:_stats() -> {requests=, responses=, timeouts=, retries=, too_big=,
 * rtt_avg=, rtt_max=, in_flight=} as the engine counted them */
static int e_stats(lua_State *L)
{
    void *e = entity_handle(L);
    WsnmpEntityStats st;
    if (!WsnmpGetEntityStats(e, &st))
        return wsl_push_last_error(L, wsl_owner(L, 1));
    lua_createtable(L, 0, 8);
    const struct {
        const char *name;
        uint64_t value;
    } counts[] = {{"requests", st.requests}, {"responses", st.responses},
                  {"timeouts", st.timeouts}, {"retries", st.retries},
                  {"too_big", st.too_big},   {"in_flight", st.in_flight}};
    for (size_t i = 0; i < sizeof counts / sizeof counts[0]; i++) {
        lua_pushinteger(L, (lua_Integer)counts[i].value);
        lua_setfield(L, -2, counts[i].name);
    }
    lua_pushnumber(L, st.rtt_avg);
    lua_setfield(L, -2, "rtt_avg");
    lua_pushnumber(L, st.rtt_max);
    lua_setfield(L, -2, "rtt_max");
    return 1;
}

static int e_version(lua_State *L)
{
    void *e = entity_handle(L);
    int v;
    if (!WsnmpGetEntityVersion(e, &v))
        return wsl_push_last_error(L, wsl_owner(L, 1));
    lua_pushstring(L, WsnmpVersionName(v));
    return 1;
}

static int e_free(lua_State *L)
{
    wsl_release(wsl_check(L, 1, WSNMP_KIND_ENTITY), WSNMP_KIND_ENTITY);
    lua_pushboolean(L, 1);
    return 1;
}

static int e_gc(lua_State *L)
{
    wsl_release(wsl_check(L, 1, WSNMP_KIND_ENTITY), WSNMP_KIND_ENTITY);
    return 0;
}

static int e_tostring(lua_State *L)
{
    void *e = entity_handle(L);
    char buf[WSNMP_MAX_ADDRESS + 32];
    int v;
    if (WsnmpHandleKind(e) != WSNMP_KIND_ENTITY || !WsnmpEntityAddress(e, sizeof buf, buf) ||
        !WsnmpGetEntityVersion(e, &v))
        lua_pushliteral(L, WSL_ENTITY " (freed)");
    else
        lua_pushfstring(L, WSL_ENTITY " (%s, v%s)", buf, WsnmpVersionName(v));
    return 1;
}

/* ---- Context methods ------------------------------------------------------ */

static int c_name(lua_State *L)
{
    void *c = wsl_check(L, 1, WSNMP_KIND_CONTEXT)->handle;
    smiOCTETS out;
    if (!SnmpContextToStr(c, &out))
        return wsl_push_last_error(L, wsl_owner(L, 1));
    lua_pushlstring(L, (const char *)out.ptr, out.len);
    SnmpFreeDescriptor(SNMP_SYNTAX_OCTETS, &out);
    return 1;
}

static int c_free(lua_State *L)
{
    wsl_release(wsl_check(L, 1, WSNMP_KIND_CONTEXT), WSNMP_KIND_CONTEXT);
    lua_pushboolean(L, 1);
    return 1;
}

static int c_gc(lua_State *L)
{
    wsl_release(wsl_check(L, 1, WSNMP_KIND_CONTEXT), WSNMP_KIND_CONTEXT);
    return 0;
}

static int c_tostring(lua_State *L)
{
    void *c = wsl_check(L, 1, WSNMP_KIND_CONTEXT)->handle;
    /* The name may be a community string: never shown. */
    if (WsnmpHandleKind(c) == WSNMP_KIND_CONTEXT)
        lua_pushliteral(L, WSL_CONTEXT);
    else
        lua_pushliteral(L, WSL_CONTEXT " (freed)");
    return 1;
}

void wsl_open_entity(lua_State *L)
{
    static const luaL_Reg entity_methods[] = {
        {"address", e_address}, {"name", e_name}, {"timeout", e_timeout}, {"retries", e_retries},
        {"version", e_version}, {"free", e_free}, {"close", e_free},      {"_set", e_set},
        {"_stats", e_stats},    {NULL, NULL},
    };
    static const luaL_Reg entity_meta[] = {
        {"__gc", e_gc},
        {"__close", e_gc},
        {"__tostring", e_tostring},
        {NULL, NULL},
    };
    static const luaL_Reg context_methods[] = {
        {"name", c_name},
        {"free", c_free},
        {"close", c_free},
        {NULL, NULL},
    };
    static const luaL_Reg context_meta[] = {
        {"__gc", c_gc},
        {"__close", c_gc},
        {"__tostring", c_tostring},
        {NULL, NULL},
    };
    wsl_new_class(L, WSNMP_KIND_ENTITY, entity_methods, entity_meta);
    wsl_new_class(L, WSNMP_KIND_CONTEXT, context_methods, context_meta);
}
