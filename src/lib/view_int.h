/* SPDX-License-Identifier: (LGPL-2.1 OR BSD-2-Clause) */
/* What view_conf.c, view_cache.c, view_pins.c and view_fs.c share. */
#ifndef BPFDUMP_VIEW_INT_H
#define BPFDUMP_VIEW_INT_H

#include <limits.h>
#include <pthread.h>
#include <stdbool.h>
#include <sys/types.h>

#include "bpfdump_view.h"
#include "internal.h"

#define BD_VIEW_NAME_MAX 64
#define BD_CACHE_MAX 64		/* loaded queries kept by a mount */

/* Options structs: sz covers at least the first field, and a tail we don't know is zero. */
static inline bool bd_opts_ok(const void *opts, size_t ours)
{
	const size_t *sz = opts;
	size_t i;

	if (!opts)
		return true;
	if (*sz < sizeof(size_t))
		return false;
	for (i = ours; i < *sz; i++)
		if (((const char *)opts)[i])
			return false;
	return true;
}

struct bd_view {
	char *name, *target, *columns, *where;
	char *pidns;		/* bound to this pid namespace file, or NULL */
	unsigned int mode;
	uid_t uid;
	gid_t gid;
	bool builtin;
};

struct bd_views {
	struct bd_view *v;
	int cnt;
};

/* view_conf.c */
const char *bd_views_path(const char *conf);
/* Read the config file (missing: no views) and prepend the built-in views, whose mode
 * and owner are builtin_mode and root. */
int bd_views_load(struct bpfdump *d, const char *path, unsigned int builtin_mode,
		  struct bd_views *vs);
void bd_views_free(struct bd_views *vs);
const struct bd_view *bd_views_find(const struct bd_views *vs, const char *name);
bool bd_view_name_ok(const char *name);
/* The predicate a view runs for cgroup id cgid: its where AND membership (task
 * targets). Returns a malloc'd string or NULL (no predicate); *err set on ENOMEM. */
char *bd_view_where(const struct bd_view *v, unsigned long long cgid, int *err);
bool bd_view_target_ok(const struct bpfdump *d, const char *target);
/* Where cgroup2 is mounted (first cgroup2 line of /proc/self/mounts). */
int bd_cgroup2_root(char *buf, size_t len);

/* view_cache.c: loaded queries, keyed by their spec; shared by concurrent readers */
struct bd_cache;
struct bd_cache *bd_cache__new(struct bpfdump *d);
void bd_cache__free(struct bd_cache *c);
/* Find or build the query; the caller owns a reference until bd_cache__put. NULL with
 * errno and msg (the library's message) on failure. */
struct bpfdump_query *bd_cache__get(struct bd_cache *c, const struct bpfdump_query_opts *o,
				    char *msg, size_t msg_len);
void bd_cache__put(struct bd_cache *c, struct bpfdump_query *q);
/* Run a query into out with the context's error message kept per call. */
long bd_cache__print(struct bd_cache *c, struct bpfdump_query *q, FILE *out,
		     const struct bpfdump_print_opts *po, char *msg, size_t msg_len);
/* bpfdump__cat under the same rules. */
long bd_cache__cat(struct bd_cache *c, const char *pin, FILE *out,
		   const struct bpfdump_print_opts *po, char *msg, size_t msg_len);

/* view_pins.c: dumpers bpfdump pinned, found in bpffs */
struct bd_pin {
	char name[256];		/* as shown: the pin's basename (~LINKID if taken) */
	char path[PATH_MAX];
	char target[64];
	mode_t mode;
	uid_t uid;
	gid_t gid;
};
/* Every dumper under root (NULL: every bpffs mount) whose target is target (NULL: any). */
int bd_pins_scan(const char *root, const char *target, struct bd_pin **pins, int *cnt);

#endif
