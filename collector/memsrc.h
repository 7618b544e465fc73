/* memsrc: where target memory comes from (a live process, or a fake image in tests). */
#ifndef MW_MEMSRC_H
#define MW_MEMSRC_H

#include <stddef.h>
#include <stdint.h>
#include <sys/types.h>

typedef struct memsrc {
    /* Copies len bytes at addr into buf. Returns 0, or -1 if any byte is unreadable. */
    int (*read)(void *ctx, uint64_t addr, void *buf, size_t len);
    void *ctx;
    pid_t pid;   /* the process read (0 for a fake image) */
    /* Optional (NULL: one read per block): reads n blocks, block i of lens[i] bytes at
     * addrs[i] into bufs[i], in one go. Returns how many leading blocks were read whole. */
    int (*readv)(void *ctx, const uint64_t *addrs, const size_t *lens, void *const *bufs, int n);
} memsrc;

/* Returns a source that reads pid's memory with process_vm_readv; a failed
 * read leaves errno (EPERM: not allowed, ESRCH: gone, EFAULT: unmapped or partial). */
memsrc memsrc_process(pid_t pid);

/* A fake address space for tests and fuzzing: data[0..len) seen at base. */
typedef struct memsrc_image {
    uint64_t base;
    const uint8_t *data;
    size_t len;
} memsrc_image;

/* Returns a source that reads img (which must outlive it); other addresses fail with EFAULT. */
memsrc memsrc_from_image(const memsrc_image *img);

/* Copies len bytes at addr of src into buf; 0 or -1 (never reads past len). */
static inline int memsrc_read(const memsrc *src, uint64_t addr, void *buf, size_t len)
{
    return src->read(src->ctx, addr, buf, len);
}

/* Reads n blocks (block i of lens[i] bytes at addrs[i] into bufs[i]); returns how many
 * leading blocks were read whole. */
static inline int memsrc_readv(const memsrc *src, const uint64_t *addrs, const size_t *lens,
                               void *const *bufs, int n)
{
    if (src->readv)
        return src->readv(src->ctx, addrs, lens, bufs, n);
    int k = 0;
    while (k < n && src->read(src->ctx, addrs[k], bufs[k], lens[k]) == 0)
        k++;
    return k;
}

#endif
