/*
 * local_engine.c — this process's SNMPv3 engine: its id and snmpEngineBoots,
 * kept across runs in a state file, so that a receiver configured with our
 * engine id keeps accepting our v3 traps after a restart (RFC 3414 2.2: a
 * receiver refuses boots that go back).
 *
 * The state file is text, in the words of net-snmp's own persistent files:
 *
 *     engineID 0x80001f8880...
 *     engineBoots 7
 *
 * It is replaced, never rewritten in place: a temporary file beside it is
 * written and synced, then renamed over it, so a crash leaves the old or the
 * new file, never half of one.
 */
#include "engine.h"

#include <errno.h>
#include <fcntl.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#define ENGINE_ID_MIN 5
#define ENGINE_ID_MAX 32
#define BOOTS_MAX 2147483647u /* RFC 3414 2.2: it stays there */

/* The state file this process counted a boot in, and the id it holds. */
static char *counted_path;
static unsigned char counted_id[ENGINE_ID_MAX];
static size_t counted_id_len;

/* RFC 3411: 5..32 octets, neither all zero nor all 'ff'H. */
static bool id_valid(const unsigned char *id, size_t len)
{
    if (len < ENGINE_ID_MIN || len > ENGINE_ID_MAX)
        return false;
    bool zero = true, ff = true;
    for (size_t i = 0; i < len; i++) {
        zero = zero && id[i] == 0x00;
        ff = ff && id[i] == 0xFF;
    }
    return !zero && !ff;
}

/* Reads a state file; false when there is none.  A line that is not one of
 * ours is ignored (a file from a newer version). */
static bool read_state(const char *path, unsigned char *id, size_t *id_len, smiUINT32 *boots)
{
    FILE *f = fopen(path, "r");
    if (f == NULL)
        return false;
    char line[256];
    *id_len = 0;
    *boots = 0;
    while (fgets(line, sizeof line, f)) {
        char hex[2 * ENGINE_ID_MAX + 3];
        unsigned long n;
        if (sscanf(line, "engineID 0x%66s", hex) == 1) {
            size_t digits = strlen(hex);
            size_t len = digits / 2;
            bool ok = digits % 2 == 0 && len <= ENGINE_ID_MAX;
            for (size_t i = 0; ok && i < len; i++) {
                unsigned byte;
                ok = sscanf(hex + 2 * i, "%2x", &byte) == 1;
                id[i] = (unsigned char)byte;
            }
            *id_len = ok && id_valid(id, len) ? len : 0;
        } else if (sscanf(line, "engineBoots %lu", &n) == 1) {
            *boots = n > BOOTS_MAX ? BOOTS_MAX : (smiUINT32)n;
        }
    }
    fclose(f);
    return true;
}

static bool write_state(const char *path, const unsigned char *id, size_t id_len, smiUINT32 boots,
                        const char **why)
{
    size_t n = strlen(path) + 32;
    char *tmp = malloc(n);
    if (tmp == NULL) {
        *why = "out of memory";
        return false;
    }
    snprintf(tmp, n, "%s.tmp.%ld", path, (long)getpid());
    int fd = open(tmp, O_WRONLY | O_CREAT | O_TRUNC | O_CLOEXEC, 0600);
    FILE *f = fd >= 0 ? fdopen(fd, "w") : NULL;
    if (f == NULL) {
        if (fd >= 0)
            close(fd);
        free(tmp);
        *why = "cannot write the engine state file";
        return false;
    }
    fprintf(f, "# winsnmp: the local SNMPv3 engine (written by WsnmpSetLocalEngine)\n");
    fprintf(f, "engineID 0x");
    for (size_t i = 0; i < id_len; i++)
        fprintf(f, "%02x", id[i]);
    fprintf(f, "\nengineBoots %u\n", (unsigned)boots);
    bool ok = fflush(f) == 0 && fsync(fileno(f)) == 0;
    ok = fclose(f) == 0 && ok;
    ok = ok && rename(tmp, path) == 0;
    if (!ok) {
        unlink(tmp);
        *why = "cannot write the engine state file";
    }
    free(tmp);
    return ok;
}

WSNMP_API SNMPAPI_STATUS WsnmpSetLocalEngine(smiLPCOCTETS id, const char *state_path)
{
    const char *fn = "WsnmpSetLocalEngine";
    if (!wsnmp_library_require_started(fn))
        return SNMPAPI_FAILURE;
    if (id && (id->ptr == NULL || !id_valid(id->ptr, id->len)))
        return wsnmp_error_fail(WSNMP_NO_SLOT, SNMPAPI_OTHER_ERROR,
                                "%s: an engine id is 5 to 32 octets, neither all 00 nor all ff "
                                "(RFC 3411)",
                                fn);
    unsigned char want[ENGINE_ID_MAX];
    size_t want_len = 0;
    if (id) {
        memcpy(want, id->ptr, id->len);
        want_len = id->len;
    } else {
        want_len = wsnmp_usm_local_engine_id(want, sizeof want);
    }
    smiUINT32 boots = 1;
    const char *why;
    if (state_path) {
        unsigned char stored[ENGINE_ID_MAX];
        size_t stored_len = 0;
        smiUINT32 stored_boots = 0;
        bool have = read_state(state_path, stored, &stored_len, &stored_boots);
        if (have && id == NULL && stored_len) {
            memcpy(want, stored, stored_len);
            want_len = stored_len;
        }
        bool same_id = have && stored_len == want_len && memcmp(stored, want, want_len) == 0;
        bool counted = counted_path && strcmp(counted_path, state_path) == 0 &&
                       counted_id_len == want_len && memcmp(counted_id, want, want_len) == 0;
        /* Boots belong to one engine id: another id starts again at 1. */
        if (counted)
            boots = stored_boots ? stored_boots : 1;
        else if (same_id)
            boots = stored_boots >= BOOTS_MAX ? BOOTS_MAX : stored_boots + 1;
        if (!counted && !write_state(state_path, want, want_len, boots, &why))
            return wsnmp_error_fail(WSNMP_NO_SLOT, SNMPAPI_OTHER_ERROR, "%s: %s: %s", fn, why,
                                    strerror(errno));
        char *copy = wsnmp_string_dup(state_path);
        if (copy == NULL)
            return wsnmp_error_fail(WSNMP_NO_SLOT, SNMPAPI_ALLOC_ERROR, "%s: out of memory", fn);
        free(counted_path);
        counted_path = copy;
        memcpy(counted_id, want, want_len);
        counted_id_len = want_len;
    }
    wsnmp_result code = wsnmp_usm_set_local_engine(want, want_len, boots, &why);
    if (code != WSNMP_OK)
        return wsnmp_error_fail(WSNMP_NO_SLOT, code, "%s: %s", fn, why);
    return SNMPAPI_SUCCESS;
}

WSNMP_API SNMPAPI_STATUS WsnmpGetLocalEngine(WsnmpLocalEngine *engine)
{
    if (!wsnmp_library_require_started("WsnmpGetLocalEngine"))
        return SNMPAPI_FAILURE;
    if (engine == NULL)
        return wsnmp_error_fail(WSNMP_NO_SLOT, SNMPAPI_NOOP, "WsnmpGetLocalEngine: no output");
    memset(engine, 0, sizeof *engine);
    engine->id_len = (smiUINT32)wsnmp_usm_local_engine_id(engine->id, sizeof engine->id);
    wsnmp_usm_local_engine_clock(&engine->boots, &engine->time);
    return SNMPAPI_SUCCESS;
}

void wsnmp_local_engine_release(void)
{
    free(counted_path);
    counted_path = NULL;
    counted_id_len = 0;
}
