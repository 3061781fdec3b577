/*
 * address.c — entity address strings, in net-snmp's peer syntax:
 *
 *     host | host:port | [v6addr] | [v6addr]:port | v6addr
 *     with an optional transport prefix udp: udp6: tcp: tcp6:
 *
 * Only the syntax is checked here; names are resolved when a message is
 * sent, so creating an entity never blocks on DNS.
 */
#include "base.h"

#include <arpa/inet.h>
#include <ctype.h>
#include <stdio.h>
#include <string.h>
#include <strings.h>

static const struct {
    const char *prefix;
    int transport;
} transports[] = {
    {"udp:", WSNMP_TRANSPORT_UDP},    {"udp6:", WSNMP_TRANSPORT_UDP6},
    {"udpv6:", WSNMP_TRANSPORT_UDP6}, {"udpipv6:", WSNMP_TRANSPORT_UDP6},
    {"tcp:", WSNMP_TRANSPORT_TCP},    {"tcp6:", WSNMP_TRANSPORT_TCP6},
    {"tcpv6:", WSNMP_TRANSPORT_TCP6}, {"tcpipv6:", WSNMP_TRANSPORT_TCP6},
};

static bool is_v6_transport(int t)
{
    return t == WSNMP_TRANSPORT_UDP6 || t == WSNMP_TRANSPORT_TCP6;
}

static int to_v6(int t)
{
    return t == WSNMP_TRANSPORT_TCP || t == WSNMP_TRANSPORT_TCP6 ? WSNMP_TRANSPORT_TCP6
                                                                 : WSNMP_TRANSPORT_UDP6;
}

static bool parse_port(const char *s, size_t n, unsigned *port)
{
    if (n == 0 || n > 5)
        return false;
    unsigned v = 0;
    for (size_t i = 0; i < n; i++) {
        if (!isdigit((unsigned char)s[i]))
            return false;
        v = v * 10 + (unsigned)(s[i] - '0');
    }
    if (v > 65535)
        return false;
    *port = v;
    return true;
}

/* An IPv6 literal, optionally with a %zone made of name characters. */
static bool valid_v6(const char *host)
{
    char buf[INET6_ADDRSTRLEN + 1];
    const char *pct = strchr(host, '%');
    size_t n = pct ? (size_t)(pct - host) : strlen(host);
    if (n >= sizeof buf)
        return false;
    memcpy(buf, host, n);
    buf[n] = '\0';
    struct in6_addr a;
    if (inet_pton(AF_INET6, buf, &a) != 1)
        return false;
    if (pct) {
        if (pct[1] == '\0')
            return false;
        for (const char *z = pct + 1; *z; z++)
            if (!isalnum((unsigned char)*z) && *z != '_' && *z != '-' && *z != '.')
                return false;
    }
    return true;
}

/* A dotted IPv4 address, or a DNS host name (letters, digits, '-', '_'). */
static bool valid_host(const char *host, bool *is_ipv4)
{
    size_t n = strlen(host);
    *is_ipv4 = false;
    if (n == 0 || n > 253)
        return false;
    if (strspn(host, "0123456789.") == n) {
        struct in_addr a;
        *is_ipv4 = true;
        return inet_pton(AF_INET, host, &a) == 1;
    }
    size_t label = 0;
    for (size_t i = 0; i < n; i++) {
        unsigned char c = (unsigned char)host[i];
        if (c == '.') {
            if (label == 0 || host[i - 1] == '-')
                return false;
            label = 0;
        } else if (isalnum(c) || c == '_' || (c == '-' && label > 0)) {
            if (++label > 63)
                return false;
        } else {
            return false;
        }
    }
    return true;
}

static bool parse_address(const char *text, wsnmp_address *out, const char **why)
{
    memset(out, 0, sizeof *out);
    out->transport = WSNMP_TRANSPORT_UDP;
    out->port = 161;
    if (text == NULL || *text == '\0') {
        *why = "empty address";
        return false;
    }
    if (strlen(text) >= WSNMP_MAX_ADDRESS) {
        *why = "address too long";
        return false;
    }
    const char *rest = text;
    bool explicit_transport = false;
    for (size_t i = 0; i < sizeof transports / sizeof transports[0]; i++) {
        size_t n = strlen(transports[i].prefix);
        if (strncasecmp(text, transports[i].prefix, n) == 0) {
            out->transport = transports[i].transport;
            rest = text + n;
            explicit_transport = true;
            break;
        }
    }

    const char *colon = strchr(rest, ':');
    if (rest[0] == '[') {
        const char *close = strchr(rest, ']');
        if (close == NULL) {
            *why = "missing ']' after an IPv6 address";
            return false;
        }
        size_t n = (size_t)(close - rest - 1);
        memcpy(out->host, rest + 1, n);
        out->host[n] = '\0';
        if (!valid_v6(out->host)) {
            *why = "not an IPv6 address inside [...]";
            return false;
        }
        if (close[1] != '\0' &&
            (close[1] != ':' || !parse_port(close + 2, strlen(close + 2), &out->port))) {
            *why = "bad port after [IPv6 address]";
            return false;
        }
        out->transport = to_v6(out->transport);
        return true;
    }
    if (colon && strchr(colon + 1, ':')) {
        /* Several colons and no brackets: a bare IPv6 address, no port. */
        if (!valid_v6(rest)) {
            *why = "not a valid address (IPv6 addresses with a port need [...])";
            return false;
        }
        snprintf(out->host, sizeof out->host, "%s", rest);
        out->transport = to_v6(out->transport);
        return true;
    }
    size_t hostlen = colon ? (size_t)(colon - rest) : strlen(rest);
    memcpy(out->host, rest, hostlen);
    out->host[hostlen] = '\0';
    if (colon && !parse_port(colon + 1, strlen(colon + 1), &out->port)) {
        *why = explicit_transport || strspn(rest, "0123456789.") == hostlen
                   ? "bad port number (0..65535)"
                   : "unknown transport or bad port number";
        return false;
    }
    bool is_ipv4;
    if (!valid_host(out->host, &is_ipv4)) {
        *why = is_ipv4 ? "not a valid IPv4 address" : "not a valid host name";
        return false;
    }
    if (is_ipv4 && is_v6_transport(out->transport)) {
        *why = "an IPv4 address with an IPv6 transport";
        return false;
    }
    return true;
}

bool wsnmp_address_parse(const char *text, wsnmp_address *out, const char **why)
{
    if (!parse_address(text, out, why))
        return false;
    /* The canonical form ("udp:" ... ":161") must be an address too: a long
     * host name that fits only without them is refused. */
    char canonical[WSNMP_MAX_ADDRESS + 32];
    if (wsnmp_address_format(out, canonical, sizeof canonical) >= WSNMP_MAX_ADDRESS) {
        *why = "address too long";
        return false;
    }
    return true;
}

int wsnmp_address_format(const wsnmp_address *a, char *buf, size_t size)
{
    static const char *const names[] = {
        [WSNMP_TRANSPORT_UDP] = "udp",
        [WSNMP_TRANSPORT_UDP6] = "udp6",
        [WSNMP_TRANSPORT_TCP] = "tcp",
        [WSNMP_TRANSPORT_TCP6] = "tcp6",
    };
    if (strchr(a->host, ':'))
        return snprintf(buf, size, "%s:[%s]:%u", names[a->transport], a->host, a->port);
    return snprintf(buf, size, "%s:%s:%u", names[a->transport], a->host, a->port);
}
