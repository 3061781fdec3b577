/*
 * error.c — WinSNMP error names and the two last-error slots.
 *
 * WinSNMP keeps one last error per session and one for the whole
 * application (SnmpGetLastError(NULL)); every failure writes both.  We also
 * keep a human-readable message beside each code for the Lua binding.
 */
#include "base.h"

#include <stdio.h>
#include <string.h>

static wsnmp_error_slot global_error;

static const struct {
    SNMPAPI_STATUS code;
    const char *name;
} api_errors[] = {
    {SNMPAPI_FAILURE, "SNMPAPI_FAILURE"},
    {SNMPAPI_SUCCESS, "SNMPAPI_SUCCESS"},
    {SNMPAPI_ALLOC_ERROR, "SNMPAPI_ALLOC_ERROR"},
    {SNMPAPI_CONTEXT_INVALID, "SNMPAPI_CONTEXT_INVALID"},
    {SNMPAPI_CONTEXT_UNKNOWN, "SNMPAPI_CONTEXT_UNKNOWN"},
    {SNMPAPI_ENTITY_INVALID, "SNMPAPI_ENTITY_INVALID"},
    {SNMPAPI_ENTITY_UNKNOWN, "SNMPAPI_ENTITY_UNKNOWN"},
    {SNMPAPI_INDEX_INVALID, "SNMPAPI_INDEX_INVALID"},
    {SNMPAPI_NOOP, "SNMPAPI_NOOP"},
    {SNMPAPI_OID_INVALID, "SNMPAPI_OID_INVALID"},
    {SNMPAPI_OPERATION_INVALID, "SNMPAPI_OPERATION_INVALID"},
    {SNMPAPI_OUTPUT_TRUNCATED, "SNMPAPI_OUTPUT_TRUNCATED"},
    {SNMPAPI_PDU_INVALID, "SNMPAPI_PDU_INVALID"},
    {SNMPAPI_SESSION_INVALID, "SNMPAPI_SESSION_INVALID"},
    {SNMPAPI_SYNTAX_INVALID, "SNMPAPI_SYNTAX_INVALID"},
    {SNMPAPI_VBL_INVALID, "SNMPAPI_VBL_INVALID"},
    {SNMPAPI_MODE_INVALID, "SNMPAPI_MODE_INVALID"},
    {SNMPAPI_SIZE_INVALID, "SNMPAPI_SIZE_INVALID"},
    {SNMPAPI_NOT_INITIALIZED, "SNMPAPI_NOT_INITIALIZED"},
    {SNMPAPI_MESSAGE_INVALID, "SNMPAPI_MESSAGE_INVALID"},
    {SNMPAPI_HWND_INVALID, "SNMPAPI_HWND_INVALID"},
    {SNMPAPI_OTHER_ERROR, "SNMPAPI_OTHER_ERROR"},
    {SNMPAPI_TL_NOT_INITIALIZED, "SNMPAPI_TL_NOT_INITIALIZED"},
    {SNMPAPI_TL_NOT_SUPPORTED, "SNMPAPI_TL_NOT_SUPPORTED"},
    {SNMPAPI_TL_NOT_AVAILABLE, "SNMPAPI_TL_NOT_AVAILABLE"},
    {SNMPAPI_TL_RESOURCE_ERROR, "SNMPAPI_TL_RESOURCE_ERROR"},
    {SNMPAPI_TL_UNDELIVERABLE, "SNMPAPI_TL_UNDELIVERABLE"},
    {SNMPAPI_TL_SRC_INVALID, "SNMPAPI_TL_SRC_INVALID"},
    {SNMPAPI_TL_INVALID_PARAM, "SNMPAPI_TL_INVALID_PARAM"},
    {SNMPAPI_TL_IN_USE, "SNMPAPI_TL_IN_USE"},
    {SNMPAPI_TL_TIMEOUT, "SNMPAPI_TL_TIMEOUT"},
    {SNMPAPI_TL_PDU_TOO_BIG, "SNMPAPI_TL_PDU_TOO_BIG"},
    {SNMPAPI_TL_OTHER, "SNMPAPI_TL_OTHER"},
};

static const char *const pdu_errors[] = {
    "SNMP_ERROR_NOERROR",
    "SNMP_ERROR_TOOBIG",
    "SNMP_ERROR_NOSUCHNAME",
    "SNMP_ERROR_BADVALUE",
    "SNMP_ERROR_READONLY",
    "SNMP_ERROR_GENERR",
    "SNMP_ERROR_NOACCESS",
    "SNMP_ERROR_WRONGTYPE",
    "SNMP_ERROR_WRONGLENGTH",
    "SNMP_ERROR_WRONGENCODING",
    "SNMP_ERROR_WRONGVALUE",
    "SNMP_ERROR_NOCREATION",
    "SNMP_ERROR_INCONSISTENTVALUE",
    "SNMP_ERROR_RESOURCEUNAVAILABLE",
    "SNMP_ERROR_COMMITFAILED",
    "SNMP_ERROR_UNDOFAILED",
    "SNMP_ERROR_AUTHORIZATIONERROR",
    "SNMP_ERROR_NOTWRITABLE",
    "SNMP_ERROR_INCONSISTENTNAME",
};

WSNMP_API const char *WsnmpErrorName(SNMPAPI_STATUS code)
{
    for (size_t i = 0; i < sizeof api_errors / sizeof api_errors[0]; i++)
        if (api_errors[i].code == code)
            return api_errors[i].name;
    return NULL;
}

WSNMP_API SNMPAPI_STATUS WsnmpErrorCode(const char *name)
{
    if (name == NULL)
        return 0;
    for (size_t i = 0; i < sizeof api_errors / sizeof api_errors[0]; i++)
        if (strcmp(api_errors[i].name, name) == 0)
            return api_errors[i].code;
    return 0;
}

WSNMP_API const char *WsnmpPduErrorName(smiINT error_status)
{
    if (error_status < 0 || (size_t)error_status >= sizeof pdu_errors / sizeof pdu_errors[0])
        return NULL;
    return pdu_errors[error_status];
}

static void slot_write(wsnmp_error_slot *slot, SNMPAPI_STATUS code, const char *message)
{
    slot->code = code;
    snprintf(slot->message, sizeof slot->message, "%s", message);
}

static wsnmp_error_session_slot_fn session_slot_of;

void wsnmp_error_set_session_lookup(wsnmp_error_session_slot_fn lookup)
{
    session_slot_of = lookup;
}

SNMPAPI_STATUS wsnmp_error_fail(uint32_t session_slot, SNMPAPI_STATUS code, const char *fmt, ...)
{
    char message[sizeof global_error.message];
    va_list ap;
    va_start(ap, fmt);
    vsnprintf(message, sizeof message, fmt, ap);
    va_end(ap);

    slot_write(&global_error, code, message);
    wsnmp_error_slot *own =
        session_slot == WSNMP_NO_SLOT || !session_slot_of ? NULL : session_slot_of(session_slot);
    if (own != NULL)
        slot_write(own, code, message);
    return SNMPAPI_FAILURE;
}

void wsnmp_error_reset_global(void)
{
    global_error.code = 0;
    global_error.message[0] = '\0';
}

const wsnmp_error_slot *wsnmp_error_global(void)
{
    return &global_error;
}
