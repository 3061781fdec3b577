/* Built against an installed libwinsnmp by tools/install-check.sh as C
 * (-Werror=int-conversion) and as C++17: the mixed-case header Windows
 * programs include, NULL for handles, Microsoft's names. */
#include <WinSnmp.h>
#include <stdio.h>

static SNMPAPI_STATUS CALLBACK on_event(HSNMP_SESSION session, HWND hWnd, UINT wMsg, WPARAM wParam,
                                        LPARAM lParam, LPVOID data)
{
    (void)session, (void)hWnd, (void)wMsg, (void)wParam, (void)lParam, (void)data;
    return SNMPAPI_SUCCESS;
}

int main(void)
{
    smiUINT32 major, minor, level, translate, retransmit;
    PFNSNMPSTARTUPEX startup = SnmpStartupEx;
    PFNSNMPCLEANUPEX cleanup = SnmpCleanupEx;
    if (!startup(&major, &minor, &level, &translate, &retransmit))
        return 1;
    HSNMP_SESSION s = SnmpCreateSession(NULL, 0, on_event, NULL);
    HSNMP_ENTITY e = SnmpStrToEntity(s, "127.0.0.1");
    int ok = s != NULL && e != NULL && translate == SNMPAPI_UNTRANSLATED_V1;
    (void)SnmpRegister(s, NULL, NULL, NULL, NULL, SNMPAPI_OFF); /* NULL filters compile */
    smiCNTR32 c = 1;
    smiLPCNTR32 pc = &c;
    smiLPGAUGE32 pg = pc;
    ok = ok && *pg == 1;
    SnmpFreeEntity(e);
    SnmpClose(s);
    cleanup();
    printf("%lu.%lu.%lu.%lu.%lu: %s\n", (unsigned long)major, (unsigned long)minor,
           (unsigned long)level, (unsigned long)translate, (unsigned long)retransmit,
           ok ? "ok" : "FAILED");
    return ok ? 0 : 1;
}
