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

long ma_kmsg_count(int fd, const char *needle, char *first, size_t len)
{
	char rec[8192];
	long n = 0;

	for (;;) {
		ssize_t r = read(fd, rec, sizeof(rec) - 1);
		const char *msg;

		if (r < 0 && errno == EPIPE)
			continue;	/* records were overwritten: go on with the next */
		if (r <= 0)
			break;		/* EAGAIN: nothing more */
		rec[r] = 0;
		msg = strchr(rec, ';');	/* "prio,seq,time,flags;text\n" */
		msg = msg ? msg + 1 : rec;
		if (strstr(msg, needle)) {
			if (!n && first && len)
				snprintf(first, len, "%.*s", (int)strcspn(msg, "\n"), msg);
			n++;
		}
	}
	return n;
}
