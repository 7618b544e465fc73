/* pyfind: locates a CPython interpreter in a live process (maps + ELF symbols). */
#ifndef MW_PYFIND_H
#define MW_PYFIND_H

#include <limits.h>
#include <stddef.h>
#include <stdint.h>
#include <sys/types.h>

enum pyfind_status {
    PYFIND_OK = 0,
    PYFIND_NOT_PYTHON = 1,   /* no interpreter mapped */
    PYFIND_NO_PROCESS = 2,   /* no such pid (or it exited) */
    PYFIND_DENIED = 3,       /* not allowed to read it */
    PYFIND_UNUSABLE = 4      /* an interpreter is there but cannot be used (see msg) */
};

typedef struct pyfind_result {
    char path[PATH_MAX];        /* the ELF holding _PyRuntime, as the target maps it */
    int is_lib;                 /* 1 for libpython3.X.so, 0 for an executable */
    int is_exe;                 /* 1 if it is the process's executable */
    uint64_t bias;              /* load bias: target address = file address + bias */
    uint64_t runtime;           /* _PyRuntime in the target */
    uint64_t py_version;        /* Py_Version in the target, 0 if the ELF has none (< 3.11) */
    uint64_t code_type;         /* PyCode_Type, 0 if not exported */
    uint64_t unicode_type;      /* PyUnicode_Type, 0 if not exported */
    uint64_t bytes_type;        /* PyBytes_Type, 0 if not exported */
    int name_major, name_minor; /* version in the file name (python3.X, libpython3.X), else -1 */
} pyfind_result;

/* One line of /proc/PID/maps. */
typedef struct pyfind_map {
    uint64_t start, end, offset;
    unsigned long inode;
    const char *path;           /* points into the parsed line; "" for anonymous */
} pyfind_map;

/* Parses one /proc/PID/maps line (trailing newline allowed; modifies line to cut it).
 * Returns 0, or -1 if the line is not in the maps format. */
int pyfind_parse_maps_line(char *line, pyfind_map *out);

/* The Python version named by a file's base name ("python3.11", "libpython3.12.so.1.0",
 * "libpython3.9d.so"): returns 0 and sets *major and *minor, or -1 if the name names none. */
int pyfind_name_version(const char *path, int *major, int *minor);

/* 1 if the base name is that of a shared libpython ("libpython3.X...so..."), else 0. */
int pyfind_is_libpython(const char *path);

/* Load bias of an ELF whose lowest-offset mapping is at `start` with file offset `offset`,
 * given its PT_LOAD (vaddr, file offset, file size) triples. Returns 0, or -1 if no segment
 * covers that offset. Pure. */
int pyfind_bias(const uint64_t (*loads)[3], size_t nloads, uint64_t start, uint64_t offset,
                uint64_t *bias);

#define PYFIND_MAX_LOADS 32

/* What pyfind reads from an interpreter's ELF file: symbol values as file addresses (0 when
 * the symbol is absent) and the PT_LOAD segments, in file order (at most PYFIND_MAX_LOADS). */
typedef struct pyfind_elf {
    uint64_t runtime, py_version, code_type, unicode_type, bytes_type;
    uint64_t loads[PYFIND_MAX_LOADS][3];    /* (vaddr, file offset, file size) */
    size_t nloads;
} pyfind_elf;

enum pyfind_elf_status {
    PYFIND_ELF_FOUND = 0,        /* a 64-bit ELF defining _PyRuntime */
    PYFIND_ELF_NO_RUNTIME = 1,   /* a 64-bit ELF without _PyRuntime */
    PYFIND_ELF_NOT_ELF = 2,      /* not an ELF file libelf accepts */
    PYFIND_ELF_NOT_64BIT = 3     /* an ELF of another class (32-bit) */
};

/* Parses the ELF image buf[0..len) (writable: libelf may convert it in place; any bytes are
 * safe) into *out (zeroed first). Returns a pyfind_elf_status. */
int pyfind_parse_elf_memory(void *buf, size_t len, pyfind_elf *out);

/* Finds the interpreter of pid: a mapped libpython3.X.so, else the executable (python or an
 * embedding program linked statically), opened through /proc/PID/root. Returns a
 * pyfind_status; on failure writes a one-line reason to msg. */
int pyfind_locate(pid_t pid, pyfind_result *out, char *msg, size_t msglen);

#endif
