/* Unit tests: the pure parts of memwatch plot — axis ticks in human units,
 * scaling, label placement, series with children summed, marker picks. */
#include <math.h>
#include <stdlib.h>

#include "check.h"
#include "plotaxis.h"
#include "plotdata.h"

static void test_bytes_axis(void)
{
    plotaxis a;
    char buf[64];
    /* 130 MiB with up to 8 ticks: 0, 20, ..., 140 MiB */
    plotaxis_bytes(130.0 * 1048576, 8, &a);
    CHECK_STR(a.unit_name, "MiB");
    CHECK(a.unit == 1048576 && a.step == 20.0 * 1048576 && a.n == 8);
    CHECK(a.lo == 0 && a.hi == 140.0 * 1048576 && a.ticks[7] == a.hi);
    CHECK_STR(plotaxis_bytes_label(&a, a.ticks[0], buf, sizeof buf), "0");
    CHECK_STR(plotaxis_bytes_label(&a, a.ticks[3], buf, sizeof buf), "60 MiB");
    /* the top tick always covers the maximum, ticks never exceed the limit */
    for (double m = 1; m < 1e13; m *= 3.7) {
        for (int t = 2; t <= 12; t++) {
            plotaxis_bytes(m, t, &a);
            CHECK(a.n >= 2 && a.n <= (size_t)t && a.hi >= m && a.ticks[0] == 0);
            for (size_t i = 1; i < a.n; i++)
                CHECK(fabs(a.ticks[i] - a.ticks[i - 1] - a.step) < a.step * 1e-9);
            /* 1, 2 or 5 times a power of ten of the unit */
            double s = a.step / a.unit, p = pow(10, floor(log10(s) + 1e-9)), q = s / p;
            CHECK(fabs(q - 1) < 1e-9 || fabs(q - 2) < 1e-9 || fabs(q - 5) < 1e-9);
        }
    }
    /* fractions of a unit get decimals */
    plotaxis_bytes(1.5 * 1073741824, 8, &a);
    CHECK_STR(a.unit_name, "GiB");
    CHECK(a.step == 0.5 * 1073741824 && a.n == 4);
    CHECK_STR(plotaxis_bytes_label(&a, a.ticks[1], buf, sizeof buf), "0.5 GiB");
    CHECK_STR(plotaxis_bytes_label(&a, a.ticks[2], buf, sizeof buf), "1.0 GiB");
    /* small and empty */
    plotaxis_bytes(700, 5, &a);
    CHECK_STR(a.unit_name, "B");
    CHECK(a.step == 200 && a.hi == 800);
    CHECK_STR(plotaxis_bytes_label(&a, 400, buf, sizeof buf), "400 B");
    plotaxis_bytes(3, 8, &a);
    CHECK(a.step == 1);   /* never a fraction of a byte */
    plotaxis_bytes(0, 8, &a);
    CHECK(a.hi > 0 && a.n >= 2);
    plotaxis_bytes(NAN, 8, &a);
    CHECK(a.hi > 0 && a.n >= 2);
    plotaxis_bytes(1e9, 1000, &a);
    CHECK(a.n <= PLOTAXIS_MAX_TICKS);
}

static void test_time_axis(void)
{
    plotaxis a;
    char buf[64];
    plotaxis_time(0, 2.9, 12, &a);
    CHECK(a.step == 0.5 && a.n == 6 && a.ticks[5] == 2.5 && a.lo == 0 && a.hi == 2.9);
    CHECK_STR(plotaxis_time_label(&a, 0, buf, sizeof buf), "0");
    CHECK_STR(plotaxis_time_label(&a, 0.5, buf, sizeof buf), "0.5s");
    CHECK_STR(plotaxis_time_label(&a, 2, buf, sizeof buf), "2.0s");
    plotaxis_time(0, 600, 11, &a);
    CHECK(a.step == 60 && a.n == 11);
    CHECK_STR(plotaxis_time_label(&a, 120, buf, sizeof buf), "2m");
    plotaxis_time(0, 200, 8, &a);
    CHECK(a.step == 30);
    CHECK_STR(plotaxis_time_label(&a, 90, buf, sizeof buf), "1m30s");
    CHECK_STR(plotaxis_time_label(&a, 30, buf, sizeof buf), "30s");
    plotaxis_time(0, 5 * 3600, 6, &a);
    CHECK(a.step == 3600);
    CHECK_STR(plotaxis_time_label(&a, 7200, buf, sizeof buf), "2h");
    CHECK_STR(plotaxis_time_label(&a, 5400, buf, sizeof buf), "1h30m");
    plotaxis_time(0, 0.04, 5, &a);
    CHECK(a.step == 0.01);
    CHECK_STR(plotaxis_time_label(&a, 0.02, buf, sizeof buf), "0.02s");
    plotaxis_time(0, 0.004, 5, &a);
    CHECK(a.step == 0.001);
    CHECK_STR(plotaxis_time_label(&a, 0.003, buf, sizeof buf), "3ms");
    plotaxis_time(1000, 1001, 11, &a);
    CHECK(a.step == 0.1 && a.n == 11);
    CHECK_STR(plotaxis_time_label(&a, a.ticks[1], buf, sizeof buf), "16m40.1s");
    CHECK_STR(plotaxis_time_label(&a, 1205.5, buf, sizeof buf), "20m05.5s");
    plotaxis_time(0, 10 * 86400, 6, &a);
    CHECK(a.step == 2 * 86400);
    CHECK_STR(plotaxis_time_label(&a, 4 * 86400, buf, sizeof buf), "4d");
    /* a range that does not start at 0: ticks inside it, on the step */
    plotaxis_time(7.3, 19.9, 8, &a);
    CHECK(a.step == 2 && a.ticks[0] == 8 && a.ticks[a.n - 1] == 18);
    for (double span = 0.001; span < 1e7; span *= 2.9) {
        plotaxis_time(1, 1 + span, 10, &a);
        CHECK(a.n >= 1 && a.n <= 10);
        for (size_t i = 0; i < a.n; i++)
            CHECK(a.ticks[i] >= 1 - 1e-9 && a.ticks[i] <= 1 + span + 1e-6);
    }
    /* nonsense ranges do not break it */
    plotaxis_time(5, 5, 10, &a);
    CHECK(a.hi > a.lo);
    plotaxis_time(NAN, INFINITY, 10, &a);
    CHECK(a.hi > a.lo && a.n <= PLOTAXIS_MAX_TICKS);
}

static void test_map(void)
{
    CHECK(plotaxis_map(5, 0, 10, 100, 200) == 150);
    CHECK(plotaxis_map(0, 0, 10, 500, 100) == 500);   /* y grows upwards */
    CHECK(plotaxis_map(10, 0, 10, 500, 100) == 100);
    CHECK(plotaxis_map(20, 0, 10, 0, 100) == 100);    /* clamped */
    CHECK(plotaxis_map(-3, 0, 10, 0, 100) == 0);
    CHECK(plotaxis_map(3, 4, 4, 0, 100) == 50);       /* zero width: the middle */
    CHECK(plotaxis_map(NAN, 0, 10, 0, 100) == 50);
}

static void test_labels(void)
{
    double x[] = { 100, 120, 400, 980, 130 }, w[] = { 80, 80, 50, 60, 80 }, left[5];
    int row[5];
    plotaxis_place_labels(x, w, 5, 1000, 3, 2, row, left);
    CHECK(row[0] == 0 && left[0] == 103);
    CHECK(row[1] == 1);                          /* overlaps the first: next row */
    CHECK(row[2] == 0);                          /* far away: first row again */
    CHECK(row[3] == 0 && left[3] == 980 - 3 - 60);   /* would pass the edge: left of its marker */
    CHECK(row[4] == -1);                         /* both rows taken there */
    /* no two placed labels overlap */
    double xs[40], ws[40], l2[40];
    int r2[40];
    for (int i = 0; i < 40; i++)
        xs[i] = (i * 37) % 500, ws[i] = 30 + (i * 13) % 50;
    plotaxis_place_labels(xs, ws, 40, 520, 2, 4, r2, l2);
    for (int i = 0; i < 40; i++)
        for (int j = 0; j < i; j++)
            if (r2[i] >= 0 && r2[i] == r2[j])
                CHECK(l2[i] >= l2[j] + ws[j] || l2[j] >= l2[i] + ws[i]);
}

static void test_series(void)
{
    plot_series s = { 0 }, c = { 0 };
    for (int i = 0; i < 10; i++) {
        double f[PLOT_NFIGS] = { 100, i == 3 ? NAN : 50, -1 };
        CHECK(plotdata_append(&s, i * 1.0, f) == 0);
    }
    CHECK(s.n == 10 && isnan(s.v[PLOT_PSS][0]) && isnan(s.v[PLOT_USS][3]));
    /* a child sampled between the parent's times, alive from 2.5 to 5.5 */
    for (int i = 0; i < 4; i++) {
        double f[PLOT_NFIGS] = { 10 * (i + 1), 5, 7 };
        CHECK(plotdata_append(&c, 2.5 + i, f) == 0);
    }
    plotdata_add_child(&s, &c, 1.0);
    CHECK(s.v[PLOT_RSS][2] == 100);             /* before the child */
    CHECK(s.v[PLOT_RSS][3] == 110);             /* child's point at 2.5 */
    CHECK(s.v[PLOT_RSS][4] == 120 && s.v[PLOT_RSS][6] == 140);
    CHECK(s.v[PLOT_RSS][7] == 100);             /* its last point is older than hold */
    CHECK(isnan(s.v[PLOT_USS][3]) && s.v[PLOT_USS][4] == 55);   /* unknown stays unknown */
    CHECK(isnan(s.v[PLOT_PSS][4]));
    CHECK(plotdata_max(&s) == 140);
    plotdata_free(&c);
    plotdata_add_child(&s, &c, 1.0);            /* an empty child changes nothing */
    CHECK(s.v[PLOT_RSS][4] == 120);
    plotdata_free(&s);
    CHECK(plotdata_max(&s) == 0 && s.n == 0);
}

static void test_pick(void)
{
    int64_t g[] = { 0, 100, 5, 400, 90, 300, 120, -1 };
    size_t pick[3];
    long best;
    size_t n = plotdata_pick(g, 8, 3, pick, &best);
    CHECK(best == 3);
    CHECK(n == 3 && pick[0] == 3 && pick[1] == 5 && pick[2] == 6);   /* the three largest (>= 100), in time order */
    n = plotdata_pick(g, 8, 1, pick, &best);
    CHECK(n == 1 && pick[0] == 3);
    int64_t none[] = { 0, -5, 0 };
    CHECK(plotdata_pick(none, 3, 3, pick, &best) == 0 && best == -1);
    CHECK(plotdata_pick(g, 0, 3, pick, &best) == 0 && best == -1);
    int64_t one[] = { 7 };
    CHECK(plotdata_pick(one, 1, 3, pick, &best) == 1 && pick[0] == 0 && best == 0);
}

int main(void)
{
    test_bytes_axis();
    test_time_axis();
    test_map();
    test_labels();
    test_series();
    test_pick();
    return check_done("test_plotaxis");
}
