/*
 * friendly.c — the friendly-name database of translate mode
 * SNMPAPI_TRANSLATED: named agents (address, version, community or v3 user,
 * timeout, retries) and named contexts, defined from code or read from an
 * INI-style file:
 *
 *     [agent core-router]
 *     address = udp:192.0.2.1:161
 *     version = 2c
 *     community = s3cret
 *     timeout = 1.5
 *     retries = 2
 *
 *     [context ro]
 *     value = public
 *
 * Secrets are wiped when a record is replaced or cleared.
 */
#include "model.h"

#include <ctype.h>
#include <errno.h>
#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

typedef struct {
    char name[WSNMP_MAX_NAME];
    bool is_context;
    WsnmpAgent agent;  /* owned copies of every string */
    smiOCTETS context; /* value of a named context */
} record_t;

static record_t *records;
static size_t record_count, record_capacity;

static void record_free(record_t *r)
{
    free((char *)r->agent.address);
    wsnmp_octets_free_secret(&r->agent.community);
    wsnmp_string_free_secret((char *)r->agent.usm.user);
    wsnmp_string_free_secret((char *)r->agent.usm.auth_pass);
    wsnmp_string_free_secret((char *)r->agent.usm.priv_pass);
    wsnmp_octets_free_secret(&r->agent.usm.context);
    wsnmp_octets_free_secret(&r->context);
    memset(r, 0, sizeof *r);
}

static record_t *find(const char *name, size_t len)
{
    for (size_t i = 0; i < record_count; i++)
        if (strlen(records[i].name) == len && memcmp(records[i].name, name, len) == 0)
            return &records[i];
    return NULL;
}

const WsnmpAgent *wsnmp_friendly_agent(const char *name)
{
    record_t *r = find(name, strlen(name));
    return r && !r->is_context ? &r->agent : NULL;
}

smiLPCOCTETS wsnmp_friendly_context(const smiOCTETS *name)
{
    record_t *r = find((const char *)name->ptr, name->len);
    return r && r->is_context ? &r->context : NULL;
}

/* Bumped by every change to the table, so that shared handles made from a
 * friendly name are not returned for the name once it means something else. */
static smiUINT32 generation;

smiUINT32 wsnmp_friendly_generation(void)
{
    return generation;
}

void wsnmp_friendly_clear_all(void)
{
    generation++;
    for (size_t i = 0; i < record_count; i++)
        record_free(&records[i]);
    free(records);
    records = NULL;
    record_count = record_capacity = 0;
}

static SNMPAPI_STATUS check_name(const char *fn, const char *name)
{
    size_t n = name ? strlen(name) : 0;
    if (n == 0 || n >= WSNMP_MAX_NAME)
        return wsnmp_error_fail(WSNMP_NO_SLOT, SNMPAPI_OTHER_ERROR,
                                "%s: a friendly name has 1..%d characters", fn, WSNMP_MAX_NAME - 1);
    for (size_t i = 0; i < n; i++)
        if (iscntrl((unsigned char)name[i]))
            return wsnmp_error_fail(WSNMP_NO_SLOT, SNMPAPI_OTHER_ERROR,
                                    "%s: control character in a friendly name", fn);
    return SNMPAPI_SUCCESS;
}

/* Puts a filled record in the table, replacing one of the same name. */
static SNMPAPI_STATUS store(record_t *fresh, const char *fn)
{
    generation++;
    record_t *old = find(fresh->name, strlen(fresh->name));
    if (old) {
        record_free(old);
        *old = *fresh;
        return SNMPAPI_SUCCESS;
    }
    if (record_count == record_capacity) {
        size_t cap = record_capacity ? record_capacity * 2 : 16;
        record_t *grown = realloc(records, cap * sizeof *grown);
        if (grown == NULL) {
            record_free(fresh);
            return wsnmp_error_fail(WSNMP_NO_SLOT, SNMPAPI_ALLOC_ERROR, "%s: out of memory", fn);
        }
        records = grown;
        record_capacity = cap;
    }
    records[record_count++] = *fresh;
    return SNMPAPI_SUCCESS;
}

static char *dup_or_null(const char *s, bool *ok)
{
    if (s == NULL)
        return NULL;
    char *p = wsnmp_string_dup(s);
    if (p == NULL)
        *ok = false;
    return p;
}

WSNMP_API SNMPAPI_STATUS WsnmpDefineAgent(const char *name, const WsnmpAgent *agent)
{
    const char *fn = "WsnmpDefineAgent";
    if (!wsnmp_library_require_started(fn) || !check_name(fn, name))
        return SNMPAPI_FAILURE;
    if (agent == NULL)
        return wsnmp_error_fail(WSNMP_NO_SLOT, SNMPAPI_ALLOC_ERROR, "%s: NULL record", fn);
    wsnmp_address addr;
    const char *why;
    if (!wsnmp_address_parse(agent->address, &addr, &why))
        return wsnmp_error_fail(WSNMP_NO_SLOT, SNMPAPI_ENTITY_UNKNOWN, "%s: agent '%s': %s", fn,
                                name, why);
    if (agent->version != 0 && WsnmpVersionName(agent->version) == NULL)
        return wsnmp_error_fail(WSNMP_NO_SLOT, SNMPAPI_MODE_INVALID,
                                "%s: agent '%s': unknown version", fn, name);
    if (agent->community.len > WSNMP_MAX_CONTEXT ||
        (agent->community.len && agent->community.ptr == NULL))
        return wsnmp_error_fail(WSNMP_NO_SLOT, SNMPAPI_SIZE_INVALID,
                                "%s: agent '%s': bad community", fn, name);
    if (agent->usm.user && wsnmp_credentials_check_usm(&agent->usm, &why))
        return wsnmp_error_fail(WSNMP_NO_SLOT, SNMPAPI_OTHER_ERROR, "%s: agent '%s': %s", fn, name,
                                why);

    record_t r;
    memset(&r, 0, sizeof r);
    snprintf(r.name, sizeof r.name, "%s", name);
    r.agent = *agent;
    bool ok = true;
    r.agent.address = dup_or_null(agent->address, &ok);
    r.agent.usm.user = dup_or_null(agent->usm.user, &ok);
    r.agent.usm.auth_pass = dup_or_null(agent->usm.auth_pass, &ok);
    r.agent.usm.priv_pass = dup_or_null(agent->usm.priv_pass, &ok);
    r.agent.community.ptr = r.agent.usm.context.ptr = NULL;
    ok = ok && wsnmp_octets_copy(&r.agent.community, agent->community.ptr, agent->community.len);
    ok = ok &&
         wsnmp_octets_copy(&r.agent.usm.context, agent->usm.context.ptr, agent->usm.context.len);
    if (!ok) {
        record_free(&r);
        return wsnmp_error_fail(WSNMP_NO_SLOT, SNMPAPI_ALLOC_ERROR, "%s: out of memory", fn);
    }
    return store(&r, fn);
}

WSNMP_API SNMPAPI_STATUS WsnmpDefineContext(const char *name, smiLPCOCTETS value)
{
    const char *fn = "WsnmpDefineContext";
    if (!wsnmp_library_require_started(fn) || !check_name(fn, name))
        return SNMPAPI_FAILURE;
    if (value == NULL || (value->len && value->ptr == NULL))
        return wsnmp_error_fail(WSNMP_NO_SLOT, SNMPAPI_ALLOC_ERROR, "%s: NULL value", fn);
    if (value->len > WSNMP_MAX_CONTEXT)
        return wsnmp_error_fail(WSNMP_NO_SLOT, SNMPAPI_SIZE_INVALID, "%s: value too long", fn);
    record_t r;
    memset(&r, 0, sizeof r);
    snprintf(r.name, sizeof r.name, "%s", name);
    r.is_context = true;
    if (!wsnmp_octets_copy(&r.context, value->ptr, value->len))
        return wsnmp_error_fail(WSNMP_NO_SLOT, SNMPAPI_ALLOC_ERROR, "%s: out of memory", fn);
    return store(&r, fn);
}

WSNMP_API SNMPAPI_STATUS WsnmpUndefine(const char *name)
{
    if (!wsnmp_library_require_started("WsnmpUndefine"))
        return SNMPAPI_FAILURE;
    record_t *r = name ? find(name, strlen(name)) : NULL;
    if (r == NULL)
        return wsnmp_error_fail(WSNMP_NO_SLOT, SNMPAPI_NOOP,
                                "WsnmpUndefine: no such friendly name");
    record_free(r);
    *r = records[--record_count];
    generation++;
    return SNMPAPI_SUCCESS;
}

WSNMP_API SNMPAPI_STATUS WsnmpClearFriendlyNames(void)
{
    if (!wsnmp_library_require_started("WsnmpClearFriendlyNames"))
        return SNMPAPI_FAILURE;
    wsnmp_friendly_clear_all();
    return SNMPAPI_SUCCESS;
}

/* ---- the file reader ------------------------------------------------------ */

typedef struct {
    int kind; /* 0 none, 1 agent, 2 context */
    int line;
    char name[WSNMP_MAX_NAME];
    char address[WSNMP_MAX_ADDRESS];
    char community[WSNMP_MAX_CONTEXT + 1], value[WSNMP_MAX_CONTEXT + 1];
    char user[WSNMP_MAX_NAME], auth_pass[256], priv_pass[256], context[WSNMP_MAX_CONTEXT + 1];
    bool has_community, has_value;
    int version, level, auth, priv;
    smiUINT32 timeout_ms, retries;
} section_t;

static void section_wipe(section_t *s)
{
    explicit_bzero(s, sizeof *s);
}

static char *trim(char *s)
{
    while (isspace((unsigned char)*s))
        s++;
    char *end = s + strlen(s);
    while (end > s && isspace((unsigned char)end[-1]))
        *--end = '\0';
    /* "quoted" values keep inner spaces and '#'. */
    size_t len = (size_t)(end - s);
    // cppcheck-suppress knownConditionTrueFalse ; cppcheck loses track of end after the loop
    if (len >= 2 && s[0] == '"' && s[len - 1] == '"') {
        end[-1] = '\0';
        s++;
    }
    return s;
}

static bool set_text(char *dst, size_t size, const char *src)
{
    if (strlen(src) >= size)
        return false;
    memcpy(dst, src, strlen(src) + 1);
    return true;
}

/* Applies "key = value" to the section; returns a reason or NULL. */
static const char *section_set(section_t *s, const char *key, const char *value)
{
    if (s->kind == 2) {
        if (strcmp(key, "value") != 0)
            return "a [context] section has only 'value'";
        s->has_value = true;
        return set_text(s->value, sizeof s->value, value) ? NULL : "value too long";
    }
    if (strcmp(key, "address") == 0)
        return set_text(s->address, sizeof s->address, value) ? NULL : "address too long";
    if (strcmp(key, "community") == 0) {
        s->has_community = true;
        return set_text(s->community, sizeof s->community, value) ? NULL : "community too long";
    }
    if (strcmp(key, "user") == 0)
        return set_text(s->user, sizeof s->user, value) ? NULL : "user name too long";
    if (strcmp(key, "auth_pass") == 0)
        return set_text(s->auth_pass, sizeof s->auth_pass, value) ? NULL : "passphrase too long";
    if (strcmp(key, "priv_pass") == 0)
        return set_text(s->priv_pass, sizeof s->priv_pass, value) ? NULL : "passphrase too long";
    if (strcmp(key, "context") == 0)
        return set_text(s->context, sizeof s->context, value) ? NULL : "context too long";
    if (strcmp(key, "version") == 0)
        return (s->version = WsnmpVersionByName(value)) > 0 ? NULL : "version is 1, 2c or 3";
    if (strcmp(key, "level") == 0)
        return (s->level = WsnmpLevelByName(value)) > 0
                   ? NULL
                   : "level is noAuthNoPriv, authNoPriv or authPriv";
    if (strcmp(key, "auth") == 0)
        return (s->auth = WsnmpAuthByName(value)) > 0 ? NULL : "unknown auth protocol";
    if (strcmp(key, "priv") == 0)
        return (s->priv = WsnmpPrivByName(value)) > 0 ? NULL : "unknown priv protocol";
    if (strcmp(key, "timeout") == 0) {
        char *end;
        errno = 0;
        double t = strtod(value, &end);
        if (*value == '\0' || *end != '\0' || errno || !(t > 0) || t > 4294967.0)
            return "timeout is a positive number of seconds";
        s->timeout_ms = (smiUINT32)ceil(t * 1000.0);
        return NULL;
    }
    if (strcmp(key, "retries") == 0) {
        char *end;
        errno = 0;
        long n = strtol(value, &end, 10);
        if (*value == '\0' || *end != '\0' || errno || n < 0 || n > 1000)
            return "retries is a whole number 0..1000";
        s->retries = (smiUINT32)n;
        return NULL;
    }
    return "unknown key";
}

/* Defines the record a finished section describes. */
static SNMPAPI_STATUS section_commit(section_t *s, const char *path)
{
    SNMPAPI_STATUS ok;
    if (s->kind == 2) {
        if (!s->has_value)
            return wsnmp_error_fail(WSNMP_NO_SLOT, SNMPAPI_OTHER_ERROR,
                                    "%s:%d: [context %s] has no 'value'", path, s->line, s->name);
        smiOCTETS v = {(smiUINT32)strlen(s->value), (smiBYTE *)s->value};
        ok = WsnmpDefineContext(s->name, &v);
    } else {
        if (s->address[0] == '\0')
            return wsnmp_error_fail(WSNMP_NO_SLOT, SNMPAPI_OTHER_ERROR,
                                    "%s:%d: [agent %s] has no 'address'", path, s->line, s->name);
        WsnmpAgent a;
        memset(&a, 0, sizeof a);
        a.address = s->address;
        a.version = s->version ? s->version : (s->user[0] ? WSNMP_VERSION_3 : 0);
        if (s->has_community)
            a.community = (smiOCTETS){(smiUINT32)strlen(s->community), (smiBYTE *)s->community};
        a.timeout_ms = s->timeout_ms;
        a.retries = s->retries;
        if (s->user[0]) {
            a.usm.user = s->user;
            a.usm.auth = s->auth;
            a.usm.priv = s->priv;
            a.usm.auth_pass = s->auth_pass;
            a.usm.priv_pass = s->priv_pass;
            a.usm.level = s->level  ? s->level
                          : s->priv ? WSNMP_LEVEL_AUTH_PRIV
                          : s->auth ? WSNMP_LEVEL_AUTH_NOPRIV
                                    : WSNMP_LEVEL_NOAUTH_NOPRIV;
            a.usm.context = (smiOCTETS){(smiUINT32)strlen(s->context), (smiBYTE *)s->context};
        }
        ok = WsnmpDefineAgent(s->name, &a);
    }
    if (!ok) {
        /* Prefix the reason with the file and line. */
        wsnmp_error_slot reason = *wsnmp_error_global();
        return wsnmp_error_fail(WSNMP_NO_SLOT, reason.code, "%s:%d: %.200s", path, s->line,
                                reason.message);
    }
    return SNMPAPI_SUCCESS;
}

WSNMP_API SNMPAPI_STATUS WsnmpLoadFriendlyNames(const char *path)
{
    const char *fn = "WsnmpLoadFriendlyNames";
    if (!wsnmp_library_require_started(fn))
        return SNMPAPI_FAILURE;
    if (path == NULL)
        return wsnmp_error_fail(WSNMP_NO_SLOT, SNMPAPI_ALLOC_ERROR, "%s: NULL path", fn);
    FILE *f = fopen(path, "r");
    if (f == NULL)
        return wsnmp_error_fail(WSNMP_NO_SLOT, SNMPAPI_OTHER_ERROR, "%s: cannot open %s: %s", fn,
                                path, strerror(errno));
    section_t *s = calloc(1, sizeof *s);
    char *line = malloc(4096);
    if (s == NULL || line == NULL) {
        free(s);
        free(line);
        fclose(f);
        return wsnmp_error_fail(WSNMP_NO_SLOT, SNMPAPI_ALLOC_ERROR, "%s: out of memory", fn);
    }
    SNMPAPI_STATUS result = SNMPAPI_FAILURE;
    unsigned count = 0;
    int lineno = 0;
    const char *why = NULL;
    while (fgets(line, 4096, f)) {
        lineno++;
        if (strchr(line, '\n') == NULL && !feof(f)) {
            why = "line longer than 4095 characters";
            break;
        }
        char *text = trim(line);
        if (*text == '\0' || *text == '#' || *text == ';')
            continue;
        if (*text == '[') {
            if (s->kind) {
                if (!section_commit(s, path))
                    goto done;
                count++;
            }
            section_wipe(s);
            char *close = strchr(text, ']');
            char kind[16], name[WSNMP_MAX_NAME + 1];
            if (close == NULL || close[1] != '\0' ||
                sscanf(text, "[%15s %128[^]]]", kind, name) != 2) {
                why = "a section header is [agent NAME] or [context NAME]";
                break;
            }
            s->kind = strcmp(kind, "agent") == 0 ? 1 : strcmp(kind, "context") == 0 ? 2 : 0;
            if (s->kind == 0) {
                why = "a section header is [agent NAME] or [context NAME]";
                break;
            }
            snprintf(s->name, sizeof s->name, "%s", trim(name));
            s->line = lineno;
            s->retries = WSNMP_DEFAULT;
            continue;
        }
        char *eq = strchr(text, '=');
        if (eq == NULL) {
            why = "expected 'key = value'";
            break;
        }
        if (s->kind == 0) {
            why = "'key = value' before any [agent NAME] or [context NAME]";
            break;
        }
        *eq = '\0';
        if ((why = section_set(s, trim(text), trim(eq + 1))) != NULL)
            break;
    }
    if (why) {
        wsnmp_error_fail(WSNMP_NO_SLOT, SNMPAPI_OTHER_ERROR, "%s: %s:%d: %s", fn, path, lineno,
                         why);
        goto done;
    }
    if (ferror(f)) {
        wsnmp_error_fail(WSNMP_NO_SLOT, SNMPAPI_OTHER_ERROR, "%s: cannot read %s", fn, path);
        goto done;
    }
    if (s->kind) {
        if (!section_commit(s, path))
            goto done;
        count++;
    }
    /* A count of 0 would read as failure; an empty file defines nothing. */
    result = count ? count
                   : wsnmp_error_fail(WSNMP_NO_SLOT, SNMPAPI_NOOP,
                                      "%s: %s defines no friendly names", fn, path);
done:
    section_wipe(s);
    free(s);
    explicit_bzero(line, 4096);
    free(line);
    fclose(f);
    return result;
}
