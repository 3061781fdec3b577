/*
 * vbl.c — variable-binding lists: 1-based indexes, index 0 appends, deep
 * copies in and library-owned descriptors out.
 */
#include "objects.h"

#include <stdlib.h>
#include <string.h>

void wsnmp_vbl_destroy(void *obj)
{
    wsnmp_varbinds_clear(obj);
    free(obj);
}

/* Checks a (name, value) pair for storing in a list. */
static SNMPAPI_STATUS check_varbind(uint32_t sslot, const char *fn, smiLPCOID name,
                                    smiLPCVALUE value)
{
    const char *why = NULL;
    SNMPAPI_STATUS code;
    if (name == NULL)
        return wsnmp_error_fail(sslot, SNMPAPI_OID_INVALID, "%s: no variable name", fn);
    if (name->len == 0)
        return wsnmp_error_fail(sslot, SNMPAPI_OID_INVALID, "%s: empty variable name", fn);
    if ((code = wsnmp_oid_check(name, &why)))
        return wsnmp_error_fail(sslot, code, "%s: variable name: %s", fn, why);
    if (value && (code = wsnmp_value_check(value, &why)))
        return wsnmp_error_fail(sslot, code, "%s: value: %s", fn, why);
    return SNMPAPI_SUCCESS;
}

static HSNMP_VBL new_vbl_handle(wsnmp_vbl *v, uint32_t sslot, const char *fn)
{
    HSNMP_VBL h = wsnmp_handle_new(WSNMP_KIND_VBL, sslot, v, fn);
    if (h == 0)
        wsnmp_vbl_destroy(v);
    return h;
}

WSNMP_API HSNMP_VBL SnmpCreateVbl(HSNMP_SESSION session, smiLPCOID name, smiLPCVALUE value)
{
    uint32_t sslot;
    if (!wsnmp_handle_lookup(session, WSNMP_KIND_SESSION, &sslot, NULL, "SnmpCreateVbl"))
        return 0;
    if (name && !check_varbind(sslot, "SnmpCreateVbl", name, value))
        return 0;
    wsnmp_vbl *v = calloc(1, sizeof *v);
    if (v == NULL || (name && (!wsnmp_varbinds_reserve(v, 1) ||
                               !wsnmp_varbinds_item_copy(&v->items[0], name, value)))) {
        if (v)
            wsnmp_vbl_destroy(v);
        return wsnmp_error_fail(sslot, SNMPAPI_ALLOC_ERROR, "SnmpCreateVbl: out of memory"), NULL;
    }
    if (name)
        v->count = 1;
    return new_vbl_handle(v, sslot, "SnmpCreateVbl");
}

WSNMP_API HSNMP_VBL SnmpDuplicateVbl(HSNMP_SESSION session, HSNMP_VBL vbl)
{
    uint32_t sslot, vslot;
    if (!wsnmp_handle_lookup(session, WSNMP_KIND_SESSION, &sslot, NULL, "SnmpDuplicateVbl"))
        return 0;
    wsnmp_vbl *src = wsnmp_handle_get(vbl, WSNMP_KIND_VBL, &vslot);
    if (src == NULL)
        return wsnmp_error_fail(sslot, SNMPAPI_VBL_INVALID, "SnmpDuplicateVbl: invalid VBL handle"),
               NULL;
    wsnmp_vbl *v = malloc(sizeof *v);
    if (v == NULL || !wsnmp_varbinds_copy(v, src)) {
        free(v);
        return wsnmp_error_fail(sslot, SNMPAPI_ALLOC_ERROR, "SnmpDuplicateVbl: out of memory"),
               NULL;
    }
    return new_vbl_handle(v, sslot, "SnmpDuplicateVbl");
}

WSNMP_API SNMPAPI_STATUS SnmpFreeVbl(HSNMP_VBL vbl)
{
    uint32_t slot;
    if (!wsnmp_handle_lookup(vbl, WSNMP_KIND_VBL, &slot, NULL, "SnmpFreeVbl"))
        return SNMPAPI_FAILURE;
    wsnmp_handle_destroy(slot);
    return SNMPAPI_SUCCESS;
}

WSNMP_API SNMPAPI_STATUS SnmpCountVbl(HSNMP_VBL vbl)
{
    uint32_t sslot;
    wsnmp_vbl *v = wsnmp_handle_lookup(vbl, WSNMP_KIND_VBL, NULL, &sslot, "SnmpCountVbl");
    if (v == NULL)
        return SNMPAPI_FAILURE;
    if (v->count == 0)
        return wsnmp_error_fail(sslot, SNMPAPI_NOOP, "SnmpCountVbl: the list is empty");
    return v->count;
}

WSNMP_API SNMPAPI_STATUS WsnmpCountVbl(HSNMP_VBL vbl, smiUINT32 *count)
{
    uint32_t sslot;
    wsnmp_vbl *v = wsnmp_handle_lookup(vbl, WSNMP_KIND_VBL, NULL, &sslot, "WsnmpCountVbl");
    if (v == NULL)
        return SNMPAPI_FAILURE;
    if (count == NULL)
        return wsnmp_error_fail(sslot, SNMPAPI_NOOP, "WsnmpCountVbl: no output");
    *count = v->count;
    return SNMPAPI_SUCCESS;
}

WSNMP_API SNMPAPI_STATUS SnmpGetVb(HSNMP_VBL vbl, smiUINT32 index, smiLPOID name, smiLPVALUE value)
{
    uint32_t sslot;
    wsnmp_vbl *v = wsnmp_handle_lookup(vbl, WSNMP_KIND_VBL, NULL, &sslot, "SnmpGetVb");
    if (v == NULL)
        return SNMPAPI_FAILURE;
    if (index == 0 || index > v->count)
        return wsnmp_error_fail(sslot, SNMPAPI_INDEX_INVALID, "SnmpGetVb: index %u outside 1..%u",
                                (unsigned)index, (unsigned)v->count);
    if (name == NULL && value == NULL)
        return wsnmp_error_fail(sslot, SNMPAPI_NOOP, "SnmpGetVb: no outputs");
    const wsnmp_varbind *vb = &v->items[index - 1];
    smiOID out_name = {0, NULL};
    if (name && !wsnmp_descriptor_oid(&out_name, &vb->name))
        return wsnmp_error_fail(sslot, SNMPAPI_ALLOC_ERROR, "SnmpGetVb: out of memory");
    if (value) {
        smiVALUE out = vb->value;
        bool ok = true;
        if (wsnmp_value_syntax_is_octets(out.syntax))
            ok = wsnmp_descriptor_octets(&out.value.string, vb->value.value.string.ptr,
                                         vb->value.value.string.len);
        else if (out.syntax == SNMP_SYNTAX_OID)
            ok = wsnmp_descriptor_oid(&out.value.oid, &vb->value.value.oid);
        if (!ok) {
            if (name)
                SnmpFreeDescriptor(SNMP_SYNTAX_OID, (smiLPOPAQUE)&out_name);
            return wsnmp_error_fail(sslot, SNMPAPI_ALLOC_ERROR, "SnmpGetVb: out of memory");
        }
        *value = out;
    }
    if (name)
        *name = out_name;
    return SNMPAPI_SUCCESS;
}

WSNMP_API SNMPAPI_STATUS SnmpSetVb(HSNMP_VBL vbl, smiUINT32 index, smiLPCOID name,
                                   smiLPCVALUE value)
{
    uint32_t sslot;
    wsnmp_vbl *v = wsnmp_handle_lookup(vbl, WSNMP_KIND_VBL, NULL, &sslot, "SnmpSetVb");
    if (v == NULL)
        return SNMPAPI_FAILURE;
    if (index > v->count)
        return wsnmp_error_fail(sslot, SNMPAPI_INDEX_INVALID,
                                "SnmpSetVb: index %u outside 0..%u (0 appends)", (unsigned)index,
                                (unsigned)v->count);
    if (!check_varbind(sslot, "SnmpSetVb", name, value))
        return SNMPAPI_FAILURE;
    if (index == 0 && v->count >= WSNMP_MAX_VARBINDS)
        return wsnmp_error_fail(sslot, SNMPAPI_SIZE_INVALID,
                                "SnmpSetVb: a list holds at most %d varbinds", WSNMP_MAX_VARBINDS);
    wsnmp_varbind fresh;
    /* Reserve first: the item copy cleans up after itself on failure. */
    if ((index == 0 && !wsnmp_varbinds_reserve(v, v->count + 1)) ||
        !wsnmp_varbinds_item_copy(&fresh, name, value))
        return wsnmp_error_fail(sslot, SNMPAPI_ALLOC_ERROR, "SnmpSetVb: out of memory");
    if (index == 0) {
        v->items[v->count++] = fresh;
        return v->count;
    }
    wsnmp_varbind *old = &v->items[index - 1];
    wsnmp_varbinds_item_free(old);
    *old = fresh;
    return index;
}

WSNMP_API SNMPAPI_STATUS SnmpDeleteVb(HSNMP_VBL vbl, smiUINT32 index)
{
    uint32_t sslot;
    wsnmp_vbl *v = wsnmp_handle_lookup(vbl, WSNMP_KIND_VBL, NULL, &sslot, "SnmpDeleteVb");
    if (v == NULL)
        return SNMPAPI_FAILURE;
    if (index == 0 || index > v->count)
        return wsnmp_error_fail(sslot, SNMPAPI_INDEX_INVALID,
                                "SnmpDeleteVb: index %u outside 1..%u", (unsigned)index,
                                (unsigned)v->count);
    wsnmp_varbinds_remove(v, index - 1);
    return SNMPAPI_SUCCESS;
}
