/* stackids: interned call stacks; a stack is a parent stack plus one frame. */
#ifndef MW_STACKIDS_H
#define MW_STACKIDS_H

#include <stddef.h>
#include <stdint.h>

#include "pyreader.h"
#include "sink.h"

#define STACKIDS_MAX 2000000u   /* nodes kept; past it, new stacks are cut to known prefixes */

typedef struct stackids stackids;

/* Returns an empty table, or NULL when out of memory. */
stackids *stackids_new(void);

/* Interns frames[0..depth) (frames[0] innermost) and returns the id of the
 * innermost node; 0 for an empty stack or when the table is full/out of memory. */
uint32_t stackids_intern(stackids *s, const py_frame *frames, int depth);

/* Interns a one-frame pseudo stack such as "[no Python frame]"; 0 on failure. */
uint32_t stackids_pseudo(stackids *s, const char *file, const char *func);

/* The node with id (1..count), or NULL. */
const mw_stack_node *stackids_node(const stackids *s, uint32_t id);

/* Number of nodes; ids run from 1 to this. */
uint32_t stackids_count(const stackids *s);

/* Frees the table. */
void stackids_free(stackids *s);

#endif
