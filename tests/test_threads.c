/*
 * test_threads.c — the opt-in service thread and the library lock (issue
 * 16): start and stop, WsnmpPoll refused from other threads while it runs,
 * callbacks on the service thread for requests sent from several program
 * threads at once, stopping from a callback, SnmpCleanup stopping it.
 * Built with ThreadSanitizer by `make tsan`.
 */
#include "test.h"

#include <pthread.h>
#include <stdatomic.h>
#include <unistd.h>

static atomic_int events;
static pthread_t service_thread_seen;
static atomic_int stop_from_callback;

static SNMPAPI_STATUS CALLBACK on_event(HSNMP_SESSION s, HWND w, UINT m, WPARAM wp, LPARAM lp,
                                        LPVOID data)
{
    (void)w, (void)m, (void)lp, (void)data;
    service_thread_seen = pthread_self();
    HSNMP_PDU pdu = NULL;
    SnmpRecvMsg(s, NULL, NULL, NULL, &pdu); /* the timeout's failure, with its PDU */
    if (pdu)
        SnmpFreePdu(pdu);
    if (atomic_load(&stop_from_callback))
        WsnmpStopServiceThread();
    atomic_fetch_add(&events, 1);
    (void)wp;
    return SNMPAPI_SUCCESS;
}

/* A program thread: entities, contexts and requests to a silent port. */
static void *worker(void *arg)
{
    HSNMP_SESSION s = (HSNMP_SESSION)arg;
    for (int i = 0; i < 50; i++) {
        char text[32];
        snprintf(text, sizeof text, "127.0.0.1:%d", 9 + i % 3);
        HSNMP_ENTITY e = SnmpStrToEntity(s, text);
        smiOCTETS c = {6, (smiLPBYTE) "public"};
        HSNMP_CONTEXT ctx = SnmpStrToContext(s, &c);
        if (i % 10 == 0) {
            WsnmpSetTimeoutMs(e, 20);
            WsnmpSetRetries(e, 0);
            HSNMP_PDU p = SnmpCreatePdu(s, SNMP_PDU_GET, 0, 0, 0, NULL);
            SnmpSendMsg(s, NULL, e, ctx, p);
            SnmpFreePdu(p);
        }
        SnmpFreeContext(ctx);
        SnmpFreeEntity(e);
    }
    return NULL;
}

static int wait_events(int n)
{
    for (int i = 0; i < 300 && atomic_load(&events) < n; i++)
        usleep(10000);
    return atomic_load(&events) >= n;
}

int main(void)
{
    CHECK_OK(SnmpStartup(NULL, NULL, NULL, NULL, NULL));
    TEST_SECTION("start and stop");
    CHECK_EQ_INT(WsnmpServiceThreadRunning(), 0);
    CHECK_FAIL(WsnmpStopServiceThread(), SNMPAPI_NOOP);
    CHECK_OK(WsnmpStartServiceThread());
    CHECK_EQ_INT(WsnmpServiceThreadRunning(), 1);
    CHECK_FAIL(WsnmpStartServiceThread(), SNMPAPI_NOOP);
    CHECK_FAIL(WsnmpPoll(0, NULL), SNMPAPI_OPERATION_INVALID);
    CHECK_OK(WsnmpStopServiceThread());
    CHECK_EQ_INT(WsnmpServiceThreadRunning(), 0);
    CHECK_OK(WsnmpPoll(0, NULL));

    TEST_SECTION("callbacks from the service thread, calls from four threads");
    HSNMP_SESSION s = SnmpCreateSession(NULL, 0, on_event, NULL);
    CHECK_HANDLE(s);
    CHECK_OK(WsnmpStartServiceThread());
    pthread_t t[4];
    for (int i = 0; i < 4; i++)
        pthread_create(&t[i], NULL, worker, s);
    for (int i = 0; i < 4; i++)
        pthread_join(t[i], NULL);
    /* 4 threads x 5 requests, each timing out after 20 ms. */
    CHECK(wait_events(20));
    CHECK_EQ_INT(atomic_load(&events), 20);
    CHECK(!pthread_equal(service_thread_seen, pthread_self()));
    WsnmpStats st;
    CHECK_OK(WsnmpGetStats(s, &st));
    CHECK_EQ_INT(st.entities + st.contexts + st.pdus + st.pending, 0);

    TEST_SECTION("stopped from its own callback");
    atomic_store(&stop_from_callback, 1);
    HSNMP_ENTITY e = SnmpStrToEntity(s, "127.0.0.1:9");
    WsnmpSetTimeoutMs(e, 20);
    WsnmpSetRetries(e, 0);
    HSNMP_PDU p = SnmpCreatePdu(s, SNMP_PDU_GET, 0, 0, 0, NULL);
    CHECK_OK(SnmpSendMsg(s, NULL, e, NULL, p));
    CHECK(wait_events(21));
    for (int i = 0; i < 100 && WsnmpServiceThreadRunning(); i++)
        usleep(10000);
    CHECK_EQ_INT(WsnmpServiceThreadRunning(), 0);
    usleep(50000); /* the detached thread ends */
    atomic_store(&stop_from_callback, 0);

    TEST_SECTION("SnmpCleanup stops it");
    CHECK_OK(WsnmpStartServiceThread());
    CHECK_OK(SnmpCleanup());
    CHECK_EQ_INT(WsnmpServiceThreadRunning(), 0);
    return TEST_REPORT();
}
