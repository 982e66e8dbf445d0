// SPDX-License-Identifier: (LGPL-2.1 OR BSD-2-Clause)
/*
 * The reader's half of the path cache. The generated program resolves a file's
 * path once per read session, keyed by (mount, dentry); later records of the same
 * file carry the key and BD_PATH_CACHED instead of the bytes. This table keeps,
 * for one read, what each key resolved to: the path's bytes, or bpf_d_path's error.
 */
#include <errno.h>
#include <stdlib.h>
#include <string.h>

#include "internal.h"

struct pc_entry {
	__u64 mnt, dentry;	/* 0, 0: a free slot (no file has a NULL dentry) */
	__s32 len;		/* bytes in the arena, or bpf_d_path's -errno */
	__u32 off;
};

struct bd_path_cache {
	struct pc_entry *slots;
	size_t cap, cnt;	/* cap: a power of 2, at most half full */
	struct bd_strbuf arena;
};

struct bd_path_cache *bd_path_cache_new(void)
{
	struct bd_path_cache *pc = calloc(1, sizeof(*pc));

	if (!pc)
		return NULL;
	pc->cap = 1024;
	pc->slots = calloc(pc->cap, sizeof(*pc->slots));
	if (!pc->slots) {
		free(pc);
		return NULL;
	}
	return pc;
}

void bd_path_cache_free(struct bd_path_cache *pc)
{
	if (!pc)
		return;
	sb_free(&pc->arena);
	free(pc->slots);
	free(pc);
}

static size_t slot_of(const struct bd_path_cache *pc, __u64 mnt, __u64 dentry)
{
	/* dentries are slab objects: the low bits carry little */
	__u64 h = (dentry >> 6) ^ (mnt >> 4) * 0x9e3779b97f4a7c15ULL;

	h *= 0xff51afd7ed558ccdULL;
	return (h ^ (h >> 29)) & (pc->cap - 1);
}

static struct pc_entry *find(const struct bd_path_cache *pc, __u64 mnt, __u64 dentry)
{
	size_t i = slot_of(pc, mnt, dentry);

	for (;; i = (i + 1) & (pc->cap - 1)) {
		struct pc_entry *e = &pc->slots[i];

		if ((e->mnt == mnt && e->dentry == dentry) || (!e->mnt && !e->dentry))
			return e;
	}
}

static int grow(struct bd_path_cache *pc)
{
	struct pc_entry *old = pc->slots;
	size_t old_cap = pc->cap, i;

	pc->slots = calloc(old_cap * 2, sizeof(*pc->slots));
	if (!pc->slots) {
		pc->slots = old;
		return -ENOMEM;
	}
	pc->cap = old_cap * 2;
	for (i = 0; i < old_cap; i++)
		if (old[i].mnt || old[i].dentry)
			*find(pc, old[i].mnt, old[i].dentry) = old[i];
	free(old);
	return 0;
}

int bd_path_cache_put(struct bd_path_cache *pc, const __u8 *key, const __u8 *path, __s32 len)
{
	struct pc_entry *e;
	__u64 k[2];

	memcpy(k, key, sizeof(k));
	if (!k[0] && !k[1])
		return 0;	/* a program without the cache wrote no key */
	if ((pc->cnt + 1) * 2 > pc->cap && grow(pc))
		return -ENOMEM;
	e = find(pc, k[0], k[1]);
	if (!e->mnt && !e->dentry)
		pc->cnt++;
	e->mnt = k[0];
	e->dentry = k[1];
	e->len = len;
	e->off = 0;
	if (len > 0) {
		size_t before = pc->arena.len;

		sb_puts(&pc->arena, (const char *)path, len);
		if (pc->arena.len != before + (size_t)len)
			return -ENOMEM;
		e->off = before;
	}
	return 0;
}

bool bd_path_cache_get(const struct bd_path_cache *pc, const __u8 *key, const __u8 **path,
		       __s32 *len)
{
	const struct pc_entry *e;
	__u64 k[2];

	memcpy(k, key, sizeof(k));
	if (!k[0] && !k[1])
		return false;
	e = find(pc, k[0], k[1]);
	if (!e->mnt && !e->dentry)
		return false;
	*len = e->len;
	*path = e->len > 0 ? (const __u8 *)pc->arena.s + e->off : NULL;
	return true;
}

bool bd_plan_has_cached_path(const struct bd_plan *p)
{
	int i, j;

	for (i = 0; i < p->col_cnt; i++)
		for (j = 0; j < p->cols[i].acc_cnt; j++)
			if (p->cols[i].acc[j].cached)
				return true;
	return false;
}
