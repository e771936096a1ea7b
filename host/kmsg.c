// SPDX-License-Identifier: GPL-2.0
/* Reading new kernel log records through /dev/kmsg (Documentation/ABI/testing/dev-kmsg). */
#include <errno.h>
#include <fcntl.h>
#include <stdio.h>
#include <string.h>
#include <unistd.h>

#include "memattr/kmsg.h"

int ma_try_kmsg_open_at_end(void)
{
	int fd = open("/dev/kmsg", O_RDONLY | O_NONBLOCK | O_CLOEXEC);

	if (fd < 0)
		return -errno;
	if (lseek(fd, 0, SEEK_END) < 0) {
		int e = errno;

		close(fd);
		return -e;
	}
	return fd;
}

const char *ma_kmsg_next(int fd, char *rec, size_t len, int *textlen)
{
	for (;;) {
		ssize_t r = read(fd, rec, len - 1);
		const char *msg;

		if (r < 0 && errno == EPIPE)
			continue;	/* records were overwritten: go on with the next */
		if (r <= 0)
			return NULL;	/* EAGAIN: nothing more */
		rec[r] = 0;
		msg = strchr(rec, ';');	/* "prio,seq,time,flags;text\n" */
		msg = msg ? msg + 1 : rec;
		*textlen = (int)strcspn(msg, "\n");
		return msg;
	}
}
