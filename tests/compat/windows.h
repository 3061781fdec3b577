/*
 * windows.h — a small stand-in for the Win32 names a WinSNMP program uses
 * that are not WinSNMP's (README "Porting a Windows program"): HANDLE,
 * DWORD, BOOL, and events (CreateEvent, SetEvent, WaitForSingleObject,
 * CloseHandle) over POSIX threads.  winsnmp.h itself defines HWND, UINT,
 * WPARAM, LPARAM, LPVOID, LPCSTR and LPSTR.  Copy it and extend it.
 */
#ifndef WSNMP_COMPAT_WINDOWS_H
#define WSNMP_COMPAT_WINDOWS_H

#include <errno.h>
#include <pthread.h>
#include <stdlib.h>
#include <time.h>

typedef void *HANDLE;
typedef unsigned long DWORD;
typedef int BOOL;
#define TRUE 1
#define FALSE 0
#define INFINITE 0xFFFFFFFFul
#define WAIT_OBJECT_0 0ul
#define WAIT_TIMEOUT 258ul
#define WAIT_FAILED 0xFFFFFFFFul

typedef struct {
    pthread_mutex_t mutex;
    pthread_cond_t cond;
    BOOL manual, set;
} compat_event;

static inline HANDLE CreateEvent(void *attributes, BOOL manual_reset, BOOL initial,
                                 const char *name)
{
    (void)attributes, (void)name;
    compat_event *e = (compat_event *)calloc(1, sizeof *e);
    if (e == NULL)
        return NULL;
    pthread_condattr_t attr;
    pthread_condattr_init(&attr);
    pthread_condattr_setclock(&attr, CLOCK_MONOTONIC);
    pthread_mutex_init(&e->mutex, NULL);
    pthread_cond_init(&e->cond, &attr);
    pthread_condattr_destroy(&attr);
    e->manual = manual_reset;
    e->set = initial;
    return e;
}

static inline BOOL SetEvent(HANDLE h)
{
    compat_event *e = (compat_event *)h;
    pthread_mutex_lock(&e->mutex);
    e->set = TRUE;
    pthread_cond_broadcast(&e->cond);
    pthread_mutex_unlock(&e->mutex);
    return TRUE;
}

static inline DWORD WaitForSingleObject(HANDLE h, DWORD ms)
{
    compat_event *e = (compat_event *)h;
    struct timespec until;
    clock_gettime(CLOCK_MONOTONIC, &until);
    if (ms != INFINITE) {
        until.tv_sec += (time_t)(ms / 1000);
        until.tv_nsec += (long)(ms % 1000) * 1000000L;
        if (until.tv_nsec >= 1000000000L) {
            until.tv_sec++;
            until.tv_nsec -= 1000000000L;
        }
    }
    pthread_mutex_lock(&e->mutex);
    int rc = 0;
    while (!e->set && rc != ETIMEDOUT)
        rc = ms == INFINITE ? pthread_cond_wait(&e->cond, &e->mutex)
                            : pthread_cond_timedwait(&e->cond, &e->mutex, &until);
    BOOL got = e->set;
    if (got && !e->manual)
        e->set = FALSE;
    pthread_mutex_unlock(&e->mutex);
    return got ? WAIT_OBJECT_0 : WAIT_TIMEOUT;
}

static inline BOOL CloseHandle(HANDLE h)
{
    compat_event *e = (compat_event *)h;
    pthread_cond_destroy(&e->cond);
    pthread_mutex_destroy(&e->mutex);
    free(e);
    return TRUE;
}

#endif
