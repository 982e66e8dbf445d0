// SPDX-License-Identifier: (LGPL-2.1 OR BSD-2-Clause)
/*
 * The dumpers a mount shows: every PATH in bpffs with a PATH@meta twin (see pin.c),
 * grouped by the target its query record names. Scanned on every lookup and listing,
 * so pins and removals show up at once. Two dumpers with the same basename and target
 * are told apart by the order of their paths: NAME, NAME~2, NAME~3, ...
 * The scan runs as the daemon (root): view_fs.c shows a caller only what the caller
 * could open itself.
 */
#include <dirent.h>
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include "pin.h"
#include "view_int.h"

#define META_TEXT 8192

struct scan {
	const char *target;
	struct bd_pin *pins;
	int cnt, cap;
	int err;
};

static bool has_suffix(const char *s, const char *suf)
{
	size_t n = strlen(s), m = strlen(suf);

	return n > m && !strcmp(s + n - m, suf);
}

/* Out of fds or memory: the scan cannot tell what is there, which is not "nothing". */
static bool scan_failed(int err)
{
	return err == -EMFILE || err == -ENFILE || err == -ENOMEM;
}

static void add_pin(struct scan *sc, const char *path, const struct stat *st)
{
	char bin[PATH_MAX], meta_path[PATH_MAX], target[64];
	struct bd_pin *p;
	char *meta;

	int err;

	if (bd_twin_paths(path, bin, meta_path, sizeof(bin)) || access(meta_path, F_OK))
		return;
	meta = malloc(META_TEXT);
	if (!meta) {
		sc->err = -ENOMEM;
		return;
	}
	err = bd_read_meta(meta_path, meta, META_TEXT);
	if (scan_failed(err))
		sc->err = err;
	if (err || !bd_meta_get(meta, "target", target, sizeof(target)) ||
	    (sc->target && strcmp(target, sc->target))) {
		free(meta);
		return;
	}
	free(meta);
	if (sc->cnt == sc->cap) {
		int cap = sc->cap ? sc->cap * 2 : 16;
		struct bd_pin *np = realloc(sc->pins, cap * sizeof(*np));

		if (!np) {
			sc->err = -ENOMEM;
			return;
		}
		sc->pins = np;
		sc->cap = cap;
	}
	p = &sc->pins[sc->cnt++];
	memset(p, 0, sizeof(*p));
	snprintf(p->path, sizeof(p->path), "%s", path);
	snprintf(p->target, sizeof(p->target), "%s", target);
	snprintf(p->name, sizeof(p->name), "%s", strrchr(path, '/') + 1);
	p->mode = st->st_mode & 07777;
	p->uid = st->st_uid;
	p->gid = st->st_gid;
}

static void walk(struct scan *sc, const char *dir, int depth)
{
	struct dirent *e;
	DIR *dp;

	if (depth > 16 || sc->err)
		return;
	dp = opendir(dir);
	if (!dp) {
		if (scan_failed(-errno))
			sc->err = -errno;
		return;
	}
	while ((e = readdir(dp)) && !sc->err) {
		char p[PATH_MAX];
		struct stat st;

		if (!strcmp(e->d_name, ".") || !strcmp(e->d_name, "..") ||
		    has_suffix(e->d_name, "@bin") || has_suffix(e->d_name, "@meta"))
			continue;
		if (snprintf(p, sizeof(p), "%s/%s", dir, e->d_name) >= (int)sizeof(p))
			continue;
		if (lstat(p, &st))
			continue;
		if (S_ISDIR(st.st_mode))
			walk(sc, p, depth + 1);
		else if (S_ISREG(st.st_mode))
			add_pin(sc, p, &st);
	}
	closedir(dp);
}

static void walk_mount(const char *mnt, void *ctx)
{
	walk(ctx, mnt, 0);
}

static int by_path(const void *a, const void *b)
{
	return strcmp(((const struct bd_pin *)a)->path, ((const struct bd_pin *)b)->path);
}

/* Same basename and target as an earlier pin: NAME~K. */
static void unique_names(struct bd_pin *pins, int cnt)
{
	int i, j;

	for (i = 0; i < cnt; i++) {
		int k = 1;

		for (j = 0; j < i; j++)
			if (!strcmp(strrchr(pins[j].path, '/'), strrchr(pins[i].path, '/')) &&
			    !strcmp(pins[j].target, pins[i].target))
				k++;
		if (k > 1) {
			char base[200];

			snprintf(base, sizeof(base), "%s", strrchr(pins[i].path, '/') + 1);
			snprintf(pins[i].name, sizeof(pins[i].name), "%s~%d", base, k);
		}
	}
}

int bd_pins_scan(const char *root, const char *target, struct bd_pin **pins, int *cnt)
{
	struct scan sc = { .target = target };

	if (root)
		walk(&sc, root, 0);
	else
		bd_each_bpffs(walk_mount, &sc);
	if (sc.err) {
		free(sc.pins);
		return sc.err;
	}
	if (sc.cnt)
		qsort(sc.pins, sc.cnt, sizeof(*sc.pins), by_path);
	unique_names(sc.pins, sc.cnt);
	*pins = sc.pins;
	*cnt = sc.cnt;
	return 0;
}
