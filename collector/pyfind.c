/* pyfind: finds the ELF holding _PyRuntime among a process's mappings and reads its symbols. */
#include "pyfind.h"

#include <errno.h>
#include <fcntl.h>
#include <gelf.h>
#include <inttypes.h>
#include <libelf.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include "rootfile.h"

#define MAX_CANDIDATES 16

static const char *base_name(const char *path)
{
    const char *s = strrchr(path, '/');
    return s ? s + 1 : path;
}

static int parse_hex(const char **p, uint64_t *out)
{
    const char *s = *p;
    uint64_t v = 0;
    int n = 0;
    for (;; s++, n++) {
        int d;
        if (*s >= '0' && *s <= '9')
            d = *s - '0';
        else if (*s >= 'a' && *s <= 'f')
            d = *s - 'a' + 10;
        else if (*s >= 'A' && *s <= 'F')
            d = *s - 'A' + 10;
        else
            break;
        if (n >= 16)
            return -1;
        v = v << 4 | (uint64_t)d;
    }
    if (n == 0)
        return -1;
    *p = s;
    *out = v;
    return 0;
}

int pyfind_parse_maps_line(char *line, pyfind_map *out)
{
    const char *p = line;
    uint64_t dev_major, dev_minor, inode;
    char *nl = strchr(line, '\n');
    if (nl)
        *nl = '\0';
    if (parse_hex(&p, &out->start) < 0 || *p++ != '-' || parse_hex(&p, &out->end) < 0 || *p++ != ' ')
        return -1;
    for (int i = 0; i < 4; i++)                     /* perms: rwxp */
        if (!*p++)
            return -1;
    if (*p++ != ' ' || parse_hex(&p, &out->offset) < 0 || *p++ != ' ')
        return -1;
    if (parse_hex(&p, &dev_major) < 0 || *p++ != ':' || parse_hex(&p, &dev_minor) < 0 || *p++ != ' ')
        return -1;
    /* inode is decimal */
    if (*p < '0' || *p > '9')
        return -1;
    inode = 0;
    for (int n = 0; *p >= '0' && *p <= '9'; p++, n++) {
        if (n >= 20)
            return -1;
        inode = inode * 10 + (uint64_t)(*p - '0');
    }
    if (*p && *p != ' ')
        return -1;
    while (*p == ' ')
        p++;
    if (out->end < out->start)
        return -1;
    out->inode = (unsigned long)inode;
    out->path = p;
    return 0;
}

int pyfind_name_version(const char *path, int *major, int *minor)
{
    const char *s = base_name(path);
    if (strncmp(s, "libpython", 9) == 0)
        s += 9;
    else if (strncmp(s, "python", 6) == 0)
        s += 6;
    else
        return -1;
    int ma = 0, mi = 0, n = 0;
    for (; *s >= '0' && *s <= '9' && n < 3; s++, n++)
        ma = ma * 10 + (*s - '0');
    if (n == 0 || n >= 3 || *s++ != '.')
        return -1;
    for (n = 0; *s >= '0' && *s <= '9' && n < 4; s++, n++)
        mi = mi * 10 + (*s - '0');
    if (n == 0 || n >= 4 || (*s >= '0' && *s <= '9'))
        return -1;
    *major = ma;
    *minor = mi;
    return 0;
}

int pyfind_is_libpython(const char *path)
{
    const char *s = base_name(path);
    return strncmp(s, "libpython", 9) == 0 && strstr(s, ".so") != NULL;
}

int pyfind_bias(const uint64_t (*loads)[3], size_t nloads, uint64_t start, uint64_t offset,
                uint64_t *bias)
{
    long pg = sysconf(_SC_PAGESIZE);
    uint64_t page = pg > 0 ? (uint64_t)pg : 4096;
    int best = -1;
    for (size_t i = 0; i < nloads; i++) {
        uint64_t off = loads[i][1], filesz = loads[i][2];
        uint64_t lo = off & ~(page - 1);
        if (filesz == 0 || offset < lo || (offset > off && offset - off >= filesz))
            continue;                      /* the mapping at `offset` is not this segment's */
        if (best < 0 || off > loads[best][1])
            best = (int)i;
    }
    if (best < 0)
        return -1;
    *bias = start - offset - (loads[best][0] - loads[best][1]);
    return 0;
}

typedef struct candidate {
    char path[PATH_MAX];
    uint64_t start, end, offset;
    int is_lib, is_exe;
} candidate;

/* Adds or updates the candidate for map m; keeps each file's lowest-offset mapping. */
static void note_candidate(candidate *c, int *n, const pyfind_map *m, int is_lib, int is_exe)
{
    for (int i = 0; i < *n; i++) {
        if (strcmp(c[i].path, m->path) == 0) {
            if (m->offset < c[i].offset) {
                c[i].offset = m->offset;
                c[i].start = m->start;
                c[i].end = m->end;
            }
            c[i].is_exe |= is_exe;
            return;
        }
    }
    if (*n >= MAX_CANDIDATES || strlen(m->path) >= PATH_MAX)
        return;
    candidate *x = &c[(*n)++];
    snprintf(x->path, sizeof x->path, "%s", m->path);
    x->start = m->start;
    x->end = m->end;
    x->offset = m->offset;
    x->is_lib = is_lib;
    x->is_exe = is_exe;
}

enum { SYM_RUNTIME, SYM_VERSION, SYM_CODE, SYM_UNICODE, SYM_BYTES, SYM_COUNT };
static const char *const sym_names[SYM_COUNT] = {
    "_PyRuntime", "Py_Version", "PyCode_Type", "PyUnicode_Type", "PyBytes_Type"
};

/* Caps on what one ELF file may make pyfind walk, far above any real interpreter's (a few
 * dozen sections and program headers, well under a million symbols). */
#define MAX_SECTIONS 65536
#define MAX_SYMBOLS (1u << 22)
#define MAX_PHDRS 4096

/* Looks the wanted symbols up in sections of type `type`; fills the ones still 0. At most
 * *budget symbols are looked at (decremented). */
static void scan_symbols(Elf *elf, Elf64_Word type, uint64_t *vals, size_t *budget)
{
    Elf_Scn *scn = NULL;
    size_t sym_size = gelf_fsize(elf, ELF_T_SYM, 1, EV_CURRENT);
    if (sym_size == 0)
        return;
    for (int nscn = 0; nscn < MAX_SECTIONS && (scn = elf_nextscn(elf, scn)) != NULL; nscn++) {
        GElf_Shdr sh;
        if (!gelf_getshdr(scn, &sh) || sh.sh_type != type || sh.sh_entsize == 0)
            continue;
        Elf_Data *data = elf_getdata(scn, NULL);
        if (!data)
            continue;
        size_t n = sh.sh_size / sh.sh_entsize;
        if (n > data->d_size / sym_size)
            n = data->d_size / sym_size;
        if (n > *budget)
            n = *budget;
        if (n > INT_MAX)
            n = INT_MAX;
        *budget -= n;
        for (size_t i = 0; i < n; i++) {
            GElf_Sym sym;
            if (!gelf_getsym(data, (int)i, &sym))
                break;
            if (sym.st_shndx == SHN_UNDEF || sym.st_value == 0 || sym.st_name == 0)
                continue;
            const char *name = elf_strptr(elf, sh.sh_link, sym.st_name);
            if (!name || (name[0] != '_' && name[0] != 'P'))
                continue;
            for (int k = 0; k < SYM_COUNT; k++)
                if (!vals[k] && strcmp(name, sym_names[k]) == 0)
                    vals[k] = sym.st_value;
        }
    }
}

/* Reads the wanted symbols and the PT_LOAD segments of elf (NULL allowed) into *out
 * (zeroed first). Returns a pyfind_elf_status. */
static int parse_elf(Elf *elf, pyfind_elf *out)
{
    memset(out, 0, sizeof *out);
    if (!elf || elf_kind(elf) != ELF_K_ELF)
        return PYFIND_ELF_NOT_ELF;
    int cls = gelf_getclass(elf);
    if (cls == ELFCLASSNONE)
        return PYFIND_ELF_NOT_ELF;
    if (cls != ELFCLASS64)
        return PYFIND_ELF_NOT_64BIT;
    uint64_t vals[SYM_COUNT] = { 0 };
    size_t budget = MAX_SYMBOLS;
    scan_symbols(elf, SHT_SYMTAB, vals, &budget);
    scan_symbols(elf, SHT_DYNSYM, vals, &budget);
    out->runtime = vals[SYM_RUNTIME];
    out->py_version = vals[SYM_VERSION];
    out->code_type = vals[SYM_CODE];
    out->unicode_type = vals[SYM_UNICODE];
    out->bytes_type = vals[SYM_BYTES];
    size_t nph = 0;
    if (elf_getphdrnum(elf, &nph) == 0) {
        if (nph > MAX_PHDRS)
            nph = MAX_PHDRS;
        for (size_t i = 0; i < nph && out->nloads < PYFIND_MAX_LOADS; i++) {
            GElf_Phdr ph;
            if (gelf_getphdr(elf, (int)i, &ph) && ph.p_type == PT_LOAD) {
                out->loads[out->nloads][0] = ph.p_vaddr;
                out->loads[out->nloads][1] = ph.p_offset;
                out->loads[out->nloads][2] = ph.p_filesz;
                out->nloads++;
            }
        }
    }
    return out->runtime ? PYFIND_ELF_FOUND : PYFIND_ELF_NO_RUNTIME;
}

int pyfind_parse_elf_memory(void *buf, size_t len, pyfind_elf *out)
{
    memset(out, 0, sizeof *out);
    if (!buf || len == 0 || elf_version(EV_CURRENT) == EV_NONE)
        return PYFIND_ELF_NOT_ELF;
    Elf *elf = elf_memory(buf, len);
    int rc = parse_elf(elf, out);
    if (elf)
        elf_end(elf);
    return rc;
}

/* Opens the candidate's file as the target sees it (resolved inside its root). A file
 * deleted or replaced since it was mapped is opened only through /proc/PID/map_files
 * (the path now names another file).
 * Returns an fd or -1 (errno set). */
static int open_target_file(pid_t pid, const candidate *c)
{
    char buf[PATH_MAX + 64];
    const char *del = " (deleted)";
    size_t len = strlen(c->path), dlen = strlen(del);
    if (len > dlen && strcmp(c->path + len - dlen, del) == 0) {
        snprintf(buf, sizeof buf, "/proc/%d/map_files/%" PRIx64 "-%" PRIx64, (int)pid, c->start, c->end);
        int fd = open(buf, O_RDONLY | O_CLOEXEC);
        if (fd < 0 && errno != EACCES && errno != EPERM)
            errno = ENOENT;
        return fd;
    }
    int fd = rootfile_open(pid, c->path);
    /* as root, only ever the target's view: this machine's file at that path may be another one */
    if (fd < 0 && errno != EACCES && errno != EPERM && geteuid() != 0)
        fd = open(c->path, O_RDONLY | O_CLOEXEC);
    return fd;
}

/* Reads symbols and load segments of one candidate. Returns 0 if it holds _PyRuntime,
 * 1 if it does not, -1 if it could not be read (errno set; msg written). */
static int examine(pid_t pid, const candidate *c, pyfind_result *out, char *msg, size_t msglen)
{
    int fd = open_target_file(pid, c);
    if (fd < 0) {
        int e = errno;
        snprintf(msg, msglen, "cannot open %s: %s", c->path, strerror(e));
        errno = e;
        return -1;
    }
    Elf *elf = elf_begin(fd, ELF_C_READ_MMAP, NULL);
    pyfind_elf pe;
    int st = parse_elf(elf, &pe);
    if (elf)
        elf_end(elf);
    close(fd);
    if (st == PYFIND_ELF_NOT_64BIT) {
        snprintf(msg, msglen, "%s is not a 64-bit ELF: 32-bit processes are not supported", c->path);
        errno = ENOEXEC;
        return -1;
    }
    if (st != PYFIND_ELF_FOUND)
        return 1;
    uint64_t bias;
    if (pyfind_bias((const uint64_t (*)[3])pe.loads, pe.nloads, c->start, c->offset, &bias) < 0) {
        snprintf(msg, msglen, "cannot place %s in memory: no load segment at offset 0x%" PRIx64,
                 c->path, c->offset);
        errno = ENOEXEC;
        return -1;
    }
    memset(out, 0, sizeof *out);
    snprintf(out->path, sizeof out->path, "%s", c->path);
    out->is_lib = c->is_lib;
    out->is_exe = c->is_exe;
    out->bias = bias;
    out->runtime = pe.runtime + bias;
    out->py_version = pe.py_version ? pe.py_version + bias : 0;
    out->code_type = pe.code_type ? pe.code_type + bias : 0;
    out->unicode_type = pe.unicode_type ? pe.unicode_type + bias : 0;
    out->bytes_type = pe.bytes_type ? pe.bytes_type + bias : 0;
    if (pyfind_name_version(c->path, &out->name_major, &out->name_minor) < 0)
        out->name_major = out->name_minor = -1;
    return 0;
}

static int denied(pid_t pid, char *msg, size_t msglen)
{
    snprintf(msg, msglen, "permission denied reading PID %d: run as the same user with ptrace "
             "allowed (kernel.yama.ptrace_scope), as root, or with CAP_SYS_PTRACE", (int)pid);
    return PYFIND_DENIED;
}

int pyfind_locate(pid_t pid, pyfind_result *out, char *msg, size_t msglen)
{
    char path[64];
    if (elf_version(EV_CURRENT) == EV_NONE) {
        snprintf(msg, msglen, "libelf is unusable: %s", elf_errmsg(-1));
        return PYFIND_UNUSABLE;
    }
    snprintf(path, sizeof path, "/proc/%d/maps", (int)pid);
    FILE *f = fopen(path, "re");
    if (!f) {
        if (errno == EACCES || errno == EPERM)
            return denied(pid, msg, msglen);
        snprintf(msg, msglen, "no process with PID %d", (int)pid);
        return PYFIND_NO_PROCESS;
    }
    struct stat exe_st;
    char exe_path[PATH_MAX] = "";
    int have_exe = 0;
    snprintf(path, sizeof path, "/proc/%d/exe", (int)pid);
    if (stat(path, &exe_st) == 0)
        have_exe = 1;
    ssize_t n = readlink(path, exe_path, sizeof exe_path - 1);
    exe_path[n > 0 ? n : 0] = '\0';

    candidate *cands = calloc(MAX_CANDIDATES, sizeof *cands);
    if (!cands) {
        fclose(f);
        snprintf(msg, msglen, "out of memory");
        return PYFIND_UNUSABLE;
    }
    int ncand = 0, lines = 0;
    char *line = NULL;
    size_t cap = 0;
    while (getline(&line, &cap, f) > 0) {
        pyfind_map m;
        lines++;
        if (pyfind_parse_maps_line(line, &m) < 0 || m.path[0] != '/')
            continue;
        int is_lib = pyfind_is_libpython(m.path);
        int is_exe = (have_exe && m.inode == (unsigned long)exe_st.st_ino) ||
                     (exe_path[0] && strcmp(m.path, exe_path) == 0);
        int named = strncmp(base_name(m.path), "python", 6) == 0;
        if (is_lib || is_exe || named)
            note_candidate(cands, &ncand, &m, is_lib, is_exe);
    }
    int read_err = ferror(f) ? errno : 0;
    free(line);
    fclose(f);
    if (lines == 0 && read_err) {
        free(cands);
        if (read_err == EACCES || read_err == EPERM)
            return denied(pid, msg, msglen);
        snprintf(msg, msglen, "no process with PID %d", (int)pid);
        return PYFIND_NO_PROCESS;
    }

    /* libpython first, then the executable, then other python-named files */
    int order[MAX_CANDIDATES], no = 0;
    for (int pass = 0; pass < 3; pass++)
        for (int i = 0; i < ncand; i++) {
            int lib = cands[i].is_lib, exe = !lib && cands[i].is_exe;
            if ((pass == 0 && lib) || (pass == 1 && exe) || (pass == 2 && !lib && !exe))
                order[no++] = i;
        }
    int status = PYFIND_NOT_PYTHON;
    int denied_open = 0;
    char why[PATH_MAX + 128] = "";
    for (int k = 0; k < no; k++) {
        const candidate *c = &cands[order[k]];
        char m[sizeof why];
        int rc = examine(pid, c, out, m, sizeof m);
        if (rc == 0) {
            free(cands);
            return PYFIND_OK;
        }
        if (rc < 0) {
            if (errno == EACCES || errno == EPERM)
                denied_open = 1;
            else if (!why[0] && (c->is_lib || strncmp(base_name(c->path), "python", 6) == 0))
                snprintf(why, sizeof why, "%s", m);
        }
    }
    /* Nothing holds _PyRuntime: say what was seen. */
    for (int k = 0; k < no && status == PYFIND_NOT_PYTHON; k++) {
        const candidate *c = &cands[order[k]];
        int ma, mi;
        if (pyfind_name_version(c->path, &ma, &mi) == 0 && (c->is_lib || c->is_exe)) {
            if (ma != 3 || mi < 8)
                snprintf(msg, msglen, "Python %d.%d is not supported (3.8–3.13 are)", ma, mi);
            else
                snprintf(msg, msglen, "%s has no _PyRuntime symbol", c->path);
            status = PYFIND_UNUSABLE;
        }
    }
    free(cands);
    if (denied_open)
        return denied(pid, msg, msglen);
    if (status == PYFIND_NOT_PYTHON) {
        if (why[0]) {
            snprintf(msg, msglen, "%s", why);
            return PYFIND_UNUSABLE;
        }
        snprintf(msg, msglen, "not a Python process");
    }
    return status;
}
