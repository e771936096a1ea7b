/* SPDX-License-Identifier: GPL-2.0 */
/* The kernel log (/dev/kmsg) as seen by a test: what the kernel printed while the test ran. */
#ifndef MEMATTR_KMSG_H
#define MEMATTR_KMSG_H

#include <stddef.h>

/* A reader positioned after the last record now in the log: fd, or -errno. */
int ma_try_kmsg_open_at_end(void);
/*
 * The text of the next record (in rec, a buffer of len bytes; *textlen is its first line's length),
 * or NULL when there is none yet.  Records overwritten before they were read are passed over.
 */
const char *ma_kmsg_next(int fd, char *rec, size_t len, int *textlen);

#endif
