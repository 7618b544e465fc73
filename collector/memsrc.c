/* memsrc: reading target memory with process_vm_readv, or from an image in memory. */
#include "memsrc.h"

#include <errno.h>
#include <limits.h>
#include <stdint.h>
#include <string.h>
#include <sys/uio.h>

static int read_process(void *ctx, uint64_t addr, void *buf, size_t len)
{
    pid_t pid = (pid_t)(intptr_t)ctx;
    if (len == 0)
        return 0;
    if (addr == 0 || addr + len < addr) {
        errno = EFAULT;
        return -1;
    }
    struct iovec local = { .iov_base = buf, .iov_len = len };
    struct iovec remote = { .iov_base = (void *)(uintptr_t)addr, .iov_len = len };
    ssize_t n = process_vm_readv(pid, &local, 1, &remote, 1, 0);
    if (n < 0)
        return -1;          /* errno: EPERM, ESRCH, EFAULT... */
    if ((size_t)n != len) {
        errno = EFAULT;     /* a partial read is a failure: the rest is unmapped */
        return -1;
    }
    return 0;
}

#define MEMSRC_MAX_IOV 64

/* One process_vm_readv per MEMSRC_MAX_IOV blocks: the call's fixed cost (finding the task,
 * the ptrace check) is paid once per batch, each block costs a page lookup. */
static int readv_process(void *ctx, const uint64_t *addrs, const size_t *lens, void *const *bufs,
                         int n)
{
    pid_t pid = (pid_t)(intptr_t)ctx;
    struct iovec local[MEMSRC_MAX_IOV], remote[MEMSRC_MAX_IOV];
    int done = 0;
    while (done < n) {
        int k = 0;
        size_t want = 0;
        while (k < MEMSRC_MAX_IOV && done + k < n) {
            uint64_t a = addrs[done + k];
            size_t l = lens[done + k];
            if (a == 0 || a + l < a || l > SSIZE_MAX - want)
                break;                   /* refused like a bad address: it ends the batch */
            local[k].iov_base = bufs[done + k];
            local[k].iov_len = l;
            remote[k].iov_base = (void *)(uintptr_t)a;
            remote[k].iov_len = l;
            want += l;
            k++;
        }
        if (k == 0) {
            errno = EFAULT;
            break;
        }
        ssize_t got = process_vm_readv(pid, local, (unsigned long)k, remote, (unsigned long)k, 0);
        if (got < 0)
            break;
        int whole = 0;
        size_t left = (size_t)got;
        while (whole < k && left >= lens[done + whole]) {
            left -= lens[done + whole];
            whole++;
        }
        done += whole;
        if (whole < k) {
            errno = EFAULT;              /* stopped at an unmapped block */
            break;
        }
    }
    return done;
}

memsrc memsrc_process(pid_t pid)
{
    memsrc s = { .read = read_process, .ctx = (void *)(intptr_t)pid, .pid = pid,
                 .readv = readv_process };
    return s;
}

static int read_image(void *ctx, uint64_t addr, void *buf, size_t len)
{
    const memsrc_image *img = ctx;
    if (len == 0)
        return 0;
    if (addr < img->base || addr - img->base > img->len || len > img->len - (addr - img->base)) {
        errno = EFAULT;
        return -1;
    }
    memcpy(buf, img->data + (addr - img->base), len);
    return 0;
}

memsrc memsrc_from_image(const memsrc_image *img)
{
    memsrc s = { .read = read_image, .ctx = (void *)(uintptr_t)img, .pid = 0 };
    return s;
}
