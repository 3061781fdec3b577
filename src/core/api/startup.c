/*
 * startup.c — startup and cleanup, vendor information and the process-wide
 * modes.  Startup also wires the layers: it installs the hooks through
 * which the lower layers reach the upper ones (the per-session error slot,
 * MIB names for SnmpStrToOid, the engine behind sessions and entities).
 */
#include "api.h"
#include "engine.h"

#include <string.h>

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
        *translate = wsnmp_library.translate_mode;
    if (retransmit)
        *retransmit = wsnmp_library.retransmit_mode;
}

static void install_hooks(void)
{
    static const wsnmp_oid_name_lookup mib_names = {
        .loaded = wsnmp_mib_loaded,
        .name_to_oid = wsnmp_mib_name_to_oid,
    };
    wsnmp_error_set_session_lookup(wsnmp_session_error_slot);
    wsnmp_oid_set_name_lookup(&mib_names);
    wsnmp_session_set_engine_hooks(&wsnmp_io_session_hooks);
    wsnmp_credentials_set_release_hook(wsnmp_usm_forget);
}

/* Windows' defaults: SnmpStartup reports "2, 0, 2, 1, 1" (major, minor,
 * level, translate mode SNMPAPI_UNTRANSLATED_V1, retransmit SNMPAPI_ON). */
static smiUINT32 default_translate = SNMPAPI_UNTRANSLATED_V1;
static smiUINT32 default_retransmit = SNMPAPI_ON;

void wsnmp_startup_set_defaults(smiUINT32 translate_mode, smiUINT32 retransmit_mode)
{
    if (translate_mode <= SNMPAPI_UNTRANSLATED_V2)
        default_translate = translate_mode;
    if (retransmit_mode <= SNMPAPI_ON)
        default_retransmit = retransmit_mode;
}

static void start(void)
{
    const char *why;
    install_hooks();
    wsnmp_codec_init(&why);
    if (!wsnmp_library.started) {
        wsnmp_library.started = 1;
        wsnmp_library.translate_mode = default_translate;
        wsnmp_library.retransmit_mode = default_retransmit;
    }
}

WSNMP_API SNMPAPI_STATUS SnmpStartup(smiLPUINT32 nMajorVersion, smiLPUINT32 nMinorVersion,
                                     smiLPUINT32 nLevel, smiLPUINT32 nTranslateMode,
                                     smiLPUINT32 nRetransmitMode)
{
    start();
    /* Plain SnmpStartup is not counted: one SnmpCleanup covers all calls. */
    if (wsnmp_library.startup_count == 0)
        wsnmp_library.startup_count = 1;
    report_startup(nMajorVersion, nMinorVersion, nLevel, nTranslateMode, nRetransmitMode);
    return SNMPAPI_SUCCESS;
}

WSNMP_API SNMPAPI_STATUS SnmpStartupEx(smiLPUINT32 nMajorVersion, smiLPUINT32 nMinorVersion,
                                       smiLPUINT32 nLevel, smiLPUINT32 nTranslateMode,
                                       smiLPUINT32 nRetransmitMode)
{
    start();
    wsnmp_library.startup_count++;
    report_startup(nMajorVersion, nMinorVersion, nLevel, nTranslateMode, nRetransmitMode);
    return SNMPAPI_SUCCESS;
}

static void cleanup_everything(void)
{
    wsnmp_service_stop(); /* before anything it could be using goes */
    wsnmp_handle_destroy_all();
    wsnmp_descriptor_free_all();
    wsnmp_friendly_clear_all();
    wsnmp_library.started = 0;
    wsnmp_library.startup_count = 0;
}

WSNMP_API SNMPAPI_STATUS SnmpCleanup(void)
{
    if (!wsnmp_library_require_started("SnmpCleanup"))
        return SNMPAPI_FAILURE;
    cleanup_everything();
    return SNMPAPI_SUCCESS;
}

WSNMP_API SNMPAPI_STATUS SnmpCleanupEx(void)
{
    if (!wsnmp_library_require_started("SnmpCleanupEx"))
        return SNMPAPI_FAILURE;
    if (wsnmp_library.startup_count > 1) {
        wsnmp_library.startup_count--;
        return SNMPAPI_SUCCESS;
    }
    cleanup_everything();
    return SNMPAPI_SUCCESS;
}

WSNMP_API int WsnmpIsStarted(void)
{
    return wsnmp_library.started;
}

WSNMP_API SNMPAPI_STATUS SnmpGetVendorInfo(smiLPVENDORINFO vendorInfo)
{
    if (vendorInfo == NULL)
        return wsnmp_error_fail(WSNMP_NO_SLOT, SNMPAPI_NOOP, "SnmpGetVendorInfo: no output buffer");
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
    if (!wsnmp_library_require_started("SnmpGetTranslateMode"))
        return SNMPAPI_FAILURE;
    if (nTranslateMode == NULL)
        return wsnmp_error_fail(WSNMP_NO_SLOT, SNMPAPI_NOOP, "SnmpGetTranslateMode: no output");
    *nTranslateMode = wsnmp_library.translate_mode;
    return SNMPAPI_SUCCESS;
}

WSNMP_API SNMPAPI_STATUS SnmpSetTranslateMode(smiUINT32 nTranslateMode)
{
    if (!wsnmp_library_require_started("SnmpSetTranslateMode"))
        return SNMPAPI_FAILURE;
    if (nTranslateMode > SNMPAPI_UNTRANSLATED_V2)
        return wsnmp_error_fail(WSNMP_NO_SLOT, SNMPAPI_MODE_INVALID,
                                "SnmpSetTranslateMode: unknown translate mode %u",
                                (unsigned)nTranslateMode);
    wsnmp_library.translate_mode = nTranslateMode;
    return SNMPAPI_SUCCESS;
}

WSNMP_API SNMPAPI_STATUS SnmpGetRetransmitMode(smiLPUINT32 nRetransmitMode)
{
    if (!wsnmp_library_require_started("SnmpGetRetransmitMode"))
        return SNMPAPI_FAILURE;
    if (nRetransmitMode == NULL)
        return wsnmp_error_fail(WSNMP_NO_SLOT, SNMPAPI_NOOP, "SnmpGetRetransmitMode: no output");
    *nRetransmitMode = wsnmp_library.retransmit_mode;
    return SNMPAPI_SUCCESS;
}

WSNMP_API SNMPAPI_STATUS SnmpSetRetransmitMode(smiUINT32 nRetransmitMode)
{
    if (!wsnmp_library_require_started("SnmpSetRetransmitMode"))
        return SNMPAPI_FAILURE;
    if (nRetransmitMode != SNMPAPI_ON && nRetransmitMode != SNMPAPI_OFF)
        return wsnmp_error_fail(WSNMP_NO_SLOT, SNMPAPI_MODE_INVALID,
                                "SnmpSetRetransmitMode: unknown retransmit mode %u",
                                (unsigned)nRetransmitMode);
    wsnmp_library.retransmit_mode = nRetransmitMode;
    return SNMPAPI_SUCCESS;
}

/* When the library is unloaded (process exit, or dlclose of the Lua module)
 * free everything, in dependency order, so leak checkers see a clean exit. */
__attribute__((destructor)) static void library_unload(void)
{
    if (wsnmp_library.started)
        cleanup_everything();
    wsnmp_notify_release();
    wsnmp_local_engine_release();
    wsnmp_poll_release();
    wsnmp_queue_release_spares();
    wsnmp_request_release_spares();
    wsnmp_recycle_blocks_release();
    wsnmp_io_release();
    wsnmp_pending_release();
    wsnmp_handle_release();
    wsnmp_shared_release();
    wsnmp_descriptor_free_all();
    wsnmp_codec_shutdown();
}
