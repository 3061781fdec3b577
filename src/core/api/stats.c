/*
 * stats.c — resource limits and statistics: live handles per kind, per
 * session and process-wide, requests in flight, drops.
 */
#include "api.h"
#include "engine.h"

#include <string.h>

WSNMP_API SNMPAPI_STATUS WsnmpGetLimits(WsnmpLimits *limits)
{
    if (limits == NULL)
        return wsnmp_error_fail(WSNMP_NO_SLOT, SNMPAPI_ALLOC_ERROR, "WsnmpGetLimits: no output");
    *limits = wsnmp_library.limits;
    return SNMPAPI_SUCCESS;
}

WSNMP_API SNMPAPI_STATUS WsnmpSetLimits(const WsnmpLimits *limits)
{
    if (limits == NULL)
        return wsnmp_error_fail(WSNMP_NO_SLOT, SNMPAPI_ALLOC_ERROR, "WsnmpSetLimits: no limits");
    /* A zero field leaves that limit unchanged. */
    if (limits->sessions)
        wsnmp_library.limits.sessions = limits->sessions;
    if (limits->handles)
        wsnmp_library.limits.handles = limits->handles;
    if (limits->handles_per_session)
        wsnmp_library.limits.handles_per_session = limits->handles_per_session;
    if (limits->pending)
        wsnmp_library.limits.pending = limits->pending;
    if (limits->queue_bytes)
        wsnmp_library.limits.queue_bytes = limits->queue_bytes;
    return SNMPAPI_SUCCESS;
}

WSNMP_API SNMPAPI_STATUS WsnmpGetStats(HSNMP_SESSION session, WsnmpStats *stats)
{
    if (stats == NULL)
        return wsnmp_error_fail(WSNMP_NO_SLOT, SNMPAPI_ALLOC_ERROR, "WsnmpGetStats: no output");
    memset(stats, 0, sizeof *stats);
    if (session == 0) {
        stats->sessions = wsnmp_handle_live[WSNMP_KIND_SESSION];
        stats->entities = wsnmp_handle_live[WSNMP_KIND_ENTITY];
        stats->contexts = wsnmp_handle_live[WSNMP_KIND_CONTEXT];
        stats->pdus = wsnmp_handle_live[WSNMP_KIND_PDU];
        stats->vbls = wsnmp_handle_live[WSNMP_KIND_VBL];
        stats->descriptors = (smiUINT32)wsnmp_descriptor_count();
        stats->pending = wsnmp_pending_total;
        stats->dropped = wsnmp_deliver_dropped_total;
        stats->queue_dropped = wsnmp_queue_dropped_total;
        stats->registrations = wsnmp_notify_registrations_total;
        stats->agentx = wsnmp_subagent_total;
        smiUINT32 usm[6];
        wsnmp_usm_counters(usm);
        stats->usm_unsupported_sec_levels = usm[0];
        stats->usm_not_in_time_windows = usm[1];
        stats->usm_unknown_users = usm[2];
        stats->usm_unknown_engine_ids = usm[3];
        stats->usm_wrong_digests = usm[4];
        stats->usm_decryption_errors = usm[5];
        return SNMPAPI_SUCCESS;
    }
    uint32_t slot;
    wsnmp_session *s =
        wsnmp_handle_lookup(session, WSNMP_KIND_SESSION, &slot, NULL, "WsnmpGetStats");
    if (s == NULL)
        return SNMPAPI_FAILURE;
    stats->sessions = 1;
    stats->entities = s->live[WSNMP_KIND_ENTITY];
    stats->contexts = s->live[WSNMP_KIND_CONTEXT];
    stats->pdus = s->live[WSNMP_KIND_PDU];
    stats->vbls = s->live[WSNMP_KIND_VBL];
    stats->pending = s->io ? (smiUINT32)s->io->pending : 0;
    stats->registrations = s->registrations; /* registrations and listening entities */
    stats->agentx = s->io && s->io->subagent ? 1 : 0;
    return SNMPAPI_SUCCESS;
}
