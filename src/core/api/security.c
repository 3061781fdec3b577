/*
 * security.c — what the binding reads about secrets: the key cache and the
 * secure memory's figures (winsnmp.stats().usm and .secure), and where
 * net-snmp's tools look for snmp.conf (winsnmp.conf).
 */
#include "api.h"
#include "engine.h"

void wsnmp_security_get_stats(wsnmp_security_stats *out)
{
    wsnmp_usm_cache_counts(&out->passphrase_keys, &out->localised_users);
    out->live_passphrases = wsnmp_credentials_live_passphrases();
    wsnmp_secure_stats s;
    wsnmp_secure_get_stats(&s);
    out->secure_blocks = s.blocks;
    out->secure_bytes = s.bytes;
    out->secure_mapped = s.mapped_bytes;
    out->secure_dontdump = s.dontdump_bytes;
    out->secure_locked = s.locked_bytes;
}

const char *wsnmp_security_netsnmp_conf_dirs(void)
{
    return wsnmp_codec_conf_dirs();
}
