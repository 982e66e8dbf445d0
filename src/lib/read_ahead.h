/* SPDX-License-Identifier: (LGPL-2.1 OR BSD-2-Clause) */
/* Reading an iterator (or scope pipe) fd ahead of its decoder, in a thread. */
#ifndef BPFDUMP_READ_AHEAD_H
#define BPFDUMP_READ_AHEAD_H

#include <sys/types.h>

struct bd_read_ahead;

/* Start a thread reading fd to its end; 0 or -errno. */
int bd_read_ahead_start(int fd, struct bd_read_ahead **ra);
/*
 * The next chunk of the stream, in order: its length, with *data valid until the next
 * call; 0 at the end; -errno when a read failed (after every chunk read before it).
 */
ssize_t bd_read_ahead_next(struct bd_read_ahead *ra, const unsigned char **data);
/* Stop reading (wherever the stream is), join the thread, free everything. */
void bd_read_ahead_stop(struct bd_read_ahead *ra);

#endif
