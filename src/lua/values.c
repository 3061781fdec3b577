/*
 * values.c — varbinds between Lua and smiVALUE.
 *
 * Values are never guessed: a varbind says its type by WinSNMP name, octet
 * strings are 8-bit-clean Lua strings both ways, and Counter64 is a Lua
 * integer (values at or above 2^63 wrap to negative; winsnmp.u64 prints
 * them unsigned).
 */
#include "binding.h"

#include <arpa/inet.h>
#include <errno.h>
#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

static const struct {
    const char *name;
    smiUINT32 syntax;
} syntaxes[] = {
    {"int", SNMP_SYNTAX_INT},
    {"uint32", SNMP_SYNTAX_UINT32},
    {"cntr32", SNMP_SYNTAX_CNTR32},
    {"gauge32", SNMP_SYNTAX_GAUGE32},
    {"timeticks", SNMP_SYNTAX_TIMETICKS},
    {"cntr64", SNMP_SYNTAX_CNTR64},
    {"octets", SNMP_SYNTAX_OCTETS},
    {"opaque", SNMP_SYNTAX_OPAQUE},
    {"bits", SNMP_SYNTAX_BITS},
    {"nsapaddr", SNMP_SYNTAX_NSAPADDR},
    {"ipaddr", SNMP_SYNTAX_IPADDR},
    {"oid", SNMP_SYNTAX_OID},
    {"null", SNMP_SYNTAX_NULL},
    {"nosuchobject", SNMP_SYNTAX_NOSUCHOBJECT},
    {"nosuchinstance", SNMP_SYNTAX_NOSUCHINSTANCE},
    {"endofmibview", SNMP_SYNTAX_ENDOFMIBVIEW},
};

smiUINT32 wsl_syntax_by_name(const char *name)
{
    for (size_t i = 0; i < sizeof syntaxes / sizeof syntaxes[0]; i++)
        if (strcmp(syntaxes[i].name, name) == 0)
            return syntaxes[i].syntax;
    return 0;
}

/* The position of a syntax in syntaxes[] plus one; one past its end for
 * a syntax not listed ("unknown"). */
static int syntax_index(smiUINT32 syntax)
{
    /* Once per varbind of every reply: the common ones without the scan. */
    switch (syntax) {
    case SNMP_SYNTAX_INT:
        return 1;
    case SNMP_SYNTAX_CNTR32:
        return 3;
    case SNMP_SYNTAX_GAUGE32:
        return 4;
    case SNMP_SYNTAX_TIMETICKS:
        return 5;
    case SNMP_SYNTAX_CNTR64:
        return 6;
    case SNMP_SYNTAX_OCTETS:
        return 7;
    default:
        break;
    }
    size_t i = 0;
    while (i < sizeof syntaxes / sizeof syntaxes[0] && syntaxes[i].syntax != syntax)
        i++;
    return (int)i + 1;
}

/* The registry's key of the names table (its address is unique). */
static const char syntax_names_key = 0;

void wsl_push_syntax_names(lua_State *L)
{
    if (lua_rawgetp(L, LUA_REGISTRYINDEX, &syntax_names_key) == LUA_TTABLE)
        return;
    lua_pop(L, 1);
    size_t n = sizeof syntaxes / sizeof syntaxes[0];
    lua_createtable(L, (int)n + 1, 0);
    for (size_t i = 0; i < n; i++) {
        lua_pushstring(L, syntaxes[i].name);
        lua_rawseti(L, -2, (lua_Integer)i + 1);
    }
    lua_pushliteral(L, "unknown");
    lua_rawseti(L, -2, (lua_Integer)n + 1);
    lua_pushvalue(L, -1);
    lua_rawsetp(L, LUA_REGISTRYINDEX, &syntax_names_key);
}

void wsl_push_syntax(lua_State *L, int names_idx, smiUINT32 syntax)
{
    lua_rawgeti(L, names_idx, syntax_index(syntax));
}

const char *wsl_syntax_name(smiUINT32 syntax)
{
    /* Once per varbind of every reply: the common ones without the scan. */
    switch (syntax) {
    case SNMP_SYNTAX_INT:
        return "int";
    case SNMP_SYNTAX_OCTETS:
        return "octets";
    case SNMP_SYNTAX_CNTR32:
        return "cntr32";
    case SNMP_SYNTAX_GAUGE32:
        return "gauge32";
    case SNMP_SYNTAX_TIMETICKS:
        return "timeticks";
    case SNMP_SYNTAX_CNTR64:
        return "cntr64";
    default:
        break;
    }
    for (size_t i = 0; i < sizeof syntaxes / sizeof syntaxes[0]; i++)
        if (syntaxes[i].syntax == syntax)
            return syntaxes[i].name;
    return "unknown";
}

size_t wsl_format_long_arc(char *out, smiUINT32 v)
{
    /* On the hot path of every walk: digits by hand, no snprintf. */
    char digits[10];
    size_t n = 0, len;
    do
        digits[n++] = (char)('0' + v % 10);
    while ((v /= 10) != 0);
    for (len = 0; n; len++)
        out[len] = digits[--n];
    return len;
}

void wsl_push_oid(lua_State *L, const smiOID *oid)
{
    char buf[MAXOBJIDSTRSIZE];
    size_t pos = 0;
    for (smiUINT32 i = 0; i < oid->len && i < MAXOBJIDSIZE; i++) {
        if (i)
            buf[pos++] = '.';
        pos += wsl_format_arc(buf + pos, oid->ptr[i]);
    }
    lua_pushlstring(L, buf, pos);
}

void wsl_push_value(lua_State *L, const smiVALUE *v)
{
    switch (v->syntax) {
    case SNMP_SYNTAX_INT:
        lua_pushinteger(L, v->value.sNumber);
        break;
    case SNMP_SYNTAX_UINT32:
    case SNMP_SYNTAX_CNTR32:
    case SNMP_SYNTAX_GAUGE32:
    case SNMP_SYNTAX_TIMETICKS:
        lua_pushinteger(L, (lua_Integer)v->value.uNumber);
        break;
    case SNMP_SYNTAX_CNTR64: {
        uint64_t u = ((uint64_t)v->value.hNumber.hipart << 32) | v->value.hNumber.lopart;
        lua_pushinteger(L, (lua_Integer)u); /* two's complement wrap above 2^63 */
        break;
    }
    case SNMP_SYNTAX_IPADDR:
        if (v->value.string.len == 4) {
            /* (by hand: lua_pushfstring formats each %d with snprintf) */
            const smiBYTE *a = v->value.string.ptr;
            char text[16];
            size_t n = 0;
            for (int i = 0; i < 4; i++) {
                if (i)
                    text[n++] = '.';
                n += wsl_format_arc(text + n, a[i]);
            }
            lua_pushlstring(L, text, n);
            break;
        }
        /* A malformed address is shown as its bytes. */
        __attribute__((fallthrough));
    case SNMP_SYNTAX_OCTETS:
    case SNMP_SYNTAX_OPAQUE:
    case SNMP_SYNTAX_BITS:
    case SNMP_SYNTAX_NSAPADDR:
        lua_pushlstring(L, (const char *)v->value.string.ptr, v->value.string.len);
        break;
    case SNMP_SYNTAX_OID:
        wsl_push_oid(L, &v->value.oid);
        break;
    default:
        lua_pushnil(L);
        break;
    }
}

void wsl_free_value(smiVALUE *v)
{
    switch (v->syntax) {
    case SNMP_SYNTAX_OID:
        SnmpFreeDescriptor(SNMP_SYNTAX_OID, (smiLPOPAQUE)&v->value.oid);
        break;
    case SNMP_SYNTAX_OCTETS:
    case SNMP_SYNTAX_OPAQUE:
    case SNMP_SYNTAX_BITS:
    case SNMP_SYNTAX_IPADDR:
    case SNMP_SYNTAX_NSAPADDR:
        SnmpFreeDescriptor(v->syntax, &v->value.string);
        break;
    default:
        break;
    }
}

/* The rules of SnmpStrToOid, without its library-owned output: dotted
 * decimal, an optional leading dot, 2..128 sub-identifiers <= 2^32-1. */
static smiUINT32 parse_oid_fast(const char *s, smiUINT32 *buf)
{
    if (strlen(s) >= MAXOBJIDSTRSIZE)
        return 0;
    if (*s == '.')
        s++;
    smiUINT32 n = 0;
    for (;;) {
        if (*s < '0' || *s > '9' || n == MAXOBJIDSIZE)
            return 0;
        uint64_t v = 0;
        while (*s >= '0' && *s <= '9') {
            v = v * 10 + (uint64_t)(*s++ - '0');
            if (v > UINT32_MAX)
                return 0;
        }
        buf[n++] = (smiUINT32)v;
        if (*s == '\0')
            return n >= 2 ? n : 0;
        if (*s++ != '.')
            return 0;
    }
}

smiUINT32 wsl_parse_oid(lua_State *L, HSNMP_SESSION s, const char *text, smiUINT32 *buf)
{
    (void)L;
    (void)s;
    smiUINT32 fast = parse_oid_fast(text, buf);
    if (fast)
        return fast;
    /* Malformed: let the core say why (and record the error). */
    smiOID oid;
    smiUINT32 n = SnmpStrToOid(text, &oid);
    if (n == 0)
        return 0;
    memcpy(buf, oid.ptr, (size_t)n * sizeof *buf);
    SnmpFreeDescriptor(SNMP_SYNTAX_OID, (smiLPOPAQUE)&oid);
    return n;
}

const char *wsl_check_text(lua_State *L, int idx, HSNMP_SESSION s, SNMPAPI_STATUS code,
                           const char *what)
{
    size_t len;
    const char *text = luaL_checklstring(L, idx, &len);
    if (strlen(text) != len) {
        char msg[96];
        snprintf(msg, sizeof msg, "%s contains a NUL byte", what);
        WsnmpSetLastError(s, code, msg);
        return NULL;
    }
    return text;
}

const char *wsl_opt_text(lua_State *L, int idx, HSNMP_SESSION s, SNMPAPI_STATUS code,
                         const char *what, int *bad)
{
    *bad = 0;
    if (lua_isnoneornil(L, idx))
        return NULL;
    const char *text = wsl_check_text(L, idx, s, code, what);
    *bad = text == NULL;
    return text;
}

/* Whether text is an OID as wsl_push_oid writes it: arcs of digits without
 * leading zeros, one dot between them, none before. */
static int is_canonical_oid_text(const char *s, size_t len)
{
    int arc_start = 1;
    for (size_t i = 0; i < len; i++) {
        if (s[i] == '.') {
            if (arc_start)
                return 0;
            arc_start = 1;
        } else if (s[i] >= '0' && s[i] <= '9') {
            if (arc_start && s[i] == '0' && i + 1 < len && s[i + 1] != '.')
                return 0;
            arc_start = 0;
        } else {
            return 0;
        }
    }
    return !arc_start;
}

/* Scripts name the same OIDs again and again (a poller's list, a table's
 * columns), so the OIDs parsed last are kept with their text, in slots
 * chosen by the address of the Lua string (interned: one text, one
 * address while it lives).  A hit is a length test and a memcmp against
 * the kept text, so a reused address or another Lua state in this thread
 * can never return another text's arcs.  Like the varbind scratch below,
 * this is the binding's per-process state: Lua states of one process are
 * driven from one thread at a time. */
#define PARSED_SLOTS 32
#define PARSED_TEXT 64 /* longest text kept; it has at most 32 arcs */
typedef struct {
    size_t len; /* 0: empty slot */
    smiUINT32 n;
    bool canonical; /* spelt as a reply's OID is (see spelt_as_reply) */
    char text[PARSED_TEXT];
    smiUINT32 arcs[PARSED_TEXT / 2];
} parsed_oid;
static parsed_oid parsed[PARSED_SLOTS];

static parsed_oid *parsed_slot(const char *text)
{
    uintptr_t a = (uintptr_t)text;
    return &parsed[((a >> 4) ^ (a >> 10)) % PARSED_SLOTS];
}

/* is_canonical_oid_text, answered from the cache when the text is there
 * (a request's own strings are: they were parsed to send it). */
static int spelt_as_reply(const char *text, size_t len)
{
    const parsed_oid *p = parsed_slot(text);
    if (len && p->len == len && memcmp(p->text, text, len) == 0)
        return p->canonical;
    return is_canonical_oid_text(text, len);
}

smiUINT32 wsl_parse_oid_at(lua_State *L, HSNMP_SESSION s, int idx, smiUINT32 *buf)
{
    size_t len = 0;
    const char *text = lua_type(L, idx) == LUA_TSTRING ? lua_tolstring(L, idx, &len) : NULL;
    if (text && len) { /* (an empty slot has len 0) */
        parsed_oid *p = parsed_slot(text);
        if (p->len == len && memcmp(p->text, text, len) == 0) {
            memcpy(buf, p->arcs, p->n * sizeof *buf);
            return p->n;
        }
    }
    text = wsl_check_text(L, idx, s, SNMPAPI_OID_INVALID, "an OID");
    if (text == NULL)
        return 0;
    /* Only dotted decimal is kept: what else SnmpStrToOid reads (names)
     * may mean something else once more MIBs are loaded. */
    smiUINT32 n = parse_oid_fast(text, buf);
    if (n == 0)
        return wsl_parse_oid(L, s, text, buf);
    if ((len = strlen(text)) < PARSED_TEXT && n <= PARSED_TEXT / 2) {
        parsed_oid *p = parsed_slot(text);
        p->len = len;
        p->n = n;
        p->canonical = is_canonical_oid_text(text, len);
        memcpy(p->text, text, len);
        memcpy(p->arcs, buf, n * sizeof *buf);
    }
    return n;
}

/* Reads an integer in [lo, hi] from a Lua number; 0 if it is not one. */
static int number_in_range(lua_State *L, int idx, lua_Integer lo, lua_Integer hi, lua_Integer *out)
{
    if (lua_type(L, idx) != LUA_TNUMBER)
        return 0;
    int ok;
    lua_Integer n = lua_tointegerx(L, idx, &ok);
    if (!ok || n < lo || n > hi)
        return 0;
    *out = n;
    return 1;
}

/* Counter64 from a Lua integer (negative = at or above 2^63) or from an
 * unsigned decimal string up to 18446744073709551615. */
static int read_counter64(lua_State *L, int idx, uint64_t *out)
{
    if (lua_type(L, idx) == LUA_TNUMBER) {
        int ok;
        lua_Integer n = lua_tointegerx(L, idx, &ok);
        if (!ok)
            return 0;
        *out = (uint64_t)n;
        return 1;
    }
    if (lua_type(L, idx) != LUA_TSTRING)
        return 0;
    const char *s = lua_tostring(L, idx);
    if (*s < '0' || *s > '9')
        return 0;
    char *end;
    errno = 0;
    unsigned long long v = strtoull(s, &end, 10);
    if (errno || *end != '\0')
        return 0;
    *out = v;
    return 1;
}

/* One varbind read from Lua, with the storage its name and value point to
 * (octet values point into Lua strings the caller keeps anchored). */
int wsl_read_varbind(lua_State *L, HSNMP_SESSION s, int oid_idx, int type_idx, int value_idx,
                     wsl_vb_storage *store, smiOID *out_name, smiVALUE *out_value)
{
    if (lua_type(L, oid_idx) != LUA_TSTRING)
        luaL_error(L, "varbind OID must be a string, got %s", luaL_typename(L, oid_idx));
    if (!lua_isnil(L, type_idx) && lua_type(L, type_idx) != LUA_TSTRING)
        luaL_error(L, "varbind type must be a string, got %s", luaL_typename(L, type_idx));

    // cppcheck-suppress ctuuninitvar ; store is room to write into, not input
    smiUINT32 *name_buf = store->name_buf, *value_oid_buf = store->value_oid_buf;
    smiOID name = {0, name_buf};
    if ((name.len = wsl_parse_oid_at(L, s, oid_idx, name_buf)) == 0)
        return SNMPAPI_FAILURE;

    smiVALUE value;
    memset(&value, 0, sizeof value);
    const char *tname = lua_tostring(L, type_idx);
    if (tname == NULL) {
        if (!lua_isnil(L, value_idx))
            return WsnmpSetLastError(s, SNMPAPI_SYNTAX_INVALID,
                                     "a varbind with a value needs a type"),
                   SNMPAPI_FAILURE;
        value.syntax = SNMP_SYNTAX_NULL;
    } else if ((value.syntax = wsl_syntax_by_name(tname)) == 0) {
        char msg[96];
        snprintf(msg, sizeof msg, "unknown syntax name '%.40s'", tname);
        return WsnmpSetLastError(s, SNMPAPI_SYNTAX_INVALID, msg), SNMPAPI_FAILURE;
    }

    const char *bad = NULL;
    lua_Integer n;
    unsigned char *ipaddr = store->ipaddr;
    switch (value.syntax) {
    case SNMP_SYNTAX_INT:
        if (number_in_range(L, value_idx, INT32_MIN, INT32_MAX, &n))
            value.value.sNumber = (smiINT)n;
        else
            bad = "an int value is an integer in -2^31..2^31-1";
        break;
    case SNMP_SYNTAX_UINT32:
    case SNMP_SYNTAX_CNTR32:
    case SNMP_SYNTAX_GAUGE32:
    case SNMP_SYNTAX_TIMETICKS:
        if (number_in_range(L, value_idx, 0, UINT32_MAX, &n))
            value.value.uNumber = (smiUINT32)n;
        else
            bad = "this value is an integer in 0..2^32-1";
        break;
    case SNMP_SYNTAX_CNTR64: {
        uint64_t u;
        if (read_counter64(L, value_idx, &u)) {
            value.value.hNumber.hipart = (smiUINT32)(u >> 32);
            value.value.hNumber.lopart = (smiUINT32)u;
        } else {
            bad = "a cntr64 value is an integer or an unsigned decimal string";
        }
        break;
    }
    case SNMP_SYNTAX_IPADDR:
        if (lua_type(L, value_idx) == LUA_TSTRING &&
            inet_pton(AF_INET, lua_tostring(L, value_idx), ipaddr) == 1) {
            value.value.string.ptr = ipaddr;
            value.value.string.len = 4;
        } else {
            bad = "an ipaddr value is a string \"a.b.c.d\"";
        }
        break;
    case SNMP_SYNTAX_OCTETS:
    case SNMP_SYNTAX_OPAQUE:
    case SNMP_SYNTAX_BITS:
    case SNMP_SYNTAX_NSAPADDR:
        if (lua_type(L, value_idx) == LUA_TSTRING) {
            size_t len;
            const char *p = lua_tolstring(L, value_idx, &len);
            if (len > WSNMP_MAX_OCTETS)
                return WsnmpSetLastError(s, SNMPAPI_SIZE_INVALID,
                                         "octet value longer than 65535 bytes"),
                       SNMPAPI_FAILURE;
            value.value.string.ptr = (smiBYTE *)p;
            value.value.string.len = (smiUINT32)len;
        } else {
            bad = "this value is a string";
        }
        break;
    case SNMP_SYNTAX_OID:
        if (lua_type(L, value_idx) != LUA_TSTRING) {
            bad = "an oid value is a dotted OID string";
            break;
        }
        value.value.oid.ptr = value_oid_buf;
        if ((value.value.oid.len = wsl_parse_oid_at(L, s, value_idx, value_oid_buf)) == 0)
            return SNMPAPI_FAILURE;
        break;
    default: /* null and the exceptions carry no value */
        if (!lua_isnil(L, value_idx))
            bad = "this type carries no value";
        break;
    }
    if (bad) {
        char msg[160];
        snprintf(msg, sizeof msg, "bad value for type '%s': %s", tname, bad);
        return WsnmpSetLastError(s, SNMPAPI_SYNTAX_INVALID, msg), SNMPAPI_FAILURE;
    }
    *out_name = name;
    *out_value = value;
    return 1;
}

SNMPAPI_STATUS wsl_set_varbind(lua_State *L, HSNMP_SESSION s, HSNMP_VBL vbl, smiUINT32 index,
                               int oid_idx, int type_idx, int value_idx)
{
    wsl_vb_storage store;
    smiOID name;
    smiVALUE value;
    if (!wsl_read_varbind(L, s, oid_idx, type_idx, value_idx, &store, &name, &value))
        return SNMPAPI_FAILURE;
    return SnmpSetVb(vbl, index, &name, &value);
}

/* Scratch arrays for a list of varbinds (the binding is single-threaded;
 * grown before reading, so the pointers into them stay valid). */
static wsl_vb_storage *scratch;
static smiOID *scratch_names;
static smiVALUE *scratch_values;
static size_t scratch_capacity;

__attribute__((destructor)) static void scratch_unload(void)
{
    free(scratch);
    free(scratch_names);
    free(scratch_values);
}

int wsl_read_varbind_list(lua_State *L, HSNMP_SESSION s, int idx, smiUINT32 *count,
                          const smiOID **names, const smiVALUE **values)
{
    idx = lua_absindex(L, idx);
    luaL_checktype(L, idx, LUA_TTABLE);
    lua_Integer n = (lua_Integer)lua_rawlen(L, idx); /* (a plain list: no __len) */
    if (n < 0 || n > WSNMP_MAX_VARBINDS)
        return WsnmpSetLastError(s, SNMPAPI_SIZE_INVALID, "too many varbinds"), 0;
    if ((size_t)n > scratch_capacity) {
        size_t cap = (size_t)n < 16 ? 16 : (size_t)n;
        wsl_vb_storage *st = malloc(cap * sizeof *st);
        smiOID *nm = malloc(cap * sizeof *nm);
        smiVALUE *vl = malloc(cap * sizeof *vl);
        if (!st || !nm || !vl) {
            free(st);
            free(nm);
            free(vl);
            return WsnmpSetLastError(s, SNMPAPI_ALLOC_ERROR, "out of memory"), 0;
        }
        free(scratch);
        free(scratch_names);
        free(scratch_values);
        scratch = st;
        scratch_names = nm;
        scratch_values = vl;
        scratch_capacity = cap;
    }
    for (lua_Integer i = 1; i <= n; i++) {
        int t = lua_geti(L, idx, i);
        int top = lua_gettop(L);
        int ok;
        if (t == LUA_TSTRING) { /* a bare OID asks for its value: NULL */
            smiOID *name = &scratch_names[i - 1];
            name->ptr = scratch[i - 1].name_buf;
            ok = (name->len = wsl_parse_oid_at(L, s, top, name->ptr)) != 0;
            memset(&scratch_values[i - 1], 0, sizeof scratch_values[i - 1]);
            scratch_values[i - 1].syntax = SNMP_SYNTAX_NULL;
        } else if (t == LUA_TTABLE) {
            if (lua_getfield(L, top, "oid") == LUA_TNIL) {
                lua_pop(L, 1);
                lua_geti(L, top, 1);
                lua_geti(L, top, 2);
                lua_geti(L, top, 3);
            } else {
                lua_getfield(L, top, "type");
                lua_getfield(L, top, "value");
            }
            ok = wsl_read_varbind(L, s, top + 1, top + 2, top + 3, &scratch[i - 1],
                                  &scratch_names[i - 1], &scratch_values[i - 1]);
        } else {
            return luaL_error(L, "varbind #%d: table or OID string expected, got %s", (int)i,
                              luaL_typename(L, top));
        }
        /* The strings stay anchored by the list table. */
        lua_settop(L, top - 1);
        if (!ok)
            return 0;
    }
    *count = (smiUINT32)n;
    *names = scratch_names;
    *values = scratch_values;
    return 1;
}

int wsl_append_varbinds(lua_State *L, HSNMP_SESSION s, HSNMP_VBL vbl, int idx)
{
    smiUINT32 n;
    const smiOID *names;
    const smiVALUE *values;
    if (!wsl_read_varbind_list(L, s, idx, &n, &names, &values))
        return 0;
    for (smiUINT32 i = 0; i < n; i++)
        if (!SnmpSetVb(vbl, 0, &names[i], &values[i]))
            return 0;
    return 1;
}

static void push_varbind(lua_State *L, const smiOID *name, const smiVALUE *value)
{
    lua_createtable(L, 0, 3);
    wsl_push_oid(L, name);
    lua_setfield(L, -2, "oid");
    lua_pushstring(L, wsl_syntax_name(value->syntax));
    lua_setfield(L, -2, "type");
    wsl_push_value(L, value);
    lua_setfield(L, -2, "value");
}

/* Pushes the OID string the request gave for varbind i (1-based) if the
 * reply names exactly that OID there and the string is written as a reply's
 * would be (not ".1.3..." or "1.3.06"); 0 otherwise, with nothing pushed. */
static int push_asked_name(lua_State *L, const wsl_asked *asked, smiUINT32 i, const smiOID *name)
{
    if (asked == NULL || i > asked->count)
        return 0;
    const smiOID *want = &asked->names[i - 1];
    if (want->len != name->len || memcmp(want->ptr, name->ptr, name->len * sizeof *name->ptr) != 0)
        return 0;
    if (lua_rawgeti(L, asked->list_idx, (lua_Integer)i) == LUA_TSTRING) {
        size_t len;
        const char *text = lua_tolstring(L, -1, &len);
        if (spelt_as_reply(text, len))
            return 1;
    }
    lua_pop(L, 1); /* a {oid=, ...} entry or another spelling: formatted anew */
    return 0;
}

/* A reply's varbind table {oid=, type=, value=}.  The keys are the running
 * C function's upvalues 1..3 and the type names its upvalue 4
 * (wsl_push_reply_upvalues): set raw, without looking each key's or type's
 * string up again. */
static void push_reply_varbind(lua_State *L, const wsl_asked *asked, smiUINT32 i,
                               const smiOID *name, const smiVALUE *value)
{
    lua_createtable(L, 0, 3);
    lua_pushvalue(L, lua_upvalueindex(1));
    if (!push_asked_name(L, asked, i, name))
        wsl_push_oid(L, name);
    lua_rawset(L, -3);
    lua_pushvalue(L, lua_upvalueindex(2));
    wsl_push_syntax(L, lua_upvalueindex(4), value->syntax);
    lua_rawset(L, -3);
    lua_pushvalue(L, lua_upvalueindex(3));
    wsl_push_value(L, value);
    lua_rawset(L, -3);
}

int wsl_push_pdu_varbinds(lua_State *L, HSNMP_PDU pdu)
{
    smiUINT32 count;
    if (!WsnmpPduVarbindCount(pdu, &count))
        return 0;
    lua_createtable(L, (int)count, 0);
    for (smiUINT32 i = 1; i <= count; i++) {
        smiLPCOID name;
        smiLPCVALUE value;
        WsnmpPeekPduVb(pdu, i, &name, &value);
        push_varbind(L, name, value);
        lua_rawseti(L, -2, (lua_Integer)i);
    }
    return 1;
}

void wsl_push_reply_varbinds(lua_State *L, const wsnmp_reply *r, const wsl_asked *asked)
{
    smiUINT32 count = wsnmp_reply_count(r);
    lua_createtable(L, (int)count, 0);
    for (smiUINT32 i = 1; i <= count; i++) {
        smiLPCOID name;
        smiLPCVALUE value;
        wsnmp_reply_varbind(r, i, &name, &value);
        push_reply_varbind(L, asked, i, name, value);
        lua_rawseti(L, -2, (lua_Integer)i);
    }
}

int wsl_push_vbl_table(lua_State *L, HSNMP_VBL vbl)
{
    smiUINT32 count;
    if (!WsnmpCountVbl(vbl, &count))
        return 0;
    lua_createtable(L, (int)count, 0);
    for (smiUINT32 i = 1; i <= count; i++) {
        smiOID name;
        smiVALUE value;
        if (!SnmpGetVb(vbl, i, &name, &value)) {
            lua_pop(L, 1);
            return 0;
        }
        lua_createtable(L, 0, 3);
        wsl_push_oid(L, &name);
        lua_setfield(L, -2, "oid");
        lua_pushstring(L, wsl_syntax_name(value.syntax));
        lua_setfield(L, -2, "type");
        wsl_push_value(L, &value);
        lua_setfield(L, -2, "value");
        lua_rawseti(L, -2, (lua_Integer)i);
        SnmpFreeDescriptor(SNMP_SYNTAX_OID, (smiLPOPAQUE)&name);
        wsl_free_value(&value);
    }
    return 1;
}

void wsl_push_reply_upvalues(lua_State *L)
{
    lua_pushliteral(L, "oid");
    lua_pushliteral(L, "type");
    lua_pushliteral(L, "value");
    wsl_push_syntax_names(L);
}
