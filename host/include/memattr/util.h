/* SPDX-License-Identifier: GPL-2.0 */
/* Small helpers for the host library, the suites and their tests. */
#ifndef MEMATTR_UTIL_H
#define MEMATTR_UTIL_H

/*
 * The number of elements of an array (not a pointer): the kernel's ARRAY_SIZE, named so that it
 * does not clash with runners/driver/util.h's when a test includes both.
 */
#define MA_ARRAY_SIZE(a) (sizeof(a) / sizeof((a)[0]))

#endif
