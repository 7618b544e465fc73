/* tidmap: which Python thread a kernel TID is, where CPython does not record it (3.8–3.10). */
#ifndef MW_TIDMAP_H
#define MW_TIDMAP_H

#include <stddef.h>
#include <stdint.h>
#include <sys/types.h>

#include "pyreader.h"

/* Offset of the kernel TID inside the C library's thread descriptor (what
 * pthread_self() points to), found by looking at this process's own; -1 if
 * it cannot be found. The target is assumed to use the same C library. */
long tidmap_pthread_offset(void);

/* Finds in image[0..len) (a thread descriptor's first bytes) the offset of
 * the 32-bit value tid, from 0 in steps of 4; -1 if absent (pure). */
long tidmap_find_offset(const unsigned char *image, size_t len, int32_t tid);

/* The PyThreadState address of pid's thread whose kernel TID is tid, read
 * through the pthread id each thread state keeps; 0 if none matches. */
uint64_t tidmap_tstate(pyreader *r, pid_t pid, pid_t tid);

#endif
