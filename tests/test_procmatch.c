/* Unit tests: which processes the daemon's rules select, and the slope of a window. */
#include <math.h>

#include "check.h"
#include "procmatch.h"
#include "slope.h"

static void test_rules(void)
{
    char err[256];
    procmatch *m = procmatch_new();
    CHECK(m && procmatch_count(m) == 0);
    CHECK(procmatch_test(m, 10, 1000, "python3 app.py") == 0);   /* no criteria: nothing */
    CHECK(procmatch_add_match(m, "python[0-9.]* .*worker", err, sizeof err) == 0);
    CHECK(procmatch_test(m, 10, 1000, "/usr/bin/python3.11 -m celery worker") == 1);
    CHECK(procmatch_test(m, 10, 1000, "/usr/bin/python3.11 -m http.server") == 0);
    CHECK(procmatch_test(m, 10, 1000, "") == 0);                  /* kernel thread */
    CHECK(procmatch_test(m, 10, 1000, NULL) == 0);
    /* a pattern and a user: both must hold */
    CHECK(procmatch_add_user(m, 1000) == 0);
    CHECK(procmatch_test(m, 10, 1000, "python3 worker") == 1);
    CHECK(procmatch_test(m, 10, 0, "python3 worker") == 0);
    /* several users: any */
    CHECK(procmatch_add_user(m, 33) == 0);
    CHECK(procmatch_test(m, 10, 33, "python3 worker") == 1);
    /* a listed pid is selected whatever its command line or user */
    CHECK(procmatch_add_pid(m, 4242) == 0);
    CHECK(procmatch_test(m, 4242, 7, "bash") == 1);
    CHECK(procmatch_lists_pid(m, 4242) == 1 && procmatch_lists_pid(m, 4243) == 0);
    /* an exclusion wins over everything */
    CHECK(procmatch_add_exclude(m, "--dry-run|^bash", err, sizeof err) == 0);
    CHECK(procmatch_test(m, 10, 1000, "python3 worker --dry-run") == 0);
    CHECK(procmatch_test(m, 4242, 7, "bash") == 0);
    CHECK(procmatch_test(m, 10, 1000, "python3 worker") == 1);
    CHECK(procmatch_count(m) == 4);
    /* a bad pattern says why */
    err[0] = '\0';
    CHECK(procmatch_add_match(m, "python(", err, sizeof err) < 0 && strstr(err, "python(") != NULL);
    CHECK(procmatch_add_exclude(m, "[z-a]", err, sizeof err) < 0 && strstr(err, "--exclude") != NULL);
    procmatch_free(m);
    procmatch_free(NULL);

    /* users alone */
    m = procmatch_new();
    CHECK(procmatch_add_user(m, 0) == 0);
    CHECK(procmatch_test(m, 1, 0, "/sbin/init") == 1);
    CHECK(procmatch_test(m, 1, 5, "/sbin/init") == 0);
    procmatch_free(m);
}

static void test_theil_sen(void)
{
    double t[SLOPE_MAX_POINTS], v[SLOPE_MAX_POINTS], s = -1;
    /* a straight line */
    for (int i = 0; i < 10; i++) {
        t[i] = i;
        v[i] = 100 + 3.0 * i;
    }
    CHECK(slope_theil_sen(t, v, 10, &s) == 0 && fabs(s - 3.0) < 1e-9);
    /* outliers (a third of the points, far off) do not move it much */
    for (int i = 0; i < 30; i++) {
        t[i] = i;
        v[i] = 1000 + 2.0 * i + ((i % 3) == 0 ? 1e6 : 0);
    }
    CHECK(slope_theil_sen(t, v, 30, &s) == 0 && fabs(s - 2.0) < 0.5);
    /* flat with noise */
    for (int i = 0; i < 40; i++) {
        t[i] = i * 0.5;
        v[i] = 5e7 + ((i * 7919) % 13) * 1000.0;
    }
    CHECK(slope_theil_sen(t, v, 40, &s) == 0 && fabs(s) < 1000);
    /* a step in the first quarter is no slope */
    for (int i = 0; i < 40; i++)
        v[i] = i < 8 ? 1e6 : 9e6;
    CHECK(slope_theil_sen(t, v, 40, &s) == 0 && s == 0);
    /* even count: the mean of the two middle slopes */
    double t2[3] = { 0, 1, 3 }, v2[3] = { 0, 1, 9 };   /* slopes 1, 3, 4 -> 3 */
    CHECK(slope_theil_sen(t2, v2, 3, &s) == 0 && s == 3);
    double t3[4] = { 0, 1, 2, 3 }, v3[4] = { 0, 0, 0, 6 };   /* 0 0 0 6 3 2 -> (0+2)/2 */
    CHECK(slope_theil_sen(t3, v3, 4, &s) == 0 && s == 1);
    /* nothing to fit */
    CHECK(slope_theil_sen(t, v, 1, &s) < 0);
    double same[3] = { 5, 5, 5 };
    CHECK(slope_theil_sen(same, v, 3, &s) < 0);
    double bad[3] = { 0, NAN, INFINITY };
    CHECK(slope_theil_sen(bad, v, 3, &s) < 0);
}

static void test_window(void)
{
    slope_window w;
    double s;
    slope_window_init(&w, 60);
    CHECK(slope_window_fill(&w) == 0 && slope_window_estimate(&w, &s) < 0);
    /* one point a second for 3 minutes: the window keeps the last minute, bounded */
    int added = 0;
    for (int i = 0; i <= 180; i++)
        added += slope_window_add(&w, 1000.0 + i, 5e6 + 1e4 * i);
    CHECK(w.n <= SLOPE_MAX_POINTS && w.n >= 55);
    CHECK(added == 181);
    CHECK(slope_window_fill(&w) > 0.95);
    CHECK(slope_window_estimate(&w, &s) == 0 && fabs(s - 1e4) < 1e-6);
    /* points closer than span/(max-4) are skipped; time going back too */
    CHECK(slope_window_add(&w, 1180.5, 0) == 0);
    CHECK(slope_window_add(&w, 900, 0) == 0);
    /* fast intervals into a long window: at most SLOPE_MAX_POINTS points */
    slope_window_init(&w, 600);
    for (int i = 0; i < 6000; i++)
        (void)slope_window_add(&w, i * 0.2, i);
    CHECK(w.n <= SLOPE_MAX_POINTS);
    CHECK(slope_window_fill(&w) > 0.9);
    CHECK(slope_window_estimate(&w, &s) == 0 && fabs(s - 5.0) < 0.01);
    /* half a window of points: fill about one half */
    slope_window_init(&w, 10);
    for (int i = 0; i <= 25; i++)
        (void)slope_window_add(&w, i * 0.2, 0);
    CHECK(fabs(slope_window_fill(&w) - 0.5) < 0.05);
}

int main(void)
{
    test_rules();
    test_theil_sen();
    test_window();
    return check_done("test_procmatch");
}
