/* units: parsing and formatting of durations and byte counts (pure, no I/O). */
#ifndef MW_UNITS_H
#define MW_UNITS_H

#include <stddef.h>
#include <stdint.h>

/* Parses a duration: "200ms", "0.2s", "1" (seconds), "2m", "1h", "500us".
 * Returns 0 and sets *seconds (> 0, finite), or -1 if s is not one. */
int units_parse_duration(const char *s, double *seconds);

/* Parses a positive rate in Hz ("1000", "1k", "250.5"). Returns 0 or -1. */
int units_parse_rate(const char *s, double *hz);

/* Parses a byte count: "4096", "64k", "64KiB", "16M", "1G". Returns 0 or -1. */
int units_parse_bytes(const char *s, int64_t *bytes);

/* Writes a byte count in binary units ("1.5 MiB", "512 B", "-3.0 GiB") to buf. */
char *units_format_bytes(int64_t bytes, char *buf, size_t len);

/* Writes a duration as "850 ms", "12.3 s", "4m05s", "2h03m" to buf. */
char *units_format_duration(double seconds, char *buf, size_t len);

#endif
