// SPDX-License-Identifier: (LGPL-2.1 OR BSD-2-Clause)
/* The snapshot's records as they come off the ring buffer: checked, copied,
 * freed (apart from snapshot.c, which loads the program, so that the checks
 * can be fuzzed without it). */
#include <errno.h>
#include <fcntl.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "snapshot_data.h"
#include "util.h"

const char *const snap_section_names[8] = {
	"task", "creds", "memory", "files", "sockets", "cgroups", "namespaces", "limits",
};

/* Minimum record sizes by type (0: unknown type). */
static size_t rec_min(__u32 type)
{
	switch (type) {
	case SNAP_REC_TASK: return sizeof(struct snap_task);
	case SNAP_REC_THREAD: return sizeof(struct snap_thread);
	case SNAP_REC_CREDS: return sizeof(struct snap_creds);
	case SNAP_REC_MM: return sizeof(struct snap_mm);
	case SNAP_REC_VMA: return sizeof(struct snap_vma);
	case SNAP_REC_FILE: return sizeof(struct snap_file);
	case SNAP_REC_SOCK: return sizeof(struct snap_sock);
	case SNAP_REC_CGROUP: return sizeof(struct snap_cgroup);
	case SNAP_REC_NS: return sizeof(struct snap_ns);
	case SNAP_REC_LIMITS: return sizeof(struct snap_limits);
	case SNAP_REC_QDATA: return sizeof(struct snap_qdata);
	}
	return 0;
}

/* Keep a copy of one record after checking its length against its type. */
void snap_data_add(struct snap_data *sd, const void *data, size_t size)
{
	const struct snap_hdr *h = data;
	struct snap_list *l;
	size_t min;
	void *copy;

	if (size < sizeof(*h) || h->len > size || !(min = rec_min(h->type)) || h->len < min) {
		sd->bad_records++;
		return;
	}
	if ((h->type == SNAP_REC_VMA && ((struct snap_vma *)data)->path_len > h->len - min) ||
	    (h->type == SNAP_REC_FILE && ((struct snap_file *)data)->path_len > h->len - min) ||
	    (h->type == SNAP_REC_QDATA && (((struct snap_qdata *)data)->len > h->len - min ||
					   ((struct snap_qdata *)data)->src_len > SNAP_UNIX_PATH))) {
		sd->bad_records++;
		return;
	}
	l = &sd->recs[h->type];
	if (bd_grow((void **)&l->v, &l->cap, l->n + 1, sizeof(*l->v))) {
		sd->oom = true;
		return;
	}
	if (sd->borrowed) {
		l->v[l->n++] = (void *)data;
		return;
	}
	copy = malloc(h->len);
	if (!copy) {
		sd->oom = true;
		return;
	}
	memcpy(copy, data, h->len);
	l->v[l->n++] = copy;
}

void snap_data_reset(struct snap_data *sd)
{
	size_t t, i;

	for (t = 0; t <= SNAP_REC_MAX; t++) {
		if (!sd->borrowed)
			for (i = 0; i < sd->recs[t].n; i++)
				free(sd->recs[t].v[i]);
		sd->recs[t].n = 0;
	}
	memset(&sd->cnt, 0, sizeof(sd->cnt));
	sd->bad_records = 0;
	sd->oom = false;
}

void snap_data_free(struct snap_data *sd)
{
	size_t t;

	snap_data_reset(sd);
	for (t = 0; t <= SNAP_REC_MAX; t++) {
		free(sd->recs[t].v);
		sd->recs[t].v = NULL;
		sd->recs[t].cap = 0;
	}
}

const char *snap_queue_name(__u16 queue)
{
	return queue == SNAP_Q_SEND ? "send" : queue == SNAP_Q_PIPE ? "pipe" : "receive";
}

void snap_qbuf_at(const struct snap_list *l, size_t i, struct snap_qbuf *b)
{
	const struct snap_qdata *q = l->v[i];
	size_t j;

	memset(b, 0, sizeof(*b));
	b->first = i;
	if (q->flags & SNAP_QDATA_END) {
		b->end = i + 1;
		return;
	}
	for (j = i; j < l->n; j++) {
		const struct snap_qdata *p = l->v[j];

		if ((p->flags & SNAP_QDATA_END) || p->fd != q->fd || p->index != q->index ||
		    p->queue != q->queue)
			break;
		b->len += p->len;
		b->cut |= p->flags & SNAP_QDATA_CUT;
		b->torn |= p->flags & SNAP_QDATA_TORN;
		if (p->skipped > b->skipped)
			b->skipped = p->skipped;
	}
	b->end = j;
}

void snap_qdata_file(const struct snap_data *sd, const struct snap_qdata *q, char *buf,
		     size_t len)
{
	snprintf(buf, len, "%d.%u.%s", sd->pid, q->fd, snap_queue_name(q->queue));
}

static int write_all(int fd, const void *p, size_t n)
{
	ssize_t w;

	for (; n; n -= w, p = (const char *)p + w) {
		w = write(fd, p, n);
		if (w < 0 && errno == EINTR)
			w = 0;
		else if (w < 0)
			return -errno;
	}
	return 0;
}

/*
 * Each queue's file is made (O_EXCL, O_NOFOLLOW: what is there already, a link a
 * user placed included, is never written through) with mode 0600: the bytes
 * are another process's. A queue's buffers follow each other in its file in
 * queue order; a torn buffer is left out, as the output leaves out its bytes.
 */
int snap_qdata_write(const struct snap_data *sd, int dir_fd, char *why, size_t why_len)
{
	const struct snap_list *l = &sd->recs[SNAP_REC_QDATA];
	const struct snap_qdata *cur = NULL;
	char name[64];
	struct snap_qbuf b;
	int fd = -1, err = 0;
	size_t i, j;

	for (i = 0; i < l->n && !err; i = b.end) {
		const struct snap_qdata *q = l->v[i];

		snap_qbuf_at(l, i, &b);
		if (!cur || cur->fd != q->fd || cur->queue != q->queue) {
			if (fd >= 0)
				close(fd);
			cur = q;
			snap_qdata_file(sd, q, name, sizeof(name));
			fd = openat(dir_fd, name, O_WRONLY | O_CREAT | O_EXCL | O_NOFOLLOW |
				    O_CLOEXEC, 0600);
			if (fd < 0) {
				err = -errno;
				break;
			}
		}
		if ((q->flags & SNAP_QDATA_END) || b.torn)
			continue;
		for (j = b.first; j < b.end && !err; j++) {
			const struct snap_qdata *p = l->v[j];

			err = write_all(fd, (const char *)p + SNAP_QDATA_OFF, p->len);
		}
	}
	if (fd >= 0 && close(fd) && !err)
		err = -errno;
	if (err)
		snprintf(why, why_len, "%s: %s", name, strerror(-err));
	return err;
}
