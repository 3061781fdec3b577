/*
 * fleet_data.h - the data every simulated agent of bench/fleet_sim.c serves,
 * a pure function of (agent port, column, row).  The clients of
 * `make bench-fleet` check each cell they collect against it (the C ones
 * include this file; the others carry the same few lines in their language).
 */
#ifndef FLEET_DATA_H
#define FLEET_DATA_H

#include <stdint.h>
#include <stdio.h>

#define ROWS 24
#define COLS 22
#define CELLS (ROWS * COLS)

enum {
    T_INT = 0x02,
    T_OCTETS = 0x04,
    T_OID = 0x06,
    T_CNTR32 = 0x41,
    T_GAUGE32 = 0x42,
    T_TICKS = 0x43
};

/* h = (port * 2654435761 + column * 40503 + row * 2246822519) mod 2^32 */
static inline uint32_t cell_hash(unsigned port, unsigned col, unsigned row)
{
    uint64_t h =
        (uint64_t)port * 2654435761u + (uint64_t)col * 40503u + (uint64_t)row * 2246822519u;
    return (uint32_t)h;
}

struct cell {
    int type;
    uint32_t num;   /* integer-like types */
    char bytes[32]; /* octets */
    int len;
};

static inline void cell_value(unsigned port, unsigned col, unsigned row, struct cell *out)
{
    uint32_t h = cell_hash(port, col, row);
    out->len = 0;
    switch (col) {
    case 1:
        out->type = T_INT;
        out->num = row;
        break; /* ifIndex */
    case 2:    /* ifDescr */
        out->type = T_OCTETS;
        out->len = snprintf(out->bytes, sizeof out->bytes, "a%u-if%u", port, row);
        break;
    case 3:
        out->type = T_INT;
        out->num = 6;
        break; /* ifType */
    case 4:
        out->type = T_INT;
        out->num = 1500;
        break; /* ifMtu */
    case 5:
        out->type = T_GAUGE32;
        out->num = h;
        break; /* ifSpeed */
    case 6:    /* ifPhysAddress */
        out->type = T_OCTETS;
        out->bytes[0] = 0x02;
        out->bytes[1] = (char)((port >> 8) & 0xff);
        out->bytes[2] = (char)(port & 0xff);
        out->bytes[3] = (char)0xab;
        out->bytes[4] = (char)0xcd;
        out->bytes[5] = (char)row;
        out->len = 6;
        break;
    case 7:
        out->type = T_INT;
        out->num = 1;
        break; /* ifAdminStatus */
    case 8:
        out->type = T_INT;
        out->num = 1 + h % 2;
        break; /* ifOperStatus */
    case 9:
        out->type = T_TICKS;
        out->num = h;
        break; /* ifLastChange */
    case 21:
        out->type = T_GAUGE32;
        out->num = h % 100;
        break; /* ifOutQLen */
    case 22:
        out->type = T_OID;
        break; /* ifSpecific: 0.0 */
    default:
        out->type = T_CNTR32;
        out->num = h;
        break; /* ifIn*, ifOut* */
    }
}

#endif
