/*
 * responder.c — a canned SNMP responder for the client-bound benchmark: it
 * answers every v1/v2c GET on one loopback UDP port with the request's own
 * varbind names and an OCTET STRING "bench", as fast as the kernel allows
 * (recvmmsg/sendmmsg batches, no MIB, no access control), so that the
 * client, not the agent, is what a run measures.  Never for anything but
 * the benchmark: it answers any community.
 *
 *   bench/responder PORT           (binds 127.0.0.1:PORT; prints "ready")
 */
#define _GNU_SOURCE
#include <netinet/in.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>
#include <unistd.h>

#define BATCH 64
#define MAX_MSG 1500

/* A BER length at p (within end): the length, and p moved past it; -1 if bad. */
static long read_len(const unsigned char **p, const unsigned char *end)
{
    if (*p >= end)
        return -1;
    unsigned b = *(*p)++;
    if (b < 0x80)
        return b;
    unsigned n = b & 0x7f;
    if (n == 0 || n > 2 || *p + n > end)
        return -1;
    long len = 0;
    while (n--)
        len = len * 256 + *(*p)++;
    return len;
}

/* Enters a TLV of `tag` at *p: its contents' end, or NULL. */
static const unsigned char *enter(const unsigned char **p, const unsigned char *end, unsigned tag)
{
    if (*p >= end || **p != tag)
        return NULL;
    (*p)++;
    long len = read_len(p, end);
    if (len < 0 || *p + len > end)
        return NULL;
    return *p + len;
}

/* Writes a tag and a length of `len` (up to 65535) at out: bytes written. */
static size_t put_header(unsigned char *out, unsigned tag, size_t len)
{
    out[0] = (unsigned char)tag;
    if (len < 0x80) {
        out[1] = (unsigned char)len;
        return 2;
    }
    if (len < 0x100) {
        out[1] = 0x81;
        out[2] = (unsigned char)len;
        return 3;
    }
    out[1] = 0x82;
    out[2] = (unsigned char)(len >> 8);
    out[3] = (unsigned char)len;
    return 4;
}

/* The answer to request `in` into `out`: its length, or 0 to drop it. */
static size_t answer(const unsigned char *in, size_t in_len, unsigned char *out)
{
    const unsigned char *p = in, *end = in + in_len;
    const unsigned char *msg_end = enter(&p, end, 0x30);
    if (!msg_end)
        return 0;
    const unsigned char *version = p; /* version and community are copied as they are */
    if (!enter(&p, msg_end, 0x02))
        return 0;
    p = version;
    const unsigned char *v_end = enter(&p, msg_end, 0x02);
    p = v_end;
    const unsigned char *c_end = enter(&p, msg_end, 0x04);
    if (!c_end)
        return 0;
    p = c_end;
    size_t head_len = (size_t)(c_end - version);
    const unsigned char *pdu_end = enter(&p, msg_end, 0xA0); /* GetRequest */
    if (!pdu_end)
        return 0;
    const unsigned char *id = p;
    const unsigned char *id_end = enter(&p, pdu_end, 0x02);
    if (!id_end)
        return 0;
    p = id_end;
    for (int i = 0; i < 2; i++) { /* error-status, error-index */
        const unsigned char *e = enter(&p, pdu_end, 0x02);
        if (!e)
            return 0;
        p = e;
    }
    const unsigned char *list_end = enter(&p, pdu_end, 0x30);
    if (!list_end)
        return 0;
    /* The varbinds: each name with the value OCTET STRING "bench". */
    static const unsigned char value[] = {0x04, 0x05, 'b', 'e', 'n', 'c', 'h'};
    unsigned char vbs[MAX_MSG];
    size_t vbs_len = 0;
    while (p < list_end) {
        const unsigned char *vb_end = enter(&p, list_end, 0x30);
        if (!vb_end)
            return 0;
        const unsigned char *name = p;
        const unsigned char *name_end = enter(&p, vb_end, 0x06);
        if (!name_end)
            return 0;
        size_t name_len = (size_t)(name_end - name);
        size_t body = name_len + sizeof value;
        if (vbs_len + body + 4 > sizeof vbs)
            return 0;
        vbs_len += put_header(vbs + vbs_len, 0x30, body);
        memcpy(vbs + vbs_len, name, name_len);
        vbs_len += name_len;
        memcpy(vbs + vbs_len, value, sizeof value);
        vbs_len += sizeof value;
        p = vb_end;
    }
    /* response PDU: id, 0, 0, varbind list */
    static const unsigned char zeros[] = {0x02, 0x01, 0x00, 0x02, 0x01, 0x00};
    size_t id_len = (size_t)(id_end - id);
    unsigned char list_head[4];
    size_t list_head_len = put_header(list_head, 0x30, vbs_len);
    size_t pdu_body = id_len + sizeof zeros + list_head_len + vbs_len;
    unsigned char pdu_head[4];
    size_t pdu_head_len = put_header(pdu_head, 0xA2, pdu_body);
    size_t msg_body = head_len + pdu_head_len + pdu_body;
    if (msg_body + 4 > MAX_MSG)
        return 0;
    size_t n = put_header(out, 0x30, msg_body);
    memcpy(out + n, version, head_len);
    n += head_len;
    memcpy(out + n, pdu_head, pdu_head_len);
    n += pdu_head_len;
    memcpy(out + n, id, id_len);
    n += id_len;
    memcpy(out + n, zeros, sizeof zeros);
    n += sizeof zeros;
    memcpy(out + n, list_head, list_head_len);
    n += list_head_len;
    memcpy(out + n, vbs, vbs_len);
    return n + vbs_len;
}

int main(int argc, char **argv)
{
    if (argc != 2) {
        fprintf(stderr, "usage: responder PORT\n");
        return 2;
    }
    int fd = socket(AF_INET, SOCK_DGRAM, 0);
    struct sockaddr_in sa = {.sin_family = AF_INET, .sin_port = htons((uint16_t)atoi(argv[1]))};
    sa.sin_addr.s_addr = htonl(INADDR_LOOPBACK);
    int size = 4 << 20;
    setsockopt(fd, SOL_SOCKET, SO_RCVBUF, &size, sizeof size);
    setsockopt(fd, SOL_SOCKET, SO_SNDBUF, &size, sizeof size);
    if (fd < 0 || bind(fd, (struct sockaddr *)&sa, sizeof sa) != 0) {
        perror("responder");
        return 1;
    }
    printf("ready\n");
    fflush(stdout);
    static unsigned char in[BATCH][MAX_MSG], out[BATCH][MAX_MSG];
    struct sockaddr_in from[BATCH];
    struct iovec in_iov[BATCH], out_iov[BATCH];
    struct mmsghdr in_msgs[BATCH], out_msgs[BATCH];
    for (;;) {
        for (int i = 0; i < BATCH; i++) {
            in_iov[i] = (struct iovec){in[i], MAX_MSG};
            in_msgs[i] = (struct mmsghdr){.msg_hdr = {.msg_name = &from[i],
                                                      .msg_namelen = sizeof from[i],
                                                      .msg_iov = &in_iov[i],
                                                      .msg_iovlen = 1}};
        }
        int got = recvmmsg(fd, in_msgs, BATCH, MSG_WAITFORONE, NULL);
        if (got <= 0)
            continue;
        int n = 0;
        for (int i = 0; i < got; i++) {
            size_t len = answer(in[i], in_msgs[i].msg_len, out[n]);
            if (len == 0)
                continue;
            out_iov[n] = (struct iovec){out[n], len};
            out_msgs[n] =
                (struct mmsghdr){.msg_hdr = {.msg_name = &from[i],
                                             .msg_namelen = in_msgs[i].msg_hdr.msg_namelen,
                                             .msg_iov = &out_iov[n],
                                             .msg_iovlen = 1}};
            n++;
        }
        if (n > 0)
            sendmmsg(fd, out_msgs, (unsigned)n, 0);
    }
}
