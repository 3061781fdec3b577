/*
 * library.c — the process-wide library state: started or not, the
 * translate and retransmit modes, and the resource limits.  The public
 * functions that change it live in api/.
 */
#include "base.h"

wsnmp_library_state wsnmp_library = {
    .translate_mode = SNMPAPI_UNTRANSLATED_V1,
    .retransmit_mode = SNMPAPI_ON,
    .limits = {.sessions = 16384,
               .handles = 1u << 20,
               .handles_per_session = 1u << 20,
               .pending = 1u << 20,
               .queue_bytes = 64u << 20},
};

bool wsnmp_library_require_started(const char *fn)
{
    if (wsnmp_library.started)
        return true;
    wsnmp_error_fail(WSNMP_NO_SLOT, SNMPAPI_NOT_INITIALIZED, "%s: SnmpStartup has not been called",
                     fn);
    return false;
}
