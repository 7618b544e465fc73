/* procmatch: which processes the daemon watches (pure). */
#include "procmatch.h"

#include <regex.h>
#include <stdio.h>
#include <stdlib.h>

#define MAX_RULES 4096   /* of each kind */

typedef struct relist {
    regex_t *re;
    size_t n, cap;
} relist;

struct procmatch {
    relist match, exclude;
    uid_t *uids;
    size_t nuids, capuids;
    pid_t *pids;
    size_t npids, cappids;
};

procmatch *procmatch_new(void)
{
    return calloc(1, sizeof(procmatch));
}

/* Grows an array of elements of size sz to hold one more. Returns 0 or -1. */
static int grow(void **items, size_t *cap, size_t n, size_t sz)
{
    if (n < *cap)
        return 0;
    if (n >= MAX_RULES)
        return -1;
    size_t ncap = *cap ? *cap * 2 : 8;
    void *p = realloc(*items, ncap * sz);
    if (!p)
        return -1;
    *items = p;
    *cap = ncap;
    return 0;
}

static int add_re(relist *l, const char *regex, const char *what, char *err, size_t errlen)
{
    void *items = l->re;
    if (grow(&items, &l->cap, l->n, sizeof *l->re) < 0) {
        snprintf(err, errlen, "%s: too many patterns", what);
        return -1;
    }
    l->re = items;
    int rc = regcomp(&l->re[l->n], regex, REG_EXTENDED | REG_NOSUB);
    if (rc != 0) {
        char why[128];
        regerror(rc, &l->re[l->n], why, sizeof why);
        snprintf(err, errlen, "%s: '%s' is not a valid extended regular expression: %s", what, regex, why);
        return -1;
    }
    l->n++;
    return 0;
}

int procmatch_add_match(procmatch *m, const char *regex, char *err, size_t errlen)
{
    return add_re(&m->match, regex, "--match", err, errlen);
}

int procmatch_add_exclude(procmatch *m, const char *regex, char *err, size_t errlen)
{
    return add_re(&m->exclude, regex, "--exclude", err, errlen);
}

int procmatch_add_user(procmatch *m, uid_t uid)
{
    void *items = m->uids;
    if (grow(&items, &m->capuids, m->nuids, sizeof *m->uids) < 0)
        return -1;
    m->uids = items;
    m->uids[m->nuids++] = uid;
    return 0;
}

int procmatch_add_pid(procmatch *m, pid_t pid)
{
    void *items = m->pids;
    if (grow(&items, &m->cappids, m->npids, sizeof *m->pids) < 0)
        return -1;
    m->pids = items;
    m->pids[m->npids++] = pid;
    return 0;
}

static int any_re(const relist *l, const char *text)
{
    for (size_t i = 0; i < l->n; i++)
        if (regexec(&l->re[i], text, 0, NULL, 0) == 0)
            return 1;
    return 0;
}

int procmatch_lists_pid(const procmatch *m, pid_t pid)
{
    for (size_t i = 0; i < m->npids; i++)
        if (m->pids[i] == pid)
            return 1;
    return 0;
}

int procmatch_test(const procmatch *m, pid_t pid, uid_t uid, const char *cmdline)
{
    if (!cmdline)
        cmdline = "";
    if (cmdline[0] && any_re(&m->exclude, cmdline))
        return 0;
    if (procmatch_lists_pid(m, pid))
        return 1;
    if (!m->match.n && !m->nuids)
        return 0;
    if (m->match.n && (!cmdline[0] || !any_re(&m->match, cmdline)))
        return 0;
    if (m->nuids) {
        int found = 0;
        for (size_t i = 0; i < m->nuids && !found; i++)
            found = m->uids[i] == uid;
        if (!found)
            return 0;
    }
    return 1;
}

size_t procmatch_count(const procmatch *m)
{
    return m->match.n + m->nuids + m->npids;
}

void procmatch_free(procmatch *m)
{
    if (!m)
        return;
    for (size_t i = 0; i < m->match.n; i++)
        regfree(&m->match.re[i]);
    for (size_t i = 0; i < m->exclude.n; i++)
        regfree(&m->exclude.re[i]);
    free(m->match.re);
    free(m->exclude.re);
    free(m->uids);
    free(m->pids);
    free(m);
}
