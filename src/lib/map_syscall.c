// SPDX-License-Identifier: (LGPL-2.1 OR BSD-2-Clause)
/* Map elements through the map syscalls, where the map-element iterator is refused. */
#include <bpf/bpf.h>
#include <errno.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "internal.h"
#include "map_syscall.h"

#define KERNEL_ENOTSUPP 524	/* the kernel's "no such operation" for batch ops */
#define BATCH_FIRST 64		/* elements per batch lookup, doubled on ENOSPC */
#define BATCH_MAX 65536

enum mode { MODE_AUTO, MODE_BATCH, MODE_NEXTKEY };

struct reader {
	struct bpfdump_query *q;
	bd_record_fn fn;
	void *ctx;
	__u8 *rec;		/* one record of the plan, rewritten per element */
	bool *is_key;		/* per column: the key (else the value) */
	__u32 key_size, value_size;	/* value_size: all CPUs' values of a per-CPU map */
	long elems;
};

/* BPFDUMP_MAP_SYSCALLS: unset or "0" = only when the iterator is refused. */
static enum mode forced_mode(void)
{
	const char *env = getenv("BPFDUMP_MAP_SYSCALLS");

	if (!env || !*env || !strcmp(env, "0"))
		return MODE_AUTO;
	return strcmp(env, "nextkey") ? MODE_BATCH : MODE_NEXTKEY;
}

static bool is_sockmap(__u32 type)
{
	return type == BPF_MAP_TYPE_SOCKMAP || type == BPF_MAP_TYPE_SOCKHASH;
}

/* The ctx member a column reads from: "key", "value", "map", "sk", ... */
static const char *column_root(const struct bd_plan *p, const struct bd_column *c)
{
	const struct bd_target *t = p->target;
	int i;

	for (i = 0; i < t->member_cnt; i++)
		if (t->members[i].off == c->acc[0].ctx_off)
			return t->members[i].name;
	return NULL;
}

/* Why q cannot be read with the map syscalls (into buf), or NULL when it can. */
static const char *cannot_read(const struct bpfdump_query *q, char *buf, size_t len)
{
	const struct bd_plan *p = &q->plan;
	bool sockmap = is_sockmap(p->map.type);
	int i;

	if (p->map.type == BPF_MAP_TYPE_SK_STORAGE)
		return "the map syscalls cannot walk an sk_storage map (a lookup needs the "
		       "socket's fd)";
	if (sockmap && p->map.value_size != 8)
		return "the map syscalls cannot tell this socket map's filled slots from its "
		       "empty ones (they look up 8-byte values only: socket cookies)";
	if (p->pred || p->pred_exit)
		return "the map syscalls cannot evaluate --where (its fields are the kernel's "
		       "objects; they give keys and values only)";
	for (i = 0; i < p->col_cnt; i++) {
		const struct bd_column *c = &p->cols[i];
		const char *root = column_root(p, c);

		if (c->acc_cnt == 1 && c->acc[0].root == BD_ROOT_BUF && root &&
		    (!strcmp(root, "key") || (!sockmap && !strcmp(root, "value"))))
			continue;
		snprintf(buf, len, "the map syscalls give %s, not column '%s'%s",
			 sockmap ? "a socket map's keys only" : "keys and values only", c->name,
			 sockmap ? " (give -o key)" : " (give -o key,value)");
		return buf;
	}
	return NULL;
}

int bd_map_syscall_hook(struct bpfdump_query *q, int err)
{
	struct bpfdump *d = q->d;
	enum mode mode = forced_mode();
	char why[256], first[BD_ERRMSG_MAX];
	const char *no;

	if (q->plan.map.fd < 0 || (!err && mode == MODE_AUTO))
		return err;
	no = cannot_read(q, why, sizeof(why));
	if (no && !err)
		return bd_err(d, -EOPNOTSUPP, "map '%s': BPFDUMP_MAP_SYSCALLS is set, but %s",
			      q->spec_map, no);
	if (no) {
		/* the refusal, and why the syscalls cannot stand in: one line */
		snprintf(first, sizeof(first), "%s", bd_errmsg());
		return bd_err(d, err, "%s; %s", first, no);
	}
	if (err)
		bd_log(d, BPFDUMP_INFO, "%s", bd_errmsg());
	if (q->prog_fd >= 0) {
		close(q->prog_fd);
		q->prog_fd = -1;
	}
	q->map_syscalls = true;
	bd_log(d, BPFDUMP_INFO, "map '%s': %s: reading it with the map syscalls, as bpftool map "
	       "dump does", q->spec_map, err ? "the kernel refused the map iterator"
					     : "BPFDUMP_MAP_SYSCALLS is set");
	return 0;
}

int bd_map_syscall_refuse_pin(struct bpfdump_query *q, const char *path)
{
	return bd_err(q->d, -EOPNOTSUPP, "pin '%s': this kernel refuses the %s iterator; "
		      "'bpfdump dump' reads the map with the map syscalls instead, but a "
		      "syscall reader has no program to pin", path, q->plan.target->name);
}

/* One element as a record of the plan, to the printer. */
static int emit(struct reader *r, const __u8 *key, const __u8 *value)
{
	const struct bd_plan *p = &r->q->plan;
	int i;

	for (i = 0; i < p->col_cnt; i++) {
		const struct bd_access *a = &p->cols[i].acc[0];
		__u32 n = r->is_key[i] ? r->key_size : r->value_size;

		memcpy(r->rec + a->slot_off, r->is_key[i] ? key : value,
		       n < a->slot_size ? n : a->slot_size);
	}
	r->elems++;
	return r->fn(r->ctx, r->rec, p->fixed_size);
}

/* Batch lookups; *unsupported when the map has none (nothing was emitted then). */
static int read_batch(struct reader *r, bool *unsupported)
{
	const struct bd_map_info *mi = &r->q->plan.map;
	LIBBPF_OPTS(bpf_map_batch_opts, bo);
	__u32 n = BATCH_FIRST, count, i, tok = r->key_size > 8 ? r->key_size : 8;
	__u8 *keys = NULL, *vals = NULL, *in = calloc(1, tok), *out = calloc(1, tok), *t;
	bool first = true;
	int err = 0, e;

	*unsupported = false;
	if (!in || !out) {
		err = -ENOMEM;
		goto free_bufs;
	}
	for (;;) {
		if (!keys || !vals) {
			free(keys);
			free(vals);
			keys = calloc(n, r->key_size);
			vals = calloc(n, r->value_size);
			if (!keys || !vals) {
				err = -ENOMEM;
				goto free_bufs;
			}
		}
		count = n;
		e = bpf_map_lookup_batch(mi->fd, first ? NULL : in, out, keys, vals, &count, &bo)
			? errno : 0;
		if (e && e != ENOENT) {
			if (e == ENOSPC && n < BATCH_MAX) {
				/* a hash bucket holds more than n elements */
				n *= 2;
				free(keys);
				keys = NULL;
				continue;
			}
			if (first && (e == EINVAL || e == EOPNOTSUPP || e == KERNEL_ENOTSUPP)) {
				*unsupported = true;
				goto free_bufs;
			}
			err = bd_err(r->q->d, -e, "map '%s': batch lookup failed: %s",
				     r->q->spec_map, strerror(e));
			goto free_bufs;
		}
		for (i = 0; i < count && !err; i++)
			err = emit(r, keys + (size_t)i * r->key_size,
				   vals + (size_t)i * r->value_size);
		if (err || e == ENOENT)
			break;
		t = in;
		in = out;
		out = t;
		first = false;
	}
free_bufs:
	free(keys);
	free(vals);
	free(in);
	free(out);
	return err;
}

/* bpf_map_get_next_key + bpf_map_lookup_elem, one element at a time. */
static int read_nextkey(struct reader *r)
{
	const struct bd_map_info *mi = &r->q->plan.map;
	__u8 *key = calloc(1, r->key_size), *next = calloc(1, r->key_size);
	__u8 *val = calloc(1, r->value_size), *t;
	bool have_prev = false;
	int err = 0;

	if (!key || !next || !val) {
		err = -ENOMEM;
		goto free_bufs;
	}
	for (;;) {
		if (bpf_map_get_next_key(mi->fd, have_prev ? key : NULL, next)) {
			if (errno != ENOENT)
				err = bd_err(r->q->d, -errno, "map '%s': cannot walk its keys: %s",
					     r->q->spec_map, strerror(errno));
			break;
		}
		if (!bpf_map_lookup_elem(mi->fd, next, val)) {
			err = emit(r, next, val);
			if (err)
				break;
		} else if (errno != ENOENT) {
			/* ENOENT: deleted since, or an empty slot of a socket map */
			err = bd_err(r->q->d, -errno, "map '%s': cannot look an element up: %s",
				     r->q->spec_map, strerror(errno));
			break;
		}
		t = key;
		key = next;
		next = t;
		have_prev = true;
	}
free_bufs:
	free(key);
	free(next);
	free(val);
	return err;
}

long bd_map_syscall_read(struct bpfdump_query *q, bd_record_fn fn, void *ctx)
{
	const struct bd_plan *p = &q->plan;
	const struct bd_map_info *mi = &p->map;
	struct reader r = { .q = q, .fn = fn, .ctx = ctx, .key_size = mi->key_size,
			    .value_size = mi->value_size };
	enum mode mode = forced_mode();
	bool unsupported = true;
	const char *how = "";
	int i, err = 0;

	if (mi->percpu) {
		if (mi->ncpus <= 0)
			return bd_err(q->d, -EINVAL, "map '%s': cannot count the possible CPUs",
				      q->spec_map);
		r.value_size = ((mi->value_size + 7) & ~7u) * mi->ncpus;
	}
	if (!r.key_size || !r.value_size)
		return bd_err(q->d, -EINVAL, "map '%s': no key or no value to read", q->spec_map);
	r.rec = calloc(1, p->fixed_size);
	r.is_key = calloc(p->col_cnt ? p->col_cnt : 1, sizeof(*r.is_key));
	if (!r.rec || !r.is_key) {
		err = -ENOMEM;
		goto free_bufs;
	}
	memcpy(r.rec, &p->fixed_size, 4);	/* the record header: its length */
	for (i = 0; i < p->col_cnt; i++)
		r.is_key[i] = !strcmp(column_root(p, &p->cols[i]) ?: "", "key");
	/* a socket map's lookups skip its empty slots one by one */
	if (mode != MODE_NEXTKEY && !is_sockmap(mi->type)) {
		err = read_batch(&r, &unsupported);
		how = "batch lookups (bpf_map_lookup_batch)";
	}
	if (!err && unsupported) {
		err = read_nextkey(&r);
		how = "bpf_map_get_next_key and bpf_map_lookup_elem";
	}
	if (!err)
		bd_log(q->d, BPFDUMP_INFO, "map '%s': %ld elements read with %s", q->spec_map,
		       r.elems, how);
free_bufs:
	free(r.rec);
	free(r.is_key);
	return err;
}
