/* cmd_run: `memwatch run -- CMD` and `memwatch --pid PID`: record a session. */
#include <errno.h>
#include <fcntl.h>
#include <signal.h>
#include <stdio.h>
#include <string.h>
#include <sys/wait.h>
#include <unistd.h>

#include "cli.h"
#include "commands.h"
#include "exitcodes.h"
#include "launch.h"
#include "procinfo.h"
#include "profile.h"
#include "sampler.h"

static volatile sig_atomic_t stop_flag;
static volatile sig_atomic_t child_pid;

/* run: a signal sent to memwatch by a process goes on to the child; one from
 * the terminal (si_code SI_KERNEL) already reached the child, being in its group. */
static void on_forward(int sig, siginfo_t *si, void *uc)
{
    (void)uc;
    if (child_pid > 0 && si && si->si_code != SI_KERNEL)
        kill((pid_t)child_pid, sig);
}

static void on_stop(int sig)
{
    (void)sig;
    stop_flag = 1;
}

static void on_child(int sig)
{
    (void)sig;   /* only there to cut the sampler's sleep short */
}

static void install(int sig, void (*handler)(int), void (*action)(int, siginfo_t *, void *))
{
    struct sigaction sa;
    memset(&sa, 0, sizeof sa);
    sigemptyset(&sa.sa_mask);
    if (action) {
        sa.sa_sigaction = action;
        sa.sa_flags = SA_SIGINFO | SA_RESTART;
    } else {
        sa.sa_handler = handler;
        sa.sa_flags = SA_RESTART;
    }
    sigaction(sig, &sa, NULL);
}

static void print_help(const char *sub)
{
    if (!strcmp(sub, "run"))
        printf("usage: memwatch run [OPTIONS] [--] CMD [ARGS...]\n");
    else
        printf("usage: memwatch --pid PID [OPTIONS]   (or: memwatch attach PID [OPTIONS])\n");
    printf("  --interval DURATION  memory timeline period (default 0.2s; e.g. 200ms, 1)\n"
           "  --rate HZ            Python stack samples per second (default %.0f)\n"
           "  --duration DURATION  stop recording after this long\n"
           "  --sampling MODE      what takes stack samples: timer, faults (memory grew), both (default)\n"
           "  --fault-period SIZE  memory faulted in between two fault samples (default 1M)\n"
           "  --no-children        do not follow child processes\n"
           "  --db FILE            database file\n"
           "  --quiet              no summary or notices\n", CLI_DEFAULT_RATE);
}

/* Joins argv into buf for messages. */
static void join_args(char *const *argv, char *buf, size_t len)
{
    size_t used = 0;
    buf[0] = '\0';
    for (int i = 0; argv[i] && used + 1 < len; i++)
        used += (size_t)snprintf(buf + used, len - used, "%s%s", i ? " " : "", argv[i]);
}

/* Waits for the launched child to end (recording is over) and returns its shell status. */
static int wait_child(pid_t pid)
{
    int st;
    for (;;) {
        pid_t r = waitpid(pid, &st, 0);
        if (r == pid)
            return WIFEXITED(st) ? WEXITSTATUS(st) : WIFSIGNALED(st) ? 128 + WTERMSIG(st) : 1;
        if (r < 0 && errno != EINTR)
            return MW_EXIT_ERROR;
    }
}

int cmd_run(int argc, char **argv, const mw_globals *g)
{
    cli_profile o;
    char err[512];
    (void)g;
    if (cli_parse_profile(argc, argv, CLI_RUN, &o, err, sizeof err) < 0) {
        fprintf(stderr, "memwatch: %s\n", err);
        return MW_EXIT_USAGE;
    }
    if (o.help) {
        print_help("run");
        return MW_EXIT_OK;
    }
    char *const *cmd = argv + o.cmd_index;
    char cmdline[1024];
    join_args(cmd, cmdline, sizeof cmdline);

    profile_store ps;
    int rc = profile_open_store(&ps, o.db, err, sizeof err);
    if (rc != 0) {
        fprintf(stderr, "memwatch: %s\n", err);
        return rc;
    }
    install(SIGPIPE, SIG_IGN, NULL);
    launch l;
    if (launch_prepare(&l, cmd, err, sizeof err) < 0) {
        fprintf(stderr, "memwatch: %s\n", err);
        profile_close_store(&ps);
        return MW_EXIT_ERROR;
    }
    child_pid = l.pid;
    install(SIGINT, NULL, on_forward);
    install(SIGTERM, NULL, on_forward);
    install(SIGHUP, NULL, on_forward);
    install(SIGQUIT, NULL, on_forward);
    install(SIGCHLD, on_child, NULL);
    rc = launch_go(&l, cmd[0], err, sizeof err);
    if (rc != 0) {
        fprintf(stderr, "memwatch: %s\n", err);
        profile_close_store(&ps);
        return rc;
    }
    sampler_opts so = {
        .interval = o.interval, .rate = o.rate, .duration = o.duration,
        .children = o.children, .log = o.quiet ? NULL : stderr,
        .sampling = o.sampling, .fault_period = o.fault_period,
    };
    sampler_result res;
    int status = profile_record(&ps, &so, l.pid, 1, &stop_flag, &res, o.quiet, cmdline);
    if (!res.has_exit) {
        if (status != MW_EXIT_OK)
            fprintf(stderr, "memwatch: recording stopped; waiting for %s to end\n", cmd[0]);
        int code = wait_child(l.pid);
        if (status == MW_EXIT_OK)
            status = code;
    } else if (status == MW_EXIT_OK) {
        status = res.exit_code;
    }
    profile_close_store(&ps);
    return status;
}

/* Checks that pid can be profiled; returns 0 or an exit status after one line on stderr. */
static int check_target(pid_t pid)
{
    proc_stat st;
    if (procinfo_stat(pid, &st) < 0) {
        fprintf(stderr, "memwatch: no such process: %d\n", (int)pid);
        return MW_EXIT_NOPROC;
    }
    if (procinfo_is_kthread(&st)) {
        fprintf(stderr, "memwatch: process %d is a kernel thread, not a program memwatch can profile\n", (int)pid);
        return MW_EXIT_NOPROC;
    }
    if (st.state == 'Z' || st.state == 'X') {
        fprintf(stderr, "memwatch: process %d is a zombie: it has exited and has no memory left to watch\n", (int)pid);
        return MW_EXIT_NOPROC;
    }
    if (pid == getpid()) {
        fprintf(stderr, "memwatch: process %d is memwatch itself\n", (int)pid);
        return MW_EXIT_USAGE;
    }
    /* /proc/PID/mem opens only with the rights reading the interpreter needs (ptrace access) */
    char path[64];
    snprintf(path, sizeof path, "/proc/%d/mem", (int)pid);
    int fd = open(path, O_RDONLY | O_CLOEXEC);
    if (fd < 0 && (errno == EACCES || errno == EPERM)) {
        fprintf(stderr, "memwatch: not allowed to read process %d: run memwatch as the same user "
                        "with ptrace allowed (sysctl kernel.yama.ptrace_scope=0), as root, or with "
                        "CAP_SYS_PTRACE\n", (int)pid);
        return MW_EXIT_PERM;
    }
    if (fd < 0) {
        fprintf(stderr, "memwatch: no such process: %d\n", (int)pid);
        return MW_EXIT_NOPROC;
    }
    close(fd);
    return 0;
}

int cmd_attach(int argc, char **argv, const mw_globals *g)
{
    cli_profile o;
    char err[512];
    (void)g;
    if (cli_parse_profile(argc, argv, CLI_ATTACH, &o, err, sizeof err) < 0) {
        fprintf(stderr, "memwatch: %s\n", err);
        return MW_EXIT_USAGE;
    }
    if (o.help) {
        print_help("attach");
        return MW_EXIT_OK;
    }
    int rc = check_target(o.pid);
    if (rc)
        return rc;
    profile_store ps;
    rc = profile_open_store(&ps, o.db, err, sizeof err);
    if (rc != 0) {
        fprintf(stderr, "memwatch: %s\n", err);
        return rc;
    }
    install(SIGPIPE, SIG_IGN, NULL);
    install(SIGINT, on_stop, NULL);
    install(SIGTERM, on_stop, NULL);
    install(SIGHUP, on_stop, NULL);
    sampler_opts so = {
        .interval = o.interval, .rate = o.rate, .duration = o.duration,
        .children = o.children, .log = o.quiet ? NULL : stderr,
        .sampling = o.sampling, .fault_period = o.fault_period,
    };
    sampler_result res;
    char cmdline[1024];
    procinfo_cmdline(o.pid, cmdline, sizeof cmdline);
    rc = profile_record(&ps, &so, o.pid, 0, &stop_flag, &res, o.quiet, cmdline);
    profile_close_store(&ps);
    return rc;
}
