/* srcfiles: source text cache keyed by interned file name. */
#include "srcfiles.h"

#include <fcntl.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include "rootfile.h"

typedef struct srcfile {
    const char *name;        /* interned: compared by pointer */
    char *text;              /* whole file, newlines replaced by NULs; NULL if unreadable */
    char **lines;
    int nlines;
} srcfile;

struct srcfiles {
    srcfile *files;
    size_t n, cap;
};

srcfiles *srcfiles_new(void)
{
    return calloc(1, sizeof(srcfiles));
}

static const srcfile *find(const srcfiles *c, const char *file)
{
    for (size_t i = 0; i < c->n; i++)
        if (c->files[i].name == file)
            return &c->files[i];
    return NULL;
}

/* Reads the regular file open on fd (closed here) if it holds at most
 * SRCFILES_MAX_BYTES; NULL otherwise (also for fd < 0). */
static char *read_fd(int fd, size_t *len)
{
    if (fd < 0)
        return NULL;
    struct stat st;
    char *buf = NULL;
    if (fstat(fd, &st) == 0 && S_ISREG(st.st_mode) && st.st_size <= (off_t)SRCFILES_MAX_BYTES) {
        size_t cap = (size_t)st.st_size + 1;
        buf = malloc(cap);
        size_t got = 0;
        while (buf && got + 1 < cap) {
            ssize_t r = read(fd, buf + got, cap - 1 - got);
            if (r <= 0)
                break;
            got += (size_t)r;
        }
        if (buf) {
            buf[got] = '\0';
            *len = got;
        }
    }
    close(fd);
    return buf;
}

static void split_lines(srcfile *f, size_t len)
{
    int count = 1;
    for (size_t i = 0; i < len; i++)
        count += f->text[i] == '\n';
    f->lines = malloc((size_t)count * sizeof *f->lines);
    if (!f->lines)
        return;
    char *p = f->text, *end = f->text + len;
    while (p <= end && f->nlines < count) {
        char *nl = memchr(p, '\n', (size_t)(end - p));
        f->lines[f->nlines++] = p;
        if (!nl)
            break;
        *nl = '\0';
        if (nl > p && nl[-1] == '\r')
            nl[-1] = '\0';
        p = nl + 1;
    }
}

void srcfiles_load(srcfiles *c, const char *file, pid_t pid)
{
    if (!file || find(c, file) || c->n >= SRCFILES_MAX_FILES || file[0] == '<')
        return;
    if (c->n == c->cap) {
        size_t ncap = c->cap ? c->cap * 2 : 16;
        srcfile *nf = realloc(c->files, ncap * sizeof *nf);
        if (!nf)
            return;
        c->files = nf;
        c->cap = ncap;
    }
    srcfile *f = &c->files[c->n++];
    memset(f, 0, sizeof *f);
    f->name = file;
    size_t len = 0;
    if (pid > 0)
        f->text = read_fd(rootfile_open(pid, file), &len);
    /* as root, never this machine's file: the target may have named any path */
    if (!f->text && geteuid() != 0)
        f->text = read_fd(open(file, O_RDONLY | O_CLOEXEC | O_NONBLOCK | O_NOCTTY), &len);
    if (f->text)
        split_lines(f, len);
}

const char *srcfiles_line(const srcfiles *c, const char *file, int line)
{
    const srcfile *f = find(c, file);
    if (!f || !f->lines || line < 1 || line > f->nlines)
        return NULL;
    return f->lines[line - 1];
}

void srcfiles_free(srcfiles *c)
{
    if (!c)
        return;
    for (size_t i = 0; i < c->n; i++) {
        free(c->files[i].text);
        free(c->files[i].lines);
    }
    free(c->files);
    free(c);
}
