/*
 * lock.c — the library lock.  Every public entry point takes it
 * (api/locked.c, generated), so a program's threads may call the library
 * while the opt-in service thread (engine/service.c) runs the poll loop.
 * It nests per thread: a callback that calls the API from inside the poll
 * loop takes it again.  Without the service thread it is never contended.
 */
#include "base.h"

#include <pthread.h>

static pthread_mutex_t mutex = PTHREAD_MUTEX_INITIALIZER;
static _Thread_local unsigned depth; /* how often this thread holds it */
static void (*release_hook)(void);   /* under the lock */
static uint64_t generation;          /* outermost releases; under the lock */

void wsnmp_lock_enter(void)
{
    if (depth++ == 0)
        pthread_mutex_lock(&mutex);
}

void wsnmp_lock_leave(void)
{
    if (--depth == 0) {
        generation++;
        if (release_hook)
            release_hook();
        pthread_mutex_unlock(&mutex);
    }
}

unsigned wsnmp_lock_suspend(void)
{
    unsigned held = depth;
    if (held) {
        depth = 0;
        pthread_mutex_unlock(&mutex);
    }
    return held;
}

void wsnmp_lock_resume(unsigned held)
{
    if (held) {
        pthread_mutex_lock(&mutex);
        depth = held;
    }
}

uint64_t wsnmp_lock_generation(void)
{
    return generation;
}

void wsnmp_lock_set_release_hook(void (*hook)(void))
{
    release_hook = hook;
}
