/*
 * mib.h — what the rest of the core asks of the MIB glue (mib.c).
 */
#ifndef WSNMP_MIB_H
#define WSNMP_MIB_H

#include "internal.h"

/* Whether any MIB module or file has been loaded. */
bool wsnmp_mib_loaded(void);
/* Translates a MIB name ("IF-MIB::ifDescr.3", "ifDescr.3") into sub-ids
 * (room for MAXOBJIDSIZE); SNMPAPI_SUCCESS, or SNMPAPI_OID_INVALID without
 * recording an error (the caller reports). */
SNMPAPI_STATUS wsnmp_mib_name_to_oid(const char *name, smiUINT32 *sub, smiUINT32 *len);

#endif
