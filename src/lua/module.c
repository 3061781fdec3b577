/*
 * module.c — luaopen_winsnmp_core: library-level functions.
 */
#include "binding.h"

#include <ctype.h>
#include <stdio.h>
#include <string.h>

void wsl_push_stats(lua_State *L, const WsnmpStats *st);

static const char *const translate_names[] = {"translated", "untranslated_v1", "untranslated_v2",
                                              NULL};
static const char *const retransmit_names[] = {"off", "on", NULL};

static int l_startup(lua_State *L)
{
    smiUINT32 major, minor, level, translate, retransmit;
    if (!SnmpStartup(&major, &minor, &level, &translate, &retransmit))
        return wsl_push_last_error(L, 0);
    lua_createtable(L, 0, 5);
    lua_pushinteger(L, major);
    lua_setfield(L, -2, "major");
    lua_pushinteger(L, minor);
    lua_setfield(L, -2, "minor");
    lua_pushinteger(L, level);
    lua_setfield(L, -2, "level");
    lua_pushstring(L, translate_names[translate]);
    lua_setfield(L, -2, "translate_mode");
    lua_pushstring(L, retransmit_names[retransmit]);
    lua_setfield(L, -2, "retransmit_mode");
    return 1;
}

static int l_cleanup(lua_State *L)
{
    if (WsnmpIsStarted())
        SnmpCleanup();
    lua_pushboolean(L, 1);
    return 1;
}

static int l_session(lua_State *L)
{
    lua_settop(L, 1);
    if (!lua_isnoneornil(L, 1))
        luaL_checktype(L, 1, LUA_TFUNCTION);
    HSNMP_SESSION s = WsnmpCreateSession(wsl_session_callback(), NULL);
    if (s == 0 && wsl_retry_after_gc(L))
        s = WsnmpCreateSession(wsl_session_callback(), NULL);
    if (s == 0)
        return wsl_push_last_error(L, 0);
    wsl_push_object(L, WSNMP_KIND_SESSION, s, 0);
    wsl_remember_session(L, -1, s);
    lua_pushvalue(L, 1);
    lua_setiuservalue(L, -2, 1); /* the callback, or nil */
    return 1;
}

static int l_last_error(lua_State *L)
{
    SNMPAPI_STATUS code = SnmpGetLastError(0);
    if (code == 0) {
        lua_pushnil(L);
        lua_pushliteral(L, "no error");
        lua_pushinteger(L, 0);
        return 3;
    }
    lua_pushstring(L, WsnmpErrorName(code));
    lua_pushstring(L, WsnmpGetLastErrorMessage(0));
    lua_pushinteger(L, code);
    return 3;
}

static int l_stats(lua_State *L)
{
    WsnmpStats st;
    WsnmpGetStats(0, &st);
    wsl_push_stats(L, &st);
    wsnmp_security_stats sec;
    wsnmp_security_get_stats(&sec);
    if (lua_getfield(L, -1, "usm") != LUA_TTABLE) {
        lua_pop(L, 1);
        lua_newtable(L);
        lua_pushvalue(L, -1);
        lua_setfield(L, -3, "usm");
    }
    lua_pushinteger(L, (lua_Integer)(sec.passphrase_keys + sec.localised_users));
    lua_setfield(L, -2, "cached_keys");
    lua_pushinteger(L, (lua_Integer)sec.passphrase_keys);
    lua_setfield(L, -2, "passphrase_keys");
    lua_pushinteger(L, (lua_Integer)sec.localised_users);
    lua_setfield(L, -2, "localized_users");
    lua_pushinteger(L, (lua_Integer)sec.live_passphrases);
    lua_setfield(L, -2, "passphrases");
    lua_pop(L, 1);
    lua_createtable(L, 0, 5);
    lua_pushinteger(L, (lua_Integer)sec.secure_blocks);
    lua_setfield(L, -2, "blocks");
    lua_pushinteger(L, (lua_Integer)sec.secure_bytes);
    lua_setfield(L, -2, "bytes");
    lua_pushinteger(L, (lua_Integer)sec.secure_mapped);
    lua_setfield(L, -2, "mapped");
    lua_pushinteger(L, (lua_Integer)sec.secure_dontdump);
    lua_setfield(L, -2, "dontdump");
    lua_pushinteger(L, (lua_Integer)sec.secure_locked);
    lua_setfield(L, -2, "locked");
    lua_setfield(L, -2, "secure");
    return 1;
}

static int l_netsnmp_conf_dirs(lua_State *L)
{
    lua_pushstring(L, wsnmp_security_netsnmp_conf_dirs());
    return 1;
}

static smiUINT32 limit_field(lua_State *L, const char *key)
{
    lua_getfield(L, 1, key);
    smiUINT32 v = 0;
    if (!lua_isnil(L, -1)) {
        if (!lua_isinteger(L, -1) || lua_tointeger(L, -1) < 1 ||
            lua_tointeger(L, -1) > (lua_Integer)UINT32_MAX - 1)
            luaL_error(L, "limits: '%s' must be a positive integer", key);
        v = (smiUINT32)lua_tointeger(L, -1);
    }
    lua_pop(L, 1);
    return v;
}

static int l_limits(lua_State *L)
{
    WsnmpLimits lim;
    if (!lua_isnoneornil(L, 1)) {
        luaL_checktype(L, 1, LUA_TTABLE);
        lua_pushnil(L);
        while (lua_next(L, 1)) {
            const char *k = lua_type(L, -2) == LUA_TSTRING ? lua_tostring(L, -2) : "";
            if (strcmp(k, "sessions") && strcmp(k, "handles") && strcmp(k, "handles_per_session") &&
                strcmp(k, "pending") && strcmp(k, "queue_bytes"))
                luaL_error(L, "limits: unknown limit '%s'", k);
            lua_pop(L, 1);
        }
        lim.sessions = limit_field(L, "sessions");
        lim.handles = limit_field(L, "handles");
        lim.handles_per_session = limit_field(L, "handles_per_session");
        lim.pending = limit_field(L, "pending");
        lim.queue_bytes = limit_field(L, "queue_bytes");
        WsnmpSetLimits(&lim);
    }
    WsnmpGetLimits(&lim);
    lua_createtable(L, 0, 5);
    lua_pushinteger(L, lim.sessions);
    lua_setfield(L, -2, "sessions");
    lua_pushinteger(L, lim.handles);
    lua_setfield(L, -2, "handles");
    lua_pushinteger(L, lim.handles_per_session);
    lua_setfield(L, -2, "handles_per_session");
    lua_pushinteger(L, lim.pending);
    lua_setfield(L, -2, "pending");
    lua_pushinteger(L, lim.queue_bytes);
    lua_setfield(L, -2, "queue_bytes");
    return 1;
}

/* winsnmp.engine([t]) -> {id = "<hex>", boots = n, time = seconds}; with t,
 * sets the local engine first: t.id (hex), t.state (a file path). */
static int l_engine(lua_State *L)
{
    if (!lua_isnoneornil(L, 1)) {
        luaL_checktype(L, 1, LUA_TTABLE);
        lua_getfield(L, 1, "id");
        lua_getfield(L, 1, "state");
        const char *hex = luaL_optstring(L, -2, NULL);
        const char *state = luaL_optstring(L, -1, NULL);
        smiBYTE bytes[64];
        smiOCTETS id = {0, bytes};
        if (hex) {
            if (hex[0] == '0' && (hex[1] == 'x' || hex[1] == 'X'))
                hex += 2;
            size_t digits = strlen(hex);
            if (digits % 2 || digits / 2 > sizeof bytes)
                return wsl_fail(L, 0, SNMPAPI_OTHER_ERROR,
                                "engine: the id is 5 to 32 octets in hexadecimal");
            for (size_t i = 0; i < digits / 2; i++) {
                unsigned byte;
                if (!isxdigit((unsigned char)hex[2 * i]) ||
                    !isxdigit((unsigned char)hex[2 * i + 1]) ||
                    sscanf(hex + 2 * i, "%2x", &byte) != 1)
                    return wsl_fail(L, 0, SNMPAPI_OTHER_ERROR,
                                    "engine: the id is 5 to 32 octets in hexadecimal");
                bytes[i] = (smiBYTE)byte;
            }
            id.len = (smiUINT32)(digits / 2);
        }
        if (!WsnmpSetLocalEngine(hex ? &id : NULL, state))
            return wsl_push_last_error(L, 0);
    }
    WsnmpLocalEngine e;
    if (!WsnmpGetLocalEngine(&e))
        return wsl_push_last_error(L, 0);
    char hex[2 * sizeof e.id + 1];
    for (smiUINT32 i = 0; i < e.id_len; i++)
        snprintf(hex + 2 * i, 3, "%02x", e.id[i]);
    hex[2 * e.id_len] = '\0';
    lua_createtable(L, 0, 3);
    lua_pushstring(L, hex);
    lua_setfield(L, -2, "id");
    lua_pushinteger(L, e.boots);
    lua_setfield(L, -2, "boots");
    lua_pushinteger(L, e.time);
    lua_setfield(L, -2, "time");
    return 1;
}

static int l_type(lua_State *L)
{
    static const char *const kind_words[] = {
        [WSNMP_KIND_ENTITY] = "entity",
        [WSNMP_KIND_CONTEXT] = "context",
        [WSNMP_KIND_PDU] = "pdu",
        [WSNMP_KIND_VBL] = "vbl",
    };
    luaL_checkany(L, 1);
    for (int kind = WSNMP_KIND_SESSION; kind <= WSNMP_KIND_VBL; kind++) {
        wsl_object *o = wsl_test(L, 1, kind);
        if (o == NULL)
            continue;
        int live = WsnmpHandleKind(o->handle) == kind;
        if (kind == WSNMP_KIND_SESSION)
            lua_pushstring(L, live ? "session" : "closed session");
        else
            lua_pushstring(L, live ? kind_words[kind] : "freed handle");
        return 1;
    }
    luaL_pushfail(L);
    return 1;
}

/* Dotted decimal at idx, 1..128 sub-identifiers; 0 (last error set) if not. */
static smiUINT32 parse_arcs(lua_State *L, int idx, smiUINT32 *buf)
{
    const char *s = wsl_check_text(L, idx, 0, SNMPAPI_OID_INVALID, "an OID");
    if (s == NULL)
        return 0;
    const char *p = *s == '.' ? s + 1 : s;
    smiUINT32 n = 0;
    while (n < MAXOBJIDSIZE && *p >= '0' && *p <= '9') {
        uint64_t v = 0;
        while (*p >= '0' && *p <= '9' && v <= UINT32_MAX)
            v = v * 10 + (uint64_t)(*p++ - '0');
        if (v > UINT32_MAX)
            break;
        buf[n++] = (smiUINT32)v;
        if (*p == '\0')
            return n;
        if (*p++ != '.')
            break;
    }
    return wsl_parse_oid(L, 0, s, buf); /* malformed: the usual reason and error */
}

/* Compares the OIDs at ia and ib component-wise, a proper prefix first
 * (SnmpOidCompare's rule): 1 and *r = -1, 0 or 1; 0 (last error set) if
 * one is not an OID. */
static int compare_at(lua_State *L, int ia, int ib, int *r)
{
    smiUINT32 abuf[MAXOBJIDSIZE], bbuf[MAXOBJIDSIZE];
    smiOID x = {0, abuf}, y = {0, bbuf};
    /* A single sub-identifier is a valid row index ("1"), though not an
     * OID SnmpStrToOid accepts: compared here all the same. */
    if ((x.len = parse_arcs(L, ia, abuf)) == 0 || (y.len = parse_arcs(L, ib, bbuf)) == 0)
        return 0;
    smiUINT32 n = x.len < y.len ? x.len : y.len;
    *r = 0;
    for (smiUINT32 i = 0; i < n && *r == 0; i++)
        *r = x.ptr[i] < y.ptr[i] ? -1 : x.ptr[i] > y.ptr[i] ? 1 : 0;
    if (*r == 0)
        *r = x.len < y.len ? -1 : x.len > y.len ? 1 : 0;
    return 1;
}

static int l_oid_compare(lua_State *L)
{
    int r;
    if (!compare_at(L, 1, 2, &r))
        return wsl_push_last_error(L, 0);
    lua_pushinteger(L, r);
    return 1;
}

/* core._oid_after(a, b) -> whether OID a comes after OID b (false if either
 * is not an OID): the walk's check on every varbind.  Canonical dotted
 * strings (as replies are pushed: no leading dot, no leading zeros) are
 * compared arc by arc in place, a longer digit run being a larger number;
 * anything else takes compare_at's full parse. */
static int l_oid_after(lua_State *L)
{
    size_t na, nb;
    const char *a = luaL_checklstring(L, 1, &na), *b = luaL_checklstring(L, 2, &nb);
    const char *ea = a + na, *eb = b + nb;
    for (;;) {
        const char *sa = a, *sb = b;
        while (a < ea && *a >= '0' && *a <= '9')
            a++;
        while (b < eb && *b >= '0' && *b <= '9')
            b++;
        size_t la = (size_t)(a - sa), lb = (size_t)(b - sb);
        if (la == 0 || lb == 0 || (la > 1 && *sa == '0') || (lb > 1 && *sb == '0') || la > 10 ||
            lb > 10)
            break; /* not canonical */
        int c = la != lb ? (la > lb ? 1 : -1) : memcmp(sa, sb, la);
        if (c != 0) {
            lua_pushboolean(L, c > 0);
            return 1;
        }
        int end_a = a == ea, end_b = b == eb;
        if (end_a || end_b) {
            if ((!end_a && *a != '.') || (!end_b && *b != '.'))
                break;
            lua_pushboolean(L, end_b && !end_a); /* a proper prefix sorts first */
            return 1;
        }
        if (*a != '.' || *b != '.')
            break;
        a++, b++;
    }
    int r;
    lua_pushboolean(L, compare_at(L, 1, 2, &r) && r > 0);
    return 1;
}

static int l_u64(lua_State *L)
{
    char buf[24];
    snprintf(buf, sizeof buf, "%llu", (unsigned long long)(uint64_t)luaL_checkinteger(L, 1));
    lua_pushstring(L, buf);
    return 1;
}

static int mode_accessor(lua_State *L, const char *const names[], int translate)
{
    if (!lua_isnoneornil(L, 1)) {
        int mode = luaL_checkoption(L, 1, NULL, names);
        if (!(translate ? SnmpSetTranslateMode((smiUINT32)mode)
                        : SnmpSetRetransmitMode((smiUINT32)mode)))
            return wsl_push_last_error(L, 0);
    }
    smiUINT32 mode;
    if (!(translate ? SnmpGetTranslateMode(&mode) : SnmpGetRetransmitMode(&mode)))
        return wsl_push_last_error(L, 0);
    lua_pushstring(L, names[mode]);
    return 1;
}

static int l_translate_mode(lua_State *L)
{
    return mode_accessor(L, translate_names, 1);
}

static int l_retransmit_mode(lua_State *L)
{
    return mode_accessor(L, retransmit_names, 0);
}

static int l_define_context(lua_State *L)
{
    const char *name = luaL_checkstring(L, 1);
    size_t len;
    const char *value = luaL_checklstring(L, 2, &len);
    smiOCTETS v = {(smiUINT32)(len > UINT32_MAX ? UINT32_MAX : len), (smiBYTE *)value};
    if (!WsnmpDefineContext(name, &v))
        return wsl_push_last_error(L, 0);
    lua_pushboolean(L, 1);
    return 1;
}

static int l_undefine(lua_State *L)
{
    if (!WsnmpUndefine(luaL_checkstring(L, 1)))
        return wsl_push_last_error(L, 0);
    lua_pushboolean(L, 1);
    return 1;
}

static int l_load_names(lua_State *L)
{
    SNMPAPI_STATUS n = WsnmpLoadFriendlyNames(luaL_checkstring(L, 1));
    if (n == 0)
        return wsl_push_last_error(L, 0);
    lua_pushinteger(L, n);
    return 1;
}

static int l_vendor_info(lua_State *L)
{
    smiVENDORINFO v;
    SnmpGetVendorInfo(&v);
    lua_createtable(L, 0, 5);
    lua_pushstring(L, v.vendorName);
    lua_setfield(L, -2, "name");
    lua_pushstring(L, v.vendorContact);
    lua_setfield(L, -2, "contact");
    lua_pushstring(L, v.vendorVersionId);
    lua_setfield(L, -2, "version");
    lua_pushstring(L, v.vendorVersionDate);
    lua_setfield(L, -2, "date");
    lua_pushinteger(L, v.vendorEnterprise);
    lua_setfield(L, -2, "enterprise");
    return 1;
}

/* core._fail(session | nil, msg, NAME, ...) -> nil, msg, NAME, ...: a
 * failure the Lua layer makes (a deadline, a loop guard, a file it cannot
 * read) sets the last-error slots as the C layer's do (API.md: every
 * failure updates the session's and the process-wide slot).  A NAME that
 * is not an API error (the agent's SNMP_ERROR_*) is recorded as
 * SNMPAPI_OTHER_ERROR, as the C layer records it. */
static int l_fail(lua_State *L)
{
    wsl_object *o = wsl_test(L, 1, WSNMP_KIND_SESSION);
    HSNMP_SESSION session = o ? o->handle : 0;
    lua_settop(L, lua_gettop(L) < 3 ? 3 : lua_gettop(L));
    const char *message = lua_isstring(L, 2) ? lua_tostring(L, 2) : "failed";
    const char *name = lua_isstring(L, 3) ? lua_tostring(L, 3) : "";
    SNMPAPI_STATUS code = SNMPAPI_OTHER_ERROR;
    for (SNMPAPI_STATUS c = 0; c <= SNMPAPI_TL_OTHER; c++)
        if (WsnmpErrorName(c) && strcmp(WsnmpErrorName(c), name) == 0) {
            code = c;
            break;
        }
    WsnmpSetLastError(session, code, message);
    lua_pushnil(L);
    lua_replace(L, 1);
    return lua_gettop(L);
}

static void push_error_table(lua_State *L)
{
    lua_newtable(L);
    for (SNMPAPI_STATUS code = 0; code <= SNMPAPI_TL_OTHER; code++) {
        const char *name = WsnmpErrorName(code);
        if (name == NULL)
            continue;
        lua_pushinteger(L, code);
        lua_setfield(L, -2, name);
        lua_pushstring(L, name);
        lua_rawseti(L, -2, code);
    }
}

static void push_pdu_error_table(lua_State *L)
{
    lua_newtable(L);
    for (smiINT code = 0; WsnmpPduErrorName(code); code++) {
        lua_pushinteger(L, code);
        lua_setfield(L, -2, WsnmpPduErrorName(code));
        lua_pushstring(L, WsnmpPduErrorName(code));
        lua_rawseti(L, -2, code);
    }
}

/* Exposes each class's method table, so the Lua layer can add methods. */
static void push_class_tables(lua_State *L)
{
    static const struct {
        const char *field;
        const char *mt;
    } classes[] = {{"Session", WSL_SESSION},
                   {"Entity", WSL_ENTITY},
                   {"Context", WSL_CONTEXT},
                   {"Pdu", WSL_PDU},
                   {"Vbl", WSL_VBL}};
    for (size_t i = 0; i < sizeof classes / sizeof classes[0]; i++) {
        luaL_getmetatable(L, classes[i].mt);
        lua_getfield(L, -1, "__index");
        lua_setfield(L, -3, classes[i].field);
        lua_pop(L, 1);
    }
}

int luaopen_winsnmp_core(lua_State *L);

__attribute__((visibility("default"))) int luaopen_winsnmp_core(lua_State *L)
{
    static const luaL_Reg functions[] = {
        {"startup", l_startup},
        {"cleanup", l_cleanup},
        {"session", l_session},
        {"last_error", l_last_error},
        {"stats", l_stats},
        {"engine", l_engine},
        {"limits", l_limits},
        {"type", l_type},
        {"oid_compare", l_oid_compare},
        {"_oid_after", l_oid_after},
        {"u64", l_u64},
        {"translate_mode", l_translate_mode},
        {"retransmit_mode", l_retransmit_mode},
        {"define_agent", wsl_define_agent},
        {"define_context", l_define_context},
        {"undefine", l_undefine},
        {"load_names", l_load_names},
        {"vendor_info", l_vendor_info},
        {"netsnmp_conf_dirs", l_netsnmp_conf_dirs},
        {"_fail", l_fail},
        {NULL, NULL},
    };
    /* The module's documented defaults (API.md): translated, retransmit on.
     * Its core is its own copy, so a C program's defaults stay Windows'. */
    wsnmp_startup_set_defaults(SNMPAPI_TRANSLATED, SNMPAPI_ON);
    SnmpStartup(NULL, NULL, NULL, NULL, NULL); /* implicit, as API.md says */
    wsl_open_session(L);
    wsl_open_entity(L);
    wsl_open_pdu(L);
    luaL_newlib(L, functions);
    wsl_open_messaging(L);
    wsl_open_agentx(L);
    wsl_open_collector(L);
    wsl_open_mib(L);
    push_error_table(L);
    lua_setfield(L, -2, "errors");
    push_pdu_error_table(L);
    lua_setfield(L, -2, "pdu_errors");
    push_class_tables(L);
    return 1;
}
