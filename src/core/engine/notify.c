/*
 * notify.c — notifications and the agent role: SnmpRegister (receiving
 * traps and informs, with WinSNMP's filters), SnmpListen (answering
 * requests).  The RFC 3584 trap translations are in model/rfc3584.c.
 *
 * Listening sockets are process-wide and shared: every registration on the
 * same local address uses one socket, and a notification is queued once to
 * each session that has a matching registration, carrying the ids of the
 * registrations that matched.  Informs are acknowledged by the engine.
 */
#include "engine.h"

#include <errno.h>
#include <netinet/in.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#define DEFAULT_TRAP_ADDRESS "udp:0.0.0.0:162"

smiUINT32 wsnmp_notify_registrations_total;
static wsnmp_listener *listeners;
static uint32_t next_listener_id = 1, next_registration_id = 1;

wsnmp_listener *wsnmp_notify_listeners(void)
{
    return listeners;
}

wsnmp_listener *wsnmp_notify_listener_by_id(uint32_t id)
{
    for (wsnmp_listener *l = listeners; l; l = l->next)
        if (l->id == id)
            return l;
    return NULL;
}

/* ---- listeners ------------------------------------------------------------------ */

static wsnmp_result listener_open(const wsnmp_address *a, wsnmp_listener **out, const char **why)
{
    wsnmp_peer local;
    if (a->transport != WSNMP_TRANSPORT_UDP && a->transport != WSNMP_TRANSPORT_UDP6) {
        *why = "only UDP can be listened on";
        return SNMPAPI_TL_NOT_SUPPORTED;
    }
    if (!wsnmp_peer_resolve(a, &local, why))
        return SNMPAPI_ENTITY_UNKNOWN;
    for (wsnmp_listener *l = listeners; l; l = l->next)
        if (wsnmp_peer_equal(&l->local, &local.addr, local.len)) {
            *out = l;
            return WSNMP_OK;
        }
    int fd = socket(local.addr.ss_family, SOCK_DGRAM | SOCK_NONBLOCK | SOCK_CLOEXEC, 0);
    if (fd < 0) {
        *why = "cannot open a socket";
        return SNMPAPI_TL_RESOURCE_ERROR;
    }
    if (local.addr.ss_family == AF_INET6) {
        int on = 1;
        setsockopt(fd, IPPROTO_IPV6, IPV6_V6ONLY, &on, sizeof on);
    }
    if (bind(fd, (struct sockaddr *)&local.addr, local.len) != 0) {
        int err = errno;
        close(fd);
        *why = err == EADDRINUSE ? "the port is already in use"
               : err == EACCES   ? "permission denied (ports below 1024 need privileges)"
                                 : "cannot bind the address";
        return err == EADDRINUSE ? SNMPAPI_TL_IN_USE : SNMPAPI_TL_OTHER;
    }
    wsnmp_listener *l = calloc(1, sizeof *l);
    if (l == NULL) {
        close(fd);
        *why = "out of memory";
        return SNMPAPI_ALLOC_ERROR;
    }
    l->id = next_listener_id++;
    l->fd = fd;
    l->local = local;
    l->local.len = sizeof l->local.addr;
    getsockname(fd, (struct sockaddr *)&l->local.addr, &l->local.len); /* the real port */
    l->next = listeners;
    listeners = l;
    *out = l;
    return WSNMP_OK;
}

static void listener_users_free(wsnmp_listener *l)
{
    for (size_t i = 0; i < l->user_count; i++)
        wsnmp_credentials_clear(&l->users[i]);
    free(l->users);
    l->users = NULL;
    l->user_count = 0;
}

static void listener_unref(wsnmp_listener *l)
{
    if (l->registrations > 0 || l->agent_entity != NULL)
        return;
    listener_users_free(l);
    for (wsnmp_listener **p = &listeners; *p; p = &(*p)->next)
        if (*p == l) {
            *p = l->next;
            break;
        }
    close(l->fd);
    free(l);
}

/* ---- SnmpRegister ---------------------------------------------------------------- */

static void registration_free(wsnmp_session *owner, wsnmp_registration *r)
{
    if (owner)
        owner->registrations--;
    wsnmp_octets_free(&r->community);
    wsnmp_oid_free(&r->prefix);
    wsnmp_credentials_clear(&r->v3);
    r->listener->registrations--;
    wsnmp_notify_registrations_total--;
    listener_unref(r->listener);
    free(r);
}

void wsnmp_notify_registrations_free(wsnmp_io *io)
{
    /* The session is being destroyed: its own count goes with it. */
    for (wsnmp_registration *r = io->registrations, *next; r; r = next) {
        next = r->next;
        registration_free(NULL, r);
    }
    io->registrations = NULL;
}

static bool same_filters(const wsnmp_registration *r, const wsnmp_registration *k)
{
    if (r->listener != k->listener || r->has_source != k->has_source ||
        r->has_community != k->has_community || wsnmp_oid_cmp(&r->prefix, &k->prefix) != 0)
        return false;
    if (r->has_source && !wsnmp_peer_equal(&r->source, &k->source.addr, k->source.len))
        return false;
    if (r->has_community && (r->community.len != k->community.len ||
                             memcmp(r->community.ptr, k->community.ptr, k->community.len) != 0))
        return false;
    const char *u1 = r->v3.user ? r->v3.user : "", *u2 = k->v3.user ? k->v3.user : "";
    return strcmp(u1, u2) == 0;
}

WSNMP_API SNMPAPI_STATUS WsnmpRegister(HSNMP_SESSION session, HSNMP_ENTITY srcEntity,
                                       HSNMP_ENTITY dstEntity, HSNMP_CONTEXT context,
                                       smiLPCOID notification, smiUINT32 state,
                                       const WsnmpUsm *v3user, smiUINT32 *registration_id)
{
    const char *fn = "SnmpRegister";
    uint32_t sslot;
    wsnmp_session *s = wsnmp_handle_lookup(session, WSNMP_KIND_SESSION, &sslot, NULL, fn);
    if (s == NULL)
        return SNMPAPI_FAILURE;
    wsnmp_address local;
    const char *why;
    if (srcEntity) {
        wsnmp_entity *e = wsnmp_handle_get(srcEntity, WSNMP_KIND_ENTITY, NULL);
        if (e == NULL)
            return wsnmp_error_fail(sslot, SNMPAPI_ENTITY_INVALID, "%s: invalid local entity", fn);
        local = e->address;
    } else {
        wsnmp_address_parse(DEFAULT_TRAP_ADDRESS, &local, &why);
    }
    wsnmp_registration key;
    memset(&key, 0, sizeof key);
    if (dstEntity) {
        wsnmp_entity *e = wsnmp_handle_get(dstEntity, WSNMP_KIND_ENTITY, NULL);
        if (e == NULL)
            return wsnmp_error_fail(sslot, SNMPAPI_ENTITY_INVALID, "%s: invalid sender entity", fn);
        if (!wsnmp_peer_resolve(&e->address, &key.source, &why))
            return wsnmp_error_fail(sslot, SNMPAPI_ENTITY_UNKNOWN, "%s: sender: %s", fn, why);
        key.has_source = true;
    }
    if (context) {
        wsnmp_context *c = wsnmp_handle_get(context, WSNMP_KIND_CONTEXT, NULL);
        if (c == NULL)
            return wsnmp_error_fail(sslot, SNMPAPI_CONTEXT_INVALID, "%s: invalid context", fn);
        key.community = c->value; /* borrowed until stored */
        key.has_community = true;
    }
    if (notification) {
        if (wsnmp_oid_check(notification, &why))
            return wsnmp_error_fail(sslot, SNMPAPI_OID_INVALID, "%s: notification: %s", fn, why);
        key.prefix = *notification; /* borrowed until stored */
    }
    if (v3user) {
        if (wsnmp_credentials_check_usm(v3user, &why) != WSNMP_OK)
            return wsnmp_error_fail(sslot, SNMPAPI_OTHER_ERROR, "%s: %s", fn, why);
        key.v3.user = (char *)v3user->user; /* borrowed, for comparison */
    }
    wsnmp_io *io = wsnmp_io_of(s, true);
    if (io == NULL || !wsnmp_io_join(io, sslot))
        return wsnmp_error_fail(sslot, SNMPAPI_ALLOC_ERROR, "%s: out of memory", fn);

    /* Find the listener without opening one, to compare with. */
    wsnmp_peer local_peer;
    if (!wsnmp_peer_resolve(&local, &local_peer, &why))
        return wsnmp_error_fail(sslot, SNMPAPI_ENTITY_UNKNOWN, "%s: local address: %s", fn, why);
    for (wsnmp_listener *l = listeners; l; l = l->next)
        if (wsnmp_peer_equal(&l->local, &local_peer.addr, local_peer.len))
            key.listener = l;
    wsnmp_registration **found = &io->registrations;
    while (*found && !(key.listener && same_filters(*found, &key)))
        found = &(*found)->next;

    if (state == SNMPAPI_OFF) {
        if (*found == NULL)
            return wsnmp_error_fail(sslot, SNMPAPI_NOOP, "%s: no such registration", fn);
        wsnmp_registration *r = *found;
        *found = r->next;
        registration_free(s, r);
        return SNMPAPI_SUCCESS;
    }
    if (*found) { /* a redundant registration succeeds and does nothing */
        if (registration_id)
            *registration_id = (*found)->id;
        return SNMPAPI_SUCCESS;
    }
    wsnmp_listener *l;
    wsnmp_result code = listener_open(&local, &l, &why);
    if (code != WSNMP_OK)
        return wsnmp_error_fail(sslot, code, "%s: %s", fn, why);
    wsnmp_registration *r = calloc(1, sizeof *r);
    bool ok = r != NULL && wsnmp_octets_copy(&r->community, key.community.ptr, key.community.len) &&
              wsnmp_oid_copy(&r->prefix, &key.prefix);
    if (ok && v3user) {
        r->v3.version = WSNMP_VERSION_3;
        ok = wsnmp_credentials_set_usm_receiver(&r->v3, v3user);
    }
    if (!ok) {
        if (r) {
            wsnmp_octets_free(&r->community);
            wsnmp_oid_free(&r->prefix);
            free(r);
        }
        listener_unref(l);
        return wsnmp_error_fail(sslot, SNMPAPI_ALLOC_ERROR, "%s: out of memory", fn);
    }
    r->id = next_registration_id++;
    r->listener = l;
    r->has_source = key.has_source;
    r->source = key.source;
    r->has_community = key.has_community;
    l->registrations++;
    wsnmp_notify_registrations_total++;
    s->registrations++;
    r->next = io->registrations;
    io->registrations = r;
    if (registration_id)
        *registration_id = r->id;
    return SNMPAPI_SUCCESS;
}

WSNMP_API SNMPAPI_STATUS SnmpRegister(HSNMP_SESSION session, HSNMP_ENTITY srcEntity,
                                      HSNMP_ENTITY dstEntity, HSNMP_CONTEXT context,
                                      smiLPCOID notification, smiUINT32 state)
{
    return WsnmpRegister(session, srcEntity, dstEntity, context, notification,
                         state == SNMPAPI_OFF ? SNMPAPI_OFF : SNMPAPI_ON, NULL, NULL);
}

WSNMP_API SNMPAPI_STATUS WsnmpUnregister(HSNMP_SESSION session, smiUINT32 registration_id)
{
    uint32_t sslot;
    wsnmp_session *s =
        wsnmp_handle_lookup(session, WSNMP_KIND_SESSION, &sslot, NULL, "WsnmpUnregister");
    if (s == NULL)
        return SNMPAPI_FAILURE;
    for (wsnmp_registration **p = s->io ? &s->io->registrations : NULL; p && *p; p = &(*p)->next)
        if ((*p)->id == registration_id) {
            wsnmp_registration *r = *p;
            *p = r->next;
            registration_free(s, r);
            return SNMPAPI_SUCCESS;
        }
    return wsnmp_error_fail(sslot, SNMPAPI_NOOP, "WsnmpUnregister: no registration %u",
                            (unsigned)registration_id);
}

WSNMP_API SNMPAPI_STATUS WsnmpGetListenAddress(HSNMP_ENTITY entity, smiUINT32 size, LPSTR out)
{
    uint32_t sslot;
    wsnmp_entity *e =
        wsnmp_handle_lookup(entity, WSNMP_KIND_ENTITY, NULL, &sslot, "WsnmpGetListenAddress");
    if (e == NULL)
        return SNMPAPI_FAILURE;
    wsnmp_listener *l = e->listening ? wsnmp_notify_listener_by_id(e->listening) : NULL;
    if (l == NULL)
        return wsnmp_error_fail(sslot, SNMPAPI_OPERATION_INVALID,
                                "WsnmpGetListenAddress: the entity is not listening");
    char buf[WSNMP_MAX_ADDRESS];
    wsnmp_peer_format(&l->local.addr, l->local.transport, buf, sizeof buf);
    if (out == NULL || strlen(buf) + 1 > size)
        return wsnmp_error_fail(sslot, SNMPAPI_OUTPUT_TRUNCATED, "WsnmpGetListenAddress: buffer");
    memcpy(out, buf, strlen(buf) + 1);
    return (SNMPAPI_STATUS)(strlen(buf) + 1);
}

WSNMP_API smiUINT32 WsnmpListenerOf(HSNMP_ENTITY entity)
{
    wsnmp_entity *e = wsnmp_handle_get(entity, WSNMP_KIND_ENTITY, NULL);
    return e ? e->listening : 0;
}

/* ---- SnmpListen ------------------------------------------------------------------ */

/* Ends the agent role of a listening entity (owned by session slot). */
void wsnmp_notify_listener_stop(uint32_t listener_id, uint32_t owner_slot)
{
    wsnmp_listener *l = wsnmp_notify_listener_by_id(listener_id);
    wsnmp_session *owner = wsnmp_session_at(owner_slot);
    if (owner)
        owner->registrations--;
    wsnmp_notify_registrations_total--;
    if (l) {
        l->agent_entity = NULL;
        listener_users_free(l); /* the agent role's users go with it */
        listener_unref(l);
    }
}

static wsnmp_credentials *listener_user(const wsnmp_listener *l, const char *name, size_t len)
{
    for (size_t i = 0; i < l->user_count; i++)
        if (strlen(l->users[i].user) == len && memcmp(l->users[i].user, name, len) == 0)
            return &l->users[i];
    return NULL;
}

WSNMP_API SNMPAPI_STATUS WsnmpListenUser(HSNMP_ENTITY listening_entity, const WsnmpUsm *user)
{
    const char *fn = "WsnmpListenUser";
    uint32_t sslot;
    wsnmp_entity *e = wsnmp_handle_lookup(listening_entity, WSNMP_KIND_ENTITY, NULL, &sslot, fn);
    if (e == NULL)
        return SNMPAPI_FAILURE;
    wsnmp_listener *l = e->listening ? wsnmp_notify_listener_by_id(e->listening) : NULL;
    if (l == NULL)
        return wsnmp_error_fail(sslot, SNMPAPI_OPERATION_INVALID, "%s: the entity is not listening",
                                fn);
    const char *why;
    if (user == NULL)
        return wsnmp_error_fail(sslot, SNMPAPI_NOOP, "%s: no user", fn);
    wsnmp_result code = wsnmp_credentials_check_usm(user, &why);
    if (code != WSNMP_OK)
        return wsnmp_error_fail(sslot, code, "%s: %s", fn, why);
    wsnmp_credentials *c = listener_user(l, user->user, strlen(user->user));
    if (c == NULL) {
        wsnmp_credentials *grown = realloc(l->users, (l->user_count + 1) * sizeof *grown);
        if (grown == NULL)
            return wsnmp_error_fail(sslot, SNMPAPI_ALLOC_ERROR, "%s: out of memory", fn);
        l->users = grown;
        c = &l->users[l->user_count++];
        memset(c, 0, sizeof *c);
    }
    c->version = WSNMP_VERSION_3;
    if (!wsnmp_credentials_set_usm_receiver(c, user)) {
        *c = l->users[--l->user_count]; /* an empty slot: drop it */
        return wsnmp_error_fail(sslot, SNMPAPI_ALLOC_ERROR, "%s: out of memory", fn);
    }
    return SNMPAPI_SUCCESS;
}

/* SnmpListen and SnmpListenEx: on `all_addresses`, the wildcard address
 * of the entity's family (with its port) instead of its own address. */
static SNMPAPI_STATUS listen_entity(HSNMP_ENTITY hEntity, SNMPAPI_STATUS lStatus,
                                    bool all_addresses, const char *fn)
{
    uint32_t sslot;
    wsnmp_entity *e = wsnmp_handle_lookup(hEntity, WSNMP_KIND_ENTITY, NULL, &sslot, fn);
    if (e == NULL)
        return SNMPAPI_FAILURE;
    if (lStatus != SNMPAPI_ON && lStatus != SNMPAPI_OFF)
        return wsnmp_error_fail(sslot, SNMPAPI_MODE_INVALID, "%s: status is SNMPAPI_ON or OFF", fn);
    if (lStatus == SNMPAPI_OFF) {
        if (!e->listening)
            return wsnmp_error_fail(sslot, SNMPAPI_NOOP, "%s: not listening", fn);
        wsnmp_notify_listener_stop(e->listening, sslot);
        e->listening = 0;
        return SNMPAPI_SUCCESS;
    }
    if (e->listening)
        return wsnmp_error_fail(sslot, SNMPAPI_NOOP, "%s: already listening", fn);
    wsnmp_listener *l;
    const char *why;
    wsnmp_address where = e->address;
    if (all_addresses) {
        bool v6 =
            where.transport == WSNMP_TRANSPORT_UDP6 || where.transport == WSNMP_TRANSPORT_TCP6;
        snprintf(where.host, sizeof where.host, "%s", v6 ? "::" : "0.0.0.0");
    }
    wsnmp_result code = listener_open(&where, &l, &why);
    if (code != WSNMP_OK)
        return wsnmp_error_fail(sslot, code, "%s: %s", fn, why);
    if (l->agent_entity != NULL && WsnmpHandleKind(l->agent_entity) == WSNMP_KIND_ENTITY)
        return wsnmp_error_fail(sslot, SNMPAPI_TL_IN_USE, "%s: another entity listens there", fn);
    wsnmp_session *s = wsnmp_session_at(sslot);
    if (s == NULL || wsnmp_io_of(s, true) == NULL || !wsnmp_io_join(s->io, sslot)) {
        listener_unref(l);
        return wsnmp_error_fail(sslot, SNMPAPI_ALLOC_ERROR, "%s: out of memory", fn);
    }
    l->agent_entity = hEntity;
    e->listening = l->id;
    e->listen_owner = sslot;
    s->registrations++;
    wsnmp_notify_registrations_total++;
    return SNMPAPI_SUCCESS;
}

WSNMP_API SNMPAPI_STATUS SnmpListen(HSNMP_ENTITY hEntity, SNMPAPI_STATUS lStatus)
{
    return listen_entity(hEntity, lStatus, false, "SnmpListen");
}

WSNMP_API SNMPAPI_STATUS SnmpListenEx(HSNMP_ENTITY hEntity, SNMPAPI_STATUS lStatus,
                                      smiUINT32 nUseEntityAddr)
{
    if (nUseEntityAddr != SNMPLISTEN_USEENTITY_ADDR && nUseEntityAddr != SNMPLISTEN_ALL_ADDR) {
        uint32_t sslot;
        if (!wsnmp_handle_lookup(hEntity, WSNMP_KIND_ENTITY, NULL, &sslot, "SnmpListenEx"))
            return SNMPAPI_FAILURE;
        return wsnmp_error_fail(sslot, SNMPAPI_MODE_INVALID,
                                "SnmpListenEx: nUseEntityAddr is SNMPLISTEN_USEENTITY_ADDR or "
                                "SNMPLISTEN_ALL_ADDR");
    }
    return listen_entity(hEntity, lStatus, nUseEntityAddr == SNMPLISTEN_ALL_ADDR, "SnmpListenEx");
}

/* ---- the receive path ------------------------------------------------------------- */

static wsnmp_message *new_message(int kind, const wsnmp_decoded *d,
                                  const struct sockaddr_storage *from, socklen_t fromlen,
                                  const wsnmp_listener *l)
{
    wsnmp_message *m = calloc(1, sizeof *m);
    wsnmp_pdu *pdu = malloc(sizeof *pdu);
    if (m == NULL || pdu == NULL || !wsnmp_pdu_data_copy(pdu, &d->pdu)) {
        free(m);
        free(pdu);
        return NULL;
    }
    m->kind = kind;
    m->pdu = pdu;
    m->request_id = d->pdu.request_id;
    m->source.addr = *from;
    m->source.len = fromlen;
    m->source.transport = l->local.transport;
    m->listener = l->id;
    m->sec.version = d->version;
    const smiOCTETS *c = d->version == WSNMP_VERSION_3 ? &d->context_name : &d->community;
    smiOCTETS *dst = d->version == WSNMP_VERSION_3 ? &m->sec.context : &m->sec.community;
    if (!wsnmp_octets_copy(dst, c->ptr, c->len) ||
        (d->version == WSNMP_VERSION_3 && d->user.len &&
         (m->sec.user = malloc(d->user.len + 1)) == NULL)) {
        wsnmp_queue_message_free(m);
        return NULL;
    }
    if (m->sec.user) {
        memcpy(m->sec.user, d->user.ptr, d->user.len);
        m->sec.user[d->user.len] = '\0';
    }
    return m;
}

static bool registration_matches(const wsnmp_registration *r, const wsnmp_decoded *d,
                                 const struct sockaddr_storage *from, const smiOID *trap_oid)
{
    if (r->has_source) {
        /* Compare addresses only: notifications come from any port. */
        wsnmp_peer any_port = r->source;
        struct sockaddr_storage f = *from;
        if (f.ss_family == AF_INET)
            ((struct sockaddr_in *)&f)->sin_port = ((struct sockaddr_in *)&any_port.addr)->sin_port;
        else if (f.ss_family == AF_INET6)
            ((struct sockaddr_in6 *)&f)->sin6_port =
                ((struct sockaddr_in6 *)&any_port.addr)->sin6_port;
        if (!wsnmp_peer_equal(&any_port, &f, sizeof f))
            return false;
    }
    if (d->version == WSNMP_VERSION_3) {
        /* v3: only from the registration's own user, at least at its level
         * (an authPriv registration never takes authNoPriv). */
        if (r->v3.user == NULL || d->user.len != strlen(r->v3.user) ||
            memcmp(d->user.ptr, r->v3.user, d->user.len) != 0 || d->level < r->v3.level ||
            (r->v3.level > WSNMP_LEVEL_NOAUTH_NOPRIV && !d->authenticated))
            return false;
        if (r->has_community &&
            (r->community.len != d->context_name.len ||
             memcmp(r->community.ptr, d->context_name.ptr, d->context_name.len) != 0))
            return false;
    } else if (r->v3.user) {
        return false; /* a registration for a v3 user takes SNMPv3 only */
    } else if (r->has_community &&
               (r->community.len != d->community.len ||
                memcmp(r->community.ptr, d->community.ptr, d->community.len) != 0)) {
        return false;
    }
    if (r->prefix.len) {
        if (trap_oid->len < r->prefix.len ||
            memcmp(trap_oid->ptr, r->prefix.ptr, r->prefix.len * sizeof *trap_oid->ptr) != 0)
            return false;
    }
    return true;
}

/* v3 notifications are authenticated with the keys of a user registered for
 * them, localised for the sender's engine (the sender is authoritative).
 * False for an SNMPv3 message whose user no registration of the listener
 * expects: it is dropped undecoded, as notify() would drop it, because
 * net-snmp keeps a record of every engine id it parses (fuzz_lua_values). */
static bool prepare_v3_keys(const wsnmp_listener *l, const unsigned char *data, size_t len)
{
    smiOCTETS engine;
    char user[WSNMP_MAX_NAME];
    const char *why;
    int32_t msg_id;
    if (!wsnmp_ber_v3_msg_id(data, len, &msg_id))
        return true; /* not SNMPv3 */
    if (!wsnmp_ber_v3_sender(data, len, &engine, user, sizeof user))
        return false;
    /* Addressed to this engine as the authoritative one (an inform, or a
     * discovery probe with no engine id): net-snmp's USM checks it and the
     * refusals become reports (RFC 3414 3.2), so it is decoded whatever the
     * user.  No record of a foreign engine id can come of it. */
    unsigned char local[64];
    size_t local_len = wsnmp_usm_local_engine_id(local, sizeof local);
    bool authoritative =
        engine.len == 0 || (engine.len == local_len && memcmp(engine.ptr, local, local_len) == 0);
    size_t n;
    uint32_t *slots = wsnmp_io_session_slots(&n);
    for (size_t i = 0; i < n; i++) {
        wsnmp_session *s = wsnmp_session_at(slots[i]);
        for (wsnmp_registration *r = s && s->io ? s->io->registrations : NULL; r; r = r->next)
            if (r->listener == l && r->v3.user && strcmp(r->v3.user, user) == 0) {
                if (engine.len > 0)
                    wsnmp_usm_ensure(&r->v3, &engine, &why);
                return true;
            }
    }
    const wsnmp_credentials *agent_user = listener_user(l, user, strlen(user));
    if (agent_user && authoritative && engine.len > 0)
        wsnmp_usm_ensure(agent_user, &engine, &why);
    return authoritative;
}

/* Acknowledges an inform: its varbinds back in a Response.  For v3 this
 * engine is the authoritative one: the response is secured with the user's
 * keys localised for our engine id, at the inform's level, under the
 * inform's msgID (RFC 3412 7.1 step 3). */
static void answer_inform(const wsnmp_listener *l, const wsnmp_decoded *d,
                          const wsnmp_credentials *v3user, const struct sockaddr_storage *from,
                          socklen_t fromlen)
{
    wsnmp_pdu response;
    if (!wsnmp_pdu_data_copy(&response, &d->pdu))
        return;
    response.type = SNMP_PDU_RESPONSE;
    response.error_status = response.error_index = 0;
    wsnmp_credentials sec;
    memset(&sec, 0, sizeof sec);
    sec.version = d->version;
    unsigned char local[64];
    smiOCTETS engine = {0, local};
    int32_t msg_id = d->pdu.request_id;
    const char *why;
    if (d->version == WSNMP_VERSION_3) {
        sec = *v3user; /* borrowed */
        sec.level = d->level;
        sec.context = d->context_name;
        engine.len = (smiUINT32)wsnmp_usm_local_engine_id(local, sizeof local);
        msg_id = d->msg_id;
        wsnmp_usm_ensure(&sec, &engine, &why);
    } else {
        sec.community = d->community; /* borrowed */
    }
    unsigned char *bytes;
    size_t len;
    if (wsnmp_codec_encode_response(&sec, &response, &engine, &d->context_engine_id, msg_id, &bytes,
                                    &len, &why) == WSNMP_OK) {
        sendto(l->fd, bytes, len, 0, (const struct sockaddr *)from, fromlen);
        free(bytes);
    }
    wsnmp_pdu_data_clear(&response);
}

/* Answers an SNMPv3 request or inform below its user's level with the
 * usmStatsUnsupportedSecLevels report (RFC 3414 3.2 step 5). */
static void refuse_level(const wsnmp_listener *l, const unsigned char *data, size_t len,
                         const struct sockaddr_storage *from, socklen_t fromlen)
{
    unsigned char *report;
    size_t report_len;
    if (wsnmp_codec_report(data, len, WSNMP_REPORT_UNSUPPORTED_LEVEL, &report, &report_len)) {
        sendto(l->fd, report, report_len, 0, (const struct sockaddr *)from, fromlen);
        free(report);
    }
}

/* Whether a registration on l expects d's v3 user at a higher level. */
static bool user_needs_higher_level(const wsnmp_listener *l, const wsnmp_decoded *d)
{
    size_t n;
    uint32_t *slots = wsnmp_io_session_slots(&n);
    for (size_t i = 0; i < n; i++) {
        wsnmp_session *s = wsnmp_session_at(slots[i]);
        for (wsnmp_registration *r = s && s->io ? s->io->registrations : NULL; r; r = r->next)
            if (r->listener == l && r->v3.user && strlen(r->v3.user) == d->user.len &&
                memcmp(r->v3.user, d->user.ptr, d->user.len) == 0 && d->level < r->v3.level)
                return true;
    }
    return false;
}

static void notify(wsnmp_listener *l, wsnmp_decoded *d, const unsigned char *data, size_t len,
                   const struct sockaddr_storage *from, socklen_t fromlen)
{
    if (d->pdu.vbl.count < 2 ||
        wsnmp_oid_cmp(&d->pdu.vbl.items[1].name, &wsnmp_rfc3584_snmp_trap_oid_0) != 0 ||
        d->pdu.vbl.items[1].value.syntax != SNMP_SYNTAX_OID) {
        wsnmp_deliver_dropped_total++; /* not a well-formed notification */
        return;
    }
    const smiOID *trap_oid = &d->pdu.vbl.items[1].value.value.oid;
    size_t n;
    uint32_t *slots = wsnmp_io_session_slots(&n);
    bool matched = false, queued = false;
    const wsnmp_credentials *v3user = NULL; /* a matching registration's, to answer with */
    for (size_t i = 0; i < n; i++) {
        uint32_t slot = slots[i];
        wsnmp_session *s = wsnmp_session_at(slot);
        if (s == NULL || s->io == NULL)
            continue;
        uint32_t ids[64];
        smiUINT32 count = 0;
        for (wsnmp_registration *r = s->io->registrations; r && count < 64; r = r->next)
            if (r->listener == l && registration_matches(r, d, from, trap_oid)) {
                ids[count++] = r->id;
                if (r->v3.user)
                    v3user = &r->v3;
            }
        if (count == 0)
            continue;
        matched = true;
        wsnmp_message *m = new_message(WSNMP_MSG_NOTIFICATION, d, from, fromlen, l);
        if (m == NULL)
            continue;
        if (d->version == WSNMP_VERSION_3) { /* who sent it, and how (WsnmpMsgInfo) */
            m->level = d->level;
            if (!wsnmp_octets_copy(&m->context_engine_id, d->context_engine_id.ptr,
                                   d->context_engine_id.len)) {
                wsnmp_queue_message_free(m);
                continue;
            }
        }
        m->registrations = malloc(count * sizeof *ids);
        if (m->registrations) {
            memcpy(m->registrations, ids, count * sizeof *ids);
            m->registration_count = count;
        }
        smiINT32 request_id = m->request_id;
        if (!wsnmp_queue_push_bounded(s->io, m))
            continue; /* full, in count or in bytes: dropped and counted */
        wsnmp_poll_event(slot, 0, request_id);
        queued = true;
    }
    if (!matched) {
        wsnmp_deliver_dropped_total++; /* unknown community, user or sender */
        if (d->version == WSNMP_VERSION_3 && d->pdu.type == SNMP_PDU_INFORM &&
            user_needs_higher_level(l, d))
            refuse_level(l, data, len, from, fromlen);
    }
    /* Acknowledge only what was queued: a dropped inform must be resent. */
    if (queued && d->pdu.type == SNMP_PDU_INFORM &&
        (d->version != WSNMP_VERSION_3 || v3user != NULL))
        answer_inform(l, d, v3user, from, fromlen);
}

static void serve_request(wsnmp_listener *l, wsnmp_decoded *d, const unsigned char *data,
                          size_t len, const struct sockaddr_storage *from, socklen_t fromlen)
{
    uint32_t slot;
    wsnmp_entity *e =
        l->agent_entity ? wsnmp_handle_get(l->agent_entity, WSNMP_KIND_ENTITY, &slot) : NULL;
    wsnmp_session *s = e ? wsnmp_session_at(wsnmp_handle_owner_slot(slot)) : NULL;
    const wsnmp_credentials *user = NULL;
    if (d->version == WSNMP_VERSION_3)
        user = listener_user(l, (const char *)d->user.ptr, d->user.len);
    if (s == NULL || s->io == NULL || (d->version == WSNMP_VERSION_3 && user == NULL)) {
        wsnmp_deliver_dropped_total++; /* nobody listens, or not for this v3 user */
        return;
    }
    if (user && d->level < user->level) {
        wsnmp_deliver_dropped_total++;
        refuse_level(l, data, len, from, fromlen);
        return;
    }
    wsnmp_message *m = new_message(WSNMP_MSG_REQUEST, d, from, fromlen, l);
    if (m == NULL)
        return;
    if (user) {
        /* The answer goes out with the user's keys, at the request's level,
         * in its context, repeating its msgID and contextEngineID. */
        wsnmp_credentials answer;
        bool ok = wsnmp_credentials_copy(&answer, user);
        if (ok) {
            answer.level = d->level;
            wsnmp_octets_free(&answer.context);
            ok = wsnmp_octets_copy(&answer.context, d->context_name.ptr, d->context_name.len) &&
                 wsnmp_octets_copy(&m->context_engine_id, d->context_engine_id.ptr,
                                   d->context_engine_id.len);
        }
        wsnmp_credentials_clear(&m->sec);
        m->sec = answer;
        m->msg_id = d->msg_id;
        m->level = d->level;
        m->max_size = d->max_size;
        if (!ok) {
            wsnmp_queue_message_free(m);
            return;
        }
    }
    smiINT32 request_id = m->request_id;
    if (wsnmp_queue_push_bounded(s->io, m))
        wsnmp_poll_event(wsnmp_handle_owner_slot(slot), 0, request_id);
}

void wsnmp_notify_listener_ready(wsnmp_listener *l)
{
    static unsigned char buffer[65536];
    uint32_t id = l->id;
    for (int i = 0; i < 256; i++) { /* bounded, so a flood cannot starve the rest */
        if (wsnmp_notify_listener_by_id(id) != l)
            return;
        struct sockaddr_storage from;
        socklen_t fromlen = sizeof from;
        ssize_t n = recvfrom(l->fd, buffer, sizeof buffer, 0, (struct sockaddr *)&from, &fromlen);
        if (n <= 0)
            return;
        if (!prepare_v3_keys(l, buffer, (size_t)n)) {
            wsnmp_deliver_dropped_total++;
            continue;
        }
        wsnmp_decoded d;
        const char *why;
        unsigned char *report;
        size_t report_len;
        if (wsnmp_codec_decode_as_authority(buffer, (size_t)n, &d, &report, &report_len, &why) !=
            WSNMP_OK) {
            wsnmp_deliver_dropped_total++;
            if (report) { /* discovery, time window, unknown user, wrong key: say so */
                sendto(l->fd, report, report_len, 0, (const struct sockaddr *)&from, fromlen);
                free(report);
            }
            continue;
        }
        switch (d.pdu.type) {
        case SNMP_PDU_V1TRAP:
            if (!wsnmp_rfc3584_trap_to_v2(&d.pdu)) {
                wsnmp_deliver_dropped_total++;
                break;
            }
            /* v1 traps have no request id: give one, as WinSNMP does */
            d.pdu.request_id = wsnmp_random_request_id();
            notify(l, &d, buffer, (size_t)n, &from, fromlen);
            break;
        case SNMP_PDU_TRAP:
        case SNMP_PDU_INFORM:
            notify(l, &d, buffer, (size_t)n, &from, fromlen);
            break;
        case SNMP_PDU_GET:
        case SNMP_PDU_GETNEXT:
        case SNMP_PDU_GETBULK:
        case SNMP_PDU_SET:
            serve_request(l, &d, buffer, (size_t)n, &from, fromlen);
            break;
        default:
            wsnmp_deliver_dropped_total++;
            break;
        }
        wsnmp_decoded_free(&d);
    }
}

void wsnmp_notify_release(void)
{
    while (listeners) {
        wsnmp_listener *l = listeners;
        listeners = l->next;
        close(l->fd);
        free(l);
    }
}
