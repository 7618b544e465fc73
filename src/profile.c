/* profile: what `run` and `attach` share — open the store, record, summarise. */
#include "profile.h"

#include <stdio.h>
#include <string.h>
#include <sys/resource.h>

#include "dbpath.h"
#include "exitcodes.h"
#include "report.h"
#include "units.h"

int profile_open_store(profile_store *ps, const char *db_opt, char *err, size_t errlen)
{
    memset(ps, 0, sizeof *ps);
    if (dbpath_resolve(db_opt, ps->path, sizeof ps->path, err, errlen) < 0)
        return MW_EXIT_DB;
    ps->st = store_open(ps->path, STORE_WRITE, err, errlen);
    return ps->st ? 0 : MW_EXIT_DB;
}

void profile_close_store(profile_store *ps)
{
    if (ps->st)
        store_close(ps->st);
    ps->st = NULL;
}

static void print_summary(profile_store *ps, const sampler_result *r, const char *cmdline)
{
    char a[32], b[32], c[32], d[32], e[32];
    struct rusage ru;
    getrusage(RUSAGE_SELF, &ru);
    double dur = r->end - r->start;
    fprintf(stderr, "memwatch: session %lld: %s\n", (long long)r->session, cmdline);
    fprintf(stderr, "  duration %s, %llu samples, %llu stack samples (%llu where memory grew",
            units_format_duration(dur, a, sizeof a), (unsigned long long)r->rows,
            (unsigned long long)r->ticks, (unsigned long long)r->fault_samples);
    if (r->fault_samples && r->fault_placed)
        fprintf(stderr, ", %.0f%% placed at the fault", 100.0 * (double)r->fault_placed / (double)r->fault_samples);
    fprintf(stderr, ")%s%s\n", r->python[0] ? ", Python " : " (memory only)", r->python);
    fprintf(stderr, "  peak RSS %s, USS %s, PSS %s; final RSS %s",
            units_format_bytes(r->peak_rss, a, sizeof a),
            r->peak_uss ? units_format_bytes(r->peak_uss, b, sizeof b) : "n/a",
            r->peak_pss ? units_format_bytes(r->peak_pss, c, sizeof c) : "n/a",
            units_format_bytes(r->final_rss, d, sizeof d));
    if (r->children)
        fprintf(stderr, "; %u child process%s", r->children, r->children == 1 ? "" : "es");
    fputc('\n', stderr);
    fprintf(stderr, "  collector: %.3f s CPU", r->cpu_seconds);
    if (dur >= 1.0)
        fprintf(stderr, " (%.1f%% of one core)", 100.0 * r->cpu_seconds / dur);
    fprintf(stderr, ", peak RSS %s", units_format_bytes((int64_t)ru.ru_maxrss * 1024, e, sizeof e));
    if (r->torn)
        fprintf(stderr, ", %llu unreadable stacks", (unsigned long long)r->torn);
    if (r->faults_lost)
        fprintf(stderr, ", %llu page-fault overflows lost", (unsigned long long)r->faults_lost);
    fputc('\n', stderr);
    if (r->python[0])
        report_print_top(ps->st, r->session, 5, stderr);
    fprintf(stderr, "  see it: memwatch report %lld   (database %s)\n", (long long)r->session, ps->path);
}

int profile_record(profile_store *ps, const sampler_opts *so, pid_t pid, int launched,
                   volatile sig_atomic_t *stop, sampler_result *res, int quiet, const char *cmdline)
{
    memset(res, 0, sizeof *res);
    mw_sink sink = store_sink(ps->st);
    sampler *s = sampler_new(so, &sink);
    if (!s) {
        fprintf(stderr, "memwatch: out of memory\n");
        return MW_EXIT_ERROR;
    }
    char msg[512];
    if (sampler_start(s, pid, launched, launched ? cmdline : NULL, msg, sizeof msg) < 0) {
        fprintf(stderr, "memwatch: %s\n", msg);
        sampler_free(s);
        return store_disk_full(ps->st) ? MW_EXIT_DISKFULL : strstr(msg, "no such process") ? MW_EXIT_NOPROC
                                                                                            : MW_EXIT_DB;
    }
    int rc = sampler_run(s, stop, res);
    sampler_free(s);
    if (rc < 0) {
        fprintf(stderr, "memwatch: %s\n", res->error);
        return store_disk_full(ps->st) ? MW_EXIT_DISKFULL : MW_EXIT_DB;
    }
    if (!quiet)
        print_summary(ps, res, cmdline);
    return MW_EXIT_OK;
}
