/* gen_elf_seeds: writes the seed corpus of fuzz_elf: small ELF files shaped like the ones
 * pyfind reads (a libpython, a static python, a stripped one, a non-Python library, a 32-bit
 * and a big-endian one, one with extended section/segment numbering), and checks that
 * pyfind_parse_elf_memory reads back from each exactly what was put in.
 *
 *   gen_elf_seeds OUTDIR
 *
 * Exit status 0 if every seed was written and read back as expected. */
#include <elf.h>
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>

#include "pyfind.h"

#define IMG_MAX 8192
#define PAGE 0x1000u
#define DATA_GAP 0x200000u   /* the data segment's vaddr is this far past its file offset */

typedef struct seed {
    const char *name;
    int is64, be;
    unsigned type;                /* ET_DYN or ET_EXEC */
    uint64_t base;                /* vaddr of file offset 0 */
    int dynsym, symtab;           /* which symbol tables are present */
    int runtime, version;         /* define _PyRuntime / Py_Version */
    int xnum;                     /* extended numbering (PN_XNUM, SHN_XINDEX) */
    int expect;                   /* pyfind_elf_status */
} seed;

static const seed seeds[] = {
    { "libpython_so", 1, 0, ET_DYN, 0, 1, 1, 1, 1, 0, PYFIND_ELF_FOUND },
    { "python_static", 1, 0, ET_EXEC, 0x400000, 0, 1, 1, 0, 0, PYFIND_ELF_FOUND },
    { "python_stripped", 1, 0, ET_EXEC, 0x400000, 1, 0, 1, 1, 0, PYFIND_ELF_FOUND },
    { "libc_like", 1, 0, ET_DYN, 0, 1, 1, 0, 0, 0, PYFIND_ELF_NO_RUNTIME },
    { "no_symbols", 1, 0, ET_EXEC, 0x400000, 0, 0, 0, 0, 0, PYFIND_ELF_NO_RUNTIME },
    { "python_be64", 1, 1, ET_DYN, 0, 1, 1, 1, 1, 0, PYFIND_ELF_FOUND },
    { "python_xnum", 1, 0, ET_DYN, 0, 1, 1, 1, 1, 1, PYFIND_ELF_FOUND },
    { "python_elf32", 0, 0, ET_EXEC, 0x8048000, 1, 1, 1, 1, 0, PYFIND_ELF_NOT_64BIT },
};

typedef struct img {
    uint8_t b[IMG_MAX];
    size_t n;                     /* bytes used */
    int is64, be;
} img;

static void put(img *m, size_t at, uint64_t v, int size)
{
    for (int i = 0; i < size; i++) {
        int shift = m->be ? 8 * (size - 1 - i) : 8 * i;
        m->b[at + (size_t)i] = (uint8_t)(v >> shift);
    }
}

/* Appends a field 8 bytes wide in ELF64, 4 in ELF32 (addresses, offsets, sizes). */
static void word(img *m, uint64_t v)
{
    int size = m->is64 ? 8 : 4;
    put(m, m->n, v, size);
    m->n += (size_t)size;
}

static void fixed(img *m, uint64_t v, int size)
{
    put(m, m->n, v, size);
    m->n += (size_t)size;
}

static void align(img *m, size_t a)
{
    while (m->n % a)
        m->b[m->n++] = 0;
}

static size_t bytes(img *m, const void *p, size_t len)
{
    size_t at = m->n;
    memcpy(m->b + at, p, len);
    m->n += len;
    return at;
}

/* symbol names, in both string tables at the same offsets */
static const char strtab[] =
    "\0_PyRuntime\0Py_Version\0PyCode_Type\0PyUnicode_Type\0PyBytes_Type\0main\0malloc\0runtime.c";
enum { N_RUNTIME = 1, N_VERSION = 12, N_CODE = 23, N_UNICODE = 35, N_BYTES = 50, N_MAIN = 63,
       N_MALLOC = 68, N_FILE = 75 };
static const char shstrtab[] =
    "\0.text\0.data\0.dynsym\0.dynstr\0.symtab\0.strtab\0.shstrtab";
enum { S_TEXT = 1, S_DATA = 7, S_DYNSYM = 13, S_DYNSTR = 21, S_SYMTAB = 29, S_STRTAB = 37,
       S_SHSTRTAB = 45 };

typedef struct sym { uint32_t name; unsigned bind, type; uint16_t shndx; uint64_t value, size; } sym;

static void emit_sym(img *m, const sym *s)
{
    unsigned info = (s->bind << 4) | s->type;
    fixed(m, s->name, 4);
    if (m->is64) {
        fixed(m, info, 1);
        fixed(m, 0, 1);
        fixed(m, s->shndx, 2);
        fixed(m, s->value, 8);
        fixed(m, s->size, 8);
    } else {
        fixed(m, s->value, 4);
        fixed(m, s->size, 4);
        fixed(m, info, 1);
        fixed(m, 0, 1);
        fixed(m, s->shndx, 2);
    }
}

typedef struct shdr {
    uint32_t name, type;
    uint64_t flags, addr, off, size;
    uint32_t link, info;
    uint64_t align, entsize;
} shdr;

static void emit_shdr(img *m, const shdr *s)
{
    fixed(m, s->name, 4);
    fixed(m, s->type, 4);
    word(m, s->flags);
    word(m, s->addr);
    word(m, s->off);
    word(m, s->size);
    fixed(m, s->link, 4);
    fixed(m, s->info, 4);
    word(m, s->align);
    word(m, s->entsize);
}

static void emit_phdr(img *m, uint32_t type, uint32_t flags, uint64_t off, uint64_t vaddr,
                      uint64_t filesz, uint64_t memsz, uint64_t palign)
{
    fixed(m, type, 4);
    if (m->is64)
        fixed(m, flags, 4);
    word(m, off);
    word(m, vaddr);
    word(m, vaddr);
    word(m, filesz);
    word(m, memsz);
    if (!m->is64)
        fixed(m, flags, 4);
    word(m, palign);
}

/* What the seed's symbols should read back as (file addresses). */
typedef struct expected { uint64_t runtime, version, code, unicode, bytes, text; } expected;

enum { NPHDR = 3 };

/* Builds the image of seed s into m; fills *want. */
static void build(const seed *s, img *m, expected *want)
{
    memset(m, 0, sizeof *m);
    m->is64 = s->is64;
    m->be = s->be;
    size_t ehsize = s->is64 ? 64 : 52, phentsize = s->is64 ? 56 : 32;
    size_t shentsize = s->is64 ? 64 : 40, symsize = s->is64 ? 24 : 16;
    m->n = ehsize + NPHDR * phentsize;

    size_t text_off = m->n;
    static const uint8_t code[16] = { 0x55, 0x48, 0x89, 0xe5, 0x31, 0xc0, 0x5d, 0xc3,
                                      0x90, 0x90, 0x90, 0x90, 0x90, 0x90, 0x90, 0x90 };
    bytes(m, code, sizeof code);

    /* .data on its own page, as a linker places the writable segment */
    while (m->n % PAGE)
        m->b[m->n++] = 0;
    size_t data_off = m->n;
    uint64_t data_vaddr = s->base + data_off + DATA_GAP;
    uint64_t hexversion = 0x030d00f0;   /* 3.13.0 final */
    size_t rt_at = bytes(m, "xdebugpy", 8);
    put(m, m->n, hexversion, 8);
    m->n += 8;
    m->n += 48;                         /* rest of a stand-in _PyRuntime */
    size_t ver_at = m->n;
    fixed(m, hexversion, 4);
    align(m, 16);
    size_t code_at = m->n;
    m->n += 32;
    size_t uni_at = m->n;
    m->n += 32;
    size_t bytes_at = m->n;
    m->n += 32;
    size_t data_end = m->n;

    memset(want, 0, sizeof *want);
    want->text = s->base + text_off;
    if (s->runtime) {
        want->runtime = data_vaddr + (rt_at - data_off);
        want->code = data_vaddr + (code_at - data_off);
        want->unicode = data_vaddr + (uni_at - data_off);
        want->bytes = data_vaddr + (bytes_at - data_off);
    }
    if (s->version)
        want->version = data_vaddr + (ver_at - data_off);

    /* section numbers: 0 null, 1 .text, 2 .data, then the tables present, then .shstrtab */
    enum { TEXT = 1, DATA = 2 };
    unsigned next = 3, i_dynstr = 0, i_strtab = 0;
    if (s->dynsym) {
        next++;                          /* .dynsym, its strings next */
        i_dynstr = next++;
    }
    if (s->symtab) {
        next++;                          /* .symtab, its strings next */
        i_strtab = next++;
    }
    unsigned i_shstrtab = next++, nsec = next;

    /* symbols: the undefined one and the local ones first, as ELF requires */
    sym syms[12];
    int nsym = 0, nlocal;
    syms[nsym++] = (sym){ 0, STB_LOCAL, STT_NOTYPE, SHN_UNDEF, 0, 0 };
    syms[nsym++] = (sym){ N_FILE, STB_LOCAL, STT_FILE, SHN_ABS, 0, 0 };
    syms[nsym++] = (sym){ 0, STB_LOCAL, STT_SECTION, DATA, data_vaddr, 0 };
    nlocal = nsym;
    syms[nsym++] = (sym){ N_MALLOC, STB_GLOBAL, STT_FUNC, SHN_UNDEF, 0, 0 };
    syms[nsym++] = (sym){ N_MAIN, STB_GLOBAL, STT_FUNC, TEXT, want->text, sizeof code };
    if (want->runtime) {
        syms[nsym++] = (sym){ N_RUNTIME, STB_GLOBAL, STT_OBJECT, DATA, want->runtime, 64 };
        syms[nsym++] = (sym){ N_CODE, STB_GLOBAL, STT_OBJECT, DATA, want->code, 32 };
        syms[nsym++] = (sym){ N_UNICODE, STB_GLOBAL, STT_OBJECT, DATA, want->unicode, 32 };
        syms[nsym++] = (sym){ N_BYTES, STB_GLOBAL, STT_OBJECT, DATA, want->bytes, 32 };
    } else {
        /* a non-Python library's symbols: an undefined reference to _PyRuntime is not it */
        syms[nsym++] = (sym){ N_RUNTIME, STB_GLOBAL, STT_OBJECT, SHN_UNDEF, 0, 0 };
    }
    if (want->version)
        syms[nsym++] = (sym){ N_VERSION, STB_GLOBAL, STT_OBJECT, DATA, want->version, 4 };

    size_t dynsym_off = 0, dynstr_off = 0, symtab_off = 0, strtab_off = 0;
    if (s->dynsym) {
        align(m, 8);
        dynsym_off = m->n;
        for (int k = 0; k < nsym; k++)
            if (syms[k].type != STT_FILE && syms[k].type != STT_SECTION)
                emit_sym(m, &syms[k]);
        dynstr_off = bytes(m, strtab, sizeof strtab);
    }
    size_t dynsym_size = dynstr_off - dynsym_off;
    size_t load_end = m->n;             /* the dynamic tables are loaded, the rest is not */
    if (s->symtab) {
        align(m, 8);
        symtab_off = m->n;
        for (int k = 0; k < nsym; k++)
            emit_sym(m, &syms[k]);
        strtab_off = bytes(m, strtab, sizeof strtab);
    }
    size_t symtab_size = strtab_off - symtab_off;
    size_t shstrtab_off = bytes(m, shstrtab, sizeof shstrtab);

    align(m, 8);
    size_t shoff = m->n;
    shdr sh0 = { 0 };
    if (s->xnum) {
        sh0.size = nsec;
        sh0.link = i_shstrtab;
        sh0.info = NPHDR;
    }
    emit_shdr(m, &sh0);
    emit_shdr(m, &(shdr){ S_TEXT, SHT_PROGBITS, SHF_ALLOC | SHF_EXECINSTR, want->text, text_off,
                          sizeof code, 0, 0, 16, 0 });
    emit_shdr(m, &(shdr){ S_DATA, SHT_PROGBITS, SHF_ALLOC | SHF_WRITE, data_vaddr, data_off,
                          data_end - data_off, 0, 0, 16, 0 });
    if (s->dynsym) {
        emit_shdr(m, &(shdr){ S_DYNSYM, SHT_DYNSYM, SHF_ALLOC, s->base + dynsym_off + DATA_GAP,
                              dynsym_off, dynsym_size, i_dynstr, 1, 8, symsize });
        emit_shdr(m, &(shdr){ S_DYNSTR, SHT_STRTAB, SHF_ALLOC, s->base + dynstr_off + DATA_GAP,
                              dynstr_off, sizeof strtab, 0, 0, 1, 0 });
    }
    if (s->symtab) {
        emit_shdr(m, &(shdr){ S_SYMTAB, SHT_SYMTAB, 0, 0, symtab_off, symtab_size, i_strtab,
                              (uint32_t)nlocal, 8, symsize });
        emit_shdr(m, &(shdr){ S_STRTAB, SHT_STRTAB, 0, 0, strtab_off, sizeof strtab, 0, 0, 1, 0 });
    }
    emit_shdr(m, &(shdr){ S_SHSTRTAB, SHT_STRTAB, 0, 0, shstrtab_off, sizeof shstrtab, 0, 0, 1, 0 });

    /* program headers: text (from offset 0), data (+ the dynamic tables), stack */
    size_t end = m->n;
    m->n = ehsize;
    emit_phdr(m, PT_LOAD, PF_R | PF_X, 0, s->base, text_off + sizeof code,
              text_off + sizeof code, PAGE);
    emit_phdr(m, PT_LOAD, PF_R | PF_W, data_off, data_vaddr, load_end - data_off,
              load_end - data_off + 0x100, PAGE);
    emit_phdr(m, PT_GNU_STACK, PF_R | PF_W, 0, 0, 0, 0, 16);

    /* the ELF header */
    m->n = 0;
    static const uint8_t magic[4] = { ELFMAG0, ELFMAG1, ELFMAG2, ELFMAG3 };
    bytes(m, magic, 4);
    fixed(m, s->is64 ? ELFCLASS64 : ELFCLASS32, 1);
    fixed(m, s->be ? ELFDATA2MSB : ELFDATA2LSB, 1);
    fixed(m, EV_CURRENT, 1);
    fixed(m, ELFOSABI_SYSV, 1);
    m->n = EI_NIDENT;
    fixed(m, s->type, 2);
    fixed(m, s->be ? EM_PPC64 : s->is64 ? EM_X86_64 : EM_386, 2);
    fixed(m, EV_CURRENT, 4);
    word(m, want->text);
    word(m, ehsize);
    word(m, shoff);
    fixed(m, 0, 4);
    fixed(m, ehsize, 2);
    fixed(m, phentsize, 2);
    fixed(m, s->xnum ? PN_XNUM : NPHDR, 2);
    fixed(m, shentsize, 2);
    fixed(m, s->xnum ? 0 : nsec, 2);
    fixed(m, s->xnum ? SHN_XINDEX : i_shstrtab, 2);
    m->n = end;
}

/* Reads a copy of the image back; returns the number of mismatches (printed). */
static int check(const seed *s, const img *m, const expected *want)
{
    uint8_t *copy = malloc(m->n);
    if (!copy)
        return 1;
    memcpy(copy, m->b, m->n);
    pyfind_elf got;
    int st = pyfind_parse_elf_memory(copy, m->n, &got);
    free(copy);
    int bad = 0;
#define WANT(cond) do { if (!(cond)) { bad++; \
        fprintf(stderr, "gen_elf_seeds: %s: %s is false\n", s->name, #cond); } } while (0)
    WANT(st == s->expect);
    if (s->expect == PYFIND_ELF_FOUND || s->expect == PYFIND_ELF_NO_RUNTIME) {
        WANT(got.runtime == want->runtime);
        WANT(got.py_version == want->version);
        WANT(got.code_type == want->code);
        WANT(got.unicode_type == want->unicode);
        WANT(got.bytes_type == want->bytes);
        WANT(got.nloads == 2);
        /* mapped at 0x7f0000000000 from offset 0: the bias is that minus the base vaddr */
        uint64_t bias = 0;
        WANT(pyfind_bias((const uint64_t (*)[3])got.loads, got.nloads, 0x7f0000000000ull, 0,
                         &bias) == 0 && bias == 0x7f0000000000ull - s->base);
        /* and from the data page: the same bias */
        WANT(pyfind_bias((const uint64_t (*)[3])got.loads, got.nloads,
                         0x7f0000000000ull + got.loads[1][0] - s->base, got.loads[1][1],
                         &bias) == 0 && bias == 0x7f0000000000ull - s->base);
    }
#undef WANT
    return bad;
}

int main(int argc, char **argv)
{
    if (argc != 2) {
        fprintf(stderr, "usage: gen_elf_seeds OUTDIR\n");
        return 2;
    }
    if (mkdir(argv[1], 0755) < 0 && errno != EEXIST) {
        perror(argv[1]);
        return 1;
    }
    static img m;
    int bad = 0;
    for (size_t k = 0; k < sizeof seeds / sizeof seeds[0]; k++) {
        const seed *s = &seeds[k];
        expected want;
        char path[4096];
        build(s, &m, &want);
        int wrong = check(s, &m, &want);
        bad += wrong;
        snprintf(path, sizeof path, "%s/%s", argv[1], s->name);
        FILE *out = fopen(path, "wb");
        if (!out || fwrite(m.b, 1, m.n, out) != m.n || fclose(out) != 0) {
            perror(path);
            return 1;
        }
        printf("%s: %zu bytes, read back %s\n", path, m.n, wrong ? "WRONG" : "as built");
    }
    return bad ? 1 : 0;
}
