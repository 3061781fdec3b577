/*
 * test_secure.c — memory for secrets (src/core/base/secure.c): blocks are
 * zeroed, distinct and aligned; a freed block is wiped in place (read back
 * through the pointer, whose page stays mapped for small blocks); large
 * blocks get their own mapping; the pages are excluded from core dumps
 * (checked in /proc/self/smaps: VmFlags "dd"); the frees of secrets take
 * both secure and ordinary memory; the keyed hash.  And the passphrase
 * users of credentials (model/credentials.c): the release hook runs when
 * the last holder of a passphrase is cleared, not before.
 */
#include "model.h"
#include "../test.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

static bool all_zero(const void *p, size_t len)
{
    const unsigned char *b = p;
    for (size_t i = 0; i < len; i++)
        if (b[i])
            return false;
    return true;
}

/* Whether /proc/self/smaps marks the mapping holding p "dd" (MADV_DONTDUMP). */
static int dontdump(const void *p)
{
    FILE *f = fopen("/proc/self/smaps", "r");
    if (f == NULL)
        return -1;
    char line[512];
    bool inside = false;
    int found = 0;
    uintptr_t a = (uintptr_t)p;
    while (fgets(line, sizeof line, f)) {
        unsigned long lo, hi;
        if (sscanf(line, "%lx-%lx ", &lo, &hi) == 2 && strchr(line, '-') < strchr(line, ' '))
            inside = a >= lo && a < hi;
        else if (inside && strncmp(line, "VmFlags:", 8) == 0) {
            found = strstr(line, " dd") != NULL ? 1 : 0;
            break;
        }
    }
    fclose(f);
    return found;
}

static void test_blocks(void)
{
    TEST_SECTION("blocks");
    wsnmp_secure_stats before, st;
    wsnmp_secure_get_stats(&before);
    unsigned char *a = wsnmp_secure_alloc(20), *b = wsnmp_secure_alloc(20);
    CHECK(a != NULL && b != NULL && a != b);
    CHECK(all_zero(a, 20));
    CHECK((uintptr_t)a % 16 == 0);
    CHECK(wsnmp_secure_owns(a) && wsnmp_secure_owns(b + 19));
    int x = 0;
    CHECK(!wsnmp_secure_owns(&x));
    CHECK(!wsnmp_secure_owns(NULL));
    memset(a, 0xAA, 20);
    memset(b, 0xBB, 20);
    wsnmp_secure_get_stats(&st);
    CHECK_EQ_INT((int)(st.blocks - before.blocks), 2);
    CHECK(st.mapped_bytes > 0);
    CHECK(st.locked_bytes <= st.mapped_bytes);
    /* wiped when freed: the page stays mapped, so the bytes can be read */
    wsnmp_secure_free(a);
    CHECK(all_zero(a, 20));
    CHECK(b[0] == 0xBB && b[19] == 0xBB);
    unsigned char *c = wsnmp_secure_alloc(20); /* the freed block, zeroed */
    CHECK(c != NULL && all_zero(c, 20));
    wsnmp_secure_free(b);
    wsnmp_secure_free(c);
    wsnmp_secure_free(NULL);
    wsnmp_secure_get_stats(&st);
    CHECK_EQ_INT((int)st.blocks, (int)before.blocks);

    /* many blocks of several sizes, each distinct and intact */
    enum { N = 600 };
    unsigned char *many[N];
    for (int i = 0; i < N; i++) {
        size_t n = (size_t)(1 + (i * 37) % 3000);
        many[i] = wsnmp_secure_alloc(n);
        CHECK(many[i] != NULL);
        if (many[i])
            memset(many[i], i & 0xff, n);
    }
    bool intact = true;
    for (int i = 0; i < N; i++) {
        size_t n = (size_t)(1 + (i * 37) % 3000);
        for (size_t j = 0; j < n; j++)
            intact = intact && many[i][j] == (unsigned char)(i & 0xff);
    }
    CHECK(intact);
    for (int i = 0; i < N; i++)
        wsnmp_secure_free(many[i]);

    /* a large block: its own mapping, unmapped when freed */
    wsnmp_secure_get_stats(&before);
    unsigned char *big = wsnmp_secure_alloc(100000);
    CHECK(big != NULL && all_zero(big, 100000));
    CHECK(dontdump(big) != 0);
    wsnmp_secure_get_stats(&st);
    CHECK(st.mapped_bytes >= before.mapped_bytes + 100000);
    wsnmp_secure_free(big);
    wsnmp_secure_get_stats(&st);
    CHECK_EQ_INT((int)(st.mapped_bytes - before.mapped_bytes), 0);
}

static void test_dontdump(void)
{
    TEST_SECTION("excluded from core dumps");
    char *s = wsnmp_secure_string_dup("a passphrase");
    CHECK(s != NULL && strcmp(s, "a passphrase") == 0);
    CHECK(dontdump(s) != 0); /* -1: no smaps here; 1: dd */
    int on_heap = 0;
    char *plain = malloc(64);
    CHECK(plain != NULL);
    on_heap = dontdump(plain);
    CHECK(on_heap != 1);
    free(plain);
    wsnmp_secure_stats st;
    wsnmp_secure_get_stats(&st);
    CHECK_EQ_INT((int)(st.dontdump_bytes == st.mapped_bytes), 1);
    wsnmp_string_free_secret(s); /* takes secure memory too, and wipes */
    CHECK(all_zero(s, 12));
}

static void test_frees_of_secrets(void)
{
    TEST_SECTION("the frees of secrets take both kinds of memory");
    smiOCTETS o;
    CHECK(wsnmp_secure_octets_copy(&o, (const smiBYTE *)"community", 9));
    CHECK(wsnmp_secure_owns(o.ptr));
    smiBYTE *p = o.ptr;
    wsnmp_octets_free_secret(&o);
    CHECK(o.ptr == NULL && o.len == 0);
    CHECK(all_zero(p, 9));
    CHECK(wsnmp_octets_copy(&o, (const smiBYTE *)"community", 9));
    CHECK(!wsnmp_secure_owns(o.ptr));
    wsnmp_octets_free_secret(&o); /* ordinary memory: wiped and freed */
    CHECK(o.ptr == NULL);
    wsnmp_string_free_secret(wsnmp_string_dup("plain"));
}

static void test_hash(void)
{
    TEST_SECTION("keyed hash");
    CHECK(wsnmp_secure_hash("x") == wsnmp_secure_hash("x"));
    CHECK(wsnmp_secure_hash("x") != wsnmp_secure_hash("y"));
    CHECK(wsnmp_secure_hash("") != 0);
}

static uint64_t released[8];
static int n_released;
static void on_release(uint64_t h)
{
    if (n_released < 8)
        released[n_released++] = h;
}

static void test_passphrase_users(void)
{
    TEST_SECTION("passphrase users");
    wsnmp_credentials_set_release_hook(on_release);
    WsnmpUsm u = {"alice",        WSNMP_LEVEL_AUTH_PRIV, WSNMP_AUTH_SHA, "auth-passphrase",
                  WSNMP_PRIV_AES, "priv-passphrase",     {0, NULL}};
    wsnmp_credentials a = {0}, b = {0};
    a.version = b.version = WSNMP_VERSION_3;
    CHECK(wsnmp_credentials_set_usm(&a, &u));
    CHECK(wsnmp_secure_owns(a.auth_pass) && wsnmp_secure_owns(a.priv_pass));
    CHECK_EQ_INT((int)wsnmp_credentials_live_passphrases(), 2);
    CHECK(wsnmp_credentials_copy(&b, &a));
    CHECK_EQ_INT((int)wsnmp_credentials_live_passphrases(), 2);
    wsnmp_credentials_clear(&a);
    CHECK_EQ_INT(n_released, 0); /* b still holds them */
    char *auth = b.auth_pass;
    size_t len = strlen(auth);
    wsnmp_credentials_clear(&b);
    CHECK_EQ_INT(n_released, 2);
    CHECK(n_released == 2 && released[0] == wsnmp_secure_hash("auth-passphrase") &&
          released[1] == wsnmp_secure_hash("priv-passphrase"));
    CHECK(all_zero(auth, len));
    CHECK_EQ_INT((int)wsnmp_credentials_live_passphrases(), 0);
    wsnmp_credentials_set_release_hook(NULL);
}

int main(void)
{
    test_blocks();
    test_dontdump();
    test_frees_of_secrets();
    test_hash();
    test_passphrase_users();
    return TEST_REPORT();
}
