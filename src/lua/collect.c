/* The table collector: s:table's replies go straight from the decoded
 * message into `rows[index][column]`, without a varbind table, an OID
 * string or a pattern match per cell (issue 17: a fleet poll is millions
 * of cells, and those per-cell objects were most of its CPU and memory).
 *
 * Two ways to walk a table:
 *
 * - by columns at once (v2c/v3): each request carries every column still
 *   going (at most REQUEST_COLUMNS), so a GETBULK answer is whole rows, as
 *   snmptable asks; a table of 24 rows is one or two round trips instead
 *   of one per GETBULK of each column.  The columns are first found with
 *   one GETNEXT of entry.1 .. entry.DISCOVER (its answers are also each
 *   column's first cell), unless the script names them;
 * - one subtree (v1, whose noSuchName fails a whole request, and the
 *   single-column case of iwalk's rules).
 *
 * A collector holds each column's position (the last OID, to check that
 * the agent's OIDs increase); `s:_response(id, collector)` hands it the
 * reply (wsl_collect_reply).  The request loop, with its adaptive GETBULK
 * size and its deadline, stays in Lua (winsnmp.walks); the per-varbind
 * work is here, with iwalk's rules: a repeated or decreasing OID fails the
 * walk, an OID outside the column or endOfMibView ends that column. */

#include <stddef.h>
#include <string.h>
#if defined(__SSE2__)
#include <emmintrin.h>
#endif

#include "binding.h"

#define WSL_COLLECTOR "winsnmp.collector"
/* A walk's collector: the same methods, and __gc and __close, which give
 * back the answer it keeps.  Only a walk's: a finalizer keeps an object
 * and all it refers to for one more collection cycle, and a table's
 * collector refers to every row it collected (in a fleet poll, that
 * doubled the memory and added a quarter to the CPU). */
#define WSL_WALK_COLLECTOR "winsnmp.walk_collector"
#define REQUEST_COLUMNS 64 /* columns asked for in one request */
#define DISCOVER 32        /* columns looked for in one discovery GETNEXT */
/* The most columns a discovery takes: an agent that keeps answering with
 * higher column numbers must not grow the column array (and a last OID per
 * column) without end.  Real tables have tens of columns; 1,024 columns'
 * state is some 40 KB with ordinary OIDs, at most 1.5 MB with the longest
 * (1,408 characters each). */
#define MAX_COLUMNS 1024
/* The type names: wsl_collect_reply runs inside s:_call and s:_response,
 * whose upvalues they are (wsl_push_reply_upvalues). */
#define SYNTAX_NAMES lua_upvalueindex(4)

/* How a walk's iterator (walk_step) yields each varbind.  Either way the
 * collector keeps the answer and the iterator reads it varbind after
 * varbind, with no batch of varbinds made in advance. */
enum {
    VARBIND_TABLES = 1, /* {oid=, type=, value=} */
    VARBIND_FLAT = 2    /* oid, type, value: no table at all (iwalk's `flat`) */
};

typedef struct {
    smiUINT32 number; /* the column's arc below the entry */
    int ended;
} column;

/* The text of the OID a walk pushed last: the next one, in the same
 * subtree, nearly always shares most of its arcs, and only those after
 * them need formatting. */
typedef struct {
    smiUINT32 len;
    smiUINT32 arcs[MAXOBJIDSIZE];
    unsigned short ends[MAXOBJIDSIZE]; /* where each arc's text ends */
    char text[MAXOBJIDSTRSIZE];
} oid_text;

typedef struct {
    smiUINT32 entry_len; /* arcs of the table's entry OID */
    smiUINT32 root_len;  /* one subtree: arcs of the root walked */
    smiUINT32 last_len;  /* one subtree: arcs of the last OID taken */
    int typed;           /* cells {type=, value=} instead of values */
    int types;           /* each cell's type also in types[index][column] */
    int varbinds;        /* a walk's: VARBIND_TABLES or VARBIND_FLAT; 0 a table's */
    int show_end;        /* a walk's: an exception ends it, yielded */
    smiUINT32 batched;   /* a walk's: varbinds in the answer kept */
    /* a walk's: the answer kept, the next of its varbinds to yield and
     * where to stop, the varbinds max_varbinds still allows (-1: no
     * limit), and whether the iterator has ended */
    wsnmp_reply *held;
    lua_Integer next, avail, left;
    int finished;
    int ended;               /* one subtree: done */
    int by_columns;          /* by columns at once (else one subtree) */
    int discovering;         /* by columns: the columns are being found */
    int misordered;          /* by columns: the agent's answers are not in rows */
    smiUINT32 discover_from; /* the first column number the next discovery asks */
    int ncols, capacity;     /* columns known; room in the array (uservalue 2) */
    int row_size;            /* the array part a new row is made with */
    int nasked;              /* columns of the request in flight, in order */
    int asked[REQUEST_COLUMNS];
    smiUINT32 entry[MAXOBJIDSIZE];
    smiUINT32 root[MAXOBJIDSIZE];
    smiUINT32 last[MAXOBJIDSIZE];
    int pushed_is_last; /* a walk's: `pushed` holds the arcs of `last` */
    oid_text pushed;    /* a walk's only: the other collectors are made without it */
} collector;

/* uservalues: 1 the rows table, 2 the column array, 3 each column's last
 * OID as a string (the next request's varbind), 4 the types table
 * (s:table's `types`: each cell's type name, row for row beside `rows`) or
 * nil.  A walk's collector: 1 the batch of varbinds from the last answer,
 * 2 and 3 the message and the varbind of a non-increasing OID, kept until
 * the batch before it has been yielded. */

static column *columns_of(lua_State *L, int idx)
{
    lua_getiuservalue(L, idx, 2);
    column *cols = lua_touserdata(L, -1);
    lua_pop(L, 1);
    return cols;
}

/* Adds column `number` (last OID `last`, a string on the stack top, which
 * is popped); the collector is at idx. */
static void add_column(lua_State *L, collector *c, int idx, smiUINT32 number)
{
    column *cols = columns_of(L, idx);
    if (c->ncols == c->capacity) {
        int capacity = c->capacity ? 2 * c->capacity : 32;
        column *grown = lua_newuserdatauv(L, (size_t)capacity * sizeof *grown, 0);
        if (c->ncols)
            memcpy(grown, cols, (size_t)c->ncols * sizeof *grown);
        lua_setiuservalue(L, idx, 2);
        cols = grown;
        c->capacity = capacity;
    }
    cols[c->ncols].number = number;
    cols[c->ncols].ended = 0;
    c->ncols++;
    /* (numbered densely: the highest number is about the count) */
    if (number <= 2 * (smiUINT32)c->ncols + 8 && (int)number > c->row_size)
        c->row_size = (int)number;
    lua_getiuservalue(L, idx, 3);
    lua_insert(L, -2);
    lua_rawseti(L, -2, c->ncols);
    lua_pop(L, 1);
}

/* types_idx: the types table, or 0 (none) */
static collector *new_collector(lua_State *L, int rows_idx, int typed, int types_idx, int walk)
{
    luaL_checktype(L, rows_idx, LUA_TTABLE);
    if (types_idx)
        luaL_checktype(L, types_idx, LUA_TTABLE);
    /* (the OID text a walk keeps is 2 KB, most of a collector) */
    size_t size = walk ? sizeof(collector) : offsetof(collector, pushed);
    collector *c = lua_newuserdatauv(L, size, 4);
    memset(c, 0, size);
    c->typed = typed;
    c->types = types_idx != 0;
    lua_pushvalue(L, rows_idx);
    lua_setiuservalue(L, -2, 1);
    if (types_idx) {
        lua_pushvalue(L, types_idx);
        lua_setiuservalue(L, -2, 4);
    }
    lua_newtable(L);
    lua_setiuservalue(L, -2, 3);
    luaL_setmetatable(L, walk ? WSL_WALK_COLLECTOR : WSL_COLLECTOR);
    return c;
}

/* The collector (of either kind) at idx, or a Lua error. */
static collector *check_collector(lua_State *L, int idx)
{
    collector *c = luaL_testudata(L, idx, WSL_COLLECTOR);
    return c ? c : luaL_checkudata(L, idx, WSL_WALK_COLLECTOR);
}

static void push_arcs(lua_State *L, const smiUINT32 *arcs, smiUINT32 len)
{
    smiOID oid = {len, (smiUINT32 *)arcs};
    wsl_push_oid(L, &oid);
}

/* core._collector(entry, root, rows, typed, [types]) -> a collector
 * of one subtree; entry and root canonical OID strings, root inside entry
 * (or equal). */
static int l_collector(lua_State *L)
{
    lua_settop(L, 5);
    collector *c = new_collector(L, 3, lua_toboolean(L, 4), lua_isnil(L, 5) ? 0 : 5, 0);
    c->entry_len = wsl_parse_oid_at(L, NULL, 1, c->entry);
    c->root_len = wsl_parse_oid_at(L, NULL, 2, c->root);
    luaL_argcheck(L, c->entry_len > 0, 1, "entry OID expected");
    luaL_argcheck(L,
                  c->root_len >= c->entry_len &&
                      memcmp(c->entry, c->root, c->entry_len * sizeof *c->entry) == 0,
                  2, "an OID inside the entry expected");
    memcpy(c->last, c->root, c->root_len * sizeof *c->root);
    c->last_len = c->root_len;
    return 1;
}

/* core._walk_collector(root, show_end, flat) -> a collector: iwalk's
 * per-varbind rules in C (a walk of mib-2 is thousands of varbinds, and
 * testing each against the subtree, the last OID and the exceptions in Lua
 * was a third of its instructions).  It keeps each answer (collect_walk)
 * for the iterator of core._walk_steps to yield from. */
static int l_walk_collector(lua_State *L)
{
    lua_settop(L, 3);
    int flat = lua_toboolean(L, 3);
    lua_pop(L, 1);
    lua_newtable(L); /* (the rows table every collector has: unused) */
    collector *c = new_collector(L, 3, 1, 0, 1);
    c->varbinds = flat ? VARBIND_FLAT : VARBIND_TABLES;
    c->show_end = lua_toboolean(L, 2);
    c->root_len = wsl_parse_oid_at(L, NULL, 1, c->root);
    luaL_argcheck(L, c->root_len > 0, 1, "root OID expected");
    memcpy(c->last, c->root, c->root_len * sizeof *c->root);
    c->last_len = c->root_len;
    return 1;
}

/* collector:failure() -> msg, "SNMPAPI_OTHER_ERROR", varbind after a walk
 * ended on a non-increasing OID; nothing otherwise. */
static int c_failure(lua_State *L)
{
    check_collector(L, 1);
    if (lua_getiuservalue(L, 1, 2) != LUA_TSTRING)
        return 0;
    lua_pushliteral(L, "SNMPAPI_OTHER_ERROR");
    lua_getiuservalue(L, 1, 3);
    return 3;
}

/* core._table_collector(entry, rows, typed, [columns], [types]) -> a
 * collector of the table's columns at once: `columns` (a list of column
 * numbers) or every column the agent has. */
static int l_table_collector(lua_State *L)
{
    lua_settop(L, 5);
    collector *c = new_collector(L, 2, lua_toboolean(L, 3), lua_isnil(L, 5) ? 0 : 5, 0);
    int idx = lua_gettop(L);
    c->entry_len = wsl_parse_oid_at(L, NULL, 1, c->entry);
    luaL_argcheck(L, c->entry_len > 0 && c->entry_len < MAXOBJIDSIZE - 1, 1, "entry OID expected");
    c->by_columns = 1;
    if (lua_isnil(L, 4)) {
        c->discovering = 1;
        c->discover_from = 1;
        return 1;
    }
    lua_Integer n = luaL_len(L, 4);
    for (lua_Integer i = 1; i <= n; i++) {
        lua_geti(L, 4, i);
        lua_Integer number = lua_tointeger(L, -1);
        lua_pop(L, 1);
        luaL_argcheck(L, number >= 0 && number <= UINT32_MAX, 4, "column numbers expected");
        smiUINT32 arcs[MAXOBJIDSIZE];
        memcpy(arcs, c->entry, c->entry_len * sizeof *arcs);
        arcs[c->entry_len] = (smiUINT32)number;
        push_arcs(L, arcs, c->entry_len + 1);
        add_column(L, c, idx, (smiUINT32)number);
    }
    return 1;
}

/* How many leading arcs OIDs a (n arcs) and b (m arcs) have in common.
 * Asked of every varbind a walk yields, where most arcs are the same: with
 * SSE2 (every x86-64), four arcs at a time. */
static smiUINT32 common_arcs(const smiUINT32 *a, smiUINT32 n, const smiUINT32 *b, smiUINT32 m)
{
    smiUINT32 most = n < m ? n : m, k = 0;
#if defined(__SSE2__) && defined(__GNUC__)
    for (; most - k >= 4; k += 4) {
        __m128i x = _mm_loadu_si128((const __m128i *)(const void *)(a + k));
        __m128i y = _mm_loadu_si128((const __m128i *)(const void *)(b + k));
        /* (four mask bits per arc: the first clear one is in the first
         * arc that differs) */
        unsigned same = (unsigned)_mm_movemask_epi8(_mm_cmpeq_epi32(x, y));
        if (same != 0xFFFF)
            return k + (smiUINT32)__builtin_ctz(~same & 0xFFFF) / 4;
    }
#endif
    while (k < most && a[k] == b[k])
        k++;
    return k;
}

/* Whether OID a (n arcs) sorts after b (m arcs). */
static int oid_after(const smiUINT32 *a, smiUINT32 n, const smiUINT32 *b, smiUINT32 m)
{
    for (smiUINT32 i = 0; i < n && i < m; i++)
        if (a[i] != b[i])
            return a[i] > b[i];
    return n > m;
}

static int is_exception(smiUINT32 syntax)
{
    return syntax == SNMP_SYNTAX_NOSUCHOBJECT || syntax == SNMP_SYNTAX_NOSUCHINSTANCE ||
           syntax == SNMP_SYNTAX_ENDOFMIBVIEW;
}

/* A cell of the table below the entry: entry.column.index */
static int is_cell(const collector *c, smiLPCOID name)
{
    return name->len > c->entry_len + 1 &&
           memcmp(name->ptr, c->entry, c->entry_len * sizeof *c->entry) == 0;
}

/* The row that the previous cell went into: in an answer of whole rows,
 * the columns of one row come one after the other, so most cells need no
 * lookup.  `suffix` points into the reply, alive while it is collected;
 * the row table itself sits on the stack at `slot`, and with `types` its
 * row of type names at slot + 2 (the types table at slot + 1). */
typedef struct {
    int slot;
    smiUINT32 len;
    const smiUINT32 *suffix;
} row_cache;

/* Replaces the row at `slot` with tbl[suffix] (the suffix on the stack
 * top, left there), made first when missing; tbl at tbl_idx. */
static void enter_row(lua_State *L, const collector *c, int tbl_idx, int slot)
{
    lua_pushvalue(L, -1);
    if (lua_rawget(L, tbl_idx) != LUA_TTABLE) {
        lua_pop(L, 1);
        lua_createtable(L, c->row_size, 0);
        lua_pushvalue(L, -2);
        lua_pushvalue(L, -2);
        lua_rawset(L, tbl_idx); /* tbl[suffix] = row */
    }
    lua_replace(L, slot);
}

/* Stores one varbind's value at rows[suffix][column], and with `types` its
 * type name at types[suffix][column]; the rows table is at rows_idx, the
 * strings "type" and "value" at rows_idx + 1 and + 2 (pushed once per
 * answer, not interned again per cell).  A new row gets room for the
 * columns known (numbered densely, as tables nearly always are), so that
 * filling it never regrows it. */
static void store_cell(lua_State *L, const collector *c, int rows_idx, row_cache *rc,
                       smiLPCOID name, smiLPCVALUE value)
{
    smiUINT32 number = name->ptr[c->entry_len];
    smiOID suffix = {name->len - c->entry_len - 1, name->ptr + c->entry_len + 1};
    if (rc->suffix == NULL || rc->len != suffix.len ||
        memcmp(rc->suffix, suffix.ptr, suffix.len * sizeof *suffix.ptr) != 0) {
        wsl_push_oid(L, &suffix);
        enter_row(L, c, rows_idx, rc->slot);
        if (c->types)
            enter_row(L, c, rc->slot + 1, rc->slot + 2);
        lua_pop(L, 1); /* the suffix */
        rc->suffix = suffix.ptr;
        rc->len = suffix.len;
    }
    if (c->typed) {
        lua_createtable(L, 0, 2);
        lua_pushvalue(L, rows_idx + 1);
        wsl_push_syntax(L, SYNTAX_NAMES, value->syntax);
        lua_rawset(L, -3);
        lua_pushvalue(L, rows_idx + 2);
        wsl_push_value(L, value);
        lua_rawset(L, -3);
    } else {
        wsl_push_value(L, value);
    }
    lua_rawseti(L, rc->slot, (lua_Integer)number);
    if (c->types) {
        wsl_push_syntax(L, SYNTAX_NAMES, value->syntax);
        lua_rawseti(L, rc->slot + 2, (lua_Integer)number);
    }
}

/* nil, "walk: the agent returned A after B (OIDs not increasing)",
 * "SNMPAPI_OTHER_ERROR" on a clean stack above `base` */
static int push_not_increasing(lua_State *L, int base, smiLPCOID name, const smiUINT32 *before,
                               smiUINT32 before_len)
{
    lua_settop(L, base);
    lua_pushnil(L);
    push_arcs(L, name->ptr, name->len);
    push_arcs(L, before, before_len);
    lua_pushfstring(L, "walk: the agent returned %s after %s (OIDs not increasing)",
                    lua_tostring(L, -2), lua_tostring(L, -1));
    lua_replace(L, -3);
    lua_pop(L, 1);
    lua_pushliteral(L, "SNMPAPI_OTHER_ERROR");
    return 3;
}

/* What every answer pushes: the varbinds in it, the repetitions it held
 * in full, whether the walk goes on, whether it is over. */
static int push_outcome(lua_State *L, int base, smiUINT32 count, smiUINT32 answered, int going_on,
                        int ended)
{
    lua_settop(L, base);
    lua_pushinteger(L, count);
    lua_pushinteger(L, answered);
    lua_pushboolean(L, going_on);
    lua_pushboolean(L, ended);
    return 4;
}

/* wsl_push_oid, formatting only the arcs after those `t` has in common
 * with `name` (the same text as wsl_push_oid's).  The first `known` arcs
 * the caller knows to be in common (0 when it does not know). */
static void push_oid_text(lua_State *L, oid_text *t, smiLPCOID name, smiUINT32 known)
{
    smiUINT32 len = name->len;
    if (len > MAXOBJIDSIZE)
        len = MAXOBJIDSIZE;
    smiUINT32 common = t->len < len ? t->len : len;
    smiUINT32 k = known;
    while (k < common && t->arcs[k] == name->ptr[k])
        k++;
    size_t pos = k ? t->ends[k - 1] : 0;
    for (smiUINT32 i = k; i < len; i++) {
        if (i)
            t->text[pos++] = '.';
        pos += wsl_format_arc(t->text + pos, name->ptr[i]);
        t->arcs[i] = name->ptr[i];
        t->ends[i] = (unsigned short)pos;
    }
    t->len = len;
    lua_pushlstring(L, t->text, pos);
}

/* Gives back the answer a walk kept, if any. */
static void release_held(collector *c)
{
    if (c->held) {
        wsnmp_reply_release(c->held);
        c->held = NULL;
    }
}

/* A walk's answer: kept whole, its varbinds tested as they are yielded
 * (walk_next).  Whether the walk goes on after it (for the adaptive size)
 * is read from its last varbind. */
static int collect_walk(lua_State *L, collector *c, int base, wsnmp_reply *r, int *kept)
{
    smiUINT32 count = wsnmp_reply_count(r);
    int going_on = 0;
    if (count > 0) {
        smiLPCOID name;
        smiLPCVALUE value;
        wsnmp_reply_varbind(r, count, &name, &value);
        going_on = name->len > c->root_len &&
                   memcmp(name->ptr, c->root, c->root_len * sizeof *c->root) == 0 &&
                   !is_exception(value->syntax);
        /* (last: nothing after this may raise, or the reply, parked by
         * push_response for a raise, would be freed twice) */
        release_held(c);
        c->held = r;
        *kept = 1;
    }
    c->batched = count;
    return push_outcome(L, base, count, count, going_on, 0);
}

static int collect_subtree(lua_State *L, collector *c, int base, int rows_idx, wsnmp_reply *r,
                           int *kept)
{
    if (c->varbinds)
        return collect_walk(L, c, base, r, kept);
    row_cache rc = {rows_idx + 3, 0, NULL};
    smiUINT32 count = wsnmp_reply_count(r);
    int going_on = 0;
    for (smiUINT32 i = 1; i <= count && !c->ended; i++) {
        smiLPCOID name;
        smiLPCVALUE value;
        wsnmp_reply_varbind(r, i, &name, &value);
        /* One pass over the arcs the name shares with the last OID tells
         * both things: c->last starts with the root, so the name is inside
         * the subtree when they share the root's arcs; and the first arc
         * that differs orders them. */
        smiUINT32 k = common_arcs(name->ptr, name->len, c->last, c->last_len);
        if (k < c->root_len || value->syntax == SNMP_SYNTAX_ENDOFMIBVIEW) {
            c->ended = 1;
            break;
        }
        if (k < name->len && k < c->last_len ? name->ptr[k] < c->last[k] : name->len <= c->last_len)
            return push_not_increasing(L, base, name, c->last, c->last_len);
        memcpy(c->last + k, name->ptr + k, (name->len - k) * sizeof *name->ptr);
        c->last_len = name->len;
        /* (the entry's own column OIDs, without an index, are no cell) */
        if (name->len > c->entry_len + 1)
            store_cell(L, c, rows_idx, &rc, name, value);
        going_on = i == count && !is_exception(value->syntax);
    }
    return push_outcome(L, base, count, count, going_on, c->ended);
}

/* The answer to a discovery GETNEXT of entry.from .. entry.from+nasked-1:
 * each varbind inside the table is the first cell of a column. */
static int collect_discovery(lua_State *L, collector *c, int idx, int base, int rows_idx,
                             const wsnmp_reply *r)
{
    row_cache rc = {rows_idx + 3, 0, NULL};
    smiUINT32 count = wsnmp_reply_count(r);
    smiUINT32 highest = 0;
    int last_inside = 0;
    for (smiUINT32 i = 1; i <= count && i <= (smiUINT32)c->nasked; i++) {
        smiLPCOID name;
        smiLPCVALUE value;
        wsnmp_reply_varbind(r, i, &name, &value);
        smiUINT32 asked[MAXOBJIDSIZE];
        memcpy(asked, c->entry, c->entry_len * sizeof *asked);
        asked[c->entry_len] = c->discover_from + i - 1;
        /* (endOfMibView carries the name asked: no OID to check) */
        last_inside = 0;
        if (is_exception(value->syntax))
            continue;
        if (!oid_after(name->ptr, name->len, asked, c->entry_len + 1))
            return push_not_increasing(L, base, name, asked, c->entry_len + 1);
        if (!(last_inside = is_cell(c, name)))
            continue;
        smiUINT32 number = name->ptr[c->entry_len];
        if (number > highest)
            highest = number;
        const column *cols = columns_of(L, idx);
        int known = 0;
        for (int k = 0; k < c->ncols && !known; k++)
            known = cols[k].number == number;
        if (known)
            continue; /* (several asked OIDs lead to the same column) */
        if (c->ncols >= MAX_COLUMNS) {
            lua_settop(L, base);
            lua_pushnil(L);
            lua_pushfstring(L, "table: the agent has more than %d columns", MAX_COLUMNS);
            lua_pushliteral(L, "SNMPAPI_OTHER_ERROR");
            return 3;
        }
        store_cell(L, c, rows_idx, &rc, name, value);
        wsl_push_oid(L, name);
        add_column(L, c, idx, number);
    }
    /* The last OID answered was still a cell (of the last column asked or
     * one beyond it; or the agent answered fewer varbinds than asked):
     * there may be more columns after the highest found, looked for next
     * time. */
    if (last_inside && highest < UINT32_MAX)
        c->discover_from = highest + 1;
    else
        c->discovering = 0;
    return push_outcome(L, base, count, 1, 1, !c->discovering && c->ncols == 0);
}

/* An answer to a request of the columns in c->asked: varbind i belongs to
 * column asked[i % nasked] (RFC 3416 4.2.3: repetitions in order). */
static int collect_columns(lua_State *L, collector *c, int idx, int base, int rows_idx,
                           const wsnmp_reply *r)
{
    row_cache rc = {rows_idx + 3, 0, NULL};
    smiUINT32 count = wsnmp_reply_count(r);
    smiUINT32 n = (smiUINT32)c->nasked;
    column *cols = columns_of(L, idx);
    smiLPCOID latest[REQUEST_COLUMNS] = {0};
    lua_getiuservalue(L, idx, 3);
    int lasts_idx = lua_gettop(L);
    for (smiUINT32 i = 0; i < count && n > 0; i++) {
        smiUINT32 k = i % n;
        column *col = &cols[c->asked[k]];
        if (col->ended)
            continue; /* (later repetitions of a column that has ended) */
        smiLPCOID name;
        smiLPCVALUE value;
        wsnmp_reply_varbind(r, i + 1, &name, &value);
        if (is_cell(c, name) && name->ptr[c->entry_len] < col->number) {
            /* A cell of an earlier column where this one's successor
             * belongs: the agent does not answer varbind i for column
             * i mod N (RFC 3416 4.2.3; some answer only the first varbind,
             * or column after column).  Read as rows, its answer would end
             * columns early; the walk stops here and s:table walks the
             * table as one subtree instead. */
            c->misordered = 1;
            return push_outcome(L, base, count, 0, 0, 1);
        }
        if (!is_cell(c, name) || name->ptr[c->entry_len] != col->number ||
            value->syntax == SNMP_SYNTAX_ENDOFMIBVIEW) {
            col->ended = 1;
            continue;
        }
        if (latest[k]) {
            if (!oid_after(name->ptr, name->len, latest[k]->ptr, latest[k]->len))
                return push_not_increasing(L, base, name, latest[k]->ptr, latest[k]->len);
        } else {
            lua_rawgeti(L, lasts_idx, c->asked[k] + 1);
            smiUINT32 before[MAXOBJIDSIZE];
            smiUINT32 before_len = wsl_parse_oid(L, NULL, lua_tostring(L, -1), before);
            lua_pop(L, 1);
            if (!oid_after(name->ptr, name->len, before, before_len))
                return push_not_increasing(L, base, name, before, before_len);
        }
        latest[k] = name;
        store_cell(L, c, rows_idx, &rc, name, value);
    }
    int going_on = 0;
    for (smiUINT32 k = 0; k < n; k++) {
        if (latest[k]) {
            wsl_push_oid(L, latest[k]);
            lua_rawseti(L, lasts_idx, c->asked[k] + 1);
        }
        going_on |= !cols[c->asked[k]].ended;
    }
    int ended = 1;
    for (int k = 0; k < c->ncols && ended; k++)
        ended = cols[k].ended;
    return push_outcome(L, base, count, n ? count / n : 0, going_on, ended);
}

/* Takes a reply's varbinds into the collector at idx.  Pushes the number
 * of varbinds in the answer, the repetitions it held in full, whether the
 * walk goes on after it (the adaptive size's "cut short while the walk goes
 * on"), and whether the walk is over; or nil, msg, "SNMPAPI_OTHER_ERROR"
 * for a repeated or decreasing OID.  Returns the number pushed. */
int wsl_collect_reply(lua_State *L, int idx, wsnmp_reply *r, int *kept)
{
    *kept = 0;
    collector *c = check_collector(L, idx);
    int base = lua_gettop(L);
    lua_getiuservalue(L, idx, 1);
    int rows_idx = lua_gettop(L);
    lua_pushliteral(L, "type"); /* keys of typed cells, at rows_idx + 1 and + 2 */
    lua_pushliteral(L, "value");
    lua_pushnil(L);               /* the row_cache's row, at rows_idx + 3 */
    lua_getiuservalue(L, idx, 4); /* the types table or nil, at rows_idx + 4 */
    lua_pushnil(L);               /* its row, at rows_idx + 5 */
    if (!c->by_columns)
        return collect_subtree(L, c, base, rows_idx, r, kept);
    if (c->discovering)
        return collect_discovery(L, c, idx, base, rows_idx, r);
    return collect_columns(L, c, idx, base, rows_idx, r);
}

/* A walk's iterator: a C function, so that each step is a C call that
 * tests and formats one varbind of the answer the collector kept (a Lua
 * closure handing out a batch of varbinds made in advance cost 600
 * instructions a varbind more).  Upvalues: 1 the collector, 2 the type
 * names (wsl_push_syntax_names), 3 refill(), the Lua side of the walk,
 * which fetches the next answer (and may yield, inside a task: hence
 * lua_callk) and answers true when the collector kept it, nil when the
 * walk is over, or false, msg, NAME[, extra] when it failed; 4, 5, 6 the
 * keys "oid", "type", "value". */
#define STEP_COLLECTOR lua_upvalueindex(1)
#define STEP_NAMES lua_upvalueindex(2)
#define STEP_REFILL lua_upvalueindex(3)
#define STEP_KEY_OID lua_upvalueindex(4)
#define STEP_KEY_TYPE lua_upvalueindex(5)
#define STEP_KEY_VALUE lua_upvalueindex(6)

static int walk_refilled(lua_State *L, int status, lua_KContext ctx);

/* Pushes {oid=, type=, value=}; `known` as push_oid_text's. */
static void push_varbind(lua_State *L, collector *c, smiLPCOID name, smiLPCVALUE value,
                         smiUINT32 known)
{
    lua_createtable(L, 0, 3);
    lua_pushvalue(L, STEP_KEY_OID);
    push_oid_text(L, &c->pushed, name, known);
    lua_rawset(L, -3);
    lua_pushvalue(L, STEP_KEY_TYPE);
    wsl_push_syntax(L, STEP_NAMES, value->syntax);
    lua_rawset(L, -3);
    lua_pushvalue(L, STEP_KEY_VALUE);
    wsl_push_value(L, value);
    lua_rawset(L, -3);
}

/* Pushes a varbind as the walk yields it: {oid=, type=, value=} or, flat,
 * oid, type, value; the number of values pushed. */
static int push_step(lua_State *L, collector *c, smiLPCOID name, smiLPCVALUE value, smiUINT32 known)
{
    if (c->varbinds == VARBIND_FLAT) {
        push_oid_text(L, &c->pushed, name, known);
        wsl_push_syntax(L, STEP_NAMES, value->syntax);
        wsl_push_value(L, value);
        return 3;
    }
    push_varbind(L, c, name, value, known);
    return 1;
}

/* A walk's non-increasing OID: its message and varbind kept for c_failure,
 * which refill() asks once the varbinds before it have been yielded. */
static void keep_not_increasing(lua_State *L, collector *c, smiLPCOID name, smiLPCVALUE value)
{
    lua_pushvalue(L, STEP_COLLECTOR);
    push_arcs(L, name->ptr, name->len);
    push_arcs(L, c->last, c->last_len);
    lua_pushfstring(L, "walk: the agent returned %s after %s (OIDs not increasing)",
                    lua_tostring(L, -2), lua_tostring(L, -1));
    lua_setiuservalue(L, -4, 2);
    lua_pop(L, 2);
    push_varbind(L, c, name, value, 0);
    c->pushed_is_last = 0;
    lua_setiuservalue(L, -2, 3);
    lua_pop(L, 1);
}

/* The next varbind of the answer kept, with iwalk's rules: pushes it as
 * the walk yields it and returns how many values that is; or returns 0
 * when the walk ends there (out of the subtree, endOfMibView; a
 * non-increasing OID is kept for c_failure). */
static int walk_next(lua_State *L, collector *c)
{
    smiLPCOID name;
    smiLPCVALUE value;
    wsnmp_reply_varbind(c->held, (smiUINT32)++c->next, &name, &value);
    /* One pass over the arcs the name shares with the last OID tells all
     * three things: c->last starts with the root, so the name is inside
     * the subtree when they share the root's arcs; the first arc that
     * differs orders them; and the text pushed last, the last OID's, is
     * reused up to there. */
    smiUINT32 k = common_arcs(name->ptr, name->len, c->last, c->last_len);
    smiUINT32 known = c->pushed_is_last ? k : 0;
    int inside = k >= c->root_len;
    if (!inside || value->syntax == SNMP_SYNTAX_ENDOFMIBVIEW ||
        (c->show_end && is_exception(value->syntax))) {
        c->ended = 1;
        c->avail = 0;
        /* (show_end: an exception inside the subtree is yielded, as
         * net-snmp's tools print how the agent ended the walk) */
        if (!(inside && c->show_end))
            return 0;
        c->pushed_is_last = 0; /* (yielded, not taken as the last OID) */
    } else if (k < name->len && k < c->last_len ? name->ptr[k] < c->last[k]
                                                : name->len <= c->last_len) {
        c->ended = 1;
        c->avail = 0;
        keep_not_increasing(L, c, name, value);
        return 0;
    } else {
        memcpy(c->last + k, name->ptr + k, (name->len - k) * sizeof *name->ptr);
        c->last_len = name->len;
        c->pushed_is_last = 1;
    }
    if (c->left > 0)
        c->left--;
    return push_step(L, c, name, value, known);
}

static int walk_step(lua_State *L)
{
    collector *c = lua_touserdata(L, STEP_COLLECTOR);
    if (c->next < c->avail && c->left != 0) {
        int n = walk_next(L, c);
        if (n)
            return n;
    }
    release_held(c); /* (no answer is kept longer than its varbinds are yielded) */
    c->avail = 0;
    if (c->finished || c->left == 0) {
        c->finished = 1;
        return 0;
    }
    lua_settop(L, 0); /* (the for's state and control values) */
    lua_pushvalue(L, STEP_REFILL);
    lua_callk(L, 0, LUA_MULTRET, 0, walk_refilled);
    return walk_refilled(L, LUA_OK, 0);
}

/* (also where a task that yielded in refill() resumes) */
static int walk_refilled(lua_State *L, int status, lua_KContext ctx)
{
    (void)status;
    (void)ctx;
    collector *c = lua_touserdata(L, STEP_COLLECTOR);
    if (!lua_toboolean(L, 1) || c->held == NULL) {
        /* over: nil, or false, msg, NAME[, extra] (or a refill that kept
         * nothing, which the Lua side never answers with true) */
        c->finished = 1;
        release_held(c);
        return lua_toboolean(L, 1) ? 0 : lua_gettop(L);
    }
    c->next = 0;
    c->avail = (lua_Integer)c->batched;
    lua_settop(L, 0);
    return walk_step(L);
}

/* core._walk_steps(walker, refill, [max_varbinds]) -> the iterator of a
 * walk (see walk_step) */
static int l_walk_steps(lua_State *L)
{
    collector *c = check_collector(L, 1);
    luaL_checktype(L, 2, LUA_TFUNCTION);
    luaL_argcheck(L, c->varbinds != 0, 1, "a walk's collector expected");
    c->left = luaL_optinteger(L, 3, -1);
    c->next = c->avail = 0;
    c->finished = 0;
    lua_settop(L, 2);
    wsl_push_syntax_names(L);
    lua_insert(L, 2); /* collector, names, refill */
    lua_pushliteral(L, "oid");
    lua_pushliteral(L, "type");
    lua_pushliteral(L, "value");
    lua_pushcclosure(L, walk_step, 6);
    return 1;
}

/* collector:__gc and __close: gives back the answer a walk kept (a walk
 * left before its end; a generic `for` closes it at a break). */
static int c_close(lua_State *L)
{
    collector *c = check_collector(L, 1);
    if (c->varbinds) {
        release_held(c);
        c->avail = 0;
        c->finished = 1;
    }
    return 0;
}

/* collector:ended() -> whether a walk has met its end (see walk_next) */
static int c_ended(lua_State *L)
{
    collector *c = check_collector(L, 1);
    lua_pushboolean(L, c->ended);
    return 1;
}

/* collector:holds() -> whether a walk keeps an answer now */
static int c_holds(lua_State *L)
{
    collector *c = check_collector(L, 1);
    lua_pushboolean(L, c->held != NULL);
    return 1;
}

/* collector:misordered() -> whether the agent's answers were not in rows
 * (see collect_columns). */
static int c_misordered(lua_State *L)
{
    collector *c = check_collector(L, 1);
    lua_pushboolean(L, c->misordered);
    return 1;
}

/* collector:ask() -> the OIDs of the next request, and "getnext" when it
 * must be a GETNEXT (a discovery); an empty list when the walk is over. */
static int c_ask(lua_State *L)
{
    collector *c = check_collector(L, 1);
    if (!c->by_columns) {
        lua_createtable(L, 1, 0);
        push_arcs(L, c->last, c->last_len);
        lua_rawseti(L, -2, 1);
        return 1;
    }
    lua_createtable(L, c->discovering ? DISCOVER : c->ncols, 0);
    c->nasked = 0;
    if (c->discovering) {
        smiUINT32 arcs[MAXOBJIDSIZE];
        memcpy(arcs, c->entry, c->entry_len * sizeof *arcs);
        for (smiUINT32 k = 0; k < DISCOVER && c->discover_from + k >= c->discover_from; k++) {
            arcs[c->entry_len] = c->discover_from + k;
            push_arcs(L, arcs, c->entry_len + 1);
            lua_rawseti(L, -2, ++c->nasked);
        }
        lua_pushliteral(L, "getnext");
        return 2;
    }
    const column *cols = columns_of(L, 1);
    lua_getiuservalue(L, 1, 3);
    for (int k = 0; k < c->ncols && c->nasked < REQUEST_COLUMNS; k++) {
        if (cols[k].ended)
            continue;
        c->asked[c->nasked++] = k;
        lua_rawgeti(L, -1, k + 1);
        lua_rawseti(L, -3, c->nasked);
    }
    lua_pop(L, 1);
    return 1;
}

void wsl_open_collector(lua_State *L)
{
    static const luaL_Reg methods[] = {
        {"ask", c_ask},     {"failure", c_failure}, {"misordered", c_misordered},
        {"holds", c_holds}, {"ended", c_ended},     {NULL, NULL}};
    luaL_newmetatable(L, WSL_COLLECTOR);
    luaL_newlib(L, methods);
    lua_setfield(L, -2, "__index");
    lua_pop(L, 1);
    luaL_newmetatable(L, WSL_WALK_COLLECTOR);
    luaL_newlib(L, methods);
    lua_setfield(L, -2, "__index");
    lua_pushcfunction(L, c_close);
    lua_setfield(L, -2, "__gc");
    lua_pushcfunction(L, c_close);
    lua_setfield(L, -2, "__close");
    lua_pop(L, 1);
    lua_pushcfunction(L, l_collector);
    lua_setfield(L, -2, "_collector"); /* into the module table on top */
    lua_pushcfunction(L, l_table_collector);
    lua_setfield(L, -2, "_table_collector");
    lua_pushcfunction(L, l_walk_collector);
    lua_setfield(L, -2, "_walk_collector");
    lua_pushcfunction(L, l_walk_steps);
    lua_setfield(L, -2, "_walk_steps");
}
