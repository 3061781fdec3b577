/*
 * mib.c — MIB names through net-snmp's parser (net-snmp glue, like codec.c).
 *
 * Nothing is loaded at start-up (codec.c initialises net-snmp with no MIB
 * directory and no modules), so start-up stays fast and numeric OIDs never
 * depend on files.  WsnmpMibLoad adds directories, modules and files on
 * request; what was loaded before stays loaded whatever a later load says.
 * Once something is loaded, names are accepted wherever an OID is (see
 * SnmpStrToOid), and OIDs, enumerations and values can be shown with the
 * MIB's names and DISPLAY-HINTs.  Values themselves are never rewritten.
 */
#include "netsnmp_glue.h"

#include <stdio.h>
#include <string.h>
#include <sys/stat.h>

static bool loaded;

/* ---- capturing the parser's complaints ---------------------------------------- */

/* net-snmp reports MIB problems only through its log.  While a load runs,
 * the first error is kept, in the form "FILE:LINE: what". */
static bool capturing;
static char first_error[512];

static bool error_is_specific;

static void remember(const char *msg)
{
    if (msg == NULL)
        return;
    /* The parser may say something general first ("MIB search path: ...");
     * keep the first message that names a module, file or line instead. */
    bool specific = strstr(msg, ": At line ") != NULL || strstr(msg, "Cannot find module") != NULL;
    if (first_error[0] && (error_is_specific || !specific))
        return;
    error_is_specific = specific;
    /* "Cannot find module (X): At line 0 in (none)" or
     * "Expected "::=" (foo): At line 12 in /path/FOO.txt" */
    const char *at = strstr(msg, ": At line ");
    if (at == NULL) {
        snprintf(first_error, sizeof first_error, "%s", msg);
    } else {
        char what[256];
        unsigned line = 0;
        char file[256] = "";
        snprintf(what, sizeof what, "%.*s", (int)(at - msg), msg);
        if (sscanf(at, ": At line %u in %255[^\n]", &line, file) == 2 &&
            strcmp(file, "(none)") != 0)
            snprintf(first_error, sizeof first_error, "%.240s:%u: %.240s", file, line, what);
        else
            snprintf(first_error, sizeof first_error, "%s", what);
    }
    size_t n = strlen(first_error);
    while (n && (first_error[n - 1] == '\n' || first_error[n - 1] == ' '))
        first_error[--n] = '\0';
}

static int capture_log(int major, int minor, void *server, void *client)
{
    (void)major;
    (void)minor;
    (void)client;
    const struct snmp_log_message *m = server;
    if (capturing && m && m->priority <= LOG_WARNING)
        remember(m->msg);
    return 0;
}

static void clear_error(void)
{
    first_error[0] = '\0';
    error_is_specific = false;
}

static void start_capture(void)
{
    static bool registered;
    if (!registered) {
        snmp_register_callback(SNMP_CALLBACK_LIBRARY, SNMP_CALLBACK_LOGGING, capture_log, NULL);
        registered = true;
    }
    clear_error();
    capturing = true;
    netsnmp_ds_set_boolean(NETSNMP_DS_LIBRARY_ID, NETSNMP_DS_LIB_MIB_ERRORS, 1);
    netsnmp_ds_set_int(NETSNMP_DS_LIBRARY_ID, NETSNMP_DS_LIB_MIB_WARNINGS, 0);
}

static void stop_capture(void)
{
    capturing = false;
}

/* ---- loading --------------------------------------------------------------------- */

static SNMPAPI_STATUS load_failed(const char *fallback)
{
    stop_capture();
    return wsnmp_error_fail(WSNMP_NO_SLOT, SNMPAPI_OTHER_ERROR, "WsnmpMibLoad: %s",
                            first_error[0] ? first_error : fallback);
}

static bool readable(const char *path, bool dir)
{
    struct stat st;
    return stat(path, &st) == 0 && (dir ? S_ISDIR(st.st_mode) : S_ISREG(st.st_mode));
}

WSNMP_API SNMPAPI_STATUS WsnmpMibLoad(const WsnmpMibSources *src)
{
    if (!wsnmp_library_require_started("WsnmpMibLoad"))
        return SNMPAPI_FAILURE;
    if (src == NULL)
        return wsnmp_error_fail(WSNMP_NO_SLOT, SNMPAPI_ALLOC_ERROR, "WsnmpMibLoad: NULL argument");
    start_capture();
    char what[320];
    for (const char *const *d = src->dirs; d && *d; d++) {
        if (!readable(*d, true)) {
            snprintf(what, sizeof what, "%.256s: cannot read the directory", *d);
            return load_failed(what);
        }
        if (add_mibdir(*d) < 0) {
            snprintf(what, sizeof what, "%.256s: cannot read the directory", *d);
            return load_failed(what);
        }
    }
    for (const char *const *f = src->files; f && *f; f++) {
        if (!readable(*f, false)) {
            snprintf(what, sizeof what, "%.256s: cannot read the file", *f);
            return load_failed(what);
        }
        clear_error();
        read_mib(*f);
        if (first_error[0])
            return load_failed(NULL);
        loaded = true;
    }
    for (const char *const *m = src->modules; m && *m; m++) {
        clear_error();
        if (strcmp(*m, "ALL") == 0) {
            read_all_mibs();
        } else if (which_module(*m) < 0) {
            /* Not in any directory searched.  (net-snmp says so only once
             * per name, and a name lookup may have asked before.) */
            snprintf(what, sizeof what, "Cannot find module (%.256s)", *m);
            return load_failed(what);
        } else {
            netsnmp_read_module(*m);
        }
        if (first_error[0])
            return load_failed(NULL);
        loaded = true;
    }
    stop_capture();
    return SNMPAPI_SUCCESS;
}

bool wsnmp_mib_loaded(void)
{
    return loaded;
}

/* ---- names ------------------------------------------------------------------------ */

static bool looks_like_name(const char *s)
{
    for (; *s; s++)
        if ((*s >= 'a' && *s <= 'z') || (*s >= 'A' && *s <= 'Z'))
            return true;
    return false;
}

/* net-snmp's lookup is lenient: it may resolve a bare "x" or "a" to some
 * node by partial matching.  Accept its answer only if the name's label
 * ("ifDescr" in "IF-MIB::ifDescr.3") is a node of the loaded MIBs and the
 * OID found lies at or below that node. */
static bool names_its_node(const char *name, const oid *found, size_t n)
{
    const char *label = strstr(name, "::");
    label = label ? label + 2 : name;
    size_t len = strcspn(label, ".");
    char text[128];
    if (len == 0 || len >= sizeof text)
        return false;
    memcpy(text, label, len);
    text[len] = '\0';
    struct tree *tp = find_tree_node(text, -1);
    if (tp == NULL)
        return false;
    oid path[MAX_OID_LEN];
    size_t depth = 0;
    for (struct tree *t = tp; t && depth < MAX_OID_LEN; t = t->parent)
        path[depth++] = t->subid;
    if (depth > n)
        return false;
    for (size_t i = 0; i < depth; i++)
        if (found[i] != path[depth - 1 - i])
            return false;
    return true;
}

bool wsnmp_mib_name_to_oid(const char *name, smiUINT32 *sub, smiUINT32 *len)
{
    if (!loaded || !looks_like_name(name))
        return false;
    oid buf[MAX_OID_LEN];
    size_t n = MAX_OID_LEN;
    capturing = false;
    if (snmp_parse_oid(name, buf, &n) == NULL || n == 0 || n > MAXOBJIDSIZE ||
        !names_its_node(name, buf, n))
        return false;
    for (size_t i = 0; i < n; i++) {
        if (buf[i] > 0xFFFFFFFFu)
            return false;
        sub[i] = (smiUINT32)buf[i];
    }
    *len = (smiUINT32)n;
    return true;
}

WSNMP_API SNMPAPI_STATUS WsnmpMibNameToOid(LPCSTR name, smiLPOID oid_out)
{
    if (!wsnmp_library_require_started("WsnmpMibNameToOid"))
        return SNMPAPI_FAILURE;
    if (name == NULL || oid_out == NULL)
        return wsnmp_error_fail(WSNMP_NO_SLOT, SNMPAPI_ALLOC_ERROR,
                                "WsnmpMibNameToOid: NULL argument");
    smiUINT32 sub[MAXOBJIDSIZE];
    smiOID tmp = {0, sub};
    if (!wsnmp_mib_name_to_oid(name, sub, &tmp.len))
        return wsnmp_error_fail(WSNMP_NO_SLOT, SNMPAPI_OID_INVALID, "unknown MIB name '%.64s'%s",
                                name, loaded ? "" : " (no MIB is loaded)");
    if (!wsnmp_descriptor_oid(oid_out, &tmp))
        return wsnmp_error_fail(WSNMP_NO_SLOT, SNMPAPI_ALLOC_ERROR,
                                "WsnmpMibNameToOid: out of memory");
    return tmp.len;
}

/* Copies an OID into net-snmp's type; false if it is not a valid OID. */
/* The entry checks of the functions that take an object's OID: the
 * library is started and `in` is a valid OID, copied into net-snmp's type;
 * false after recording the failure. */
static bool object_arg(const char *fn, smiLPCOID in, oid *out, size_t *n)
{
    if (!wsnmp_library_require_started(fn))
        return false;
    const char *why;
    if (in == NULL || in->len == 0 || in->len > MAX_OID_LEN || wsnmp_oid_check(in, &why)) {
        wsnmp_error_fail(WSNMP_NO_SLOT, SNMPAPI_OID_INVALID, "%s: not a valid OID", fn);
        return false;
    }
    for (smiUINT32 i = 0; i < in->len; i++)
        out[i] = in->ptr[i];
    *n = in->len;
    return true;
}

/* Copies text into the caller's buffer: its length with the NUL, or
 * OUTPUT_TRUNCATED. */
static SNMPAPI_STATUS give(const char *fn, const char *text, LPSTR buf, smiUINT32 size)
{
    size_t n = strlen(text) + 1;
    if (buf == NULL || n > size)
        return wsnmp_error_fail(WSNMP_NO_SLOT, SNMPAPI_OUTPUT_TRUNCATED,
                                "%s: buffer of %u bytes, %u needed", fn, (unsigned)size,
                                (unsigned)n);
    memcpy(buf, text, n);
    return (SNMPAPI_STATUS)n;
}

WSNMP_API SNMPAPI_STATUS WsnmpMibOidToName(smiLPCOID in, LPSTR buf, smiUINT32 size)
{
    const char *fn = "WsnmpMibOidToName";
    oid name[MAX_OID_LEN];
    size_t n;
    if (!object_arg(fn, in, name, &n))
        return SNMPAPI_FAILURE;
    if (!loaded)
        return wsnmp_error_fail(WSNMP_NO_SLOT, SNMPAPI_OID_INVALID, "%s: no MIB is loaded", fn);
    char text[MAXOBJIDSTRSIZE * 2];
    netsnmp_ds_set_int(NETSNMP_DS_LIBRARY_ID, NETSNMP_DS_LIB_OID_OUTPUT_FORMAT,
                       NETSNMP_OID_OUTPUT_MODULE);
    int len = snprint_objid(text, sizeof text, name, n);
    const char *sep = len > 0 ? strstr(text, "::") : NULL;
    if (sep && sep[2] >= '0' && sep[2] <= '9') {
        /* No loaded module names it (net-snmp would pin the digits on some
         * unnamed node, "SOME-MIB::1.2.1..."): the plain dotted OID. */
        netsnmp_ds_set_int(NETSNMP_DS_LIBRARY_ID, NETSNMP_DS_LIB_OID_OUTPUT_FORMAT,
                           NETSNMP_OID_OUTPUT_NUMERIC);
        len = snprint_objid(text, sizeof text, name, n);
    }
    if (len < 0)
        return wsnmp_error_fail(WSNMP_NO_SLOT, SNMPAPI_OID_INVALID, "%s: cannot name the OID", fn);
    return give(fn, text[0] == '.' ? text + 1 : text, buf, size);
}

WSNMP_API SNMPAPI_STATUS WsnmpMibEnumLabel(smiLPCOID in, smiINT32 value, LPSTR buf, smiUINT32 size)
{
    const char *fn = "WsnmpMibEnumLabel";
    oid name[MAX_OID_LEN];
    size_t n;
    if (!object_arg(fn, in, name, &n))
        return SNMPAPI_FAILURE;
    struct tree *tp = loaded ? get_tree(name, n, get_tree_head()) : NULL;
    for (struct enum_list *e = tp ? tp->enums : NULL; e; e = e->next)
        if (e->value == value)
            return give(fn, e->label, buf, size);
    return wsnmp_error_fail(WSNMP_NO_SLOT, SNMPAPI_NOOP, "%s: no label for %d", fn, (int)value);
}

/* The syntax an index object is decoded with ("" if it cannot be an index). */
static const char *index_syntax(int type)
{
    switch (type) {
    case TYPE_INTEGER:
    case TYPE_INTEGER32:
        return "int";
    case TYPE_UNSIGNED32:
    case TYPE_GAUGE:
    case TYPE_COUNTER:
    case TYPE_TIMETICKS:
    case TYPE_UINTEGER:
        return "uint32";
    case TYPE_IPADDR:
    case TYPE_NETADDR:
        return "ipaddr";
    case TYPE_OCTETSTR:
    case TYPE_OPAQUE:
    case TYPE_BITSTRING:
    case TYPE_NSAPADDRESS:
        return "octets";
    case TYPE_OBJID:
        return "oid";
    default:
        return "";
    }
}

static void copy_text(char *dst, size_t size, const char *src)
{
    snprintf(dst, size, "%s", src ? src : "");
}

WSNMP_API SNMPAPI_STATUS WsnmpMibTableIndex(smiLPCOID in, WsnmpMibIndex *items, smiUINT32 max)
{
    const char *fn = "WsnmpMibTableIndex";
    oid name[MAX_OID_LEN];
    size_t n;
    if (!object_arg(fn, in, name, &n))
        return SNMPAPI_FAILURE;
    struct tree *tp = loaded ? get_tree(name, n, get_tree_head()) : NULL;
    size_t depth = 0; /* get_tree gives the deepest known node: is it this one? */
    for (struct tree *up = tp; up; up = up->parent)
        depth++;
    if (depth != n)
        tp = NULL;
    /* AUGMENTS: the rows are the augmented table's (a few hops at most) */
    for (int hops = 0; tp && !tp->indexes && tp->augments && hops < 8; hops++)
        tp = find_tree_node(tp->augments, -1);
    if (tp == NULL || tp->indexes == NULL)
        return wsnmp_error_fail(WSNMP_NO_SLOT, SNMPAPI_NOOP, "%s: not a table entry with an INDEX",
                                fn);
    smiUINT32 count = 0;
    for (struct index_list *il = tp->indexes; il; il = il->next, count++) {
        if (count >= max || items == NULL)
            continue;
        WsnmpMibIndex *item = &items[count];
        memset(item, 0, sizeof *item);
        copy_text(item->name, sizeof item->name, il->ilabel);
        item->implied = il->isimplied != 0;
        struct tree *obj = find_tree_node(il->ilabel, -1);
        if (obj == NULL)
            continue; /* syntax "": the manager cannot decode past it */
        copy_text(item->syntax, sizeof item->syntax, index_syntax(obj->type));
        if (obj->tc_index >= 0)
            copy_text(item->tc, sizeof item->tc, get_tc_descriptor(obj->tc_index));
        /* SIZE (n): a string of one length has no length arc */
        struct range_list *r = obj->ranges;
        if (strcmp(item->syntax, "octets") == 0 && r && r->next == NULL && r->low == r->high &&
            r->low > 0)
            item->fixed_size = (smiUINT32)r->low;
    }
    return (SNMPAPI_STATUS)count;
}

/* ---- values as text ------------------------------------------------------------------- */

/* An Opaque holding one of net-snmp's special types (9f 78..7b: float,
 * double, Integer64, Unsigned64) arrives as its wire
 * bytes; net-snmp's tools show the value inside ("Opaque: UInt64: 5"), so
 * give the variable the decoded value to print.  Other Opaques stay bytes. */
static void decode_opaque_special(netsnmp_variable_list *var, const smiVALUE *v)
{
    const smiBYTE *p = v->value.string.ptr;
    size_t n = v->value.string.len;
    if (v->syntax != SNMP_SYNTAX_OPAQUE || n < 3 || n > 64 || p[0] != ASN_OPAQUE_TAG1)
        return;
    u_char wrapped[66] = {ASN_OPAQUE, (u_char)n};
    memcpy(wrapped + 2, p, n);
    size_t len = n + 2;
    u_char type = ASN_OPAQUE;
    float f;
    double d;
    struct counter64 c64;
    switch (p[1]) {
    case ASN_OPAQUE_FLOAT:
        if (asn_parse_float(wrapped, &len, &type, &f, sizeof f))
            snmp_set_var_typed_value(var, ASN_OPAQUE_FLOAT, &f, sizeof f);
        break;
    case ASN_OPAQUE_DOUBLE:
        if (asn_parse_double(wrapped, &len, &type, &d, sizeof d))
            snmp_set_var_typed_value(var, ASN_OPAQUE_DOUBLE, &d, sizeof d);
        break;
    case ASN_OPAQUE_I64:
        if (asn_parse_signed_int64(wrapped, &len, &type, &c64, sizeof c64))
            snmp_set_var_typed_value(var, ASN_OPAQUE_I64, &c64, sizeof c64);
        break;
    case ASN_OPAQUE_U64: /* (libnetsnmp 5.9.3 misreads an Opaque Counter64: left as bytes) */
        if (asn_parse_unsigned_int64(wrapped, &len, &type, &c64, sizeof c64))
            snmp_set_var_typed_value(var, type, &c64, sizeof c64);
        break;
    default:
        break;
    }
}

WSNMP_API SNMPAPI_STATUS WsnmpMibFormat(smiLPCOID in, smiLPCVALUE value, smiUINT32 flags, LPSTR buf,
                                        smiUINT32 size)
{
    const char *fn = "WsnmpMibFormat";
    oid name[MAX_OID_LEN];
    size_t n;
    if (!object_arg(fn, in, name, &n))
        return SNMPAPI_FAILURE;
    if (value == NULL)
        return wsnmp_error_fail(WSNMP_NO_SLOT, SNMPAPI_ALLOC_ERROR, "%s: NULL value", fn);
    netsnmp_variable_list *var = wsnmp_codec_variable(name, n, value);
    if (var == NULL)
        return wsnmp_error_fail(WSNMP_NO_SLOT, SNMPAPI_SYNTAX_INVALID,
                                "%s: a value of unknown syntax", fn);
    decode_opaque_special(var, value);
    bool whole = (flags & WSNMP_MIB_FORMAT_VARBIND) != 0;
    netsnmp_ds_set_int(NETSNMP_DS_LIBRARY_ID, NETSNMP_DS_LIB_OID_OUTPUT_FORMAT,
                       (flags & WSNMP_MIB_FORMAT_NUMERIC) ? NETSNMP_OID_OUTPUT_NUMERIC
                                                          : NETSNMP_OID_OUTPUT_MODULE);
    /* Just the value: net-snmp's "quick print" (no "TYPE: " in front). */
    netsnmp_ds_set_boolean(NETSNMP_DS_LIBRARY_ID, NETSNMP_DS_LIB_QUICK_PRINT, !whole);
    size_t cap = 4096;
    char *text = NULL;
    int len = -1;
    for (; cap <= 1u << 20; cap *= 4) { /* net-snmp says -1 when the buffer is short */
        char *grown = realloc(text, cap);
        if (grown == NULL)
            break;
        text = grown;
        len = whole ? snprint_variable(text, cap, name, n, var)
                    : snprint_value(text, cap, name, n, var);
        if (len >= 0)
            break;
    }
    netsnmp_ds_set_boolean(NETSNMP_DS_LIBRARY_ID, NETSNMP_DS_LIB_QUICK_PRINT, 0);
    snmp_free_varbind(var);
    SNMPAPI_STATUS r =
        len < 0 ? wsnmp_error_fail(WSNMP_NO_SLOT, SNMPAPI_ALLOC_ERROR, "%s: out of memory", fn)
                : give(fn, text, buf, size);
    free(text);
    return r;
}
