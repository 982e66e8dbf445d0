// SPDX-License-Identifier: (LGPL-2.1 OR BSD-2-Clause)
/* Hidden commands for the bash completion (docs/bpfdump.bash):
 *   bpfdump __complete-members TARGET [PATH]  member names, one per line, of the struct that
 *                                             PATH reaches (no PATH: the context's roots)
 *   bpfdump __complete-funcs [PREFIX]         kernel function names from BTF
 * They print nothing on stderr: a completion must never write into the terminal. Exit 0
 * with names, 1 when there is nothing to offer (unknown target, member, no BTF). */
#include <ctype.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "cli.h"
#include "internal.h"

void help_complete(void)
{
	printf("Usage: bpfdump __complete-members TARGET [PATH]\n"
	       "       bpfdump __complete-funcs [PREFIX]\n\n"
	       "For shell completion: print the members of the struct that PATH (e.g.\n"
	       "'task->mm') reaches in TARGET's context, or the kernel functions whose names\n"
	       "start with PREFIX, one per line.\n");
}

static void quiet_log(enum bpfdump_log_level level, const char *msg, void *ctx)
{
}

static struct bpfdump *open_quiet(void)
{
	struct bpfdump_opts opts = {
		.sz = sizeof(opts),
		.btf_path = env.btf_path,
		.log = quiet_log,
		.log_level = BPFDUMP_WARN,
	};

	return bpfdump__new(&opts);
}

/* Through typedefs, modifiers, one pointer and arrays: the struct/union a path step
 * names members of, or 0. */
static __u32 container_of_type(const struct btf *btf, __u32 id)
{
	const struct btf_type *t = bd_skip_mods(btf, id, &id);
	int hops;

	for (hops = 0; t && hops < 8; hops++) {
		if (btf_is_struct(t) || btf_is_union(t))
			return id;
		if (btf_is_ptr(t))
			t = bd_skip_mods(btf, t->type, &id);
		else if (btf_is_array(t))
			t = bd_skip_mods(btf, btf_array(t)->type, &id);
		else
			return 0;
	}
	return 0;
}

static void print_members(const struct btf *btf, __u32 struct_id, int depth)
{
	const struct btf_type *st = bd_skip_mods(btf, struct_id, NULL);
	const struct btf_member *m;
	int i;

	if (!st || !(btf_is_struct(st) || btf_is_union(st)) || depth > 8)
		return;
	m = btf_members(st);
	for (i = 0; i < btf_vlen(st); i++, m++) {
		const char *name = btf__name_by_offset(btf, m->name_off);

		if (name && *name)
			printf("%s\n", name);
		else	/* anonymous struct/union: its members are found by name */
			print_members(btf, m->type, depth + 1);
	}
}

/* Next identifier of a path (after "->", "." or "[N]" steps), or NULL at its end. */
static const char *next_ident(const char **p, char *buf, size_t len)
{
	const char *s = *p;
	size_t n = 0;

	for (;;) {
		if (!strncmp(s, "->", 2)) {
			s += 2;
		} else if (*s == '.' || isspace((unsigned char)*s)) {
			s++;
		} else if (*s == '[') {	/* an index: the element type, which the lookup skips */
			while (*s && *s != ']')
				s++;
			if (*s)
				s++;
		} else {
			break;
		}
	}
	if (!*s)
		return NULL;
	if (!isalpha((unsigned char)*s) && *s != '_')
		return "";	/* not a path */
	while ((isalnum((unsigned char)*s) || *s == '_') && n + 1 < len)
		buf[n++] = *s++;
	buf[n] = '\0';
	*p = s;
	return buf;
}

static int complete_members(struct bpfdump *d, const char *target, const char *path)
{
	const struct bd_target *t = bd_target_find(d, target);
	char ident[128];
	const char *id;
	__u32 type_id = 0, boff, bfs;
	int i;

	if (!t)
		return 1;
	id = path ? next_ident(&path, ident, sizeof(ident)) : NULL;
	if (!id) {
		for (i = 0; i < t->member_cnt; i++)
			printf("%s\n", t->members[i].name);
		return 0;
	}
	for (i = 0; i < t->member_cnt; i++)
		if (!strcmp(t->members[i].name, id))
			type_id = t->members[i].type_id;
	if (!type_id)
		return 1;
	while ((id = next_ident(&path, ident, sizeof(ident)))) {
		__u32 sid = container_of_type(d->btf, type_id);

		if (!*id || !sid || bd_find_member(d->btf, sid, id, &boff, &type_id, &bfs))
			return 1;
	}
	type_id = container_of_type(d->btf, type_id);
	if (!type_id)
		return 1;
	print_members(d->btf, type_id, 0);
	return 0;
}

static int cmp_str(const void *a, const void *b)
{
	return strcmp(*(const char *const *)a, *(const char *const *)b);
}

static int complete_funcs(struct bpfdump *d, const char *prefix)
{
	size_t plen = strlen(prefix), cnt = 0, i;
	int n = btf__type_cnt(d->btf), id;
	const char **names;

	names = calloc(n, sizeof(*names));
	if (!names)
		return 1;
	for (id = 1; id < n; id++) {
		const struct btf_type *t = btf__type_by_id(d->btf, id);
		const char *name;

		if (!btf_is_func(t))
			continue;
		name = btf__name_by_offset(d->btf, t->name_off);
		if (name && *name && !strncmp(name, prefix, plen))
			names[cnt++] = name;
	}
	qsort(names, cnt, sizeof(*names), cmp_str);
	for (i = 0; i < cnt; i++)
		if (!i || strcmp(names[i], names[i - 1]))
			printf("%s\n", names[i]);
	free(names);
	return cnt ? 0 : 1;
}

int cmd_complete(int argc, char **argv)
{
	bool members = !strcmp(argv[0], "__complete-members");
	struct bpfdump *d;
	int err;

	if (argc > 1 && (!strcmp(argv[1], "-h") || !strcmp(argv[1], "--help"))) {
		help_complete();
		return 0;
	}
	if (members ? argc < 2 || argc > 3 : argc > 2)
		return 2;
	d = open_quiet();
	if (!d)
		return 1;
	if (members)
		err = complete_members(d, argv[1], argc > 2 ? argv[2] : NULL);
	else
		err = complete_funcs(d, argc > 1 ? argv[1] : "");
	bpfdump__free(d);
	return err;
}
