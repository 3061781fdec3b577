/*
 * secure.c — memory for secrets (passphrases, communities, keys and what
 * is derived from them): pages excluded from core dumps
 * (madvise(MADV_DONTDUMP)) and locked in RAM where mlock is permitted
 * (RLIMIT_MEMLOCK; a refusal is quiet and only counted), and every block
 * wiped when freed.  Small blocks share pages by size class; a block above
 * the largest class gets a mapping of its own, unmapped when freed.  Pages
 * of the small classes are kept for reuse, never returned.
 */
#include "base.h"

#include <pthread.h>
#include <stdatomic.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>
#include <sys/mman.h>
#include <unistd.h>

#define ARENA_PAGES 16
#define CLASSES 8 /* blocks of 32, 64, ..., 4096 bytes, header included */
#define HEADER 16
#define MAGIC 0x5ec0e7u
#define LARGE 0xffu

typedef struct {
    uint32_t magic;
    uint32_t cls; /* size class, or LARGE */
    size_t size;  /* LARGE: the whole mapping; else the block */
} header;

typedef struct free_block {
    struct free_block *next;
} free_block;

typedef struct arena {
    struct arena *next;
    unsigned char *base;
    size_t len, used; /* bytes handed out to classes (small arenas) */
} arena;

static pthread_mutex_t lock = PTHREAD_MUTEX_INITIALIZER;
/* Bounds of every mapping ever made (they only widen): a pointer outside
 * them is not ours without taking the lock.  That is the answer for most
 * frees of a community or context name, which are in ordinary memory
 * unless they came from an entity, so it is on every request's path. */
static _Atomic uintptr_t mapped_lo = UINTPTR_MAX, mapped_hi;
static free_block *free_lists[CLASSES];
static arena *arenas; /* every mapping, small and large */
static size_t page_size;
static wsnmp_secure_stats stats;

static size_t class_size(unsigned cls)
{
    return (size_t)32 << cls;
}

/* Maps len bytes, excluded from core dumps and locked where permitted. */
static unsigned char *map_pages(size_t len)
{
    void *p = mmap(NULL, len, PROT_READ | PROT_WRITE, MAP_PRIVATE | MAP_ANONYMOUS, -1, 0);
    if (p == MAP_FAILED)
        return NULL;
#ifdef MADV_DONTDUMP
    if (madvise(p, len, MADV_DONTDUMP) == 0)
        stats.dontdump_bytes += len;
#endif
    if (mlock(p, len) == 0) /* EPERM, ENOMEM (RLIMIT_MEMLOCK): not locked, quietly */
        stats.locked_bytes += len;
    stats.mapped_bytes += len;
    uintptr_t lo = (uintptr_t)p, hi = lo + len; /* (under the lock: no lost update) */
    if (lo < atomic_load(&mapped_lo))
        atomic_store(&mapped_lo, lo);
    if (hi > atomic_load(&mapped_hi))
        atomic_store(&mapped_hi, hi);
    return p;
}

static arena *new_arena(size_t len)
{
    arena *a = malloc(sizeof *a);
    if (a == NULL)
        return NULL;
    a->base = map_pages(len);
    if (a->base == NULL) {
        free(a);
        return NULL;
    }
    a->len = len;
    a->used = 0;
    a->next = arenas;
    arenas = a;
    return a;
}

/* One page of fresh blocks of class cls onto its free list. */
static bool grow(unsigned cls)
{
    arena *a = arenas;
    while (a && (a->used == SIZE_MAX || a->len - a->used < page_size))
        a = a->next;
    if (a == NULL && (a = new_arena(ARENA_PAGES * page_size)) == NULL)
        return false;
    unsigned char *page = a->base + a->used;
    a->used += page_size;
    size_t bs = class_size(cls);
    for (size_t off = 0; off + bs <= page_size; off += bs) {
        free_block *b = (free_block *)(void *)(page + off);
        b->next = free_lists[cls];
        free_lists[cls] = b;
    }
    return true;
}

void *wsnmp_secure_alloc(size_t n)
{
    pthread_mutex_lock(&lock);
    if (page_size == 0)
        page_size = (size_t)sysconf(_SC_PAGESIZE);
    unsigned char *block = NULL;
    unsigned cls = 0;
    while (cls < CLASSES && class_size(cls) - HEADER < n)
        cls++;
    size_t size;
    if (cls < CLASSES && class_size(cls) <= page_size) {
        if (free_lists[cls] != NULL || grow(cls)) {
            block = (unsigned char *)free_lists[cls];
            free_lists[cls] = free_lists[cls]->next;
            size = class_size(cls);
        }
    } else {
        cls = LARGE;
        size = (n + HEADER + page_size - 1) / page_size * page_size;
        arena *a = n > SIZE_MAX - HEADER - page_size ? NULL : new_arena(size);
        if (a) {
            a->used = SIZE_MAX; /* not for small blocks */
            block = a->base;
        }
    }
    if (block) {
        memset(block, 0, size);
        header *h = (header *)(void *)block;
        h->magic = MAGIC;
        h->cls = cls;
        h->size = size;
        stats.blocks++;
        stats.bytes += size;
    }
    pthread_mutex_unlock(&lock);
    return block ? block + HEADER : NULL;
}

static arena *owner(const void *p)
{
    const unsigned char *c = p;
    for (arena *a = arenas; a; a = a->next)
        if (c >= a->base && c < a->base + a->len)
            return a;
    return NULL;
}

bool wsnmp_secure_owns(const void *p)
{
    uintptr_t a = (uintptr_t)p;
    if (p == NULL || a < atomic_load(&mapped_lo) || a >= atomic_load(&mapped_hi))
        return false;
    pthread_mutex_lock(&lock);
    bool yes = owner(p) != NULL;
    pthread_mutex_unlock(&lock);
    return yes;
}

void wsnmp_secure_free(void *p)
{
    if (p == NULL)
        return;
    unsigned char *block = (unsigned char *)p - HEADER;
    pthread_mutex_lock(&lock);
    arena *a = owner(p);
    header *h = (header *)(void *)block;
    if (a == NULL || h->magic != MAGIC) {
        pthread_mutex_unlock(&lock);
        abort(); /* not ours: a bug that must not go unnoticed */
    }
    size_t size = h->size;
    unsigned cls = h->cls;
    explicit_bzero(block, size);
    stats.blocks--;
    stats.bytes -= size;
    if (cls == LARGE) {
        arena **link = &arenas;
        while (*link != a)
            link = &(*link)->next;
        *link = a->next;
        if (munlock(a->base, a->len) == 0)
            stats.locked_bytes -= a->len;
#ifdef MADV_DONTDUMP
        stats.dontdump_bytes -= a->len;
#endif
        stats.mapped_bytes -= a->len;
        munmap(a->base, a->len);
        free(a);
    } else {
        free_block *b = (free_block *)(void *)block;
        b->next = free_lists[cls];
        free_lists[cls] = b;
    }
    pthread_mutex_unlock(&lock);
}

char *wsnmp_secure_string_dup(const char *s)
{
    if (s == NULL)
        return NULL;
    size_t n = strlen(s) + 1;
    char *p = wsnmp_secure_alloc(n);
    if (p)
        memcpy(p, s, n);
    return p;
}

bool wsnmp_secure_octets_copy(smiOCTETS *dst, const smiBYTE *bytes, smiUINT32 len)
{
    dst->len = len;
    dst->ptr = NULL;
    if (len == 0)
        return true;
    dst->ptr = wsnmp_secure_alloc(len);
    if (dst->ptr == NULL)
        return false;
    memcpy(dst->ptr, bytes, len);
    return true;
}

void wsnmp_secure_get_stats(wsnmp_secure_stats *out)
{
    pthread_mutex_lock(&lock);
    *out = stats;
    pthread_mutex_unlock(&lock);
}

/* ---- a keyed hash of a secret ------------------------------------------------ */

static uint64_t *hash_key; /* in secure memory: the hashes are useless without it */

uint64_t wsnmp_secure_hash(const char *s)
{
    if (hash_key == NULL && (hash_key = wsnmp_secure_alloc(sizeof *hash_key)) != NULL)
        *hash_key = ((uint64_t)(uint32_t)wsnmp_random_request_id() << 32) ^
                    (uint64_t)(uint32_t)wsnmp_random_request_id();
    uint64_t h = 0xcbf29ce484222325ULL ^ (hash_key ? *hash_key : 0);
    for (const unsigned char *p = (const unsigned char *)s; *p; p++)
        h = (h ^ *p) * 0x100000001b3ULL;
    h ^= h >> 29;
    return h ? h : 1; /* 0 means "no secret" */
}
