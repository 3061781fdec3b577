/*
 * value.c — validation and deep copies of smiVALUE.
 */
#include "model.h"

#include <stdlib.h>
#include <string.h>

bool wsnmp_value_syntax_is_octets(smiUINT32 syntax)
{
    switch (syntax) {
    case SNMP_SYNTAX_OCTETS:
    case SNMP_SYNTAX_BITS:
    case SNMP_SYNTAX_OPAQUE:
    case SNMP_SYNTAX_IPADDR:
    case SNMP_SYNTAX_NSAPADDR:
        return true;
    default:
        return false;
    }
}

wsnmp_result wsnmp_value_check(smiLPCVALUE v, const char **why)
{
    switch (v->syntax) {
    case SNMP_SYNTAX_INT:
    case SNMP_SYNTAX_CNTR32:
    case SNMP_SYNTAX_GAUGE32:
    case SNMP_SYNTAX_TIMETICKS:
    case SNMP_SYNTAX_UINT32:
    case SNMP_SYNTAX_CNTR64:
    case SNMP_SYNTAX_NULL:
    case SNMP_SYNTAX_NOSUCHOBJECT:
    case SNMP_SYNTAX_NOSUCHINSTANCE:
    case SNMP_SYNTAX_ENDOFMIBVIEW:
        return WSNMP_OK;
    case SNMP_SYNTAX_OID:
        return wsnmp_oid_check(&v->value.oid, why);
    case SNMP_SYNTAX_IPADDR:
        if (v->value.string.len != 4) {
            *why = "an IpAddress value is exactly 4 bytes";
            return SNMPAPI_SYNTAX_INVALID;
        }
        /* fall through */
    case SNMP_SYNTAX_OCTETS:
    case SNMP_SYNTAX_BITS:
    case SNMP_SYNTAX_OPAQUE:
    case SNMP_SYNTAX_NSAPADDR:
        if (v->value.string.len > WSNMP_MAX_OCTETS) {
            *why = "octet value longer than 65535 bytes";
            return SNMPAPI_SIZE_INVALID;
        }
        if (v->value.string.len > 0 && v->value.string.ptr == NULL) {
            *why = "NULL octet pointer";
            return SNMPAPI_ALLOC_ERROR;
        }
        return WSNMP_OK;
    default:
        *why = "unknown syntax";
        return SNMPAPI_SYNTAX_INVALID;
    }
}

bool wsnmp_value_copy(smiVALUE *dst, smiLPCVALUE src)
{
    *dst = *src;
    if (wsnmp_value_syntax_is_octets(src->syntax))
        return wsnmp_octets_copy(&dst->value.string, src->value.string.ptr, src->value.string.len);
    if (src->syntax == SNMP_SYNTAX_OID)
        return wsnmp_oid_copy(&dst->value.oid, &src->value.oid);
    return true;
}

void wsnmp_value_free(smiVALUE *v)
{
    if (wsnmp_value_syntax_is_octets(v->syntax))
        wsnmp_octets_free(&v->value.string);
    else if (v->syntax == SNMP_SYNTAX_OID)
        wsnmp_oid_free(&v->value.oid);
    v->syntax = SNMP_SYNTAX_NULL;
}
