/*
 * decoded.c — a decoded message (wsnmp_decoded), as both decoders (ber.c
 * and codec.c) fill it, and its release.
 */
#include "wire.h"

void wsnmp_decoded_free(wsnmp_decoded *d)
{
    wsnmp_octets_free(&d->community);
    wsnmp_octets_free(&d->engine_id);
    wsnmp_octets_free(&d->context_name);
    wsnmp_octets_free(&d->context_engine_id);
    wsnmp_octets_free(&d->user);
    wsnmp_pdu_data_clear(&d->pdu);
}
