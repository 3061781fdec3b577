/*
 * api.h — the top layer of the core: startup and cleanup (which wire the
 * layers together), statistics and limits, and what the Lua binding reads
 * of the core beyond the public C API.  Includes only engine.h and what
 * it includes.
 */
#ifndef WSNMP_API_H
#define WSNMP_API_H

#include "engine.h"

#endif
