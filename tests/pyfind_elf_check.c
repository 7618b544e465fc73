/* pyfind_elf_check: pyfind's in-memory ELF parser against a live CPython's real files.
 *
 *   pyfind_elf_check PID MAJOR MINOR
 *
 * Locates the interpreter of PID (pyfind_locate, which reads the file through a file
 * descriptor), reads that same file into memory and parses it with pyfind_parse_elf_memory:
 * every symbol must match what the file path gave, the segments must give the same load
 * bias, and the symbols must point at the real objects in the target (Py_Version holds
 * MAJOR.MINOR, _PyRuntime starts with "xdebugpy" on 3.13+, PyCode_Type/PyUnicode_Type/
 * PyBytes_Type are named "code"/"str"/"bytes"). Then truncated, scribbled and garbage
 * copies must be rejected cleanly, and this program's own ELF must parse without _PyRuntime.
 * Exit status 0 if every check passed. */
#include <elf.h>
#include <fcntl.h>
#include <inttypes.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include "check.h"
#include "memsrc.h"
#include "pyfind.h"

#define FILE_MAX ((size_t)1 << 30)

/* Reads the whole file at path into a malloc'd buffer; NULL on error. */
static uint8_t *slurp(const char *path, size_t *len)
{
    int fd = open(path, O_RDONLY | O_CLOEXEC);
    struct stat st;
    if (fd < 0 || fstat(fd, &st) < 0 || st.st_size <= 0 || (uint64_t)st.st_size > FILE_MAX) {
        if (fd >= 0)
            close(fd);
        return NULL;
    }
    size_t n = (size_t)st.st_size, got = 0;
    uint8_t *buf = malloc(n);
    while (buf && got < n) {
        ssize_t r = read(fd, buf + got, n - got);
        if (r <= 0) {
            free(buf);
            buf = NULL;
            break;
        }
        got += (size_t)r;
    }
    close(fd);
    *len = n;
    return buf;
}

/* Parses an exact-size copy of buf[0..len) (the parser may write to its input). */
static int parse_copy(const uint8_t *buf, size_t len, pyfind_elf *out)
{
    uint8_t *copy = malloc(len ? len : 1);
    if (!copy)
        return -1;
    if (len)
        memcpy(copy, buf, len);
    int st = pyfind_parse_elf_memory(copy, len, out);
    free(copy);
    return st;
}

/* The lowest-offset mapping of path in pid: its start and file offset. 0, or -1 if none. */
static int lowest_mapping(pid_t pid, const char *path, uint64_t *start, uint64_t *offset)
{
    char name[64];
    snprintf(name, sizeof name, "/proc/%d/maps", (int)pid);
    FILE *f = fopen(name, "re");
    if (!f)
        return -1;
    char *line = NULL;
    size_t cap = 0;
    int found = -1;
    while (getline(&line, &cap, f) > 0) {
        pyfind_map m;
        if (pyfind_parse_maps_line(line, &m) < 0 || strcmp(m.path, path) != 0)
            continue;
        if (found < 0 || m.offset < *offset) {
            *start = m.start;
            *offset = m.offset;
            found = 0;
        }
    }
    free(line);
    fclose(f);
    return found;
}

/* The type object at addr (in src) is named want: its tp_name, after the PyVarObject head of
 * a default (not free-threaded) build, points at that string. */
static int type_named(const memsrc *src, uint64_t addr, const char *want)
{
    uint64_t tp_name;
    char name[32] = "";
    size_t n = strlen(want) + 1;
    if (!addr || memsrc_read(src, addr + 24, &tp_name, 8) < 0 ||
        memsrc_read(src, tp_name, name, n) < 0)
        return 0;
    return memcmp(name, want, n) == 0;
}

/* Whatever the parser says of a damaged copy, it must not claim _PyRuntime where the file's
 * section headers (which hold the symbol tables' places) are gone. */
static void check_truncations(const uint8_t *buf, size_t len)
{
    const Elf64_Ehdr *eh = (const Elf64_Ehdr *)buf;
    uint64_t sh_end = eh->e_shoff + (uint64_t)eh->e_shnum * eh->e_shentsize;
    size_t cuts[] = { 0, 1, 16, sizeof(Elf64_Ehdr) - 1, sizeof(Elf64_Ehdr), 4096, len / 2,
                      (size_t)eh->e_shoff, len - 1 };
    for (size_t k = 0; k < sizeof cuts / sizeof cuts[0]; k++) {
        pyfind_elf got;
        size_t cut = cuts[k] < len ? cuts[k] : len - 1;
        int st = parse_copy(buf, cut, &got);
        CHECK(st >= PYFIND_ELF_FOUND && st <= PYFIND_ELF_NOT_64BIT);
        if (cut < sh_end && st == PYFIND_ELF_FOUND)
            fprintf(stderr, "a copy cut at %zu of %zu bytes was parsed as holding _PyRuntime\n",
                    cut, len);
        CHECK(cut >= sh_end || st != PYFIND_ELF_FOUND);
        CHECK(st == PYFIND_ELF_FOUND || got.runtime == 0);
    }
}

static uint64_t rng = 0x9e3779b97f4a7c15ull;

static uint8_t next_byte(void)
{
    rng ^= rng << 13;
    rng ^= rng >> 7;
    rng ^= rng << 17;
    return (uint8_t)rng;
}

static void check_damaged(const uint8_t *buf, size_t len)
{
    pyfind_elf got;
    const Elf64_Ehdr *eh = (const Elf64_Ehdr *)buf;
    uint8_t *copy = malloc(len);
    if (!copy) {
        CHECK(copy != NULL);
        return;
    }
    /* every section header scribbled over: no symbol table is left to find */
    memcpy(copy, buf, len);
    if (eh->e_shoff < len) {
        size_t n = len - (size_t)eh->e_shoff;
        if (n > (size_t)eh->e_shnum * eh->e_shentsize)
            n = (size_t)eh->e_shnum * eh->e_shentsize;
        memset(copy + eh->e_shoff, 0xff, n);
    }
    int st = pyfind_parse_elf_memory(copy, len, &got);
    CHECK(st != PYFIND_ELF_FOUND && got.runtime == 0);

    /* the class byte flipped to 32-bit: never read as the 64-bit file it was */
    memcpy(copy, buf, len);
    copy[EI_CLASS] = ELFCLASS32;
    st = pyfind_parse_elf_memory(copy, len, &got);
    CHECK(st == PYFIND_ELF_NOT_64BIT || st == PYFIND_ELF_NOT_ELF);

    /* random bytes, with and without the ELF magic in front */
    size_t glen = len < 65536 ? len : 65536;
    for (int magic = 0; magic < 2; magic++) {
        for (size_t i = 0; i < glen; i++)
            copy[i] = next_byte();
        if (magic)
            memcpy(copy, ELFMAG, SELFMAG);
        st = pyfind_parse_elf_memory(copy, glen, &got);
        CHECK(st != PYFIND_ELF_FOUND && got.runtime == 0);
        if (!magic)
            CHECK(st == PYFIND_ELF_NOT_ELF);
    }
    free(copy);

    /* an empty image and no image */
    CHECK(pyfind_parse_elf_memory(NULL, 0, &got) == PYFIND_ELF_NOT_ELF);
    uint8_t one = 0x7f;
    CHECK(pyfind_parse_elf_memory(&one, 1, &got) == PYFIND_ELF_NOT_ELF);
}

int main(int argc, char **argv)
{
    if (argc != 4) {
        fprintf(stderr, "usage: pyfind_elf_check PID MAJOR MINOR\n");
        return 2;
    }
    pid_t pid = (pid_t)atoi(argv[1]);
    int major = atoi(argv[2]), minor = atoi(argv[3]);
    static pyfind_result res;
    char msg[512];
    int rc = pyfind_locate(pid, &res, msg, sizeof msg);
    if (rc != PYFIND_OK) {
        fprintf(stderr, "pyfind_elf_check: pyfind_locate: %s\n", msg);
        return 1;
    }
    char path[PATH_MAX + 32];
    snprintf(path, sizeof path, "/proc/%d/root%s", (int)pid, res.path);
    size_t len = 0;
    uint8_t *buf = slurp(path, &len);
    if (!buf) {
        fprintf(stderr, "pyfind_elf_check: cannot read %s\n", path);
        return 1;
    }
    printf("file %s (%s, %zu bytes)\n", res.path, res.is_lib ? "libpython" : "executable", len);

    /* the same file, through memory: the same symbols and the same bias */
    pyfind_elf pe;
    int st = parse_copy(buf, len, &pe);
    CHECK(st == PYFIND_ELF_FOUND);
    CHECK(pe.runtime + res.bias == res.runtime);
    CHECK((pe.py_version ? pe.py_version + res.bias : 0) == res.py_version);
    CHECK((pe.code_type ? pe.code_type + res.bias : 0) == res.code_type);
    CHECK((pe.unicode_type ? pe.unicode_type + res.bias : 0) == res.unicode_type);
    CHECK((pe.bytes_type ? pe.bytes_type + res.bias : 0) == res.bytes_type);
    uint64_t start = 0, offset = 0, bias = 0;
    CHECK(lowest_mapping(pid, res.path, &start, &offset) == 0);
    CHECK(pyfind_bias((const uint64_t (*)[3])pe.loads, pe.nloads, start, offset, &bias) == 0);
    CHECK(bias == res.bias);
    printf("_PyRuntime at file 0x%" PRIx64 ", in PID %d at 0x%" PRIx64 " (bias 0x%" PRIx64
           "), %zu load segments\n", pe.runtime, (int)pid, res.runtime, res.bias, pe.nloads);

    /* and they name the real objects */
    memsrc src = memsrc_process(pid);
    uint64_t free_threaded = 0;
    if (major > 3 || (major == 3 && minor >= 11)) {
        uint32_t v = 0;
        CHECK(res.py_version != 0);
        CHECK(memsrc_read(&src, res.py_version, &v, 4) == 0);
        CHECK((int)(v >> 24) == major && (int)(v >> 16 & 0xff) == minor);
    } else {
        CHECK(res.py_version == 0);
    }
    if (major > 3 || (major == 3 && minor >= 13)) {
        char cookie[8] = "";
        CHECK(memsrc_read(&src, res.runtime, cookie, 8) == 0);
        CHECK(memcmp(cookie, "xdebugpy", 8) == 0);
        CHECK(memsrc_read(&src, res.runtime + 16, &free_threaded, 8) == 0);
    }
    if (free_threaded) {
        printf("free-threaded build: type names not checked\n");
    } else {
        CHECK(type_named(&src, res.code_type, "code"));
        CHECK(type_named(&src, res.unicode_type, "str"));
        CHECK(type_named(&src, res.bytes_type, "bytes"));
    }

    if (st == PYFIND_ELF_FOUND && len >= sizeof(Elf64_Ehdr)) {   /* a 64-bit native ELF */
        check_truncations(buf, len);
        check_damaged(buf, len);
    }
    free(buf);

    /* an ELF that is not Python: this program */
    uint8_t *self = slurp("/proc/self/exe", &len);
    CHECK(self != NULL);
    if (self) {
        CHECK(parse_copy(self, len, &pe) == PYFIND_ELF_NO_RUNTIME);
        CHECK(pe.runtime == 0 && pe.nloads >= 1);
        free(self);
    }
    return check_done("pyfind_elf_check");
}
