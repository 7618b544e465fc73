/* fuzz_elf: pyfind's ELF reading (symbols, class check, PT_LOAD segments) over an arbitrary
 * file image, through libelf's elf_memory. It must never crash, read outside the image,
 * spin, or return a result that breaks its own contract. */
#include <stdlib.h>
#include <string.h>

#include "pyfind.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
    /* an exact-size writable copy: libelf may convert it in place, and the sanitizers see
     * any read past the image */
    uint8_t *copy = malloc(size ? size : 1);
    if (!copy)
        return 0;
    memcpy(copy, data, size);
    pyfind_elf out;
    int st = pyfind_parse_elf_memory(copy, size, &out);
    free(copy);

    if (st < PYFIND_ELF_FOUND || st > PYFIND_ELF_NOT_64BIT)
        abort();
    if (out.nloads > PYFIND_MAX_LOADS)
        abort();
    if ((st == PYFIND_ELF_FOUND) != (out.runtime != 0))
        abort();
    if ((st == PYFIND_ELF_NOT_ELF || st == PYFIND_ELF_NOT_64BIT) &&
        (out.nloads || out.py_version || out.code_type || out.unicode_type || out.bytes_type))
        abort();
    /* place it as a loader would map its first segment */
    if (out.nloads) {
        uint64_t bias;
        uint64_t off = out.loads[0][1] & ~(uint64_t)0xfff;
        if (pyfind_bias((const uint64_t (*)[3])out.loads, out.nloads, 0x7f0000000000ull + off,
                        off, &bias) < 0 && out.loads[0][2] != 0)
            abort();
    }
    return 0;
}
