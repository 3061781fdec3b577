/*
 * WinSnmp.h — the spelling many Windows programs include (Windows' file
 * system ignores case; Linux's does not).  It is winsnmp.h.
 */
#include "winsnmp.h"
