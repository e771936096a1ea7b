/* SPDX-License-Identifier: GPL-2.0 */
/* console.h: streaming parser of a cell's console (the @@MEMATTR line protocol of
 * runners/cell/init.sh, the suites' TAP lines, interleaved kernel messages).
 */
#ifndef MEMATTR_DRIVER_CONSOLE_H
#define MEMATTR_DRIVER_CONSOLE_H

#include "cell.h"
#include "util.h"

#define CONSOLE_MARK "@@MEMATTR "
#define CONSOLE_MAX_LINE 65536

struct console {
	struct cell *cell;
	struct buf partial; /* bytes after the last newline */
	char *panic;        /* the first "Kernel panic" line, NULL if none */
	char *oops;         /* the first Oops / BUG / unhandled-fault line, NULL if none */
	unsigned long user_lines; /* lines of the suites' own output so far */
	char *carry;        /* start of a user line cut by a kernel message */
	long lines;
	struct strvec klog; /* the last CONSOLE_KLOG_LINES kernel messages */
};

#define CONSOLE_KLOG_LINES 80
#define CONSOLE_PANIC_LINES 40    /* at most this many lines of panic text */
#define CONSOLE_PANIC_BYTES 6144  /* and this many bytes */
#define CONSOLE_PANIC_WINDOW_S 5.0 /* kernel messages this close before the panic belong to it */

void console_init(struct console *k, struct cell *c);
void console_free(struct console *k);
/* Feed raw bytes as they arrive; complete lines are processed at once. */
void console_feed(struct console *k, const char *data, size_t n);
/* Process a pending partial line (end of stream, or before a synthetic marker). */
void console_flush(struct console *k);
/* An unterminated last line of a console that was cut off (killed QEMU): logged, not interpreted. */
void console_drop_partial(struct console *k);
/* Process one complete line (without its newline). */
void console_line(struct console *k, const char *line);

/* The panic's text for the test it ends: the kernel messages of the CONSOLE_PANIC_WINDOW_S seconds
 * (printk time) before the panic line (the Oops, BUG, Call trace ...) through the lines after it,
 * bounded (the panic line is always kept). NULL if no panic was seen. Caller frees.
 */
char *console_panic_text(const struct console *k);

/* "[   12.345678] ..." (printk timestamp at the start, blanks allowed before it). */
bool console_is_kernel_line(const char *line);
/* A kernel message worth recording with the cell (panic, oops, BUG, OOM kill ...). */
bool console_is_notable(const char *line);

#endif
