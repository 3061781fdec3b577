/*
 * session.c — sessions: creation in callback (or queue) mode, SnmpClose.
 *
 * Window-message notification has no meaning on Linux, so a non-NULL hWnd
 * is refused with SNMPAPI_HWND_INVALID; callers use a callback, or the
 * WsnmpCreateSession extension for a session that only queues.  Each
 * session has its own last-error slot (SnmpGetLastError).
 */
#include "objects.h"

#include <stdlib.h>

wsnmp_session_engine_hooks wsnmp_session_engine;

void wsnmp_session_set_engine_hooks(const wsnmp_session_engine_hooks *hooks)
{
    wsnmp_session_engine = *hooks;
}

wsnmp_session *wsnmp_session_at(uint32_t slot)
{
    return wsnmp_handle_object_at(slot, WSNMP_KIND_SESSION); /* (NO_SLOT: out of range) */
}

wsnmp_error_slot *wsnmp_session_error_slot(uint32_t slot)
{
    wsnmp_session *s = wsnmp_session_at(slot);
    return s ? &s->error : NULL;
}

smiUINT32 wsnmp_session_owned_total(const wsnmp_session *s)
{
    smiUINT32 n = 0;
    for (int k = WSNMP_KIND_ENTITY; k < WSNMP_KIND_COUNT; k++)
        n += s->live[k];
    return n;
}

void wsnmp_session_destroy(void *obj)
{
    wsnmp_session *s = obj;
    if (s->io && wsnmp_session_engine.io_destroy)
        wsnmp_session_engine.io_destroy(s->io);
    free(s);
}

static HSNMP_SESSION create(SNMPAPI_CALLBACK cb, LPVOID data, const char *fn)
{
    wsnmp_session *s = calloc(1, sizeof *s);
    if (s == NULL)
        return wsnmp_error_fail(WSNMP_NO_SLOT, SNMPAPI_ALLOC_ERROR, "%s: out of memory", fn), NULL;
    s->callback = cb;
    s->client_data = cb ? data : NULL; /* ignored without a callback */
    s->owned_head = WSNMP_NO_SLOT;
    HSNMP_SESSION h = wsnmp_handle_new(WSNMP_KIND_SESSION, WSNMP_NO_SLOT, s, fn);
    if (h == 0)
        free(s);
    return h;
}

// cppcheck-suppress constParameter ; WinSNMP's signature
WSNMP_API HSNMP_SESSION SnmpCreateSession(HWND hWnd, UINT wMsg, SNMPAPI_CALLBACK fCallBack,
                                          LPVOID lpClientData)
{
    (void)wMsg;
    if (!wsnmp_library_require_started("SnmpCreateSession"))
        return 0;
    if (hWnd != NULL)
        return wsnmp_error_fail(WSNMP_NO_SLOT, SNMPAPI_HWND_INVALID,
                                "SnmpCreateSession: window notification is not available on "
                                "this platform; pass a callback"),
               NULL;
    if (fCallBack == NULL)
        return wsnmp_error_fail(WSNMP_NO_SLOT, SNMPAPI_OPERATION_INVALID,
                                "SnmpCreateSession: neither a window nor a callback given"),
               NULL;
    return create(fCallBack, lpClientData, "SnmpCreateSession");
}

// cppcheck-suppress constParameter ; WinSNMP's signature
WSNMP_API HSNMP_SESSION SnmpOpen(HWND hWnd, UINT wMsg)
{
    (void)wMsg;
    if (!wsnmp_library_require_started("SnmpOpen"))
        return 0;
    if (hWnd != NULL)
        return wsnmp_error_fail(WSNMP_NO_SLOT, SNMPAPI_HWND_INVALID,
                                "SnmpOpen: window notification is not available on this platform"),
               NULL;
    return wsnmp_error_fail(WSNMP_NO_SLOT, SNMPAPI_OPERATION_INVALID,
                            "SnmpOpen: a window handle is required; use SnmpCreateSession"),
           NULL;
}

WSNMP_API HSNMP_SESSION WsnmpCreateSession(SNMPAPI_CALLBACK fCallBack, LPVOID lpClientData)
{
    if (!wsnmp_library_require_started("WsnmpCreateSession"))
        return 0;
    return create(fCallBack, lpClientData, "WsnmpCreateSession");
}

WSNMP_API SNMPAPI_STATUS SnmpClose(HSNMP_SESSION session)
{
    uint32_t slot;
    if (wsnmp_handle_lookup(session, WSNMP_KIND_SESSION, &slot, NULL, "SnmpClose") == NULL)
        return SNMPAPI_FAILURE;
    wsnmp_handle_destroy_owned(slot);
    wsnmp_handle_destroy(slot);
    return SNMPAPI_SUCCESS;
}

/* ---- the last errors (the slots themselves are in base/error.c) ---------- */

WSNMP_API SNMPAPI_STATUS SnmpGetLastError(HSNMP_SESSION session)
{
    if (session == 0)
        return wsnmp_error_global()->code;
    uint32_t slot;
    wsnmp_session *s = wsnmp_handle_get(session, WSNMP_KIND_SESSION, &slot);
    if (s == NULL)
        return SNMPAPI_SESSION_INVALID;
    return s->error.code;
}

WSNMP_API const char *WsnmpGetLastErrorMessage(HSNMP_SESSION session)
{
    if (session == 0)
        return wsnmp_error_global()->message;
    wsnmp_session *s = wsnmp_handle_get(session, WSNMP_KIND_SESSION, NULL);
    if (s == NULL)
        return "SnmpGetLastError: invalid session handle";
    return s->error.message;
}

WSNMP_API SNMPAPI_STATUS WsnmpSetLastError(HSNMP_SESSION session, SNMPAPI_STATUS code,
                                           const char *message)
{
    uint32_t slot = WSNMP_NO_SLOT;
    if (session != 0 && wsnmp_handle_get(session, WSNMP_KIND_SESSION, &slot) == NULL)
        slot = WSNMP_NO_SLOT;
    wsnmp_error_fail(slot, code, "%s", message ? message : "");
    return SNMPAPI_SUCCESS;
}
