/* cmd_daemon: `memwatch daemon` — watch matching processes continuously until SIGTERM. */
#include <errno.h>
#include <pwd.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "cli.h"
#include "commands.h"
#include "daemon_opts.h"
#include "exitcodes.h"
#include "procmatch.h"
#include "profile.h"
#include "sampler.h"
#include "sdnotify.h"
#include "units.h"
#include "watcher.h"

#define MAX_CONFIG (1 << 20)

static volatile sig_atomic_t stop_flag;

static void on_stop(int sig)
{
    (void)sig;
    stop_flag = 1;
}

static void install(int sig, void (*handler)(int))
{
    struct sigaction sa;
    memset(&sa, 0, sizeof sa);
    sigemptyset(&sa.sa_mask);
    sa.sa_handler = handler;   /* no SA_RESTART: a signal cuts the sampler's sleep short */
    sigaction(sig, &sa, NULL);
}

static void print_help(void)
{
    printf("usage: memwatch daemon [OPTIONS]\n"
           "Watches every process that matches, as it starts, until SIGTERM or SIGINT.\n"
           "  --match REGEX          command lines to watch (POSIX extended regex; repeatable)\n"
           "  --user USER            processes of this user (name or uid; repeatable)\n"
           "  --pid PID              this process (repeatable)\n"
           "  --exclude REGEX        never these command lines (repeatable)\n"
           "  --config FILE          options as `key = value` lines (default %s if it exists)\n"
           "  --foreground           run as a plain foreground program (default unless under systemd)\n"
           "  --scan-period DURATION how often to look for new processes (default 2s)\n"
           "  --interval DURATION    memory timeline period (default 1s)\n"
           "  --rate HZ              Python stack samples per second per process (default 20; 0: memory only)\n"
           "  --sampling MODE        timer, faults or both (default)\n"
           "  --fault-period SIZE    memory faulted in between two fault samples (default 1M)\n"
           "  --no-children          do not follow child processes of watched ones\n"
           "  --keep-detail DURATION full-resolution data kept this long, then per minute (default 24h)\n"
           "  --keep-summary DURATION per-minute data and ended sessions kept this long (default 30d)\n"
           "  --leak-window DURATION window of the growth slope (default 10m)\n"
           "  --leak-threshold RATE  slope that flags a leak (default 1M/min; e.g. 64k/s, 100M/h)\n"
           "  --on-leak CMD          run `sh -c CMD` when a leak is flagged (MEMWATCH_PID, MEMWATCH_SESSION,\n"
           "                         MEMWATCH_SLOPE in bytes/min, MEMWATCH_WHERE, MEMWATCH_DB set)\n"
           "  --metrics ADDR:PORT    serve Prometheus metrics at http://ADDR:PORT/metrics (ADDR default 127.0.0.1)\n"
           "  --db FILE              database (default $MEMWATCH_DB, else $STATE_DIRECTORY/memwatch.db\n"
           "                         under systemd, else the XDG state directory)\n"
           "  --quiet                no notices on stderr\n", DAEMON_DEFAULT_CONFIG);
}

/* Reads a whole config file (at most MAX_CONFIG bytes). Returns it (to free) or NULL with err set. */
static char *read_config(const char *path, char *err, size_t errlen)
{
    FILE *f = fopen(path, "re");
    if (!f) {
        snprintf(err, errlen, "cannot read config file %s: %s", path, strerror(errno));
        return NULL;
    }
    char *buf = malloc(MAX_CONFIG + 1);
    size_t n = buf ? fread(buf, 1, MAX_CONFIG + 1, f) : 0;
    int bad = !buf || ferror(f);
    fclose(f);
    if (bad || n > MAX_CONFIG || (n && memchr(buf, '\0', n))) {
        snprintf(err, errlen, "config file %s: %s", path,
                 !buf ? "out of memory" : n > MAX_CONFIG ? "larger than 1 MiB" : bad ? strerror(errno) : "holds a NUL byte");
        free(buf);
        return NULL;
    }
    buf[n] = '\0';
    return buf;
}

/* Builds the matching rules from the options. Returns 0, or -1 with err set. */
static int build_rules(const daemon_opts *o, procmatch *m, pid_t *pids, char *err, size_t errlen)
{
    for (size_t i = 0; i < o->match.n; i++)
        if (procmatch_add_match(m, o->match.items[i], err, errlen) < 0)
            return -1;
    for (size_t i = 0; i < o->exclude.n; i++)
        if (procmatch_add_exclude(m, o->exclude.items[i], err, errlen) < 0)
            return -1;
    for (size_t i = 0; i < o->users.n; i++) {
        const char *u = o->users.items[i];
        uid_t uid;
        struct passwd *pw = getpwnam(u);
        char *end;
        errno = 0;
        unsigned long v = strtoul(u, &end, 10);
        if (pw)
            uid = pw->pw_uid;
        else if (*u >= '0' && *u <= '9' && !*end && !errno && v < (unsigned long)(uid_t)-1)
            uid = (uid_t)v;
        else {
            snprintf(err, errlen, "--user: no such user '%s'", u);
            return -1;
        }
        if (procmatch_add_user(m, uid) < 0) {
            snprintf(err, errlen, "out of memory");
            return -1;
        }
    }
    for (size_t i = 0; i < o->pids.n; i++) {
        if (cli_parse_pid(o->pids.items[i], &pids[i]) < 0 || procmatch_add_pid(m, pids[i]) < 0) {
            snprintf(err, errlen, "--pid: '%s' is not a process id", o->pids.items[i]);
            return -1;
        }
        if (pids[i] == getpid()) {
            snprintf(err, errlen, "--pid %d is memwatch itself", (int)pids[i]);
            return -1;
        }
    }
    return 0;
}

/* The database option: --db, else (when $MEMWATCH_DB is unset) $STATE_DIRECTORY/memwatch.db under systemd. */
static const char *db_option(const daemon_opts *o, const mw_globals *g, char *buf, size_t len)
{
    if (o->db)
        return o->db;
    if (g->db)
        return g->db;
    const char *env = getenv("MEMWATCH_DB"), *sd = getenv("STATE_DIRECTORY");
    if ((!env || !*env) && sd && sd[0] == '/') {
        size_t n = strcspn(sd, ":");   /* the first of a colon-separated list */
        if (n + sizeof "/memwatch.db" <= len) {
            snprintf(buf, len, "%.*s/memwatch.db", (int)n, sd);
            return buf;
        }
    }
    return NULL;
}

int cmd_daemon(int argc, char **argv, const mw_globals *g)
{
    daemon_opts o;
    char err[1024];
    daemon_opts_init(&o);
    const char *cfg = daemon_opts_config_arg(argc, argv);
    if (!cfg && access(DAEMON_DEFAULT_CONFIG, F_OK) == 0)
        cfg = DAEMON_DEFAULT_CONFIG;
    int status = MW_EXIT_USAGE;
    procmatch *rules = NULL;
    pid_t *pids = NULL;
    profile_store ps = { 0 };
    watcher *w = NULL;
    sampler *s = NULL;
    if (cfg) {
        char *text = read_config(cfg, err, sizeof err);
        if (!text) {
            fprintf(stderr, "memwatch: %s\n", err);
            goto out;
        }
        char why[900];
        int rc = daemon_conf_parse(&o, text, why, sizeof why);
        free(text);
        if (rc < 0) {
            fprintf(stderr, "memwatch: %s: %s\n", cfg, why);
            goto out;
        }
    }
    if (daemon_opts_parse_argv(&o, argc, argv, err, sizeof err) < 0) {
        fprintf(stderr, "memwatch: daemon: %s (try memwatch daemon --help)\n", err);
        goto out;
    }
    if (o.help) {
        print_help();
        status = MW_EXIT_OK;
        goto out;
    }
    if (daemon_opts_check(&o, err, sizeof err) < 0) {
        fprintf(stderr, "memwatch: daemon: %s\n", err);
        goto out;
    }
    rules = procmatch_new();
    pids = calloc(o.pids.n ? o.pids.n : 1, sizeof *pids);
    if (!rules || !pids) {
        fprintf(stderr, "memwatch: out of memory\n");
        status = MW_EXIT_ERROR;
        goto out;
    }
    if (build_rules(&o, rules, pids, err, sizeof err) < 0) {
        fprintf(stderr, "memwatch: daemon: %s\n", err);
        goto out;
    }
    int service = o.foreground == 1 ? 0 : o.foreground == 0 ? 1 : sdnotify_under_systemd();
    FILE *log = o.quiet ? NULL : stderr;
    char dbbuf[4096];
    status = profile_open_store(&ps, db_option(&o, g, dbbuf, sizeof dbbuf), err, sizeof err);
    if (status != 0) {
        fprintf(stderr, "memwatch: %s\n", err);
        goto out;
    }
    install(SIGPIPE, SIG_IGN);
    install(SIGTERM, on_stop);
    install(SIGINT, on_stop);
    install(SIGHUP, on_stop);
    watcher_cfg wc = {
        .rules = rules, .pids = pids, .npids = o.pids.n, .children = o.children,
        .scan_period = o.scan_period, .keep_detail = o.keep_detail, .keep_summary = o.keep_summary,
        .leak_window = o.leak_window, .leak_threshold = o.leak_threshold, .on_leak = o.on_leak,
        .db_path = ps.path, .log = log,
    };
    w = watcher_new(&wc, ps.st);
    if (!w) {
        fprintf(stderr, "memwatch: out of memory\n");
        status = MW_EXIT_ERROR;
        goto out;
    }
    if (o.metrics) {
        char host[256], port[16];
        if (daemon_parse_listen(o.metrics, host, sizeof host, port, sizeof port) < 0 ||
            watcher_listen(w, host, port, err, sizeof err) < 0) {
            fprintf(stderr, "memwatch: %s\n", err);
            status = MW_EXIT_ERROR;
            goto out;
        }
    }
    sampler_opts so = {
        .interval = o.interval, .rate = o.rate, .duration = 0, .children = o.children,
        .sampling = o.sampling, .fault_period = o.fault_period, .log = log, .keep_running = 1,
        .on_interval = watcher_on_interval, .extra_fd = watcher_fd(w), .on_fd = watcher_on_fd,
        .hook_arg = w, .clock_speed = o.clock_speed,
    };
    mw_sink sink = store_sink(ps.st);
    s = sampler_new(&so, &sink);
    if (!s) {
        fprintf(stderr, "memwatch: out of memory\n");
        status = MW_EXIT_ERROR;
        goto out;
    }
    int n = watcher_scan(w, s, 0);
    if (n < 0) {
        fprintf(stderr, "memwatch: %s\n", store_errmsg(ps.st));
        status = store_disk_full(ps.st) ? MW_EXIT_DISKFULL : MW_EXIT_DB;
        goto out;
    }
    if (log) {
        char a[32], b[32];
        fprintf(log, "memwatch: daemon watching %d process%s (database %s); interval %s, %.0f Hz, "
                     "leak over %s/min%s%s%s\n", n, n == 1 ? "" : "es", ps.path,
                units_format_duration(o.interval, a, sizeof a), o.rate,
                units_format_bytes((int64_t)o.leak_threshold, b, sizeof b),
                watcher_metrics_address(w) ? "; metrics at http://" : "",
                watcher_metrics_address(w) ? watcher_metrics_address(w) : "",
                watcher_metrics_address(w) ? "/metrics" : "");
        if (!service)
            fprintf(log, "memwatch: stop with Ctrl-C or SIGTERM\n");
        fflush(log);
    }
    if (service) {
        char st[96];
        snprintf(st, sizeof st, "STATUS=watching %d process%s", n, n == 1 ? "" : "es");
        (void)sdnotify_send("READY=1");
        (void)sdnotify_send(st);
    }
    sampler_result res;
    int rc = sampler_run(s, &stop_flag, &res);
    if (service)
        (void)sdnotify_send("STOPPING=1");
    if (rc < 0) {
        fprintf(stderr, "memwatch: %s\n", res.error);
        status = store_disk_full(ps.st) ? MW_EXIT_DISKFULL : MW_EXIT_DB;
    } else {
        if (log)
            fprintf(log, "memwatch: daemon stopped; every session ended\n");
        status = MW_EXIT_OK;
    }
out:
    sampler_free(s);
    watcher_free(w);
    profile_close_store(&ps);
    procmatch_free(rules);
    free(pids);
    daemon_opts_free(&o);
    return status;
}
