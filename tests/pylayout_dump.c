/* pylayout_dump: prints a py_layout as "field value" lines ("none" for
 * PYL_NONE) for test_layouts_live.py.
 *   pylayout_dump builtin MAJOR MINOR   the built-in table entry
 *   pylayout_dump debug FILE            parsed from a _PyRuntime image in FILE
 * Exits 0, or 3 with the reason on stderr when there is no layout. */
#include "pylayout.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#define FIELD(f) { #f, offsetof(py_layout, f) }

static const struct { const char *name; size_t off; } fields[] = {
    FIELD(rt_interp_head), FIELD(rt_gil_locked), FIELD(rt_gil_holder),
    FIELD(is_next), FIELD(is_threads_head), FIELD(is_gil_ptr), FIELD(gil_locked), FIELD(gil_holder),
    FIELD(ts_next), FIELD(ts_interp), FIELD(ts_frame), FIELD(ts_frame_is_cframe),
    FIELD(cframe_current_frame), FIELD(ts_thread_id), FIELD(ts_native_thread_id),
    FIELD(fr_back), FIELD(fr_code), FIELD(fr_lasti), FIELD(fr_instr), FIELD(fr_instr_is_next),
    FIELD(fr_owner), FIELD(fr_owner_cstack), FIELD(fr_lasti_in_units),
    FIELD(co_filename), FIELD(co_name), FIELD(co_qualname), FIELD(co_firstlineno),
    FIELD(co_linetable), FIELD(co_code_adaptive),
    FIELD(ob_type), FIELD(tp_name), FIELD(bytes_size), FIELD(bytes_sval),
    FIELD(str_length), FIELD(str_state), FIELD(str_ascii_size), FIELD(str_compact_size),
    FIELD(str_kind_shift), FIELD(str_compact_bit), FIELD(str_ascii_bit),
};

static void dump(const py_layout *l)
{
    printf("major %d\nminor %d\nframe_kind %d\nlines_kind %d\n",
           l->major, l->minor, l->frame_kind, l->lines_kind);
    for (size_t i = 0; i < sizeof fields / sizeof fields[0]; i++) {
        uint32_t v;
        memcpy(&v, (const char *)l + fields[i].off, sizeof v);
        if (v == PYL_NONE)
            printf("%s none\n", fields[i].name);
        else
            printf("%s %u\n", fields[i].name, v);
    }
}

int main(int argc, char **argv)
{
    if (argc == 4 && strcmp(argv[1], "builtin") == 0) {
        const py_layout *l = pylayout_builtin(atoi(argv[2]), atoi(argv[3]));
        if (!l) {
            fprintf(stderr, "no built-in layout for %s.%s\n", argv[2], argv[3]);
            return 3;
        }
        dump(l);
        return 0;
    }
    if (argc == 3 && strcmp(argv[1], "debug") == 0) {
        static uint8_t buf[PYL_DEBUG_OFFSETS_MAX];
        FILE *f = fopen(argv[2], "rb");
        if (!f) {
            perror(argv[2]);
            return 2;
        }
        size_t n = fread(buf, 1, sizeof buf, f);
        fclose(f);
        py_layout l;
        char err[200];
        if (pylayout_from_debug_offsets(buf, n, &l, err, sizeof err) != 0) {
            fprintf(stderr, "%s\n", err);
            return 3;
        }
        dump(&l);
        return 0;
    }
    fprintf(stderr, "usage: pylayout_dump builtin MAJOR MINOR | debug FILE\n");
    return 2;
}
