// SPDX-License-Identifier: (LGPL-2.1 OR BSD-2-Clause)
/*
 * Tracepoints that have no BTF type (the syscalls group: sys_enter_X and
 * sys_exit_X are made from syscall metadata, with no btf_trace_ typedef): their
 * fields come from tracefs's events/GROUP/NAME/format, and each field's C type
 * is looked up in the kernel's BTF so values print as they do elsewhere.
 */
#include <ctype.h>
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "trace_func.h"


/* A type whose kind is KIND and that refers to REF (PTR, CONST), or -ENOENT. */
static int find_ref(const struct btf *btf, int kind, __u32 ref)
{
	int i, n = btf__type_cnt(btf);

	for (i = 1; i < n; i++) {
		const struct btf_type *t = btf__type_by_id(btf, i);

		if (btf_kind(t) == kind && t->type == ref)
			return i;
	}
	return -ENOENT;
}

/* The format's spelling of a C integer type, as BTF names it. */
static const char *btf_int_name(const char *s)
{
	static const char *const map[][2] = {
		{ "unsigned", "unsigned int" }, { "long", "long int" },
		{ "unsigned long", "long unsigned int" }, { "short", "short int" },
		{ "unsigned short", "short unsigned int" }, { "long long", "long long int" },
		{ "unsigned long long", "long long unsigned int" }, { "signed char", "signed char" },
	};
	size_t i;

	for (i = 0; i < sizeof(map) / sizeof(map[0]); i++)
		if (!strcmp(s, map[i][0]))
			return map[i][1];
	return s;
}

static int find_base(const struct btf *btf, const char *words)
{
	static const struct { const char *kw; int kind; } tagged[] = {
		{ "struct ", BTF_KIND_STRUCT }, { "union ", BTF_KIND_UNION },
		{ "enum ", BTF_KIND_ENUM },
	};
	static const int kinds[] = { BTF_KIND_TYPEDEF, BTF_KIND_INT, BTF_KIND_ENUM };
	size_t i;
	int id;

	if (!strcmp(words, "void"))
		return 0;
	for (i = 0; i < sizeof(tagged) / sizeof(tagged[0]); i++)
		if (!strncmp(words, tagged[i].kw, strlen(tagged[i].kw)))
			return btf__find_by_name_kind(btf, words + strlen(tagged[i].kw),
						      tagged[i].kind);
	for (i = 0; i < sizeof(kinds) / sizeof(kinds[0]); i++) {
		id = btf__find_by_name_kind(btf, btf_int_name(words), kinds[i]);
		if (id > 0)
			return id;
	}
	return -ENOENT;
}

/*
 * "const char *const *" -> its BTF id: the base type, a CONST where one says
 * so (and BTF has it; else it is dropped), a PTR per '*'. -ENOENT when a
 * base or a pointer to it is not in BTF.
 */
static int resolve_decl(const struct btf *btf, const char *decl)
{
	char words[128] = "", tok[64];
	const char *s = decl;
	bool konst = false;
	int id = -1, c;

	/* the base: the words before the first '*' */
	while (*s && *s != '*') {
		int n = 0;

		while (isspace((unsigned char)*s))
			s++;
		while (*s && !isspace((unsigned char)*s) && *s != '*' && n < (int)sizeof(tok) - 1)
			tok[n++] = *s++;
		tok[n] = '\0';
		if (!n)
			continue;
		if (!strcmp(tok, "const")) {
			konst = true;
		} else if (strcmp(tok, "volatile") && strcmp(tok, "__user")) {
			if (strlen(words) + n + 2 > sizeof(words))
				return -ENOENT;
			if (words[0])
				strcat(words, " ");
			strcat(words, tok);
		}
	}
	id = words[0] ? find_base(btf, words) : -ENOENT;	/* "" would find an anonymous enum */
	if (id < 0)
		return -ENOENT;
	for (;;) {
		if (konst && (c = find_ref(btf, BTF_KIND_CONST, id)) > 0)
			id = c;
		konst = false;
		while (isspace((unsigned char)*s))
			s++;
		if (!strncmp(s, "const", 5)) {
			konst = true;
			s += 5;
			continue;
		}
		if (*s != '*')
			break;
		s++;
		id = find_ref(btf, BTF_KIND_PTR, id);
		if (id < 0)
			return -ENOENT;
	}
	return *s ? -ENOENT : id;
}

/* Where BTF cannot say: void * for a pointer, else an integer of the size. */
static int fallback_type(const struct btf *btf, const char *decl, int size, bool is_signed)
{
	static const char *const names[2][4] = {
		{ "unsigned char", "short unsigned int", "unsigned int", "long unsigned int" },
		{ "signed char", "short int", "int", "long int" },
	};
	int k = size == 1 ? 0 : size == 2 ? 1 : size == 4 ? 2 : size == 8 ? 3 : -1;

	if (strchr(decl, '*'))
		return find_ref(btf, BTF_KIND_PTR, 0);
	if (k < 0)
		return -ENOENT;
	return btf__find_by_name_kind(btf, names[is_signed][k], BTF_KIND_INT);
}

static FILE *open_format(struct bpfdump *d, const char *group, const char *name, char *path,
			 size_t len)
{
	const char *dir = bd_tracefs(d);

	if (!dir)
		return NULL;
	snprintf(path, len, "%s/events/%s/%s/format", dir, group, name);
	return fopen(path, "re");
}

int bd_tp_format_resolve(struct bpfdump *d, struct bd_func *f, const char *group,
			 const char *name)
{
	char path[320], line[512];
	FILE *in;
	int err = 0;

	/* names, not paths: "tp:../x:format" reads nothing */
	if (!*group || !*name || strpbrk(group, "/.") || strpbrk(name, "/."))
		return -ENOENT;
	in = open_format(d, group, name, path, sizeof(path));
	if (!in)
		return -ENOENT;
	f->nargs = 0;
	while (fgets(line, sizeof(line), in)) {
		char decl[256], fname[64], *sp;
		int off, size, sgn, id;

		if (sscanf(line, "ID: %u", &f->tp_id) == 1)
			continue;
		if (sscanf(line, " field:%255[^;]; offset:%d; size:%d; signed:%d;", decl, &off,
			   &size, &sgn) != 4)
			continue;
		/* the name is the trailing identifier: "char * name" and "char *name"
		 * both leave "char *" as the type */
		sp = decl + strlen(decl);
		while (sp > decl && (isalnum((unsigned char)sp[-1]) || sp[-1] == '_' ||
				     sp[-1] == '[' || sp[-1] == ']'))
			sp--;
		if (sp == decl)
			continue;
		snprintf(fname, sizeof(fname), "%s", sp);
		*sp = '\0';
		/* the common header, the syscall number, dynamic and array fields: not
		 * arguments bpfdump can name */
		if (!strncmp(fname, "common_", 7) || !strcmp(fname, "__syscall_nr") ||
		    strchr(fname, '[') || strstr(decl, "__data_loc") || !*fname)
			continue;
		if (f->nargs == BD_MAX_ARGS)
			break;
		id = resolve_decl(d->btf, decl);
		if (id < 0)
			id = fallback_type(d->btf, decl, size, sgn);
		if (id < 0)
			continue;
		snprintf(f->arg_names[f->nargs], sizeof(f->arg_names[0]), "%s", fname);
		f->arg_types[f->nargs] = id;
		f->arg_offs[f->nargs] = off;
		f->nargs++;
	}
	if (ferror(in))
		err = -EIO;
	fclose(in);
	if (err)
		return bd_err(d, err, "tracepoint '%s:%s': cannot read %s", group, name, path);
	if (!f->tp_id)
		return bd_err(d, -EINVAL, "tracepoint '%s:%s': %s has no ID line", group, name,
			      path);
	f->classic = true;
	return 0;
}
