// SPDX-License-Identifier: (LGPL-2.1 OR BSD-2-Clause)
/*
 * Reading an iterator fd ahead of its decoder, in a thread of its own.
 *
 * An iterator's read() runs the BPF program in the reader's context: for a big dump
 * the kernel side (walking objects, running the program) and the user side (decoding
 * records, formatting, writing) take comparable time. One thread reads into a small
 * ring of chunks while the caller decodes the previous ones, so the two overlap on
 * a machine with two CPUs or more. Chunks are handed over whole, in order.
 */
#include <errno.h>
#include <pthread.h>
#include <stdbool.h>
#include <stdlib.h>
#include <unistd.h>

#include "read_ahead.h"

#define RA_CHUNKS	4
#define RA_CHUNK	(256 * 1024)
/* hand a chunk over once less than this is free: an iterator read returns at most
 * one seq_file buffer (8 pages) */
#define RA_MIN_FREE	(40 * 1024)

struct bd_read_ahead {
	int fd;
	pthread_t thread;
	pthread_mutex_t lock;
	pthread_cond_t cond;
	unsigned char *chunk[RA_CHUNKS];
	size_t len[RA_CHUNKS];
	unsigned int head;	/* next chunk the reader fills */
	unsigned int tail;	/* next chunk the caller takes */
	unsigned int full;	/* chunks filled, not yet given back */
	int err;		/* -errno of a failed read, given once the ring is drained */
	bool eof;		/* the reader has stopped: no chunk comes after these */
	bool taken;		/* the caller holds chunk[tail] */
	bool stop;		/* the caller is done: stop reading */
};

static void *reader_main(void *arg)
{
	struct bd_read_ahead *ra = arg;
	bool done = false;
	int err = 0;

	while (!done) {
		unsigned char *buf;
		size_t len = 0;

		pthread_mutex_lock(&ra->lock);
		while (ra->full == RA_CHUNKS && !ra->stop)
			pthread_cond_wait(&ra->cond, &ra->lock);
		done = ra->stop;
		buf = ra->chunk[ra->head];
		pthread_mutex_unlock(&ra->lock);

		while (!done && RA_CHUNK - len >= RA_MIN_FREE) {
			ssize_t n = read(ra->fd, buf + len, RA_CHUNK - len);

			if (n < 0) {
				/* EAGAIN: a million objects went by without output; go on */
				if (errno == EAGAIN || errno == EINTR)
					continue;
				err = -errno;
				done = true;
			} else if (n == 0) {
				done = true;
			} else {
				len += n;
				done = __atomic_load_n(&ra->stop, __ATOMIC_RELAXED);
			}
		}

		pthread_mutex_lock(&ra->lock);
		if (len) {
			ra->len[ra->head] = len;
			ra->head = (ra->head + 1) % RA_CHUNKS;
			ra->full++;
		}
		if (done) {
			ra->err = err;
			ra->eof = true;
		}
		pthread_cond_broadcast(&ra->cond);
		pthread_mutex_unlock(&ra->lock);
	}
	return NULL;
}

int bd_read_ahead_start(int fd, struct bd_read_ahead **out)
{
	struct bd_read_ahead *ra;
	int i, err;

	ra = calloc(1, sizeof(*ra));
	if (!ra)
		return -ENOMEM;
	ra->fd = fd;
	for (i = 0; i < RA_CHUNKS; i++) {
		ra->chunk[i] = malloc(RA_CHUNK);
		if (!ra->chunk[i]) {
			err = -ENOMEM;
			goto cleanup;
		}
	}
	pthread_mutex_init(&ra->lock, NULL);
	pthread_cond_init(&ra->cond, NULL);
	err = -pthread_create(&ra->thread, NULL, reader_main, ra);
	if (err) {
		pthread_cond_destroy(&ra->cond);
		pthread_mutex_destroy(&ra->lock);
		goto cleanup;
	}
	*out = ra;
	return 0;
cleanup:
	for (i = 0; i < RA_CHUNKS; i++)
		free(ra->chunk[i]);
	free(ra);
	return err;
}

ssize_t bd_read_ahead_next(struct bd_read_ahead *ra, const unsigned char **data)
{
	ssize_t ret;

	pthread_mutex_lock(&ra->lock);
	if (ra->taken) {
		/* give back the chunk handed out last time */
		ra->taken = false;
		ra->tail = (ra->tail + 1) % RA_CHUNKS;
		ra->full--;
		pthread_cond_broadcast(&ra->cond);
	}
	while (!ra->full && !ra->eof)
		pthread_cond_wait(&ra->cond, &ra->lock);
	if (ra->full) {
		*data = ra->chunk[ra->tail];
		ret = ra->len[ra->tail];
		ra->taken = true;
	} else {
		ret = ra->err;
	}
	pthread_mutex_unlock(&ra->lock);
	return ret;
}

void bd_read_ahead_stop(struct bd_read_ahead *ra)
{
	int i;

	if (!ra)
		return;
	pthread_mutex_lock(&ra->lock);
	__atomic_store_n(&ra->stop, true, __ATOMIC_RELAXED);
	pthread_cond_broadcast(&ra->cond);
	pthread_mutex_unlock(&ra->lock);
	pthread_join(ra->thread, NULL);
	pthread_cond_destroy(&ra->cond);
	pthread_mutex_destroy(&ra->lock);
	for (i = 0; i < RA_CHUNKS; i++)
		free(ra->chunk[i]);
	free(ra);
}
