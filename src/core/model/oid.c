/*
 * oid.c — OID conversion, copy and comparison with WinSNMP's return rules:
 * counts are results (sub-identifiers, or bytes including the NUL), at most
 * MAXOBJIDSIZE sub-identifiers, and outputs are library-owned descriptors.
 */
#include "model.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

wsnmp_result wsnmp_oid_check(smiLPCOID oid, const char **why)
{
    if (oid->len > MAXOBJIDSIZE) {
        *why = "more than 128 sub-identifiers";
        return SNMPAPI_OID_INVALID;
    }
    if (oid->len > 0 && oid->ptr == NULL) {
        *why = "NULL sub-identifier array";
        return SNMPAPI_OID_INVALID;
    }
    return WSNMP_OK;
}

bool wsnmp_oid_copy(smiOID *dst, smiLPCOID src)
{
    dst->len = src->len;
    dst->ptr = NULL;
    if (src->len == 0)
        return true;
    dst->ptr = malloc((size_t)src->len * sizeof *dst->ptr);
    if (dst->ptr == NULL)
        return false;
    memcpy(dst->ptr, src->ptr, (size_t)src->len * sizeof *dst->ptr);
    return true;
}

void wsnmp_oid_free(smiOID *oid)
{
    free(oid->ptr);
    oid->ptr = NULL;
    oid->len = 0;
}

int wsnmp_oid_cmp(smiLPCOID a, smiLPCOID b)
{
    smiUINT32 n = a->len < b->len ? a->len : b->len;
    for (smiUINT32 i = 0; i < n; i++)
        if (a->ptr[i] != b->ptr[i])
            return a->ptr[i] < b->ptr[i] ? -1 : 1;
    return a->len == b->len ? 0 : (a->len < b->len ? -1 : 1);
}

/* Parses a dotted-decimal OID into sub (capacity MAXOBJIDSIZE).  Returns the
 * count, or 0 with a reason. */
static smiUINT32 parse_oid(const char *s, smiUINT32 *sub, const char **why)
{
    size_t len = strlen(s);
    if (len >= MAXOBJIDSTRSIZE) {
        *why = "string longer than 1407 characters";
        return 0;
    }
    if (*s == '.')
        s++; /* tolerate net-snmp's leading dot */
    smiUINT32 n = 0;
    for (;;) {
        if (*s < '0' || *s > '9') {
            *why = *s == '\0' ? "empty sub-identifier" : "not a dotted decimal OID";
            return 0;
        }
        uint64_t v = 0;
        while (*s >= '0' && *s <= '9') {
            v = v * 10 + (uint64_t)(*s++ - '0');
            if (v > UINT32_MAX) {
                *why = "sub-identifier above 4294967295";
                return 0;
            }
        }
        if (n == MAXOBJIDSIZE) {
            *why = "more than 128 sub-identifiers";
            return 0;
        }
        sub[n++] = (smiUINT32)v;
        if (*s == '\0')
            break;
        if (*s != '.') {
            *why = "not a dotted decimal OID";
            return 0;
        }
        s++;
    }
    if (n < 2) {
        *why = "fewer than 2 sub-identifiers";
        return 0;
    }
    return n;
}

static wsnmp_oid_name_lookup names;

void wsnmp_oid_set_name_lookup(const wsnmp_oid_name_lookup *lookup)
{
    names = *lookup;
}

WSNMP_API SNMPAPI_STATUS SnmpStrToOid(LPCSTR string, smiLPOID dstOID)
{
    if (!wsnmp_library_require_started("SnmpStrToOid"))
        return SNMPAPI_FAILURE;
    if (string == NULL || dstOID == NULL)
        return wsnmp_error_fail(WSNMP_NO_SLOT, SNMPAPI_ALLOC_ERROR, "SnmpStrToOid: NULL argument");
    smiUINT32 sub[MAXOBJIDSIZE];
    const char *why = NULL;
    smiUINT32 n = parse_oid(string, sub, &why);
    if (n == 0 && names.loaded && names.loaded() && !names.name_to_oid(string, sub, &n))
        n = 0, why = "not a dotted OID nor a name in the loaded MIBs";
    if (n == 0) {
        /* Quote a bounded prefix of the input: it is an OID, never a secret. */
        return wsnmp_error_fail(WSNMP_NO_SLOT, SNMPAPI_OID_INVALID,
                                "SnmpStrToOid: malformed OID '%.64s%s': %s", string,
                                strlen(string) > 64 ? "..." : "", why);
    }
    smiOID tmp = {n, sub};
    if (!wsnmp_descriptor_oid(dstOID, &tmp))
        return wsnmp_error_fail(WSNMP_NO_SLOT, SNMPAPI_ALLOC_ERROR, "SnmpStrToOid: out of memory");
    return n;
}

WSNMP_API SNMPAPI_STATUS SnmpOidToStr(smiLPCOID srcOID, smiUINT32 size, LPSTR string)
{
    if (!wsnmp_library_require_started("SnmpOidToStr"))
        return SNMPAPI_FAILURE;
    if (srcOID == NULL || string == NULL)
        return wsnmp_error_fail(WSNMP_NO_SLOT, SNMPAPI_ALLOC_ERROR, "SnmpOidToStr: NULL argument");
    const char *why;
    if (wsnmp_oid_check(srcOID, &why))
        return wsnmp_error_fail(WSNMP_NO_SLOT, SNMPAPI_OID_INVALID, "SnmpOidToStr: %s", why);
    char buf[MAXOBJIDSTRSIZE];
    size_t pos = 0;
    buf[0] = '\0'; /* a zero-length OID is the empty string */
    for (smiUINT32 i = 0; i < srcOID->len; i++)
        pos += (size_t)snprintf(buf + pos, sizeof buf - pos, i ? ".%u" : "%u",
                                (unsigned)srcOID->ptr[i]);
    if (pos + 1 > size)
        return wsnmp_error_fail(WSNMP_NO_SLOT, SNMPAPI_OUTPUT_TRUNCATED,
                                "SnmpOidToStr: buffer of %u bytes, %u needed", (unsigned)size,
                                (unsigned)(pos + 1));
    memcpy(string, buf, pos + 1);
    return (SNMPAPI_STATUS)(pos + 1);
}

WSNMP_API SNMPAPI_STATUS SnmpOidCopy(smiLPCOID srcOID, smiLPOID dstOID)
{
    if (!wsnmp_library_require_started("SnmpOidCopy"))
        return SNMPAPI_FAILURE;
    if (srcOID == NULL || dstOID == NULL)
        return wsnmp_error_fail(WSNMP_NO_SLOT, SNMPAPI_ALLOC_ERROR, "SnmpOidCopy: NULL argument");
    const char *why = "empty OID";
    if (srcOID->len == 0 || wsnmp_oid_check(srcOID, &why))
        return wsnmp_error_fail(WSNMP_NO_SLOT, SNMPAPI_OID_INVALID, "SnmpOidCopy: %s", why);
    if (!wsnmp_descriptor_oid(dstOID, srcOID))
        return wsnmp_error_fail(WSNMP_NO_SLOT, SNMPAPI_ALLOC_ERROR, "SnmpOidCopy: out of memory");
    return dstOID->len;
}

WSNMP_API SNMPAPI_STATUS SnmpOidCompare(smiLPCOID xOID, smiLPCOID yOID, smiUINT32 maxlen,
                                        smiLPINT result)
{
    if (!wsnmp_library_require_started("SnmpOidCompare"))
        return SNMPAPI_FAILURE;
    if (maxlen > MAXOBJIDSIZE)
        return wsnmp_error_fail(WSNMP_NO_SLOT, SNMPAPI_SIZE_INVALID,
                                "SnmpOidCompare: maxlen %u above 128", (unsigned)maxlen);
    if (xOID == NULL || yOID == NULL || result == NULL)
        return wsnmp_error_fail(WSNMP_NO_SLOT, SNMPAPI_ALLOC_ERROR,
                                "SnmpOidCompare: NULL argument");
    const char *why;
    if (wsnmp_oid_check(xOID, &why) || wsnmp_oid_check(yOID, &why))
        return wsnmp_error_fail(WSNMP_NO_SLOT, SNMPAPI_OID_INVALID, "SnmpOidCompare: %s", why);
    if (maxlen == 0) {
        *result = wsnmp_oid_cmp(xOID, yOID);
        return SNMPAPI_SUCCESS;
    }
    /* Compare only the first maxlen sub-identifiers. */
    smiOID x = {xOID->len < maxlen ? xOID->len : maxlen, xOID->ptr};
    smiOID y = {yOID->len < maxlen ? yOID->len : maxlen, yOID->ptr};
    *result = wsnmp_oid_cmp(&x, &y);
    return SNMPAPI_SUCCESS;
}
