/* tidmap: kernel TID -> PyThreadState for versions without native_thread_id. */
#include "tidmap.h"

#include <pthread.h>
#include <string.h>
#include <unistd.h>

#include "memsrc.h"

#define DESCRIPTOR_SCAN 2048   /* bytes of the thread descriptor searched */

long tidmap_find_offset(const unsigned char *image, size_t len, int32_t tid)
{
    for (size_t off = 0; off + sizeof tid <= len; off += 4) {
        int32_t v;
        memcpy(&v, image + off, sizeof v);
        if (v == tid)
            return (long)off;
    }
    return -1;
}

long tidmap_pthread_offset(void)
{
    static long offset = -2;
    if (offset == -2) {
        unsigned char image[DESCRIPTOR_SCAN];
        /* this process's own descriptor: readable, and its TID is known */
        memsrc self = memsrc_process(getpid());
        uint64_t addr = (uint64_t)(uintptr_t)pthread_self();
        offset = memsrc_read(&self, addr, image, sizeof image) == 0
                     ? tidmap_find_offset(image, sizeof image, (int32_t)gettid())
                     : -1;
    }
    return offset;
}

uint64_t tidmap_tstate(pyreader *r, pid_t pid, pid_t tid)
{
    long off = tidmap_pthread_offset();
    if (off < 0 || tid <= 0)
        return 0;
    py_thread th[64];
    int n = pyreader_threads(r, th, 64);
    memsrc src = memsrc_process(pid);
    for (int i = 0; i < n; i++) {
        int32_t v;
        if (th[i].thread_id && memsrc_read(&src, th[i].thread_id + (uint64_t)off, &v, sizeof v) == 0 && v == tid)
            return th[i].tstate;
    }
    return 0;
}
