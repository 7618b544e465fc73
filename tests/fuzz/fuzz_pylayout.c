/* fuzz_pylayout: arbitrary bytes as a _PyRuntime image through
 * pylayout_from_debug_offsets. The input is copied to an exact-size buffer so
 * the sanitizers catch a read past its end. On success the layout must be for
 * a supported 3.13+ GIL build with every offset inside a plausible struct; on
 * failure there must be a one-line reason. */
#include <stdlib.h>
#include <string.h>

#include "pylayout.h"

static void expect(int cond)
{
    if (!cond)
        abort();
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
    uint8_t *copy = malloc(size ? size : 1);
    if (!copy)
        abort();
    if (size)
        memcpy(copy, data, size);
    py_layout l;
    char err[160] = "";
    int rc = pylayout_from_debug_offsets(copy, size, &l, err, sizeof err);
    if (rc == 0) {
        expect(size >= 24 && memcmp(data, "xdebugpy", 8) == 0);
        expect(l.major == 3 && l.minor >= 13 && l.frame_kind == PYL_FRAME_INTERP);
        const uint32_t offs[] = {l.rt_interp_head, l.is_next, l.is_threads_head, l.is_gil_ptr,
                                 l.gil_locked, l.gil_holder, l.ts_next, l.ts_interp, l.ts_frame,
                                 l.ts_thread_id, l.ts_native_thread_id, l.fr_back, l.fr_code,
                                 l.fr_instr, l.fr_owner, l.co_filename, l.co_name, l.co_qualname,
                                 l.co_firstlineno, l.co_linetable, l.co_code_adaptive, l.ob_type,
                                 l.tp_name, l.bytes_size, l.bytes_sval, l.str_length, l.str_state,
                                 l.str_ascii_size};
        for (size_t i = 0; i < sizeof offs / sizeof offs[0]; i++)
            expect(offs[i] < (UINT32_C(1) << 24));
        expect(l.str_compact_size > l.str_ascii_size);
    } else {
        expect(rc == -1 && err[0] != '\0' && strchr(err, '\n') == NULL);
    }
    free(copy);
    return 0;
}
