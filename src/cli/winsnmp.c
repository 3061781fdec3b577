/*
 * winsnmp.c — the installed `winsnmp` command: a small C program that
 * embeds Lua 5.4 and runs the same Lua code as bin/winsnmp
 * (winsnmp.cli.main), with one thing a script cannot do: it overwrites the
 * secret arguments (-c COMMUNITY, -A and -X PASSPHRASE) in its own argv
 * once Lua has its copies, so that /proc/PID/cmdline and ps no longer show
 * them while the command runs (as net-snmp's tools do).
 *
 * Modules are found as lua5.4 finds them (LUA_PATH, LUA_CPATH and the
 * default paths); when the winsnmp modules are installed beside this
 * program (PREFIX/bin and PREFIX/share/lua/5.4, a LuaRocks tree included),
 * those come first.  SIGINT becomes the Lua error "interrupted!", as in
 * lua5.4, which the CLI turns into exit status 130.
 */
#include <lauxlib.h>
#include <lua.h>
#include <lualib.h>

#include <limits.h>
#include <signal.h>
#include <stdbool.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#ifndef WSNMP_LMOD_DIR
#define WSNMP_LMOD_DIR "share/lua/5.4"
#endif
#ifndef WSNMP_CMOD_DIR
#define WSNMP_CMOD_DIR "lib/lua/5.4"
#endif

/* ---- the secret arguments ------------------------------------------------- */

/* The option letters whose value is a secret; keep in step with
 * winsnmp.cli.args.secrets (lua/winsnmp/cli/args.lua). */
static bool is_secret_letter(char c)
{
    return c == 'c' || c == 'A' || c == 'X';
}

/* Overwrites the secret values in argv (a value attached to its option,
 * -cSECRET, or the next argument), up to a "--".  The bytes are zeroed in
 * place: the kernel shows the process's argv memory as it is now. */
static void blank_secrets(int argc, char **argv)
{
    for (int i = 1; i < argc; i++) {
        char *a = argv[i];
        if (strcmp(a, "--") == 0)
            break;
        if (a[0] != '-' || !is_secret_letter(a[1]))
            continue;
        char *value = a[2] != '\0' ? a + 2 : (i + 1 < argc ? argv[++i] : NULL);
        if (value != NULL)
            memset(value, 0, strlen(value));
    }
}

/* ---- SIGINT, as lua5.4 handles it ---------------------------------------------- */

static lua_State *running;

static void stop_hook(lua_State *L, lua_Debug *ar)
{
    (void)ar;
    lua_sethook(L, NULL, 0, 0);
    luaL_error(L, "interrupted!");
}

static void on_sigint(int sig)
{
    signal(sig, SIG_DFL); /* a second Ctrl-C ends the process */
    lua_sethook(running, stop_hook, LUA_MASKCALL | LUA_MASKRET | LUA_MASKCOUNT, 1);
}

/* ---- module paths -------------------------------------------------------------- */

/* The installation prefix: the folder above this program's folder. */
static bool exe_prefix(char *buf, size_t size)
{
    ssize_t n = readlink("/proc/self/exe", buf, size - 1);
    if (n <= 0)
        return false;
    buf[n] = '\0';
    for (int up = 0; up < 2; up++) {
        char *slash = strrchr(buf, '/');
        if (slash == NULL)
            return false;
        *slash = '\0';
    }
    return true;
}

/* `dir` (absolute, or relative to `prefix`) into buf. */
static void resolve(char *buf, size_t size, const char *prefix, const char *dir)
{
    if (dir[0] == '/')
        snprintf(buf, size, "%s", dir);
    else
        snprintf(buf, size, "%s/%s", prefix, dir);
}

/* Puts `first` in front of package[field]. */
static void prepend_path(lua_State *L, const char *field, const char *first)
{
    lua_getglobal(L, "package");
    lua_getfield(L, -1, field);
    lua_pushfstring(L, "%s;%s", first, lua_tostring(L, -1));
    lua_setfield(L, -3, field);
    lua_pop(L, 2);
}

/* When the winsnmp modules are installed beside this program, they come
 * first: the command runs the Lua code of its own installation. */
static void add_installed_paths(lua_State *L)
{
    char prefix[PATH_MAX], dir[PATH_MAX + 64], probe[PATH_MAX + 128];
    if (!exe_prefix(prefix, sizeof prefix))
        return;
    const char *lmods[] = {WSNMP_LMOD_DIR, "share/lua/5.4"};
    for (size_t i = 0; i < sizeof lmods / sizeof *lmods; i++) {
        resolve(dir, sizeof dir, prefix, lmods[i]);
        snprintf(probe, sizeof probe, "%s/winsnmp/cli.lua", dir);
        if (access(probe, R_OK) == 0) {
            lua_pushfstring(L, "%s/?.lua;%s/?/init.lua", dir, dir);
            prepend_path(L, "path", lua_tostring(L, -1));
            lua_pop(L, 1);
            break;
        }
    }
    const char *cmods[] = {WSNMP_CMOD_DIR, "lib/lua/5.4"};
    for (size_t i = 0; i < sizeof cmods / sizeof *cmods; i++) {
        resolve(dir, sizeof dir, prefix, cmods[i]);
        snprintf(probe, sizeof probe, "%s/winsnmp/core.so", dir);
        if (access(probe, R_OK) == 0) {
            lua_pushfstring(L, "%s/?.so", dir);
            prepend_path(L, "cpath", lua_tostring(L, -1));
            lua_pop(L, 1);
            break;
        }
    }
}

/* ---- main ------------------------------------------------------------------------ */

static int traceback(lua_State *L)
{
    const char *msg = lua_tostring(L, 1);
    luaL_traceback(L, L, msg ? msg : "(error object is not a string)", 1);
    return 1;
}

/* Runs require("winsnmp.cli").main(arg) in protected mode; the status. */
static int run(lua_State *L)
{
    lua_getglobal(L, "require");
    lua_pushliteral(L, "winsnmp.cli");
    lua_call(L, 1, 1);
    lua_getfield(L, -1, "main");
    lua_getglobal(L, "arg");
    lua_call(L, 1, 1);
    return 1;
}

int main(int argc, char **argv)
{
    lua_State *L = luaL_newstate();
    if (L == NULL) {
        fputs("winsnmp: cannot create a Lua state (out of memory)\n", stderr);
        return 1;
    }
    luaL_openlibs(L);
    /* `arg` as lua5.4 makes it for a script: arg[0] the program, then the
     * arguments.  Lua copies each string: argv may be overwritten next. */
    lua_createtable(L, argc, 1);
    for (int i = 0; i < argc; i++) {
        lua_pushstring(L, argv[i]);
        lua_rawseti(L, -2, i);
    }
    lua_setglobal(L, "arg");
    blank_secrets(argc, argv);
    add_installed_paths(L);

    running = L;
    signal(SIGINT, on_sigint);
    lua_pushcfunction(L, traceback);
    lua_pushcfunction(L, run);
    int status = lua_pcall(L, 0, 1, 1);
    signal(SIGINT, SIG_DFL);
    int code = 1;
    if (status != LUA_OK) {
        const char *msg = lua_tostring(L, -1);
        if (msg && strstr(msg, "interrupted!"))
            code = 130;
        else
            fprintf(stderr, "winsnmp: %s\n", msg ? msg : "(error object is not a string)");
    } else if (lua_isinteger(L, -1)) {
        code = (int)lua_tointeger(L, -1);
    } else if (lua_isboolean(L, -1)) {
        code = lua_toboolean(L, -1) ? 0 : 1;
    }
    lua_close(L); /* closes what is still open (sessions, listeners) */
    fflush(stdout);
    return code;
}
