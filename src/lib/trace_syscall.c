// SPDX-License-Identifier: (LGPL-2.1 OR BSD-2-Clause)
/*
 * syscall:NAME(ITEMS): a system call as one event, made of its two tracepoints
 * syscalls:sys_enter_NAME (the arguments, stashed per thread) and
 * syscalls:sys_exit_NAME (ret: the event, with the stashed arguments). Here: the
 * names (a list, a glob, checked against tracefs), the SPEC rewritten into one on
 * the entry tracepoint, and values printed in symbols.
 */
#include <ctype.h>
#include <dirent.h>
#include <errno.h>
#include <fnmatch.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/resource.h>
#include <unistd.h>

#include "query.h"
#include "trace_func.h"
#include "trace_syscall.h"
#include "util.h"

#define MANY_SPECS 64	/* a glob's probes: each holds about 7 descriptors */

static int cmp_str(const void *a, const void *b)
{
	return strcmp(*(char *const *)a, *(char *const *)b);
}

/* the syscalls tracefs has both tracepoints of, sorted, into *sv; -errno (said) */
static int syscall_names(struct bpfdump *d, struct bd_strv *sv)
{
	const char *tfs = bd_tracefs(d);
	char path[256];
	struct dirent *e;
	DIR *dir;

	if (!tfs)
		return bd_err(d, -ENOENT, "syscall: tracefs is not mounted and cannot be (its "
			      "events/syscalls tracepoints make syscall: events)");
	snprintf(path, sizeof(path), "%s/events/syscalls", tfs);
	dir = opendir(path);
	if (!dir) {
		int err = -errno;

		if (bd_lockdown_probe(d)->confidential)
			bd_err(d, err, "syscall: cannot read %s: %s (lockdown=confidentiality "
			       "closes tracefs, whose formats syscall: needs; %s)", path,
			       strerror(-err), BD_LOCKDOWN_FILE);
		else
			bd_err(d, err, "syscall: cannot read %s: %s (a kernel without "
			       "CONFIG_FTRACE_SYSCALLS has no syscall tracepoints)", path,
			       strerror(-err));
		return err;
	}
	while ((e = readdir(dir))) {
		char exit_path[600];

		if (strncmp(e->d_name, "sys_enter_", 10) || strlen(e->d_name + 10) >= 64)
			continue;
		snprintf(exit_path, sizeof(exit_path), "%s/sys_exit_%s", path, e->d_name + 10);
		if (access(exit_path, F_OK))
			continue;
		if (bd_strv_push(sv, strdup(e->d_name + 10))) {
			closedir(dir);
			bd_strv_free(sv);
			return bd_err(d, -ENOMEM, "syscall: out of memory");
		}
	}
	closedir(dir);
	if (sv->n)
		qsort(sv->v, sv->n, sizeof(*sv->v), cmp_str);
	return 0;
}

static int edit_distance(const char *a, const char *b)
{
	int la = strlen(a), lb = strlen(b), i, j, row[65];

	if (la > 64 || lb > 64)
		return 99;
	for (j = 0; j <= lb; j++)
		row[j] = j;
	for (i = 1; i <= la; i++) {
		int diag = row[0];

		row[0] = i;
		for (j = 1; j <= lb; j++) {
			int up = row[j], best = diag + (a[i - 1] != b[j - 1]);

			if (up + 1 < best)
				best = up + 1;
			if (row[j - 1] + 1 < best)
				best = row[j - 1] + 1;
			diag = up;
			row[j] = best;
		}
	}
	return row[lb];
}

/* "nearest: a, b, c": the names closest to NAME (those starting with it first) */
static void nearest(const struct bd_strv *names, const char *name, char *out, size_t len)
{
	int best[3] = { -1, -1, -1 }, dist[3] = { 99, 99, 99 }, k;
	size_t at = 0, i;

	out[0] = '\0';
	for (i = 0; i < names->n; i++) {
		int dd = edit_distance(name, names->v[i]);

		if (!strncmp(names->v[i], name, strlen(name)))
			dd = 1;	/* a prefix: as near as one typo */
		for (k = 0; k < 3 && dd >= dist[k]; k++)
			;
		if (k == 3)
			continue;
		memmove(&best[k + 1], &best[k], (2 - k) * sizeof(best[0]));
		memmove(&dist[k + 1], &dist[k], (2 - k) * sizeof(dist[0]));
		best[k] = (int)i;
		dist[k] = dd;
	}
	for (k = 0; k < 3 && best[k] >= 0 && dist[k] <= 3 + (int)strlen(name) / 3; k++)
		at += snprintf(out + at, at < len ? len - at : 0, "%s%s", k ? ", " : "",
			       names->v[best[k]]);
}

/* append "syscall:NAME" + items to sv */
static int push_spec(struct bd_strv *sv, const char *name, const char *items)
{
	char *spec;

	if (asprintf(&spec, BD_SC_PREFIX "%s%s", name, items) < 0)
		return -ENOMEM;
	return bd_strv_push(sv, spec);
}

/* syscall:A,B*,C(ITEMS) -> syscall:A(ITEMS), syscall:B1(ITEMS), ... */
static int expand_one(struct bpfdump *d, const char *spec, const struct bd_strv *names,
		      struct bd_strv *sv)
{
	const char *list = spec + strlen(BD_SC_PREFIX), *items = strchr(list, '(');
	size_t list_len = items ? (size_t)(items - list) : strlen(list), i;
	char buf[512], *save = NULL, *tok;
	int err = 0;

	if (!items)
		items = "";
	if (!list_len || list_len >= sizeof(buf))
		return bd_err(d, -EINVAL, "trace '%s': write it syscall:NAME, syscall:NAME,NAME "
			      "or syscall:GLOB, then (ITEM, ...)", spec);
	memcpy(buf, list, list_len);
	buf[list_len] = '\0';
	for (tok = strtok_r(buf, ",", &save); tok && !err; tok = strtok_r(NULL, ",", &save)) {
		bool glob = strpbrk(tok, "*?[") != NULL;
		int hits = 0;
		const char *c;

		for (c = tok; *c; c++)
			if (!isalnum((unsigned char)*c) && *c != '_' && !strchr("*?[]", *c))
				return bd_err(d, -EINVAL, "trace '%s': '%s' is not a syscall name",
					      spec, tok);
		for (i = 0; i < names->n && !err; i++) {
			if (glob ? fnmatch(tok, names->v[i], 0) : strcmp(tok, names->v[i]))
				continue;
			hits++;
			err = push_spec(sv, names->v[i], items);
		}
		if (err)
			return bd_err(d, err, "syscall: out of memory");
		if (!hits) {
			char hint[256];

			nearest(names, tok, hint, sizeof(hint));
			return bd_err(d, -ENOENT, "trace '%s': %s '%s'%s%s", spec,
				      glob ? "no syscall matches" : "no syscall tracepoint for",
				      tok, hint[0] ? "; nearest: " : "", hint);
		}
	}
	return 0;
}

int bd_sc_expand(struct bpfdump *d, const char *const *specs, int cnt, struct bd_strv *out)
{
	struct bd_strv names = {};
	int i, err = 0;

	*out = (struct bd_strv){};
	for (i = 0; i < cnt && !bd_sc_is_spec(specs[i]); i++)
		;
	if (i == cnt)
		return 0;
	if (syscall_names(d, &names))
		return -ENOENT;
	for (i = 0; i < cnt && !err; i++) {
		if (bd_sc_is_spec(specs[i])) {
			err = expand_one(d, specs[i], &names, out);
		} else {
			err = bd_strv_push(out, strdup(specs[i]));
			if (err)
				bd_err(d, err, "syscall: out of memory");
		}
	}
	bd_strv_free(&names);
	if (err) {
		bd_strv_free(out);
		return err;
	}
	if (out->n > MANY_SPECS) {
		/* each probe holds programs, perf events, links and a map open */
		struct rlimit rl;

		if (!getrlimit(RLIMIT_NOFILE, &rl) && rl.rlim_cur < rl.rlim_max) {
			rl.rlim_cur = rl.rlim_max;
			setrlimit(RLIMIT_NOFILE, &rl);
		}
	}
	return 0;
}

/* --- the SPEC on the entry tracepoint --- */

static long long spec_name_value(const char *name, size_t len, bool *found)
{
	const struct bd_sc_name *const *t;
	char buf[64];
	long e;

	*found = false;
	if (len >= sizeof(buf))
		return 0;
	memcpy(buf, name, len);
	buf[len] = '\0';
	for (t = bd_sc_spec_names; *t; t++) {
		const struct bd_sc_name *nm;

		for (nm = *t; nm->name; nm++)
			if (!strcmp(nm->name, buf)) {
				*found = true;
				return nm->val;
			}
	}
	if (buf[0] != 'E')
		return 0;
	for (e = 1; e < 600; e++) {
		const char *en = bd_sc_errno_name(e);

		if (en && !strcmp(en, buf)) {
			*found = true;
			return e;
		}
	}
	return 0;
}

static bool is_arg(const struct bd_func *f, const char *s, size_t len)
{
	int i;

	if (len == 6 && !strncmp(s, "return", 6))
		return true;
	for (i = 0; i < f->nargs; i++)
		if (strlen(f->arg_names[i]) == len && !strncmp(f->arg_names[i], s, len))
			return true;
	return false;
}

/* ITEMS with the table's names (O_CREAT, ENOENT, AT_FDCWD) as numbers; strings and
 * members (x.NAME, x->NAME) and the syscall's own argument names kept */
static char *names_to_numbers(const struct bd_func *f, const char *s)
{
	struct bd_strbuf b = {};
	const char *p = s;

	while (*p) {
		if (*p == '"') {
			const char *q = p + 1;

			while (*q && *q != '"')
				q += (*q == '\\' && q[1]) ? 2 : 1;
			if (*q)
				q++;
			sb_puts(&b, p, q - p);
			p = q;
		} else if (isalpha((unsigned char)*p) || *p == '_') {
			const char *q = p;
			bool member = (p > s && p[-1] == '.') || (p > s + 1 && p[-1] == '>' &&
								   p[-2] == '-');
			bool found = false;
			long long v;

			while (isalnum((unsigned char)*q) || *q == '_')
				q++;
			v = member || is_arg(f, p, q - p) ? 0 : spec_name_value(p, q - p, &found);
			if (found)
				sb_printf(&b, "%lld", v);
			else
				sb_puts(&b, p, q - p);
			p = q;
		} else if (isdigit((unsigned char)*p)) {
			const char *q = p;

			while (isalnum((unsigned char)*q))
				q++;	/* 0x1f stays one token */
			sb_puts(&b, p, q - p);
			p = q;
		} else {
			sb_putc(&b, *p++);
		}
	}
	if (!b.s)
		sb_puts(&b, "", 0);
	return b.s;
}

/* a const char *: a string the caller passes in its memory (a char * without
 * const is a buffer the syscall fills: nothing in it yet at the entry) */
static bool is_char_ptr(const struct btf *btf, __u32 id)
{
	const struct btf_type *t = btf__type_by_id(btf, id);
	bool konst = false;

	while (t && btf_is_mod(t))
		t = btf__type_by_id(btf, t->type);
	if (!t || !btf_is_ptr(t))
		return false;
	t = btf__type_by_id(btf, t->type);
	while (t && (btf_is_mod(t) || btf_is_typedef(t))) {
		konst |= btf_is_const(t);
		t = btf__type_by_id(btf, t->type);
	}
	return konst && t && btf_is_int(t) && btf_int_bits(t) == 8;
}

static int arg_index(const struct bd_func *f, const char *name)
{
	int i;

	for (i = 0; i < f->nargs; i++)
		if (!strcmp(f->arg_names[i], name))
			return i;
	return -1;
}

#define MAX_WRAPS 64

struct wraps {
	const struct q_value *v[MAX_WRAPS];
	int cnt;
};

/* a bare const char * argument: to be read as ustr(ARG) */
static void want_wrap(const struct bd_func *f, const struct q_value *v, struct wraps *w)
{
	int ai = arg_index(f, v->path.root);

	if (!v->func && !v->path.step_cnt && ai >= 0 && is_char_ptr(f->btf, f->arg_types[ai]) &&
	    w->cnt < MAX_WRAPS)
		w->v[w->cnt++] = v;
}

/* the values a predicate compares with a literal (filename == "/etc/passwd") */
static void pred_wraps(const struct bd_func *f, const struct q_expr *e, struct wraps *w)
{
	if (!e)
		return;
	switch (e->kind) {
	case Q_EXPR_VALUE:
	case Q_EXPR_CMP:
		want_wrap(f, &e->value, w);
		break;
	case Q_EXPR_AND:
	case Q_EXPR_OR:
	case Q_EXPR_NOT:
		pred_wraps(f, e->lhs, w);
		pred_wraps(f, e->rhs, w);
		break;
	default:
		break;
	}
}

static void arith_roots(const struct q_arith *a, bool *ret, bool *other)
{
	if (!a)
		return;
	if (a->kind == Q_ARITH_VALUE) {
		*ret |= !strcmp(a->value.path.root, "return");
		*other |= !!strcmp(a->value.path.root, "return");
	}
	arith_roots(a->lhs, ret, other);
	arith_roots(a->rhs, ret, other);
}

/* whether a predicate reads 'return', and anything else (an argument, a name) */
static void pred_roots(const struct q_expr *e, bool *ret, bool *other)
{
	if (!e)
		return;
	if (e->kind == Q_EXPR_VALUE || e->kind == Q_EXPR_CMP) {
		*ret |= !strcmp(e->value.path.root, "return");
		*other |= !!strcmp(e->value.path.root, "return");
	}
	arith_roots(e->alhs, ret, other);
	arith_roots(e->arhs, ret, other);
	pred_roots(e->lhs, ret, other);
	pred_roots(e->rhs, ret, other);
}

static int cmp_wrap(const void *a, const void *b)
{
	return (*(const struct q_value *const *)a)->pos - (*(const struct q_value *const *)b)->pos;
}

int bd_sc_rewrite(struct bpfdump *d, const char *spec, bool agg, struct bd_syscall *sc)
{
	struct wraps w = {};
	const char *name = spec + strlen(BD_SC_PREFIX), *paren = strchr(name, '(');
	size_t nlen = paren ? (size_t)(paren - name) : strlen(name);
	struct bd_func *fp = calloc(1, sizeof(*fp)), f;
	struct q_trace_spec qs = {};
	struct q_error qe = {};
	struct bd_strbuf b = {};
	char tp[128], *items = NULL, *parsed = NULL;
	bool has_ret = false, has_value = false;
	int i, err, at;

	memset(sc, 0, sizeof(*sc));
	if (!nlen || nlen >= sizeof(sc->name))
		return bd_err(d, -EINVAL, "trace '%s': write it syscall:NAME(ITEM, ...)", spec);
	memcpy(sc->name, name, nlen);
	snprintf(sc->display, sizeof(sc->display), BD_SC_PREFIX "%s", sc->name);
	snprintf(tp, sizeof(tp), "tp:syscalls:sys_enter_%s", sc->name);
	if (!fp)
		return bd_err(d, -ENOMEM, "trace '%s': out of memory", spec);
	err = bd_func_resolve(d, tp, fp);
	if (err) {
		free(fp);
		return err;
	}
	f = *fp;	/* a copy to read; fp owns what it holds */
	if (paren) {
		size_t len = strlen(paren);

		if (len < 2 || paren[len - 1] != ')') {
			err = bd_err(d, -EINVAL, "trace '%s': the items end with ')'", spec);
			goto out;
		}
		parsed = strndup(paren + 1, len - 2);
		items = parsed ? names_to_numbers(&f, parsed) : NULL;
		free(parsed);
		parsed = NULL;
		if (!items || asprintf(&parsed, "x(%s)", items) < 0) {
			parsed = NULL;
			err = -ENOMEM;
			goto out;
		}
		err = q_parse_trace_spec(parsed, &qs, &qe);
		if (err == -EINVAL)
			err = bd_err(d, err, "trace '%s': %s", spec, qe.msg);
		if (err)
			goto out;
	}
	/* the items again, each const char * argument read as ustr() */
	sb_printf(&b, "%s", tp);
	for (i = 0; i < qs.item_cnt; i++) {
		const struct q_trace_item *it = &qs.items[i];
		const struct q_value *v = &it->value;

		if (it->is_pred) {
			bool ret = false, other = false;

			pred_roots(it->pred, &ret, &other);
			if (ret && other) {
				/* it runs at the exit, where only 'return' is */
				err = bd_err(d, -EINVAL, "trace '%s': a predicate on 'return' reads "
					     "nothing else (the arguments are taken at the entry): "
					     "make it items of their own, all of which must hold",
					     spec);
				goto out;
			}
			pred_wraps(&f, it->pred, &w);
			continue;
		}
		has_value = true;
		has_ret |= !strcmp(v->path.root, "return") && !v->path.step_cnt;
		want_wrap(&f, v, &w);
	}
	qsort(w.v, w.cnt, sizeof(w.v[0]), cmp_wrap);
	at = 2;	/* past "x(" */
	for (i = 0; i < w.cnt; i++) {
		sb_puts(&b, at == 2 ? "(" : "", at == 2);
		sb_puts(&b, parsed + at, w.v[i]->pos - at);
		sb_printf(&b, "ustr(%s)", w.v[i]->path.root);
		at = w.v[i]->end;
	}
	if (qs.item_cnt) {
		sb_puts(&b, at == 2 ? "(" : "", at == 2);
		sb_puts(&b, parsed + at, strlen(parsed) - at - 1);
	}
	if (!agg && !has_value) {
		/* only predicates, or none: every argument, strings as strings */
		for (i = 0; i < f.nargs; i++)
			sb_printf(&b, "%s%s%s%s", !i && !qs.item_cnt ? "(" : ", ",
				  is_char_ptr(f.btf, f.arg_types[i]) ? "ustr(" : "", f.arg_names[i],
				  is_char_ptr(f.btf, f.arg_types[i]) ? ")" : "");
	}
	if (!agg && !has_ret)
		sb_printf(&b, "%sreturn", !qs.item_cnt && !f.nargs ? "(" : ", ");
	if (qs.item_cnt || !agg)
		sb_putc(&b, ')');
	if (!b.s) {
		err = -ENOMEM;
		goto out;
	}
	sc->text = b.s;
	b.s = NULL;
	sc->enter = fp;
	fp = NULL;
out:
	if (err == -ENOMEM)
		err = bd_err(d, err, "trace '%s': out of memory", spec);
	q_trace_spec_free(&qs);
	sb_free(&b);
	free(items);
	free(parsed);
	if (fp) {
		bd_func_free(fp);
		free(fp);
	}
	return err;
}

void bd_sc_free(struct bd_syscall *sc)
{
	if (sc->enter)
		bd_func_free(sc->enter);
	free(sc->enter);
	free(sc->text);
	memset(sc, 0, sizeof(*sc));
}

/* --- values in symbols --- */

static void put_bits(const struct bd_sc_name *names, unsigned long long v, bool any,
		     struct bd_strbuf *sb)
{
	const struct bd_sc_name *nm;

	for (nm = names; nm && nm->name; nm++) {
		if (!nm->val || (v & nm->val) != (unsigned long long)nm->val)
			continue;
		sb_printf(sb, "%s%s", any ? "|" : "", nm->name);
		v &= ~(unsigned long long)nm->val;
		any = true;
	}
	if (v || !any)
		sb_printf(sb, "%s%#llx", any ? "|" : "", v);
}

static const char *name_of(const struct bd_sc_name *names, long long v)
{
	for (; names && names->name; names++)
		if (names->val == v)
			return names->name;
	return NULL;
}

/* a kernel enum's name for v, from BTF */
static const char *enum_name(const struct btf *btf, const char *type, long long v)
{
	__s32 id = btf ? btf__find_by_name_kind(btf, type, BTF_KIND_ENUM) : -1;
	const struct btf_type *t = id > 0 ? btf__type_by_id(btf, id) : NULL;
	const struct btf_enum *e;
	int i;

	if (!t)
		return NULL;
	for (i = 0, e = btf_enum(t); i < btf_vlen(t); i++, e++)
		if (e->val == v)
			return btf__name_by_offset(btf, e->name_off);
	return NULL;
}

static const struct bd_sc_arg *find_arg(const struct bd_sc_arg *tab, const char *sys,
					const char *arg)
{
	for (; tab->arg; tab++)
		if ((!tab->sys || !strcmp(tab->sys, sys)) && !strcmp(tab->arg, arg))
			return tab;
	return NULL;
}

bool bd_sc_unused(const char *sys, const char *arg, long long flags)
{
	return (!strcmp(sys, "open") || !strcmp(sys, "openat")) && !strcmp(arg, "mode") &&
	       !(flags & 0100) && (flags & 020200000) != 020200000;	/* O_CREAT, O_TMPFILE */
}

bool bd_sc_format(const struct btf *btf, const char *sys, const char *arg, long long v,
		  struct bd_strbuf *sb)
{
	const struct bd_sc_arg *a;
	const char *n;

	if (!strcmp(arg, "return")) {
		if (v < 0 && v >= -4095) {
			n = bd_sc_errno_name(-v);
			if (n)
				sb_printf(sb, "-%s", n);
			else
				sb_printf(sb, "%lld", v);
			return true;
		}
		a = find_arg(bd_sc_rets, sys, arg);
		if (a && a->fmt == BD_SC_HEX) {
			sb_printf(sb, "%#llx", (unsigned long long)v);
			return true;
		}
		return false;
	}
	a = find_arg(bd_sc_args, sys, arg);
	if (!a)
		return false;
	switch (a->fmt) {
	case BD_SC_FD:
		n = name_of(a->names, v);
		if (n)
			sb_puts(sb, n, strlen(n));
		else if (!(v >> 32) && (int)v < 0)
			sb_printf(sb, "%d", (int)v);	/* an int in an unsigned long: -1 */
		return n || (!(v >> 32) && (int)v < 0);
	case BD_SC_OPEN_FLAGS:
		n = name_of(bd_sc_open_modes, v & 3);
		if (n)
			sb_puts(sb, n, strlen(n));
		if (v & ~3LL)
			put_bits(a->names, v & ~3LL, n != NULL, sb);
		else if (!n)
			sb_printf(sb, "%#llx", v);
		return true;
	case BD_SC_MAP_FLAGS:
		n = name_of(bd_sc_map_types, v & 0xf);
		if (n)
			sb_puts(sb, n, strlen(n));
		else
			sb_printf(sb, "%#llx", v & 0xf);
		if (v & ~0xfLL)
			put_bits(a->names, v & ~0xfLL, true, sb);
		return true;
	case BD_SC_FLAGS:
		if (!v) {
			n = name_of(a->names, 0);
			sb_puts(sb, n ? n : "0", strlen(n ? n : "0"));
			return true;
		}
		put_bits(a->names, v, false, sb);
		return true;
	case BD_SC_ENUM: {
		long long low = a->names ? v & 0xff : v;

		n = enum_name(btf, a->enum_name, low);
		if (!n)
			return false;
		sb_puts(sb, n, strlen(n));
		if (v != low)
			put_bits(a->names, v & ~0xffLL, true, sb);
		return true;
	}
	case BD_SC_OCTAL:
		sb_printf(sb, "%#llo", v);
		return true;
	case BD_SC_HEX:
		sb_printf(sb, "%#llx", (unsigned long long)v);
		return true;
	default:
		return false;
	}
}

int bd_sc_nr(const char *name)
{
	const struct bd_sc_name *n;

	for (n = bd_sc_nrs; n->name; n++)
		if (!strcmp(n->name, name))
			return n->val;
	return -1;
}
