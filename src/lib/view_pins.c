// SPDX-License-Identifier: (LGPL-2.1 OR BSD-2-Clause)
/*
 * The dumpers a mount shows: every PATH in bpffs with a PATH@meta twin (see pin.c),
 * grouped by the target its query record names. Scanned on every lookup and listing,
 * so pins and removals show up at once. Two dumpers with the same basename and target
 * are told apart by the order of their paths: NAME, NAME~2, NAME~3, ...
 * The scan runs as the daemon (root): view_fs.c shows a caller only what the caller
 * could open itself.
 */
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include "pin.h"
#include "util.h"
#include "view_int.h"

#define META_TEXT 8192

struct scan {
	const char *target;
	struct bd_pin *pins;
	size_t cnt, cap;
};

/* A dumper PATH (one with a PATH@meta twin) of the target asked for: into sc->pins. */
static int add_pin(void *ctx, const struct bd_pin_entry *e)
{
	char bin[PATH_MAX], meta_path[PATH_MAX], target[64];
	const char *path = e->path;
	struct scan *sc = ctx;
	struct bd_pin *p;
	char *meta;
	int err;

	if (e->twin)
		return 0;
	if (bd_twin_paths(path, bin, meta_path, sizeof(bin)) || access(meta_path, F_OK))
		return 0;
	meta = malloc(META_TEXT);
	if (!meta)
		return -ENOMEM;
	err = bd_read_meta(meta_path, meta, META_TEXT);
	if (err || !bd_meta_get(meta, "target", target, sizeof(target)) ||
	    (sc->target && strcmp(target, sc->target))) {
		free(meta);
		/* out of fds or memory: the scan cannot tell what is there */
		return err == -EMFILE || err == -ENFILE || err == -ENOMEM ? err : 0;
	}
	free(meta);
	if (bd_grow((void **)&sc->pins, &sc->cap, sc->cnt + 1, sizeof(*sc->pins)))
		return -ENOMEM;
	p = &sc->pins[sc->cnt++];
	memset(p, 0, sizeof(*p));
	snprintf(p->path, sizeof(p->path), "%s", path);
	snprintf(p->target, sizeof(p->target), "%s", target);
	snprintf(p->name, sizeof(p->name), "%s", strrchr(path, '/') + 1);
	p->mode = e->st->st_mode & 07777;
	p->uid = e->st->st_uid;
	p->gid = e->st->st_gid;
	return 0;
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
	int err;

	err = bd_pin_walk(root, add_pin, &sc);
	if (err) {
		free(sc.pins);
		return err;
	}
	if (sc.cnt)
		qsort(sc.pins, sc.cnt, sizeof(*sc.pins), by_path);
	unique_names(sc.pins, sc.cnt);
	*pins = sc.pins;
	*cnt = sc.cnt;
	return 0;
}
