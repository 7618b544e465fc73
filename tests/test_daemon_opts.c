/* Unit tests: the daemon's options — config file lines, command line over config, values. */
#include <math.h>

#include "check.h"
#include "daemon_opts.h"
#include "sampler.h"

static void test_values(void)
{
    double b;
    CHECK(daemon_parse_growth("1M/min", &b) == 0 && b == 1048576.0);
    CHECK(daemon_parse_growth("1M", &b) == 0 && b == 1048576.0);
    CHECK(daemon_parse_growth("64k/s", &b) == 0 && b == 64 * 1024 * 60.0);
    CHECK(daemon_parse_growth("120M/h", &b) == 0 && b == 2 * 1048576.0);
    CHECK(daemon_parse_growth("1M/week", &b) < 0);
    CHECK(daemon_parse_growth("/min", &b) < 0);
    CHECK(daemon_parse_growth("-1M/min", &b) < 0);
    CHECK(daemon_parse_growth("", &b) < 0);
    char h[64], p[16];
    CHECK(daemon_parse_listen("127.0.0.1:9464", h, sizeof h, p, sizeof p) == 0);
    CHECK_STR(h, "127.0.0.1");
    CHECK_STR(p, "9464");
    CHECK(daemon_parse_listen(":9000", h, sizeof h, p, sizeof p) == 0);
    CHECK_STR(h, "127.0.0.1");
    CHECK(daemon_parse_listen("9100", h, sizeof h, p, sizeof p) == 0);
    CHECK_STR(h, "127.0.0.1");
    CHECK_STR(p, "9100");
    CHECK(daemon_parse_listen("[::1]:0", h, sizeof h, p, sizeof p) == 0);
    CHECK_STR(h, "::1");
    CHECK_STR(p, "0");
    CHECK(daemon_parse_listen("0.0.0.0:65535", h, sizeof h, p, sizeof p) == 0);
    CHECK(daemon_parse_listen("::1:80", h, sizeof h, p, sizeof p) < 0);
    CHECK(daemon_parse_listen("host:65536", h, sizeof h, p, sizeof p) < 0);
    CHECK(daemon_parse_listen("host:", h, sizeof h, p, sizeof p) < 0);
    CHECK(daemon_parse_listen("host:http", h, sizeof h, p, sizeof p) < 0);
    CHECK(daemon_parse_listen("[::1]80", h, sizeof h, p, sizeof p) < 0);
    CHECK(daemon_parse_listen("", h, sizeof h, p, sizeof p) < 0);
}

static void test_config(void)
{
    daemon_opts o;
    char err[512];
    daemon_opts_init(&o);
    CHECK(o.scan_period == 2.0 && o.interval == 1.0 && o.rate == 20.0 && o.keep_detail == 86400.0);
    CHECK(o.leak_window == 600.0 && o.leak_threshold == 1048576.0 && o.foreground == -1 && o.children == 1);
    const char *conf =
        "# memwatch daemon\n"
        "\n"
        "match = python.*worker\n"
        "  match=celery # not a comment: part of the pattern\n"
        "exclude = \"--dry-run\"\n"
        "user = www-data\n"
        "pid = 123\n"
        "scan_period = 5s\n"
        "interval = 500ms\n"
        "rate = 10\n"
        "keep-detail = 2h\n"
        "leak-window = 15m\n"
        "leak-threshold = 2M/min\n"
        "on-leak = 'logger -t memwatch \"leak in $MEMWATCH_PID\"'\n"
        "metrics = 127.0.0.1:9464\n"
        "foreground = no\n"
        "children = off\n"
        "sampling = timer\n"
        "db = /var/lib/memwatch/memwatch.db\n";
    CHECK(daemon_conf_parse(&o, conf, err, sizeof err) == 0);
    CHECK(o.match.n == 2);
    if (o.match.n == 2) {
        CHECK_STR(o.match.items[0], "python.*worker");
        CHECK_STR(o.match.items[1], "celery # not a comment: part of the pattern");
    }
    CHECK(o.exclude.n == 1 && !strcmp(o.exclude.items[0], "--dry-run"));
    CHECK(o.users.n == 1 && o.pids.n == 1);
    CHECK(o.scan_period == 5 && o.interval == 0.5 && o.rate == 10 && o.keep_detail == 7200);
    CHECK(o.leak_window == 900 && o.leak_threshold == 2 * 1048576.0);
    CHECK_STR(o.on_leak, "logger -t memwatch \"leak in $MEMWATCH_PID\"");
    CHECK_STR(o.metrics, "127.0.0.1:9464");
    CHECK(o.foreground == 0 && o.children == 0 && o.sampling == SAMPLING_TIMER);
    CHECK_STR(o.db, "/var/lib/memwatch/memwatch.db");
    /* the command line overrides: scalars replace, a list given replaces the file's list */
    char *argv[] = { "daemon", "--match", "gunicorn", "--interval=2s", "--foreground", "--no-children",
                     "--db", "/tmp/x.db", "--config", "/etc/x.conf", NULL };
    CHECK(daemon_opts_parse_argv(&o, 10, argv, err, sizeof err) == 0);
    CHECK(o.match.n == 1 && !strcmp(o.match.items[0], "gunicorn"));
    CHECK(o.exclude.n == 1 && o.users.n == 1);   /* not given on the command line: kept */
    CHECK(o.interval == 2 && o.foreground == 1 && o.children == 0);
    CHECK_STR(o.db, "/tmp/x.db");
    CHECK_STR(o.config, "/etc/x.conf");
    CHECK_STR(daemon_opts_config_arg(10, argv), "/etc/x.conf");
    CHECK(daemon_opts_check(&o, err, sizeof err) == 0);
    daemon_opts_free(&o);

    /* errors name the line */
    const char *bad[][2] = {
        { "match = a\nnonsense\n", "line 2" },
        { "interval = fast\n", "line 1: --interval" },
        { "colour = red\n", "unknown option 'colour'" },
        { "config = /x\n", "unknown option 'config'" },
        { "foreground = perhaps\n", "not yes or no" },
        { "= value\n", "bad key" },
        { "pid = 0\n", "not a process id" },
        { "metrics = localhost\n", "--metrics" },
        { "leak-threshold = lots\n", "--leak-threshold" },
        { "match =\n", "empty value" },
    };
    for (size_t i = 0; i < sizeof bad / sizeof bad[0]; i++) {
        daemon_opts_init(&o);
        err[0] = '\0';
        CHECK(daemon_conf_parse(&o, bad[i][0], err, sizeof err) < 0);
        if (!strstr(err, bad[i][1]))
            fprintf(stderr, "config %zu: '%s' lacks '%s'\n", i, err, bad[i][1]);
        CHECK(strstr(err, bad[i][1]) != NULL);
        daemon_opts_free(&o);
    }
}

static void test_argv(void)
{
    daemon_opts o;
    char err[512];
    daemon_opts_init(&o);
    char *a1[] = { "daemon", "--rate", "0", "--pid", "42", "--pid=43", "--leak-threshold", "64k/s", NULL };
    CHECK(daemon_opts_parse_argv(&o, 8, a1, err, sizeof err) == 0);
    CHECK(o.rate == 0 && o.pids.n == 2 && o.leak_threshold == 64 * 1024 * 60.0);
    CHECK(daemon_opts_check(&o, err, sizeof err) == 0);
    daemon_opts_free(&o);

    daemon_opts_init(&o);
    char *a2[] = { "daemon", "--interval", "1s", NULL };
    CHECK(daemon_opts_parse_argv(&o, 3, a2, err, sizeof err) == 0);
    CHECK(daemon_opts_check(&o, err, sizeof err) < 0 && strstr(err, "nothing to watch"));
    daemon_opts_free(&o);

    const char *bad[][3] = {
        { "--match", NULL, "needs a value" },
        { "--frobnicate", NULL, "unknown option '--frobnicate'" },
        { "--keep_detail", "1h", "unknown option" },
        { "stray", NULL, "unexpected argument 'stray'" },
        { "--clock-speed", "0", "--clock-speed" },
        { "--sampling", "often", "--sampling" },
        { "--match", "a(", NULL },   /* the pattern is checked when compiled, not here */
    };
    for (size_t i = 0; i < sizeof bad / sizeof bad[0]; i++) {
        daemon_opts_init(&o);
        char *argv[4] = { "daemon", (char *)bad[i][0], (char *)bad[i][1], NULL };
        int argc = bad[i][1] ? 3 : 2;
        err[0] = '\0';
        int rc = daemon_opts_parse_argv(&o, argc, argv, err, sizeof err);
        if (bad[i][2]) {
            CHECK(rc < 0 && strstr(err, bad[i][2]) != NULL);
        } else {
            CHECK(rc == 0);
        }
        daemon_opts_free(&o);
    }
    /* checks that hang together */
    daemon_opts_init(&o);
    char *a3[] = { "daemon", "--match", "x", "--leak-window", "1s", "--interval", "1s", NULL };
    CHECK(daemon_opts_parse_argv(&o, 7, a3, err, sizeof err) == 0);
    CHECK(daemon_opts_check(&o, err, sizeof err) < 0 && strstr(err, "--leak-window"));
    daemon_opts_free(&o);
    daemon_opts_init(&o);
    char *a4[] = { "daemon", "--match", "x", "--keep-detail", "2d", "--keep-summary", "1d", NULL };
    CHECK(daemon_opts_parse_argv(&o, 7, a4, err, sizeof err) == 0);
    CHECK(daemon_opts_check(&o, err, sizeof err) < 0 && strstr(err, "--keep-summary"));
    daemon_opts_free(&o);
    daemon_opts_init(&o);
    char *a5[] = { "daemon", "--help", NULL };
    CHECK(daemon_opts_parse_argv(&o, 2, a5, err, sizeof err) == 0 && o.help == 1);
    daemon_opts_free(&o);
}

int main(void)
{
    test_values();
    test_config();
    test_argv();
    return check_done("test_daemon_opts");
}
