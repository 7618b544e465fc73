/* Unit tests: duration, rate and byte parsing and formatting. */
#include <math.h>

#include "check.h"
#include "units.h"

static int dur(const char *s, double want)
{
    double v = -1;
    return units_parse_duration(s, &v) == 0 && fabs(v - want) < 1e-12;
}

int main(void)
{
    CHECK(dur("200ms", 0.2));
    CHECK(dur("0.2s", 0.2));
    CHECK(dur("1", 1.0));
    CHECK(dur("2m", 120.0));
    CHECK(dur("1h", 3600.0));
    CHECK(dur("500us", 0.0005));
    CHECK(dur("1.5", 1.5));
    double v;
    const char *bad[] = { "", "0", "-1", "abc", "1x", "1 s", " 1", "inf", "nan", "0x10", "1e999", "0ms", "s", NULL };
    for (int i = 0; bad[i]; i++) {
        int r = units_parse_duration(bad[i], &v);
        CHECK(r == -1);
        if (r != -1)
            fprintf(stderr, "  accepted bad duration '%s'\n", bad[i]);
    }
    double hz;
    CHECK(units_parse_rate("1000", &hz) == 0 && hz == 1000);
    CHECK(units_parse_rate("1k", &hz) == 0 && hz == 1000);
    CHECK(units_parse_rate("250.5", &hz) == 0 && hz == 250.5);
    CHECK(units_parse_rate("100Hz", &hz) == 0 && hz == 100);
    CHECK(units_parse_rate("0", &hz) == -1);
    CHECK(units_parse_rate("-5", &hz) == -1);
    CHECK(units_parse_rate("fast", &hz) == -1);

    int64_t b;
    CHECK(units_parse_bytes("4096", &b) == 0 && b == 4096);
    CHECK(units_parse_bytes("64k", &b) == 0 && b == 65536);
    CHECK(units_parse_bytes("64KiB", &b) == 0 && b == 65536);
    CHECK(units_parse_bytes("16M", &b) == 0 && b == 16 << 20);
    CHECK(units_parse_bytes("1G", &b) == 0 && b == 1LL << 30);
    CHECK(units_parse_bytes("0", &b) == -1);
    CHECK(units_parse_bytes("12q", &b) == -1);

    char buf[32];
    CHECK_STR(units_format_bytes(0, buf, sizeof buf), "0 B");
    CHECK_STR(units_format_bytes(512, buf, sizeof buf), "512 B");
    CHECK_STR(units_format_bytes(1536, buf, sizeof buf), "1.50 KiB");
    CHECK_STR(units_format_bytes(200LL << 20, buf, sizeof buf), "200 MiB");
    CHECK_STR(units_format_bytes(-(3LL << 30), buf, sizeof buf), "-3.00 GiB");
    CHECK_STR(units_format_bytes(15LL << 20, buf, sizeof buf), "15.0 MiB");
    CHECK_STR(units_format_duration(0.85, buf, sizeof buf), "850 ms");
    CHECK_STR(units_format_duration(12.34, buf, sizeof buf), "12.3 s");
    CHECK_STR(units_format_duration(245, buf, sizeof buf), "4m05s");
    CHECK_STR(units_format_duration(7380, buf, sizeof buf), "2h03m");
    return check_done("test_units");
}
