/*
 * peer.c — socket addresses of entities: resolution, comparison, text.
 */
#include "engine.h"

#include <arpa/inet.h>
#include <netdb.h>
#include <netinet/in.h>
#include <stdio.h>
#include <string.h>

static bool is_v6(int transport)
{
    return transport == WSNMP_TRANSPORT_UDP6 || transport == WSNMP_TRANSPORT_TCP6;
}

bool wsnmp_peer_resolve(const wsnmp_address *a, wsnmp_peer *out, const char **why)
{
    memset(out, 0, sizeof *out);
    out->transport = a->transport;
    char host[WSNMP_MAX_ADDRESS];
    snprintf(host, sizeof host, "%s", a->host);
    char *zone = strchr(host, '%');
    /* Numeric addresses need no resolver. */
    struct sockaddr_in *in4 = (struct sockaddr_in *)&out->addr;
    struct sockaddr_in6 *in6 = (struct sockaddr_in6 *)&out->addr;
    if (!is_v6(a->transport) && inet_pton(AF_INET, host, &in4->sin_addr) == 1) {
        in4->sin_family = AF_INET;
        in4->sin_port = htons((uint16_t)a->port);
        out->len = sizeof *in4;
        return true;
    }
    if (zone == NULL && inet_pton(AF_INET6, host, &in6->sin6_addr) == 1) {
        in6->sin6_family = AF_INET6;
        in6->sin6_port = htons((uint16_t)a->port);
        out->len = sizeof *in6;
        return true;
    }
    struct addrinfo hints, *res = NULL;
    memset(&hints, 0, sizeof hints);
    hints.ai_family = is_v6(a->transport) ? AF_INET6 : AF_INET;
    hints.ai_socktype = a->transport == WSNMP_TRANSPORT_TCP || a->transport == WSNMP_TRANSPORT_TCP6
                            ? SOCK_STREAM
                            : SOCK_DGRAM;
    char port[8];
    snprintf(port, sizeof port, "%u", a->port);
    int rc = getaddrinfo(host, port, &hints, &res);
    if (rc != 0 || res == NULL) {
        *why = rc == EAI_NONAME || rc == EAI_FAIL ? "unknown host name"
               : rc == EAI_AGAIN                  ? "host name lookup failed (try again later)"
                                                  : "host name lookup failed";
        if (res)
            freeaddrinfo(res);
        return false;
    }
    memcpy(&out->addr, res->ai_addr, res->ai_addrlen);
    out->len = res->ai_addrlen;
    freeaddrinfo(res);
    return true;
}

bool wsnmp_peer_equal(const wsnmp_peer *a, const struct sockaddr_storage *b, socklen_t blen)
{
    (void)blen;
    if (a->addr.ss_family != b->ss_family)
        return false;
    if (b->ss_family == AF_INET) {
        const struct sockaddr_in *x = (const void *)&a->addr, *y = (const void *)b;
        return x->sin_port == y->sin_port && x->sin_addr.s_addr == y->sin_addr.s_addr;
    }
    if (b->ss_family == AF_INET6) {
        const struct sockaddr_in6 *x = (const void *)&a->addr, *y = (const void *)b;
        return x->sin6_port == y->sin6_port &&
               memcmp(&x->sin6_addr, &y->sin6_addr, sizeof x->sin6_addr) == 0;
    }
    return false;
}

void wsnmp_peer_format(const struct sockaddr_storage *a, int transport, char *buf, size_t size)
{
    char host[INET6_ADDRSTRLEN] = "?";
    unsigned port = 0;
    bool tcp = transport == WSNMP_TRANSPORT_TCP || transport == WSNMP_TRANSPORT_TCP6;
    if (a->ss_family == AF_INET) {
        const struct sockaddr_in *x = (const void *)a;
        inet_ntop(AF_INET, &x->sin_addr, host, sizeof host);
        port = ntohs(x->sin_port);
        snprintf(buf, size, "%s:%s:%u", tcp ? "tcp" : "udp", host, port);
    } else {
        const struct sockaddr_in6 *x = (const void *)a;
        inet_ntop(AF_INET6, &x->sin6_addr, host, sizeof host);
        port = ntohs(x->sin6_port);
        snprintf(buf, size, "%s:[%s]:%u", tcp ? "tcp6" : "udp6", host, port);
    }
}
