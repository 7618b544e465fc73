/* daemon_opts: options of `memwatch daemon` from the config file and the command line (pure). */
#include "daemon_opts.h"

#include <ctype.h>
#include <errno.h>
#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>

#include "cli.h"
#include "sampler.h"
#include "units.h"

#define MAX_LIST 4096
#define MAX_LINE 8192

enum kind { K_LIST, K_DURATION, K_RATE, K_BYTES, K_GROWTH, K_STRING, K_BOOL, K_SAMPLING, K_PIDS, K_NUMBER };

typedef struct optdef {
    const char *name;
    int kind;
    int flag;          /* K_BOOL: the value a bare flag sets */
    int cli_only;
} optdef;

static const optdef defs[] = {
    { "match", K_LIST, 0, 0 },
    { "exclude", K_LIST, 0, 0 },
    { "user", K_LIST, 0, 0 },
    { "pid", K_PIDS, 0, 0 },
    { "config", K_STRING, 0, 1 },
    { "foreground", K_BOOL, 1, 0 },
    { "children", K_BOOL, 1, 0 },
    { "no-children", K_BOOL, 0, 0 },
    { "quiet", K_BOOL, 1, 0 },
    { "help", K_BOOL, 1, 1 },
    { "scan-period", K_DURATION, 0, 0 },
    { "interval", K_DURATION, 0, 0 },
    { "rate", K_RATE, 0, 0 },
    { "sampling", K_SAMPLING, 0, 0 },
    { "fault-period", K_BYTES, 0, 0 },
    { "keep-detail", K_DURATION, 0, 0 },
    { "keep-summary", K_DURATION, 0, 0 },
    { "leak-window", K_DURATION, 0, 0 },
    { "leak-threshold", K_GROWTH, 0, 0 },
    { "on-leak", K_STRING, 0, 0 },
    { "metrics", K_STRING, 0, 0 },
    { "db", K_STRING, 0, 0 },
    { "clock-speed", K_NUMBER, 0, 0 },
};

void daemon_opts_init(daemon_opts *o)
{
    memset(o, 0, sizeof *o);
    o->foreground = -1;
    o->children = 1;
    o->scan_period = DAEMON_DEFAULT_SCAN;
    o->interval = DAEMON_DEFAULT_INTERVAL;
    o->rate = DAEMON_DEFAULT_RATE;
    o->keep_detail = DAEMON_DEFAULT_KEEP_DETAIL;
    o->keep_summary = DAEMON_DEFAULT_KEEP_SUMMARY;
    o->leak_window = DAEMON_DEFAULT_LEAK_WINDOW;
    o->leak_threshold = DAEMON_DEFAULT_LEAK_THRESHOLD;
    o->sampling = SAMPLING_BOTH;
    o->fault_period = CLI_DEFAULT_FAULT_PERIOD;
}

static void list_clear(strlist *l)
{
    for (size_t i = 0; i < l->n; i++)
        free(l->items[i]);
    free(l->items);
    l->items = NULL;
    l->n = 0;
}

static int list_add(strlist *l, const char *v)
{
    if (l->n >= MAX_LIST)
        return -1;
    char **ni = realloc(l->items, (l->n + 1) * sizeof *ni);
    if (!ni)
        return -1;
    l->items = ni;
    if (!(l->items[l->n] = strdup(v)))
        return -1;
    l->n++;
    return 0;
}

static int set_string(char **dst, const char *v)
{
    char *c = strdup(v);
    if (!c)
        return -1;
    free(*dst);
    *dst = c;
    return 0;
}

/* Reads a boolean word; -1 if it is not one. */
static int parse_bool(const char *v)
{
    static const char *yes[] = { "1", "yes", "true", "on" }, *no[] = { "0", "no", "false", "off" };
    for (size_t i = 0; i < 4; i++) {
        if (!strcasecmp(v, yes[i]))
            return 1;
        if (!strcasecmp(v, no[i]))
            return 0;
    }
    return -1;
}

int daemon_parse_growth(const char *s, double *bytes_per_min)
{
    if (!s)
        return -1;
    char num[64];
    const char *slash = strchr(s, '/');
    size_t n = slash ? (size_t)(slash - s) : strlen(s);
    if (n == 0 || n >= sizeof num)
        return -1;
    memcpy(num, s, n);
    num[n] = '\0';
    int64_t bytes;
    if (units_parse_bytes(num, &bytes) < 0)
        return -1;
    double per = 60.0;   /* a size alone is per minute */
    if (slash) {
        const char *u = slash + 1;
        if (!strcmp(u, "s") || !strcmp(u, "sec"))
            per = 1.0;
        else if (!strcmp(u, "m") || !strcmp(u, "min"))
            per = 60.0;
        else if (!strcmp(u, "h") || !strcmp(u, "hour"))
            per = 3600.0;
        else
            return -1;
    }
    *bytes_per_min = (double)bytes * 60.0 / per;
    return 0;
}

int daemon_parse_listen(const char *s, char *host, size_t hostlen, char *port, size_t portlen)
{
    if (!s || !*s)
        return -1;
    const char *h = "127.0.0.1", *p = s;
    size_t hl = strlen(h);
    if (s[0] == '[') {
        const char *close = strchr(s, ']');
        if (!close || close[1] != ':')
            return -1;
        h = s + 1;
        hl = (size_t)(close - h);
        p = close + 2;
    } else {
        const char *colon = strrchr(s, ':');
        if (colon) {
            if (strchr(s, ':') != colon)
                return -1;   /* a bare IPv6 address needs brackets */
            if (colon > s) {
                h = s;
                hl = (size_t)(colon - s);
            }
            p = colon + 1;
        }
    }
    if (hl == 0 || hl >= hostlen || !*p || strlen(p) >= portlen)
        return -1;
    char *end;
    errno = 0;
    long v = strtol(p, &end, 10);
    if (*end || errno || v < 0 || v > 65535 || !isdigit((unsigned char)*p))
        return -1;
    memcpy(host, h, hl);
    host[hl] = '\0';
    snprintf(port, portlen, "%ld", v);
    return 0;
}

static const optdef *find_def(const char *key)
{
    char norm[64];
    size_t n = strlen(key);
    if (n >= sizeof norm)
        return NULL;
    for (size_t i = 0; i <= n; i++)
        norm[i] = key[i] == '_' ? '-' : key[i];
    for (size_t i = 0; i < sizeof defs / sizeof defs[0]; i++)
        if (!strcmp(defs[i].name, norm))
            return &defs[i];
    return NULL;
}

int daemon_opts_set(daemon_opts *o, const char *key, const char *value, int from_cli, char *err, size_t errlen)
{
    const optdef *d = find_def(key);
    if (!d || (d->cli_only && !from_cli) || (!from_cli && !strcmp(d->name, "no-children"))) {
        snprintf(err, errlen, "unknown option '%s%s'", from_cli ? "--" : "", key);
        return -1;
    }
    const char *name = d->name;
    if (d->kind == K_BOOL) {
        int b = d->flag;
        if (value && (b = parse_bool(value)) < 0) {
            snprintf(err, errlen, "%s: '%s' is not yes or no", name, value);
            return -1;
        }
        if (!strcmp(name, "foreground"))
            o->foreground = b;
        else if (!strcmp(name, "children"))
            o->children = b;
        else if (!strcmp(name, "no-children"))
            o->children = 0;
        else if (!strcmp(name, "quiet"))
            o->quiet = b;
        else
            o->help = b;
        return 0;
    }
    if (!value) {
        snprintf(err, errlen, "%s needs a value", name);
        return -1;
    }
    double dv;
    int64_t bv;
    switch (d->kind) {
    case K_LIST:
    case K_PIDS: {
        strlist *l = !strcmp(name, "match") ? &o->match : !strcmp(name, "exclude") ? &o->exclude
                   : !strcmp(name, "user") ? &o->users : &o->pids;
        unsigned bit = !strcmp(name, "match") ? 1u : !strcmp(name, "exclude") ? 2u : !strcmp(name, "user") ? 4u : 8u;
        if (d->kind == K_PIDS) {
            pid_t p;
            if (cli_parse_pid(value, &p) < 0) {
                snprintf(err, errlen, "--pid: '%s' is not a process id", value);
                return -1;
            }
        }
        if (!value[0]) {
            snprintf(err, errlen, "--%s: empty value", name);
            return -1;
        }
        if (from_cli && !(o->cli_lists & bit)) {
            list_clear(l);   /* the command line's list replaces the config file's */
            o->cli_lists |= bit;
        }
        if (list_add(l, value) < 0) {
            snprintf(err, errlen, "--%s: too many values", name);
            return -1;
        }
        return 0;
    }
    case K_DURATION:
        if (units_parse_duration(value, &dv) < 0) {
            snprintf(err, errlen, "--%s: '%s' is not a duration (e.g. 500ms, 2s, 10m, 24h, 30d)", name, value);
            return -1;
        }
        if (!strcmp(name, "scan-period"))
            o->scan_period = dv;
        else if (!strcmp(name, "interval"))
            o->interval = dv;
        else if (!strcmp(name, "keep-detail"))
            o->keep_detail = dv;
        else if (!strcmp(name, "keep-summary"))
            o->keep_summary = dv;
        else
            o->leak_window = dv;
        return 0;
    case K_RATE:
        if (!strcmp(value, "0")) {
            o->rate = 0;
            return 0;
        }
        if (units_parse_rate(value, &dv) < 0 || dv > 100000) {
            snprintf(err, errlen, "--rate: '%s' is not a rate in Hz between 0 and 100000 (e.g. 20, 1k)", value);
            return -1;
        }
        o->rate = dv;
        return 0;
    case K_SAMPLING:
        if (!strcmp(value, "timer"))
            o->sampling = SAMPLING_TIMER;
        else if (!strcmp(value, "faults"))
            o->sampling = SAMPLING_FAULTS;
        else if (!strcmp(value, "both"))
            o->sampling = SAMPLING_BOTH;
        else {
            snprintf(err, errlen, "--sampling: '%s' is not one of timer, faults, both", value);
            return -1;
        }
        return 0;
    case K_BYTES:
        if (units_parse_bytes(value, &bv) < 0 || bv < 4096 || bv > (1LL << 34)) {
            snprintf(err, errlen, "--fault-period: '%s' is not a size between 4k and 16G (e.g. 64k, 1M)", value);
            return -1;
        }
        o->fault_period = bv;
        return 0;
    case K_GROWTH:
        if (daemon_parse_growth(value, &dv) < 0) {
            snprintf(err, errlen, "--leak-threshold: '%s' is not a growth rate (e.g. 1M/min, 64k/s, 100M/h)", value);
            return -1;
        }
        o->leak_threshold = dv;
        return 0;
    case K_NUMBER: {
        char *end;
        errno = 0;
        dv = strtod(value, &end);
        if (*end || errno || !isfinite(dv) || dv < 0.001 || dv > 1e6) {
            snprintf(err, errlen, "--%s: '%s' is not a number between 0.001 and 1000000", name, value);
            return -1;
        }
        o->clock_speed = dv;
        return 0;
    }
    default: {   /* K_STRING */
        char **dst = !strcmp(name, "config") ? &o->config : !strcmp(name, "on-leak") ? &o->on_leak
                   : !strcmp(name, "metrics") ? &o->metrics : &o->db;
        if (!value[0]) {
            snprintf(err, errlen, "--%s: empty value", name);
            return -1;
        }
        if (dst == &o->metrics) {
            char h[256], p[16];
            if (daemon_parse_listen(value, h, sizeof h, p, sizeof p) < 0) {
                snprintf(err, errlen, "--metrics: '%s' is not ADDR:PORT (e.g. 127.0.0.1:9464, [::1]:9464, :9464)",
                         value);
                return -1;
            }
        }
        if (set_string(dst, value) < 0) {
            snprintf(err, errlen, "out of memory");
            return -1;
        }
        return 0;
    }
    }
}

/* Strips blanks at both ends of [*b, *e). */
static void trim(const char **b, const char **e)
{
    while (*b < *e && isspace((unsigned char)**b))
        (*b)++;
    while (*e > *b && isspace((unsigned char)(*e)[-1]))
        (*e)--;
}

int daemon_conf_parse(daemon_opts *o, const char *text, char *err, size_t errlen)
{
    const char *p = text;
    for (int lineno = 1; *p; lineno++) {
        const char *eol = strchr(p, '\n');
        const char *b = p, *e = eol ? eol : p + strlen(p);
        p = eol ? eol + 1 : e;
        trim(&b, &e);
        if (b == e || *b == '#')
            continue;
        if ((size_t)(e - b) >= MAX_LINE) {
            snprintf(err, errlen, "line %d: too long", lineno);
            return -1;
        }
        const char *eq = memchr(b, '=', (size_t)(e - b));
        if (!eq) {
            snprintf(err, errlen, "line %d: expected 'key = value'", lineno);
            return -1;
        }
        const char *kb = b, *ke = eq, *vb = eq + 1, *ve = e;
        trim(&kb, &ke);
        trim(&vb, &ve);
        if (ve - vb >= 2 && (*vb == '"' || *vb == '\'') && ve[-1] == *vb) {
            vb++;
            ve--;
        }
        char key[64], value[MAX_LINE];
        if (ke == kb || (size_t)(ke - kb) >= sizeof key) {
            snprintf(err, errlen, "line %d: bad key", lineno);
            return -1;
        }
        memcpy(key, kb, (size_t)(ke - kb));
        key[ke - kb] = '\0';
        memcpy(value, vb, (size_t)(ve - vb));
        value[ve - vb] = '\0';
        if (memchr(vb, '\0', (size_t)(ve - vb)) || strlen(value) != (size_t)(ve - vb)) {
            snprintf(err, errlen, "line %d: NUL byte", lineno);
            return -1;
        }
        char why[512];
        if (daemon_opts_set(o, key, value, 0, why, sizeof why) < 0) {
            snprintf(err, errlen, "line %d: %s", lineno, why);
            return -1;
        }
    }
    return 0;
}

const char *daemon_opts_config_arg(int argc, char **argv)
{
    const char *found = NULL;
    for (int i = 1; i < argc; i++) {
        if (!strcmp(argv[i], "--"))
            break;
        if (!strcmp(argv[i], "--config") && i + 1 < argc)
            found = argv[++i];
        else if (!strncmp(argv[i], "--config=", 9))
            found = argv[i] + 9;
    }
    return found;
}

int daemon_opts_parse_argv(daemon_opts *o, int argc, char **argv, char *err, size_t errlen)
{
    for (int i = 1; i < argc; i++) {
        const char *a = argv[i];
        if (!strcmp(a, "-h")) {
            o->help = 1;
            return 0;
        }
        if (!strcmp(a, "-q")) {
            o->quiet = 1;
            continue;
        }
        if (strncmp(a, "--", 2) != 0 || !a[2]) {
            snprintf(err, errlen, "unexpected argument '%s'", a);
            return -1;
        }
        char key[64];
        const char *eq = strchr(a + 2, '='), *value = NULL;
        size_t kl = eq ? (size_t)(eq - a - 2) : strlen(a + 2);
        if (kl >= sizeof key) {
            snprintf(err, errlen, "unknown option '%s'", a);
            return -1;
        }
        memcpy(key, a + 2, kl);
        key[kl] = '\0';
        const optdef *d = find_def(key);
        if (!d || strchr(key, '_')) {
            snprintf(err, errlen, "unknown option '--%s'", key);
            return -1;
        }
        if (eq) {
            value = eq + 1;
        } else if (d->kind != K_BOOL) {
            if (i + 1 >= argc) {
                snprintf(err, errlen, "--%s needs a value", key);
                return -1;
            }
            value = argv[++i];
        }
        if (daemon_opts_set(o, key, value, 1, err, errlen) < 0)
            return -1;
        if (o->help)
            return 0;
    }
    return 0;
}

int daemon_opts_check(const daemon_opts *o, char *err, size_t errlen)
{
    if (!o->match.n && !o->users.n && !o->pids.n) {
        snprintf(err, errlen, "nothing to watch: give --match REGEX, --user USER or --pid PID "
                              "(on the command line or in the config file)");
        return -1;
    }
    if (o->interval < 0.01) {
        snprintf(err, errlen, "--interval: shorter than 10ms");
        return -1;
    }
    if (o->scan_period < 0.05) {
        snprintf(err, errlen, "--scan-period: shorter than 50ms");
        return -1;
    }
    if (o->leak_window < 2 * o->interval) {
        snprintf(err, errlen, "--leak-window: must be at least two intervals long");
        return -1;
    }
    if (o->keep_summary < o->keep_detail) {
        snprintf(err, errlen, "--keep-summary: must be at least as long as --keep-detail");
        return -1;
    }
    return 0;
}

void daemon_opts_free(daemon_opts *o)
{
    list_clear(&o->match);
    list_clear(&o->exclude);
    list_clear(&o->users);
    list_clear(&o->pids);
    free(o->config);
    free(o->on_leak);
    free(o->metrics);
    free(o->db);
    o->config = o->on_leak = o->metrics = o->db = NULL;
}
