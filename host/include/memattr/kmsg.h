/* SPDX-License-Identifier: GPL-2.0 */
/* The kernel log (/dev/kmsg) as seen by a test: what the kernel printed while the test ran. */
#ifndef MEMATTR_KMSG_H
#define MEMATTR_KMSG_H

#include <stddef.h>

/* A reader positioned after the last record now in the log: fd, or -errno. */
int ma_try_kmsg_open_at_end(void);
/* Records read from fd since then whose text contains needle; the first one goes to first. */
long ma_kmsg_count(int fd, const char *needle, char *first, size_t len);

#endif
