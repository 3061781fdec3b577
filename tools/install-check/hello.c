/* Built against an installed libwinsnmp by tools/install-check.sh, once
 * through pkg-config and once through find_package(winsnmp). */
#include <stdio.h>
#include <winsnmp.h>

int main(void)
{
    smiUINT32 major, minor, level, translate, retransmit;
    if (!SnmpStartup(&major, &minor, &level, &translate, &retransmit))
        return 1;
    HSNMP_SESSION s = WsnmpCreateSession(NULL, NULL);
    smiOID oid;
    int ok = s != 0 && SnmpStrToOid("1.3.6.1.2.1.1.5.0", &oid) == 9;
    if (ok)
        SnmpFreeDescriptor(SNMP_SYNTAX_OID, (smiLPOPAQUE)&oid);
    SnmpClose(s);
    SnmpCleanup();
    printf("winsnmp %lu.%lu: %s\n", (unsigned long)major, (unsigned long)minor,
           ok ? "ok" : "FAILED");
    return ok ? 0 : 1;
}
