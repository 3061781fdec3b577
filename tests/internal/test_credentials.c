/*
 * test_credentials.c — the one credentials type (src/core/model/credentials.c):
 * what a security level keeps, deep copies, the credentials a message is
 * sent with, the checks of a USM user (whose reasons never quote a
 * passphrase), the in-place wipe of every secret byte, and clear.
 */
#include "model.h"
#include "../test.h"

#define AUTH_PASS "Auth-Passphrase-1"
#define PRIV_PASS "Priv-Passphrase-2"

static bool all_zero(const void *p, size_t len)
{
    const unsigned char *b = p;
    for (size_t i = 0; i < len; i++)
        if (b[i])
            return false;
    return true;
}

/* Two byte strings hold the same bytes in different memory. */
static bool octets_copied(const smiOCTETS *copy, const smiOCTETS *orig)
{
    return copy->len == orig->len && copy->ptr && orig->ptr && copy->ptr != orig->ptr &&
           memcmp(copy->ptr, orig->ptr, orig->len) == 0;
}

static bool string_copied(const char *copy, const char *orig)
{
    return copy && orig && copy != orig && strcmp(copy, orig) == 0;
}

static WsnmpUsm usm(int level)
{
    static smiBYTE ctx[] = "ctx";
    WsnmpUsm u = {"alice",        level,     WSNMP_AUTH_SHA256, AUTH_PASS,
                  WSNMP_PRIV_AES, PRIV_PASS, {3, ctx}};
    return u;
}

static void test_set_usm(void)
{
    wsnmp_credentials c;
    memset(&c, 0, sizeof c);

    TEST_SECTION("set_usm keeps what the level needs");
    WsnmpUsm u = usm(WSNMP_LEVEL_NOAUTH_NOPRIV);
    CHECK(wsnmp_credentials_set_usm(&c, &u));
    CHECK(string_copied(c.user, u.user));
    CHECK_EQ_INT(c.level, WSNMP_LEVEL_NOAUTH_NOPRIV);
    CHECK(c.auth_pass == NULL && c.priv_pass == NULL);
    CHECK(c.auth == WSNMP_AUTH_NONE && c.priv == WSNMP_PRIV_NONE);
    CHECK(octets_copied(&c.context, &u.context));

    u = usm(WSNMP_LEVEL_AUTH_NOPRIV);
    CHECK(wsnmp_credentials_set_usm(&c, &u));
    CHECK(string_copied(c.auth_pass, AUTH_PASS) && c.auth_pass != u.auth_pass);
    CHECK_EQ_INT(c.auth, WSNMP_AUTH_SHA256);
    CHECK(c.priv_pass == NULL && c.priv == WSNMP_PRIV_NONE);

    u = usm(WSNMP_LEVEL_AUTH_PRIV);
    CHECK(wsnmp_credentials_set_usm(&c, &u));
    CHECK(string_copied(c.user, u.user));
    CHECK(string_copied(c.auth_pass, u.auth_pass));
    CHECK(string_copied(c.priv_pass, u.priv_pass));
    CHECK(c.auth == WSNMP_AUTH_SHA256 && c.priv == WSNMP_PRIV_AES);
    CHECK_EQ_INT(c.level, WSNMP_LEVEL_AUTH_PRIV);

    /* Back down a level: the passphrases go (valgrind sees them freed). */
    u = usm(WSNMP_LEVEL_NOAUTH_NOPRIV);
    CHECK(wsnmp_credentials_set_usm(&c, &u));
    CHECK(c.auth_pass == NULL && c.priv_pass == NULL);

    TEST_SECTION("set_usm copies its input");
    char user[] = "bob", pass[] = "12345678";
    smiBYTE name[] = "room";
    WsnmpUsm v = {user,     WSNMP_LEVEL_AUTH_NOPRIV, WSNMP_AUTH_MD5, pass, WSNMP_PRIV_NONE, NULL,
                  {4, name}};
    CHECK(wsnmp_credentials_set_community(&c, (const smiBYTE *)"comm", 4));
    CHECK(wsnmp_credentials_set_usm(&c, &v));
    memset(user, 'X', 3);
    memset(pass, 'X', 8);
    memset(name, 'X', 4);
    CHECK_STR_EQ(c.user, "bob");
    CHECK_STR_EQ(c.auth_pass, "12345678");
    CHECK(c.context.len == 4 && memcmp(c.context.ptr, "room", 4) == 0);
    CHECK(c.community.len == 4 && memcmp(c.community.ptr, "comm", 4) == 0); /* untouched */

    TEST_SECTION("set_community");
    CHECK(wsnmp_credentials_set_community(&c, (const smiBYTE *)"a\0b", 3));
    CHECK(c.community.len == 3 && memcmp(c.community.ptr, "a\0b", 3) == 0);
    CHECK(wsnmp_credentials_set_community(&c, NULL, 0));
    CHECK(c.community.len == 0 && c.community.ptr == NULL);
    CHECK_STR_EQ(c.user, "bob"); /* the USM part stays */
    wsnmp_credentials_clear(&c);
}

/* Credentials with every part set: community with NUL bytes inside, a
 * user at authPriv, a context name with a NUL byte inside. */
static smiBYTE community_bytes[] = {'p', 0, 'u', 'b', 0, 0, 'x'};
static smiBYTE context_bytes[] = {'c', 't', 0, 'x'};

static void full(wsnmp_credentials *c, int version)
{
    WsnmpUsm u = usm(WSNMP_LEVEL_AUTH_PRIV);
    u.context.ptr = context_bytes;
    u.context.len = sizeof context_bytes;
    memset(c, 0, sizeof *c);
    c->version = version;
    if (!wsnmp_credentials_set_community(c, community_bytes, sizeof community_bytes) ||
        !wsnmp_credentials_set_usm(c, &u)) {
        fprintf(stderr, "out of memory\n");
        exit(2);
    }
}

static void test_copy(void)
{
    wsnmp_credentials src, dst;
    const smiOCTETS community = {sizeof community_bytes, community_bytes};
    const smiOCTETS context = {sizeof context_bytes, context_bytes};

    TEST_SECTION("copy is deep");
    full(&src, WSNMP_VERSION_3);
    CHECK(wsnmp_credentials_copy(&dst, &src));
    CHECK_EQ_INT(dst.version, WSNMP_VERSION_3);
    CHECK(octets_copied(&dst.community, &src.community));
    CHECK(string_copied(dst.user, src.user));
    CHECK(string_copied(dst.auth_pass, src.auth_pass));
    CHECK(string_copied(dst.priv_pass, src.priv_pass));
    CHECK(octets_copied(&dst.context, &src.context));
    CHECK(dst.level == src.level && dst.auth == src.auth && dst.priv == src.priv);
    /* The copy outlives its source. */
    wsnmp_credentials_clear(&src);
    CHECK(octets_copied(&dst.community, &community));
    CHECK(octets_copied(&dst.context, &context));
    CHECK_STR_EQ(dst.auth_pass, AUTH_PASS);
    CHECK_STR_EQ(dst.priv_pass, PRIV_PASS);
    wsnmp_credentials_clear(&dst);

    TEST_SECTION("copy without a user");
    memset(&src, 0, sizeof src);
    src.version = WSNMP_VERSION_1;
    CHECK(wsnmp_credentials_set_community(&src, community_bytes, sizeof community_bytes));
    CHECK(wsnmp_octets_copy(&src.context, context_bytes, sizeof context_bytes));
    CHECK(wsnmp_credentials_copy(&dst, &src));
    CHECK_EQ_INT(dst.version, WSNMP_VERSION_1);
    CHECK(octets_copied(&dst.community, &src.community));
    CHECK(octets_copied(&dst.context, &src.context));
    CHECK(dst.user == NULL && dst.auth_pass == NULL && dst.priv_pass == NULL);
    wsnmp_credentials_clear(&src);
    wsnmp_credentials_clear(&dst);

    TEST_SECTION("copy of empty credentials");
    memset(&src, 0, sizeof src);
    CHECK(wsnmp_credentials_copy(&dst, &src));
    CHECK(all_zero(&dst, sizeof dst));
}

static void test_for_send(void)
{
    wsnmp_credentials src, dst;
    smiBYTE other_bytes[] = {'o', 't', 0, 'h'};
    const smiOCTETS other = {sizeof other_bytes, other_bytes}, empty = {0, NULL};
    const smiOCTETS community = {sizeof community_bytes, community_bytes};
    const smiOCTETS context = {sizeof context_bytes, context_bytes};

    TEST_SECTION("for_send v2c: the context replaces the community");
    full(&src, WSNMP_VERSION_2C);
    CHECK(wsnmp_credentials_for_send(&dst, &src, &other));
    CHECK_EQ_INT(dst.version, WSNMP_VERSION_2C);
    CHECK(octets_copied(&dst.community, &other));
    CHECK(dst.user == NULL && dst.auth_pass == NULL && dst.priv_pass == NULL);
    CHECK(dst.context.len == 0);
    wsnmp_credentials_clear(&dst);
    CHECK(wsnmp_credentials_for_send(&dst, &src, NULL)); /* no context: its own community */
    CHECK(octets_copied(&dst.community, &community));
    CHECK(dst.user == NULL);
    wsnmp_credentials_clear(&dst);
    CHECK(wsnmp_credentials_for_send(&dst, &src, &empty)); /* an empty community */
    CHECK(dst.community.len == 0);
    wsnmp_credentials_clear(&dst);
    src.version = WSNMP_VERSION_1;
    CHECK(wsnmp_credentials_for_send(&dst, &src, &other));
    CHECK_EQ_INT(dst.version, WSNMP_VERSION_1);
    CHECK(octets_copied(&dst.community, &other));
    wsnmp_credentials_clear(&dst);
    wsnmp_credentials_clear(&src);

    TEST_SECTION("for_send v3: the context replaces the context name");
    full(&src, WSNMP_VERSION_3);
    CHECK(wsnmp_credentials_for_send(&dst, &src, &other));
    CHECK_EQ_INT(dst.version, WSNMP_VERSION_3);
    CHECK(octets_copied(&dst.context, &other));
    CHECK(string_copied(dst.user, src.user));
    CHECK(string_copied(dst.auth_pass, src.auth_pass));
    CHECK(string_copied(dst.priv_pass, src.priv_pass));
    CHECK(dst.level == WSNMP_LEVEL_AUTH_PRIV && dst.auth == src.auth && dst.priv == src.priv);
    CHECK(dst.community.len == 0 && dst.community.ptr == NULL); /* v3 sends no community */
    wsnmp_credentials_clear(&dst);
    CHECK(wsnmp_credentials_for_send(&dst, &src, NULL));
    CHECK(octets_copied(&dst.context, &context));
    wsnmp_credentials_clear(&dst);
    CHECK(wsnmp_credentials_for_send(&dst, &src, &empty));
    CHECK(dst.context.len == 0);
    wsnmp_credentials_clear(&dst);

    TEST_SECTION("for_send v3 without a user fails");
    wsnmp_credentials_clear_usm(&src);
    CHECK(src.user == NULL);
    memset(&dst, 0xA5, sizeof dst); /* garbage: for_send starts from scratch */
    CHECK(!wsnmp_credentials_for_send(&dst, &src, &other));
    CHECK(all_zero(&dst, sizeof dst));
    CHECK(!wsnmp_credentials_for_send(&dst, &src, NULL));
    CHECK(all_zero(&dst, sizeof dst));
    wsnmp_credentials_clear(&src);
}

/* check_usm fails, with a reason that quotes no passphrase. */
static bool refused(const WsnmpUsm *u)
{
    const char *why = NULL;
    wsnmp_result r = wsnmp_credentials_check_usm(u, &why);
    if (r == WSNMP_OK || why == NULL || why[0] == '\0')
        return false;
    if (u->auth_pass && u->auth_pass[0] && strstr(why, u->auth_pass))
        return false;
    if (u->priv_pass && u->priv_pass[0] && strstr(why, u->priv_pass))
        return false;
    return r == SNMPAPI_OTHER_ERROR;
}

static bool accepted(const WsnmpUsm *u)
{
    const char *why = NULL;
    return wsnmp_credentials_check_usm(u, &why) == WSNMP_OK;
}

static void test_check_usm(void)
{
    WsnmpUsm u;
    char long_user[WSNMP_MAX_NAME + 1];
    memset(long_user, 'u', WSNMP_MAX_NAME);
    long_user[WSNMP_MAX_NAME] = '\0';

    TEST_SECTION("check_usm accepts");
    u = usm(WSNMP_LEVEL_AUTH_PRIV);
    CHECK(accepted(&u));
    u.auth_pass = "Qz8#kLm2"; /* exactly 8 */
    u.priv_pass = "Wv5!pRt9";
    CHECK(accepted(&u));
    u = usm(WSNMP_LEVEL_NOAUTH_NOPRIV);
    u.auth_pass = u.priv_pass = "Qz8#k"; /* not used at this level */
    CHECK(accepted(&u));
    u = usm(WSNMP_LEVEL_AUTH_NOPRIV);
    u.priv = WSNMP_PRIV_NONE;
    u.priv_pass = NULL;
    CHECK(accepted(&u));
    long_user[WSNMP_MAX_NAME - 1] = '\0'; /* 127 characters */
    u.user = long_user;
    CHECK(accepted(&u));
    long_user[WSNMP_MAX_NAME - 1] = 'u';

    TEST_SECTION("check_usm refuses short passphrases");
    u = usm(WSNMP_LEVEL_AUTH_PRIV);
    u.auth_pass = "Qz8#kLm"; /* 7 */
    CHECK(refused(&u));
    u.auth_pass = "";
    CHECK(refused(&u));
    u.auth_pass = NULL;
    CHECK(refused(&u));
    u = usm(WSNMP_LEVEL_AUTH_PRIV);
    u.priv_pass = "Wv5!pRt";
    CHECK(refused(&u));
    u.priv_pass = NULL;
    CHECK(refused(&u));
    u = usm(WSNMP_LEVEL_AUTH_NOPRIV);
    u.auth_pass = "Qz8#k";
    CHECK(refused(&u));

    TEST_SECTION("check_usm refuses unknown levels and protocols");
    const int bad_levels[] = {0, -1, WSNMP_LEVEL_AUTH_PRIV + 1};
    for (size_t i = 0; i < sizeof bad_levels / sizeof bad_levels[0]; i++) {
        u = usm(bad_levels[i]);
        CHECK(refused(&u));
    }
    u = usm(WSNMP_LEVEL_AUTH_PRIV);
    u.auth = WSNMP_AUTH_SHA512 + 1;
    CHECK(refused(&u));
    u.auth = -1;
    CHECK(refused(&u));
    u = usm(WSNMP_LEVEL_AUTH_PRIV);
    u.priv = WSNMP_PRIV_AES256 + 1;
    CHECK(refused(&u));
    u.priv = -1;
    CHECK(refused(&u));
    u = usm(WSNMP_LEVEL_NOAUTH_NOPRIV);
    u.auth = 99; /* unknown even where it is not used */
    CHECK(refused(&u));

    TEST_SECTION("check_usm refuses missing protocols, users and bad contexts");
    u = usm(WSNMP_LEVEL_AUTH_PRIV);
    u.priv = WSNMP_PRIV_NONE; /* authPriv without priv */
    CHECK(refused(&u));
    u = usm(WSNMP_LEVEL_AUTH_NOPRIV);
    u.auth = WSNMP_AUTH_NONE;
    CHECK(refused(&u));
    u = usm(WSNMP_LEVEL_AUTH_PRIV);
    u.user = NULL;
    CHECK(refused(&u));
    u.user = "";
    CHECK(refused(&u));
    u.user = long_user; /* 128 characters */
    CHECK(refused(&u));
    u = usm(WSNMP_LEVEL_AUTH_PRIV);
    u.context.len = WSNMP_MAX_CONTEXT + 1;
    CHECK(refused(&u));
    u.context.len = 3;
    u.context.ptr = NULL;
    CHECK(refused(&u));
}

static void test_wipe_and_clear(void)
{
    wsnmp_credentials c;

    TEST_SECTION("wipe overwrites every secret byte in place");
    full(&c, WSNMP_VERSION_3);
    const smiBYTE *community = c.community.ptr, *context = c.context.ptr;
    const char *user = c.user, *auth = c.auth_pass, *priv = c.priv_pass;
    size_t user_len = strlen(c.user), auth_len = strlen(c.auth_pass),
           priv_len = strlen(c.priv_pass);
    CHECK(user_len > 0 && auth_len > 0 && priv_len > 0);
    wsnmp_credentials_wipe(&c);
    /* In place: the same memory, nothing freed. */
    CHECK(c.community.ptr == community && c.context.ptr == context);
    CHECK(c.user == user && c.auth_pass == auth && c.priv_pass == priv);
    CHECK(all_zero(c.community.ptr, c.community.len));
    CHECK(all_zero(c.user, user_len));
    CHECK(all_zero(c.auth_pass, auth_len));
    CHECK(all_zero(c.priv_pass, priv_len));
    CHECK(all_zero(c.context.ptr, c.context.len));
    CHECK_EQ_INT(c.community.len, sizeof community_bytes);
    CHECK_EQ_INT(c.context.len, sizeof context_bytes);

    TEST_SECTION("clear leaves the struct all zero");
    wsnmp_credentials_clear(&c);
    CHECK(all_zero(&c, sizeof c));
    wsnmp_credentials_clear(&c); /* twice */
    CHECK(all_zero(&c, sizeof c));
    full(&c, WSNMP_VERSION_2C);
    wsnmp_credentials_clear(&c);
    CHECK(all_zero(&c, sizeof c));

    TEST_SECTION("clear and wipe of empty credentials");
    memset(&c, 0, sizeof c);
    wsnmp_credentials_wipe(&c);
    CHECK(all_zero(&c, sizeof c));
    wsnmp_credentials_clear(&c);
    CHECK(all_zero(&c, sizeof c));

    TEST_SECTION("clear_usm keeps the community");
    full(&c, WSNMP_VERSION_3);
    wsnmp_credentials_clear_usm(&c);
    CHECK(c.user == NULL && c.auth_pass == NULL && c.priv_pass == NULL);
    CHECK(c.context.len == 0 && c.context.ptr == NULL);
    CHECK(c.level == 0 && c.auth == 0 && c.priv == 0);
    CHECK(c.community.len == sizeof community_bytes &&
          memcmp(c.community.ptr, community_bytes, sizeof community_bytes) == 0);
    wsnmp_credentials_clear(&c);
}

int main(void)
{
    test_set_usm();
    test_copy();
    test_for_send();
    test_check_usm();
    test_wipe_and_clear();
    return TEST_REPORT();
}
