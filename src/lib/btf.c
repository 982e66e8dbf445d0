// SPDX-License-Identifier: (LGPL-2.1 OR BSD-2-Clause)
/* BTF lookups: the vmlinux BTF, iterator targets, members, names. */
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <fcntl.h>
#include <sys/mman.h>
#include <sys/stat.h>
#include <unistd.h>

#include <bpf/libbpf.h>
#include <linux/btf.h>

#include "internal.h"
#include "util.h"

#define ITER_FUNC_PREFIX "bpf_iter_"
#define ITER_CTX_PREFIX "bpf_iter__"

/*
 * Raw BTF through mmap: sysfs hands /sys/kernel/btf/vmlinux out 4 KiB per read(),
 * about 1,500 calls, where a mapping (kernels since 6.16) costs one; btf__new copies
 * the bytes. NULL when the file cannot be mapped or is not raw BTF (an ELF file,
 * garbage): btf__parse then says why.
 */
static struct btf *btf_mmap(const char *path)
{
	struct btf *btf = NULL;
	struct stat st;
	void *p;
	int fd;

	fd = open(path, O_RDONLY | O_CLOEXEC);
	if (fd < 0)
		return NULL;
	if (fstat(fd, &st) || st.st_size < 24 || !S_ISREG(st.st_mode))
		goto out;
	p = mmap(NULL, st.st_size, PROT_READ, MAP_PRIVATE, fd, 0);
	if (p == MAP_FAILED)
		goto out;
	if (*(const __u16 *)p == BTF_MAGIC)
		btf = btf__new(p, st.st_size);
	munmap(p, st.st_size);
out:
	close(fd);
	return btf;
}

int bd_btf_load(struct bpfdump *d)
{
	struct stat st;
	int err;

	if (stat(d->btf_path, &st))
		return bd_err(d, -errno, "BTF '%s': cannot open: %s (kernel built without "
			      "CONFIG_DEBUG_INFO_BTF?)", d->btf_path, strerror(errno));
	d->btf = btf_mmap(d->btf_path);
	if (!d->btf)
		d->btf = btf__parse(d->btf_path, NULL);
	if (!d->btf) {
		char msg[128];

		err = -errno;
		libbpf_strerror(err, msg, sizeof(msg));
		return bd_err(d, err, "BTF '%s': cannot parse: %s", d->btf_path, msg);
	}
	return 0;
}

const struct btf_type *bd_skip_mods(const struct btf *btf, __u32 id, __u32 *res_id)
{
	const struct btf_type *t = btf__type_by_id(btf, id);

	while (t && (btf_is_mod(t) || btf_is_typedef(t))) {
		id = t->type;
		t = btf__type_by_id(btf, id);
	}
	if (res_id)
		*res_id = id;
	return t;
}

static unsigned int target_params(const char *name)
{
	if (!strcmp(name, "task") || !strcmp(name, "task_file") || !strcmp(name, "task_vma"))
		return BPFDUMP_PARAM_TASK;
	if (!strcmp(name, "cgroup"))
		return BPFDUMP_PARAM_CGROUP;
	if (!strcmp(name, "bpf_map_elem") || !strcmp(name, "bpf_sk_storage_map") ||
	    !strcmp(name, "sockmap"))
		return BPFDUMP_PARAM_MAP;
	return 0;
}

/* Flatten the ctx struct: members sit in anonymous unions of one member each. */
static void collect_ctx_members(const struct btf *btf, __u32 id, __u32 base_off,
				struct bd_target *t)
{
	const struct btf_type *st = btf__type_by_id(btf, id);
	const struct btf_member *m = btf_members(st);
	int i;

	for (i = 0; i < btf_vlen(st); i++, m++) {
		const char *name = btf__name_by_offset(btf, m->name_off);
		__u32 off = base_off + btf_member_bit_offset(st, i) / 8;
		const struct btf_type *mt = bd_skip_mods(btf, m->type, NULL);
		struct bd_ctx_member *cm;

		if (!name || !*name) {
			if (mt && (btf_is_struct(mt) || btf_is_union(mt)))
				collect_ctx_members(btf, m->type, off, t);
			continue;
		}
		if (!strcmp(name, "meta") || t->member_cnt >= BD_MAX_CTX_MEMBERS)
			continue;
		cm = &t->members[t->member_cnt++];
		snprintf(cm->name, sizeof(cm->name), "%s", name);
		cm->type_id = m->type;
		cm->off = off;
		cm->size = btf__resolve_size(btf, m->type);
	}
}

static int cmp_target(const void *a, const void *b)
{
	return strcmp(((const struct bd_target *)a)->name, ((const struct bd_target *)b)->name);
}

/* One pass over the types: the iterator ctx structs (bpf_iter__NAME) and the
 * iterator functions (bpf_iter_NAME), matched after it by name. */
int bd_targets_discover(struct bpfdump *d)
{
	const size_t func_len = strlen(ITER_FUNC_PREFIX), ctx_len = strlen(ITER_CTX_PREFIX);
	struct iter_type { const char *name; __s32 id; } ctx[256], *func = NULL;
	int n = btf__type_cnt(d->btf), nctx = 0, nfunc = 0, i, j, err = 0;
	size_t cap = 0, func_cap = 0;

	for (i = 1; i < n; i++) {
		const struct btf_type *t = btf__type_by_id(d->btf, i);
		const char *name;

		if (!btf_is_struct(t) && !btf_is_func(t))
			continue;
		name = btf__name_by_offset(d->btf, t->name_off);
		if (name[0] != 'b' || strncmp(name, ITER_FUNC_PREFIX, func_len))
			continue;
		if (btf_is_struct(t) && !strncmp(name, ITER_CTX_PREFIX, ctx_len) && nctx < 256) {
			ctx[nctx].name = name + ctx_len;
			ctx[nctx++].id = i;
		} else if (btf_is_func(t)) {
			if (bd_grow((void **)&func, &func_cap, (size_t)nfunc + 1, sizeof(*func))) {
				err = -ENOMEM;
				goto free_func;
			}
			func[nfunc].name = name + func_len;
			func[nfunc++].id = i;
		}
	}
	for (i = 0; i < nfunc; i++) {
		struct bd_target *tg;
		__s32 ctx_id = -1;

		/* open-coded iterator kfuncs (bpf_iter_task_new...) have no ctx struct */
		for (j = 0; j < nctx; j++)
			if (!strcmp(ctx[j].name, func[i].name)) {
				ctx_id = ctx[j].id;
				break;
			}
		if (ctx_id < 0)
			continue;
		if (bd_grow((void **)&d->targets, &cap, (size_t)d->target_cnt + 1,
			    sizeof(*d->targets))) {
			err = -ENOMEM;
			goto free_func;
		}
		tg = &d->targets[d->target_cnt++];
		memset(tg, 0, sizeof(*tg));
		snprintf(tg->name, sizeof(tg->name), "%s", func[i].name);
		tg->func_id = func[i].id;
		tg->ctx_id = ctx_id;
		tg->params = target_params(tg->name) | bd_scope_params(tg->name);
		collect_ctx_members(d->btf, ctx_id, 0, tg);
	}
	if (d->target_cnt)
		qsort(d->targets, d->target_cnt, sizeof(*d->targets), cmp_target);
free_func:
	free(func);
	return err;
}

__s32 bd_btf_find(struct bpfdump *d, const char *name, __u32 kind)
{
	struct bd_btf_memo *m = &d->btf_memo;
	struct bd_btf_name *e;
	char *copy;
	__s32 id;
	size_t i;

	pthread_mutex_lock(&m->lock);
	for (i = 0; i < m->n; i++) {
		if (m->v[i].kind == kind && !strcmp(m->v[i].name, name)) {
			id = m->v[i].id;
			goto unlock;
		}
	}
	id = btf__find_by_name_kind(d->btf, name, kind);
	copy = strdup(name);
	if (!copy || bd_grow((void **)&m->v, &m->cap, m->n + 1, sizeof(*m->v))) {
		free(copy);	/* not remembered: the answer stands */
		goto unlock;
	}
	e = &m->v[m->n++];
	e->name = copy;
	e->kind = kind;
	e->id = id;
unlock:
	pthread_mutex_unlock(&m->lock);
	return id;
}

void bd_btf_memo_free(struct bpfdump *d)
{
	size_t i;

	for (i = 0; i < d->btf_memo.n; i++)
		free(d->btf_memo.v[i].name);
	free(d->btf_memo.v);
	d->btf_memo.v = NULL;
	d->btf_memo.n = d->btf_memo.cap = 0;
}

const struct bd_target *bd_target_find(const struct bpfdump *d, const char *name)
{
	int i;

	for (i = 0; i < d->target_cnt; i++)
		if (!strcmp(d->targets[i].name, name))
			return &d->targets[i];
	return NULL;
}

int bd_find_member(const struct btf *btf, __u32 struct_id, const char *name, __u32 *bit_off,
		   __u32 *type_id, __u32 *bitfield_size)
{
	const struct btf_type *st = bd_skip_mods(btf, struct_id, NULL);
	const struct btf_member *m;
	int i;

	if (!st || !(btf_is_struct(st) || btf_is_union(st)))
		return -EINVAL;
	m = btf_members(st);
	for (i = 0; i < btf_vlen(st); i++, m++) {
		const char *mname = btf__name_by_offset(btf, m->name_off);
		__u32 boff = btf_member_bit_offset(st, i);

		if (mname && *mname) {
			if (strcmp(mname, name))
				continue;
			*bit_off = boff;
			*type_id = m->type;
			*bitfield_size = btf_member_bitfield_size(st, i);
			return 0;
		}
		/* anonymous struct/union: its members belong to this one */
		__u32 sub_off;

		if (!bd_find_member(btf, m->type, name, &sub_off, type_id, bitfield_size)) {
			*bit_off = boff + sub_off;
			return 0;
		}
	}
	return -ENOENT;
}

int bd_edit_distance(const char *a, const char *b)
{
	size_t la = strlen(a), lb = strlen(b), i, j;
	int prev[65], cur[65];

	if (la > 64 || lb > 64)
		return 99;
	for (j = 0; j <= lb; j++)
		prev[j] = j;
	for (i = 1; i <= la; i++) {
		cur[0] = i;
		for (j = 1; j <= lb; j++) {
			int sub = prev[j - 1] + (a[i - 1] != b[j - 1]);
			int del = prev[j] + 1, ins = cur[j - 1] + 1;

			cur[j] = sub < del ? (sub < ins ? sub : ins) : (del < ins ? del : ins);
		}
		memcpy(prev, cur, sizeof(int) * (lb + 1));
	}
	return prev[lb];
}

struct suggestion {
	const char *name;
	int score;
};

static void suggest_walk(const struct btf *btf, __u32 struct_id, const char *name,
			 struct suggestion *best, int nbest)
{
	const struct btf_type *st = bd_skip_mods(btf, struct_id, NULL);
	const struct btf_member *m;
	int i, k;

	if (!st || !(btf_is_struct(st) || btf_is_union(st)))
		return;
	m = btf_members(st);
	for (i = 0; i < btf_vlen(st); i++, m++) {
		const char *mname = btf__name_by_offset(btf, m->name_off);
		int score;

		if (!mname || !*mname) {
			suggest_walk(btf, m->type, name, best, nbest);
			continue;
		}
		score = bd_edit_distance(name, mname);
		/* a member that contains the typed name is a good guess too */
		if (strstr(mname, name) && score > 2)
			score = 2;
		for (k = 0; k < nbest; k++) {
			if (!best[k].name || score < best[k].score) {
				memmove(&best[k + 1], &best[k], (nbest - k - 1) * sizeof(*best));
				best[k].name = mname;
				best[k].score = score;
				break;
			}
		}
	}
}

void bd_suggest_members(const struct btf *btf, __u32 struct_id, const char *name, char *buf,
			size_t len)
{
	struct suggestion best[3] = {};
	size_t used = 0;
	int k;

	buf[0] = '\0';
	suggest_walk(btf, struct_id, name, best, 3);
	for (k = 0; k < 3 && best[k].name; k++) {
		int limit = strlen(name) / 2 + 2;

		if (best[k].score > limit && k > 0)
			break;
		used += snprintf(buf + used, used < len ? len - used : 0, "%s%s", k ? ", " : "",
				 best[k].name);
	}
}

struct decl_buf {
	char *buf;
	size_t len, used;
};

static void decl_printf(void *ctx, const char *fmt, va_list args)
{
	struct decl_buf *db = ctx;
	int n;

	if (db->used >= db->len)
		return;
	n = vsnprintf(db->buf + db->used, db->len - db->used, fmt, args);
	if (n > 0)
		db->used += n;
}

int bd_type_decl(const struct btf *btf, __u32 id, const char *name, char *buf, size_t len)
{
	LIBBPF_OPTS(btf_dump_emit_type_decl_opts, opts, .field_name = name ? name : "");
	struct decl_buf db = { buf, len, 0 };
	struct btf_dump *dd;
	int err;

	buf[0] = '\0';
	dd = btf_dump__new(btf, decl_printf, &db, NULL);
	if (!dd)
		return -errno;
	err = btf_dump__emit_type_decl(dd, id, &opts);
	btf_dump__free(dd);
	if (db.used >= len && len)
		buf[len - 1] = '\0';
	return err;
}

int bd_find_enumerator(const struct btf *btf, const char *name, long long *val)
{
	int n = btf__type_cnt(btf), i, j;

	for (i = 1; i < n; i++) {
		const struct btf_type *t = btf__type_by_id(btf, i);

		if (btf_is_enum(t)) {
			const struct btf_enum *e = btf_enum(t);

			for (j = 0; j < btf_vlen(t); j++, e++) {
				if (!strcmp(btf__name_by_offset(btf, e->name_off), name)) {
					*val = btf_kflag(t) ? (long long)e->val : (long long)(__u32)e->val;
					return 0;
				}
			}
		} else if (btf_is_enum64(t)) {
			const struct btf_enum64 *e = btf_enum64(t);

			for (j = 0; j < btf_vlen(t); j++, e++) {
				if (!strcmp(btf__name_by_offset(btf, e->name_off), name)) {
					*val = (long long)btf_enum64_value(e);
					return 0;
				}
			}
		}
	}
	return -ENOENT;
}

int bd_net_order_bits(const struct btf *btf, __u32 id)
{
	const struct btf_type *t = btf__type_by_id(btf, id);

	while (t && (btf_is_mod(t) || btf_is_typedef(t))) {
		if (btf_is_typedef(t)) {
			const char *n = btf__name_by_offset(btf, t->name_off);

			/* called per integer cell: most typedefs fail the first bytes */
			if (n[0] != '_' || n[1] != '_' || n[2] != 'b')
				goto next;
			if (!strcmp(n, "__be16"))
				return 16;
			if (!strcmp(n, "__be32"))
				return 32;
			if (!strcmp(n, "__be64"))
				return 64;
		}
next:
		t = btf__type_by_id(btf, t->type);
	}
	return 0;
}
