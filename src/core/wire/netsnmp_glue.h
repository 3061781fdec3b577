/*
 * netsnmp_glue.h — the one place that includes net-snmp's headers.  Only the
 * glue files (codec.c: net-snmp's BER; usm.c: USM users and keys; mib.c: MIB
 * names) include this; the rest of the core, and the Lua binding, never see
 * net-snmp's types.
 */
#ifndef WSNMP_NETSNMP_GLUE_H
#define WSNMP_NETSNMP_GLUE_H

#include <net-snmp/net-snmp-config.h>
#include <net-snmp/net-snmp-includes.h>
#include <net-snmp/library/keytools.h>
#include <net-snmp/library/lcd_time.h>
#include <net-snmp/library/scapi.h>
#include <net-snmp/library/snmpusm.h>
#include <net-snmp/library/transform_oids.h>

#include "wire.h"

/* A one-entry net-snmp variable list holding `v` under `name` (free with
 * snmp_free_varbind); NULL when out of memory. */
netsnmp_variable_list *wsnmp_codec_variable(const oid *name, size_t name_len, const smiVALUE *v);

#endif
