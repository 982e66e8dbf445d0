// SPDX-License-Identifier: (LGPL-2.1 OR BSD-2-Clause)
/* The snapshot's records as they come off the ring buffer: checked, copied,
 * freed (apart from snapshot.c, which loads the program, so that the checks
 * can be fuzzed without it). */
#include <stdlib.h>
#include <string.h>

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
