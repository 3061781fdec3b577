/*
 * names.c — the textual names of versions, USM levels and protocols, shared
 * by the friendly-name file reader and the language bindings.
 */
#include "base.h"

#include <strings.h>

typedef struct {
    const char *name;
    int value;
} name_t;

static int lookup(const name_t *table, size_t n, const char *name)
{
    if (name == NULL)
        return -1;
    for (size_t i = 0; i < n; i++)
        if (strcasecmp(table[i].name, name) == 0)
            return table[i].value;
    return -1;
}

#define LOOKUP(table, name) lookup(table, sizeof table / sizeof table[0], name)

static const name_t versions[] = {
    {"1", WSNMP_VERSION_1},    {"v1", WSNMP_VERSION_1}, {"2c", WSNMP_VERSION_2C},
    {"v2c", WSNMP_VERSION_2C}, {"2", WSNMP_VERSION_2C}, {"3", WSNMP_VERSION_3},
    {"v3", WSNMP_VERSION_3},
};

static const name_t levels[] = {
    {"noAuthNoPriv", WSNMP_LEVEL_NOAUTH_NOPRIV},
    {"authNoPriv", WSNMP_LEVEL_AUTH_NOPRIV},
    {"authPriv", WSNMP_LEVEL_AUTH_PRIV},
};

static const name_t auths[] = {
    {"MD5", WSNMP_AUTH_MD5},        {"SHA", WSNMP_AUTH_SHA},        {"SHA1", WSNMP_AUTH_SHA},
    {"SHA-1", WSNMP_AUTH_SHA},      {"SHA-224", WSNMP_AUTH_SHA224}, {"SHA224", WSNMP_AUTH_SHA224},
    {"SHA-256", WSNMP_AUTH_SHA256}, {"SHA256", WSNMP_AUTH_SHA256},  {"SHA-384", WSNMP_AUTH_SHA384},
    {"SHA384", WSNMP_AUTH_SHA384},  {"SHA-512", WSNMP_AUTH_SHA512}, {"SHA512", WSNMP_AUTH_SHA512},
};

static const name_t privs[] = {
    {"DES", WSNMP_PRIV_DES},       {"AES", WSNMP_PRIV_AES},        {"AES128", WSNMP_PRIV_AES},
    {"AES-128", WSNMP_PRIV_AES},   {"AES192", WSNMP_PRIV_AES192},  {"AES-192", WSNMP_PRIV_AES192},
    {"AES256", WSNMP_PRIV_AES256}, {"AES-256", WSNMP_PRIV_AES256},
};

WSNMP_API int WsnmpVersionByName(const char *name)
{
    return LOOKUP(versions, name);
}

WSNMP_API int WsnmpLevelByName(const char *name)
{
    return LOOKUP(levels, name);
}

WSNMP_API int WsnmpAuthByName(const char *name)
{
    return LOOKUP(auths, name);
}

WSNMP_API int WsnmpPrivByName(const char *name)
{
    return LOOKUP(privs, name);
}

WSNMP_API const char *WsnmpVersionName(int version)
{
    switch (version) {
    case WSNMP_VERSION_1:
        return "1";
    case WSNMP_VERSION_2C:
        return "2c";
    case WSNMP_VERSION_3:
        return "3";
    default:
        return NULL;
    }
}
