/*
 * service.c — the opt-in service thread (issue 16).  wsnmp32.dll calls
 * session callbacks from its own thread while a Windows program blocks; a
 * program ported from Windows starts this thread itself
 * (WsnmpStartServiceThread) to get the same.  The library never starts it
 * (no hidden threads), and the Lua binding never does.
 *
 * The thread holds the library lock (base/lock.c) except while it blocks
 * in poll(): then it waits on the sockets and on an eventfd that every
 * other thread's outermost release of the lock writes to, so a request
 * sent, a session opened or closed meanwhile makes it rebuild its poll set
 * (and what it saw during the wait is not trusted: see poll.c).
 */
#include "engine.h"

#include <errno.h>
#include <pthread.h>
#include <string.h>
#include <sys/eventfd.h>
#include <unistd.h>

static pthread_t thread;
static bool running, stopping;
static bool alive; /* from pthread_create until the thread's last locked step */
static int wake_fd = -1;
static bool wake_pending;
static _Thread_local bool on_service_thread;

/* The lock's release hook: wakes the service thread once per change. */
static void wake(void)
{
    if (wake_fd >= 0 && !wake_pending && !on_service_thread) {
        uint64_t one = 1;
        wake_pending = write(wake_fd, &one, sizeof one) == (ssize_t)sizeof one;
    }
}

void wsnmp_service_woken(void)
{
    uint64_t count;
    while (read(wake_fd, &count, sizeof count) > 0)
        ;
    wake_pending = false;
}

bool wsnmp_service_stopping(void)
{
    return stopping;
}

bool wsnmp_service_other_thread(void)
{
    return running && !on_service_thread;
}

static void *service_main(void *arg)
{
    (void)arg;
    on_service_thread = true;
    wsnmp_lock_enter();
    while (!stopping && wsnmp_library.started)
        wsnmp_poll_run(-1, NULL, wake_fd);
    wsnmp_lock_set_release_hook(NULL);
    close(wake_fd);
    wake_fd = -1;
    wake_pending = false;
    alive = false;
    wsnmp_lock_leave();
    return NULL;
}

WSNMP_API SNMPAPI_STATUS WsnmpStartServiceThread(void)
{
    const char *fn = "WsnmpStartServiceThread";
    if (!wsnmp_library_require_started(fn))
        return SNMPAPI_FAILURE;
    if (running)
        return wsnmp_error_fail(WSNMP_NO_SLOT, SNMPAPI_NOOP, "%s: already running", fn);
    while (alive) {
        /* A thread stopped from its own callback is still ending. */
        unsigned held = wsnmp_lock_suspend();
        usleep(1000);
        wsnmp_lock_resume(held);
    }
    if (running) /* started by another thread meanwhile */
        return wsnmp_error_fail(WSNMP_NO_SLOT, SNMPAPI_NOOP, "%s: already running", fn);
    wake_fd = eventfd(0, EFD_NONBLOCK | EFD_CLOEXEC);
    if (wake_fd < 0)
        return wsnmp_error_fail(WSNMP_NO_SLOT, SNMPAPI_TL_RESOURCE_ERROR, "%s: eventfd: %s", fn,
                                strerror(errno));
    stopping = false;
    wake_pending = false;
    int rc = pthread_create(&thread, NULL, service_main, NULL);
    if (rc != 0) {
        close(wake_fd);
        wake_fd = -1;
        return wsnmp_error_fail(WSNMP_NO_SLOT, SNMPAPI_OTHER_ERROR, "%s: pthread_create: %s", fn,
                                strerror(rc));
    }
    running = true;
    alive = true;
    wsnmp_lock_set_release_hook(wake);
    return SNMPAPI_SUCCESS;
}

void wsnmp_service_stop(void)
{
    if (!running)
        return;
    stopping = true;
    running = false;
    if (on_service_thread) {
        /* From a callback: the thread ends when the callback returns. */
        pthread_detach(thread);
        return;
    }
    wake();
    unsigned held = wsnmp_lock_suspend();
    pthread_join(thread, NULL);
    wsnmp_lock_resume(held);
}

WSNMP_API SNMPAPI_STATUS WsnmpStopServiceThread(void)
{
    if (!running)
        return wsnmp_error_fail(WSNMP_NO_SLOT, SNMPAPI_NOOP,
                                "WsnmpStopServiceThread: the service thread is not running");
    wsnmp_service_stop();
    return SNMPAPI_SUCCESS;
}

WSNMP_API int WsnmpServiceThreadRunning(void)
{
    return running;
}
