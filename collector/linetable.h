/* linetable: pure decoders of CPython line tables (no I/O). */
#ifndef MW_LINETABLE_H
#define MW_LINETABLE_H

#include <stddef.h>
#include <stdint.h>

/* Line numbers are >= 0; as in CPython, an offset < 0 (frame not started yet)
 * gives `firstlineno`. A negative line, a dangling byte or an entry cut short
 * counts as malformed. */

/* Line of the instruction at byte offset `addr` of the bytecode, decoded from a
 * 3.8/3.9 co_lnotab. Returns the line, or -1 if the table is malformed. */
int linetable_lnotab(const uint8_t *tab, size_t len, int firstlineno, int addr);

/* Same for 3.10's co_linetable; `addr` is a byte offset. Returns -1 if the
 * instruction has no line, lies past the table's end, or the table is malformed. */
int linetable_310(const uint8_t *tab, size_t len, int firstlineno, int addr);

/* Same for the 3.11+ location table; `unit` is the index of the 2-byte code
 * unit. Returns -1 if the unit has no line, lies past the table's end, or the
 * table is malformed. */
int linetable_locations(const uint8_t *tab, size_t len, int firstlineno, int unit);

#endif
