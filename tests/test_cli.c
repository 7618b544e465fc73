/* Unit tests: option parsing of run and attach. */
#include "check.h"
#include "cli.h"

static int parse(int mode, cli_profile *o, char *err, char **argv)
{
    int argc = 0;
    while (argv[argc])
        argc++;
    return cli_parse_profile(argc, argv, mode, o, err, 256);
}

int main(void)
{
    cli_profile o;
    char err[256];

    char *a1[] = { "run", "--", "python3", "x.py", NULL };
    CHECK(parse(CLI_RUN, &o, err, a1) == 0);
    CHECK(o.cmd_index == 2 && o.interval == CLI_DEFAULT_INTERVAL && o.rate == CLI_DEFAULT_RATE);
    CHECK(o.children == 1 && o.duration == 0 && !o.quiet && !o.db);

    char *a2[] = { "run", "--interval", "200ms", "--rate", "100", "--no-children", "--db", "f.db",
                   "--quiet", "--duration", "5s", "python3", "-c", "pass", NULL };
    CHECK(parse(CLI_RUN, &o, err, a2) == 0);
    CHECK(o.interval == 0.2 && o.rate == 100 && !o.children && o.quiet && o.duration == 5);
    CHECK_STR(o.db, "f.db");
    CHECK(o.cmd_index == 11);

    /* options of the command stay the command's */
    char *a3[] = { "run", "python3", "--interval", "7", NULL };
    CHECK(parse(CLI_RUN, &o, err, a3) == 0 && o.cmd_index == 1 && o.interval == CLI_DEFAULT_INTERVAL);

    char *a4[] = { "run", "--interval", "0.2x", "--", "true", NULL };
    CHECK(parse(CLI_RUN, &o, err, a4) == -1);
    CHECK(strstr(err, "--interval") != NULL);
    char *a5[] = { "run", "--interval", NULL };
    CHECK(parse(CLI_RUN, &o, err, a5) == -1 && strstr(err, "needs a value"));
    char *a6[] = { "run", "--frobnicate", "--", "true", NULL };
    CHECK(parse(CLI_RUN, &o, err, a6) == -1 && strstr(err, "unknown option"));
    char *a7[] = { "run", "--", NULL };
    CHECK(parse(CLI_RUN, &o, err, a7) == -1 && strstr(err, "no command"));
    char *a8[] = { "run", "--rate", "0", "true", NULL };
    CHECK(parse(CLI_RUN, &o, err, a8) == -1 && strstr(err, "--rate"));
    char *a9[] = { "run", "--pid", "12", "true", NULL };
    CHECK(parse(CLI_RUN, &o, err, a9) == -1);

    CHECK(o.sampling == 3 && o.fault_period == 1 << 20);
    char *c1[] = { "run", "--sampling", "timer", "--fault-period", "64k", "true", NULL };
    CHECK(parse(CLI_RUN, &o, err, c1) == 0 && o.sampling == 1 && o.fault_period == 65536);
    char *c2[] = { "run", "--sampling", "sometimes", "true", NULL };
    CHECK(parse(CLI_RUN, &o, err, c2) == -1 && strstr(err, "--sampling"));
    char *c3[] = { "run", "--fault-period", "12", "true", NULL };
    CHECK(parse(CLI_RUN, &o, err, c3) == -1 && strstr(err, "--fault-period"));
    char *b1[] = { "attach", "--pid", "1234", "--interval", "0.1", NULL };
    CHECK(parse(CLI_ATTACH, &o, err, b1) == 0 && o.pid == 1234 && o.interval == 0.1);
    char *b2[] = { "attach", "4321", NULL };
    CHECK(parse(CLI_ATTACH, &o, err, b2) == 0 && o.pid == 4321);
    char *b3[] = { "attach", NULL };
    CHECK(parse(CLI_ATTACH, &o, err, b3) == -1 && strstr(err, "no process id"));
    char *b4[] = { "attach", "--pid", "abc", NULL };
    CHECK(parse(CLI_ATTACH, &o, err, b4) == -1 && strstr(err, "not a process id"));
    char *b5[] = { "attach", "--pid", "0", NULL };
    CHECK(parse(CLI_ATTACH, &o, err, b5) == -1);
    char *b6[] = { "attach", "12", "13", NULL };
    CHECK(parse(CLI_ATTACH, &o, err, b6) == -1);
    char *b7[] = { "attach", "--pid", "99999999999", NULL };
    CHECK(parse(CLI_ATTACH, &o, err, b7) == -1);
    char *b9[] = { "attach", "77", "--quiet", "--interval", "1", NULL };
    CHECK(parse(CLI_ATTACH, &o, err, b9) == 0 && o.pid == 77 && o.quiet && o.interval == 1);
    char *b8[] = { "attach", "--help", NULL };
    CHECK(parse(CLI_ATTACH, &o, err, b8) == 0 && o.help);

    pid_t p;
    CHECK(cli_parse_pid("1", &p) == 0 && p == 1);
    CHECK(cli_parse_pid("-1", &p) == -1);
    CHECK(cli_parse_pid("12a", &p) == -1);
    CHECK(cli_parse_pid("", &p) == -1);
    return check_done("test_cli");
}
