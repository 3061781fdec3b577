/*
 * fleet_measure.c - runs one client of `make bench-fleet` and measures it
 * from the outside, the same way for every language.
 *
 *   fleet_measure LIMIT_SECONDS COMMAND [ARGS...]
 *
 * The client runs in its own process group with RLIMIT_NOFILE raised to the
 * hard limit (clients with a socket per agent need it); its stdout and
 * stderr pass through.  After it exits (or is killed at LIMIT_SECONDS of
 * wall time, the whole group with SIGKILL) one JSON line follows on stdout:
 * wall seconds, CPU seconds (user + system from wait4, so the client's
 * waited-for children included), peak RSS (ru_maxrss), the most descriptors
 * seen open in /proc/PID/fd (sampled every 50 ms; the client inherits only
 * 0, 1 and 2, which are counted),
 * the exit status and whether it was killed.
 *
 * Build: cc -O2 -o fleet_measure fleet_measure.c
 */
#define _GNU_SOURCE
#include <dirent.h>
#include <errno.h>
#include <fcntl.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/resource.h>
#include <sys/time.h>
#include <sys/wait.h>
#include <time.h>
#include <unistd.h>

static double now(void)
{
    struct timespec ts;
    clock_gettime(CLOCK_MONOTONIC, &ts);
    return ts.tv_sec + ts.tv_nsec / 1e9;
}

static int count_fds(pid_t pid)
{
    char path[64];
    DIR *d;
    struct dirent *e;
    int n = 0;
    snprintf(path, sizeof path, "/proc/%d/fd", (int)pid);
    d = opendir(path);
    if (!d)
        return -1;
    while ((e = readdir(d)) != NULL)
        if (e->d_name[0] != '.')
            n++;
    closedir(d);
    return n;
}

int main(int argc, char **argv)
{
    double limit, t0, wall;
    pid_t pid;
    int status = 0, max_fds = 0, killed = 0, sync[2];
    struct rusage ru;
    if (argc < 3) {
        fprintf(stderr, "usage: fleet_measure LIMIT_SECONDS COMMAND [ARGS...]\n");
        return 2;
    }
    limit = atof(argv[1]);
    /* a close-on-exec pipe: its end of file says the client has been exec'd
     * (descriptors are only counted from then on) */
    if (pipe2(sync, O_CLOEXEC) < 0) {
        perror("fleet_measure: pipe2");
        return 1;
    }
    t0 = now();
    pid = fork();
    if (pid < 0) {
        perror("fleet_measure: fork");
        return 1;
    }
    if (pid == 0) {
        struct rlimit rl;
        setpgid(0, 0);
        /* only stdin, stdout and stderr go to the client: what it opens is its own */
        dup2(sync[1], 3);
        closefrom(4);
        fcntl(3, F_SETFD, FD_CLOEXEC);
        if (getrlimit(RLIMIT_NOFILE, &rl) == 0) {
            rl.rlim_cur = rl.rlim_max;
            setrlimit(RLIMIT_NOFILE, &rl);
        }
        execvp(argv[2], argv + 2);
        perror("fleet_measure: exec");
        _exit(127);
    }
    setpgid(pid, pid);
    close(sync[1]);
    {
        char c;
        while (read(sync[0], &c, 1) < 0 && errno == EINTR)
            ;
        close(sync[0]);
    }
    for (;;) {
        pid_t w = wait4(pid, &status, WNOHANG, &ru);
        int n;
        if (w == pid)
            break;
        if (w < 0 && errno != EINTR) {
            perror("fleet_measure: wait4");
            return 1;
        }
        n = count_fds(pid);
        if (n > max_fds)
            max_fds = n;
        if (!killed && now() - t0 > limit) {
            killed = 1;
            kill(-pid, SIGKILL);
        }
        usleep(50000);
    }
    wall = now() - t0;
    fflush(stdout);
    printf(
        "{\"measure\":1,\"wall_seconds\":%.3f,\"cpu_seconds\":%.3f,\"user_seconds\":%.3f,"
        "\"system_seconds\":%.3f,\"max_rss_kib\":%ld,\"max_fds\":%d,\"exit\":%d,\"killed\":%s}\n",
        wall,
        ru.ru_utime.tv_sec + ru.ru_utime.tv_usec / 1e6 + ru.ru_stime.tv_sec +
            ru.ru_stime.tv_usec / 1e6,
        ru.ru_utime.tv_sec + ru.ru_utime.tv_usec / 1e6,
        ru.ru_stime.tv_sec + ru.ru_stime.tv_usec / 1e6, ru.ru_maxrss, max_fds,
        WIFEXITED(status) ? WEXITSTATUS(status) : 128 + WTERMSIG(status),
        killed ? "true" : "false");
    return 0;
}
