/*
 * library.c — startup, cleanup, vendor information, process-wide modes,
 * limits and statistics.
 */
#include "messaging.h"

#include <string.h>

#define DEFAULT_LIMITS                                                                             \
    {                                                                                              \
        .sessions = 16384, .handles = 1u << 20, .handles_per_session = 1u << 20,                   \
        .pending = 1u << 20                                                                        \
    }

wsnmp_library wsnmp_lib = {
    .translate_mode = SNMPAPI_TRANSLATED,
    .retransmit_mode = SNMPAPI_ON,
    .limits = DEFAULT_LIMITS,
};

bool wsnmp_require_started(const char *fn)
{
    if (wsnmp_lib.started)
        return true;
    wsnmp_fail(WSNMP_NO_SLOT, SNMPAPI_NOT_INITIALIZED, "%s: SnmpStartup has not been called", fn);
    return false;
}

static void report_startup(smiLPUINT32 major, smiLPUINT32 minor, smiLPUINT32 level,
                           smiLPUINT32 translate, smiLPUINT32 retransmit)
{
    if (major)
        *major = 2;
    if (minor)
        *minor = 0;
    if (level)
        *level = SNMPAPI_V2_SUPPORT;
    if (translate)
        *translate = wsnmp_lib.translate_mode;
    if (retransmit)
        *retransmit = wsnmp_lib.retransmit_mode;
}

static void start(void)
{
    const char *why;
    wsnmp_codec_init(&why);
    if (!wsnmp_lib.started) {
        wsnmp_lib.started = 1;
        wsnmp_lib.translate_mode = SNMPAPI_TRANSLATED;
        wsnmp_lib.retransmit_mode = SNMPAPI_ON;
    }
}

WSNMP_API SNMPAPI_STATUS SnmpStartup(smiLPUINT32 nMajorVersion, smiLPUINT32 nMinorVersion,
                                     smiLPUINT32 nLevel, smiLPUINT32 nTranslateMode,
                                     smiLPUINT32 nRetransmitMode)
{
    start();
    /* Plain SnmpStartup is not counted: one SnmpCleanup covers all calls. */
    if (wsnmp_lib.startup_count == 0)
        wsnmp_lib.startup_count = 1;
    report_startup(nMajorVersion, nMinorVersion, nLevel, nTranslateMode, nRetransmitMode);
    return SNMPAPI_SUCCESS;
}

WSNMP_API SNMPAPI_STATUS SnmpStartupEx(smiLPUINT32 nMajorVersion, smiLPUINT32 nMinorVersion,
                                       smiLPUINT32 nLevel, smiLPUINT32 nTranslateMode,
                                       smiLPUINT32 nRetransmitMode)
{
    start();
    wsnmp_lib.startup_count++;
    report_startup(nMajorVersion, nMinorVersion, nLevel, nTranslateMode, nRetransmitMode);
    return SNMPAPI_SUCCESS;
}

static void cleanup_everything(void)
{
    wsnmp_handle_destroy_all();
    wsnmp_descriptor_free_all();
    wsnmp_friendly_clear_all();
    wsnmp_lib.started = 0;
    wsnmp_lib.startup_count = 0;
}

WSNMP_API SNMPAPI_STATUS SnmpCleanup(void)
{
    if (!wsnmp_require_started("SnmpCleanup"))
        return SNMPAPI_FAILURE;
    cleanup_everything();
    return SNMPAPI_SUCCESS;
}

WSNMP_API SNMPAPI_STATUS SnmpCleanupEx(void)
{
    if (!wsnmp_require_started("SnmpCleanupEx"))
        return SNMPAPI_FAILURE;
    if (wsnmp_lib.startup_count > 1) {
        wsnmp_lib.startup_count--;
        return SNMPAPI_SUCCESS;
    }
    cleanup_everything();
    return SNMPAPI_SUCCESS;
}

WSNMP_API int WsnmpIsStarted(void)
{
    return wsnmp_lib.started;
}

WSNMP_API SNMPAPI_STATUS SnmpGetVendorInfo(smiLPVENDORINFO vendorInfo)
{
    if (vendorInfo == NULL)
        return wsnmp_fail(WSNMP_NO_SLOT, SNMPAPI_NOOP, "SnmpGetVendorInfo: no output buffer");
    memset(vendorInfo, 0, sizeof *vendorInfo);
    strcpy(vendorInfo->vendorName, "winsnmp (portable WinSNMP over net-snmp)");
    strcpy(vendorInfo->vendorContact, "see README.md");
    strcpy(vendorInfo->vendorVersionId, WSNMP_VERSION_STRING);
    strcpy(vendorInfo->vendorVersionDate, WSNMP_VERSION_DATE);
    vendorInfo->vendorEnterprise = 0; /* no IANA enterprise number assigned */
    return SNMPAPI_SUCCESS;
}

WSNMP_API SNMPAPI_STATUS SnmpGetTranslateMode(smiLPUINT32 nTranslateMode)
{
    if (!wsnmp_require_started("SnmpGetTranslateMode"))
        return SNMPAPI_FAILURE;
    if (nTranslateMode == NULL)
        return wsnmp_fail(WSNMP_NO_SLOT, SNMPAPI_NOOP, "SnmpGetTranslateMode: no output");
    *nTranslateMode = wsnmp_lib.translate_mode;
    return SNMPAPI_SUCCESS;
}

WSNMP_API SNMPAPI_STATUS SnmpSetTranslateMode(smiUINT32 nTranslateMode)
{
    if (!wsnmp_require_started("SnmpSetTranslateMode"))
        return SNMPAPI_FAILURE;
    if (nTranslateMode > SNMPAPI_UNTRANSLATED_V2)
        return wsnmp_fail(WSNMP_NO_SLOT, SNMPAPI_MODE_INVALID,
                          "SnmpSetTranslateMode: unknown translate mode %u",
                          (unsigned)nTranslateMode);
    wsnmp_lib.translate_mode = nTranslateMode;
    return SNMPAPI_SUCCESS;
}

WSNMP_API SNMPAPI_STATUS SnmpGetRetransmitMode(smiLPUINT32 nRetransmitMode)
{
    if (!wsnmp_require_started("SnmpGetRetransmitMode"))
        return SNMPAPI_FAILURE;
    if (nRetransmitMode == NULL)
        return wsnmp_fail(WSNMP_NO_SLOT, SNMPAPI_NOOP, "SnmpGetRetransmitMode: no output");
    *nRetransmitMode = wsnmp_lib.retransmit_mode;
    return SNMPAPI_SUCCESS;
}

WSNMP_API SNMPAPI_STATUS SnmpSetRetransmitMode(smiUINT32 nRetransmitMode)
{
    if (!wsnmp_require_started("SnmpSetRetransmitMode"))
        return SNMPAPI_FAILURE;
    if (nRetransmitMode != SNMPAPI_ON && nRetransmitMode != SNMPAPI_OFF)
        return wsnmp_fail(WSNMP_NO_SLOT, SNMPAPI_MODE_INVALID,
                          "SnmpSetRetransmitMode: unknown retransmit mode %u",
                          (unsigned)nRetransmitMode);
    wsnmp_lib.retransmit_mode = nRetransmitMode;
    return SNMPAPI_SUCCESS;
}

WSNMP_API SNMPAPI_STATUS WsnmpGetLimits(WsnmpLimits *limits)
{
    if (limits == NULL)
        return wsnmp_fail(WSNMP_NO_SLOT, SNMPAPI_ALLOC_ERROR, "WsnmpGetLimits: no output");
    *limits = wsnmp_lib.limits;
    return SNMPAPI_SUCCESS;
}

WSNMP_API SNMPAPI_STATUS WsnmpSetLimits(const WsnmpLimits *limits)
{
    if (limits == NULL)
        return wsnmp_fail(WSNMP_NO_SLOT, SNMPAPI_ALLOC_ERROR, "WsnmpSetLimits: no limits");
    /* A zero field leaves that limit unchanged. */
    if (limits->sessions)
        wsnmp_lib.limits.sessions = limits->sessions;
    if (limits->handles)
        wsnmp_lib.limits.handles = limits->handles;
    if (limits->handles_per_session)
        wsnmp_lib.limits.handles_per_session = limits->handles_per_session;
    if (limits->pending)
        wsnmp_lib.limits.pending = limits->pending;
    return SNMPAPI_SUCCESS;
}

WSNMP_API SNMPAPI_STATUS WsnmpGetStats(HSNMP_SESSION session, WsnmpStats *stats)
{
    if (stats == NULL)
        return wsnmp_fail(WSNMP_NO_SLOT, SNMPAPI_ALLOC_ERROR, "WsnmpGetStats: no output");
    memset(stats, 0, sizeof *stats);
    if (session == 0) {
        stats->sessions = wsnmp_live[WSNMP_KIND_SESSION];
        stats->entities = wsnmp_live[WSNMP_KIND_ENTITY];
        stats->contexts = wsnmp_live[WSNMP_KIND_CONTEXT];
        stats->pdus = wsnmp_live[WSNMP_KIND_PDU];
        stats->vbls = wsnmp_live[WSNMP_KIND_VBL];
        stats->descriptors = (smiUINT32)wsnmp_descriptor_count();
        stats->pending = wsnmp_pending_total;
        stats->dropped = wsnmp_dropped_total;
        stats->queue_dropped = wsnmp_queue_dropped_total;
        stats->registrations = wsnmp_registrations_total;
        return SNMPAPI_SUCCESS;
    }
    uint32_t slot;
    wsnmp_session *s = wsnmp_lookup(session, WSNMP_KIND_SESSION, &slot, NULL, "WsnmpGetStats");
    if (s == NULL)
        return SNMPAPI_FAILURE;
    stats->sessions = 1;
    stats->entities = s->live[WSNMP_KIND_ENTITY];
    stats->contexts = s->live[WSNMP_KIND_CONTEXT];
    stats->pdus = s->live[WSNMP_KIND_PDU];
    stats->vbls = s->live[WSNMP_KIND_VBL];
    stats->pending = s->io ? (smiUINT32)s->io->pending : 0;
    stats->registrations = s->registrations; /* registrations and listening entities */
    return SNMPAPI_SUCCESS;
}

/* When the library is unloaded (process exit, or dlclose of the Lua module)
 * free everything, in dependency order, so leak checkers see a clean exit. */
__attribute__((destructor)) static void library_unload(void)
{
    if (wsnmp_lib.started)
        cleanup_everything();
    wsnmp_listeners_release();
    wsnmp_io_release();
    wsnmp_pending_release();
    wsnmp_handles_release();
    wsnmp_descriptor_free_all();
    wsnmp_codec_shutdown();
}
