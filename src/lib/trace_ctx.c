// SPDX-License-Identifier: (LGPL-2.1 OR BSD-2-Clause)
/*
 * bpfdump trace: context values (comm, pid, tid, uid, gid, cpu, cgroup) in a
 * SPEC, taken out of the parsed SPEC before it is planned against BTF; the
 * aggregation expression ('hist(V) BY K, K'); and the aggregates' printing.
 */
#include <bpf/bpf.h>
#include <bpf/libbpf.h>
#include <ctype.h>
#include <errno.h>
#include <stdlib.h>
#include <string.h>
#include <linux/magic.h>
#include <sys/stat.h>
#include <sys/statfs.h>

#include "ksyms.h"
#include "usyms.h"
#include "output.h"
#include "trace.h"
#include "trace_ctx.h"
#include "trace_syscall.h"
#include "view_int.h"
#include "util.h"

static const char *const ctx_names[BD_CTX_CNT] = {
	[BD_CTX_COMM] = "comm", [BD_CTX_PID] = "pid", [BD_CTX_TID] = "tid",
	[BD_CTX_UID] = "uid", [BD_CTX_GID] = "gid", [BD_CTX_CPU] = "cpu",
	[BD_CTX_CGROUP] = "cgroup",
};

const char *bd_ctx_name(int k)
{
	if (k == BD_CTX_KSTACK || k == BD_CTX_USTACK)
		return k == BD_CTX_KSTACK ? "kstack" : "ustack";
	return k >= 0 && k < BD_CTX_CNT ? ctx_names[k] : "?";
}

/* A context value named by a bare path, unless an argument has that name. */
static int ctx_kind(const struct q_value *v, const struct bd_func *f)
{
	int k, i;

	if (v->func || v->path.step_cnt)
		return -1;
	for (k = 0; k < BD_CTX_CNT; k++)
		if (!strcmp(v->path.root, ctx_names[k]))
			break;
	/* the kernel stack: 'kstack' as bpftrace spells it, or 'stack' */
	if (k == BD_CTX_CNT && (!strcmp(v->path.root, "kstack") || !strcmp(v->path.root, "stack")))
		k = BD_CTX_KSTACK;
	else if (k == BD_CTX_CNT && !strcmp(v->path.root, "ustack"))
		k = BD_CTX_USTACK;
	else if (k == BD_CTX_CNT)
		return -1;
	for (i = 0; i < f->nargs; i++)
		if (!strcmp(f->arg_names[i], v->path.root))
			return -1;	/* the argument wins */
	return k;
}

/* cgroup == "/sys/fs/cgroup/x" (or "x" under the cgroup2 root): its id, the inode */
static int cgroup_id_of(struct bpfdump *d, const char *text, const char *path, __u64 *id)
{
	char buf[4200], root[4096];
	struct statfs sf;
	struct stat st;

	if (path[0] != '/') {
		if (bd_cgroup2_root(root, sizeof(root)))
			return bd_err(d, -ENOENT, "trace '%s': cgroup '%s': no cgroup2 mount to "
				      "find it under", text, path);
		snprintf(buf, sizeof(buf), "%s/%s", root, path);
	} else {
		snprintf(buf, sizeof(buf), "%s", path);
	}
	if (stat(buf, &st) || statfs(buf, &sf))
		return bd_err(d, -errno, "trace '%s': cgroup '%s': %s", text, buf, strerror(errno));
	if (sf.f_type != CGROUP2_SUPER_MAGIC || !S_ISDIR(st.st_mode))
		return bd_err(d, -ENOTDIR, "trace '%s': cgroup '%s': not a cgroup2 directory",
			      text, buf);
	*id = st.st_ino;
	return 0;
}

static int ctx_pred(struct bpfdump *d, const char *text, const struct q_expr *e, int k,
		    struct bd_ctx_pred *cp)
{
	const struct q_lit *l = &e->lit;

	memset(cp, 0, sizeof(*cp));
	if (k == BD_CTX_KSTACK || k == BD_CTX_USTACK)
		return bd_err(d, -EINVAL, "trace '%s': %s is a value or a key, not compared "
			      "(at column %d)", text, e->value.path.root, e->pos + 1);
	cp->kind = k;
	cp->op = e->op;
	if (k == BD_CTX_COMM) {
		if (l->kind != Q_LIT_STR || (e->op != Q_OP_EQ && e->op != Q_OP_NE))
			return bd_err(d, -EINVAL, "trace '%s': comm compares only with == or != "
				      "to a string (at column %d)", text, e->pos + 1);
		if (l->str_len > 15)
			return bd_err(d, -EINVAL, "trace '%s': comm \"%s\" is longer than 15 "
				      "characters: no task has it (at column %d)", text, l->str,
				      l->pos + 1);
		memcpy(cp->comm, l->str, l->str_len);
		return 0;
	}
	if (k == BD_CTX_CGROUP && l->kind == Q_LIT_STR)
		return cgroup_id_of(d, text, l->str, &cp->val);
	if (l->kind != Q_LIT_INT)
		return bd_err(d, -EINVAL, "trace '%s': %s compares with a number (at column %d)",
			      text, ctx_names[k], l->pos + 1);
	cp->val = (__u64)l->ival;
	return 0;
}

static bool expr_reads_ctx(const struct q_expr *e, const struct bd_func *f)
{
	if (!e)
		return false;
	if (e->kind == Q_EXPR_VALUE || e->kind == Q_EXPR_CMP)
		return ctx_kind(&e->value, f) >= 0;
	return expr_reads_ctx(e->lhs, f) || expr_reads_ctx(e->rhs, f);
}

int bd_trace_ctx_extract(struct bpfdump *d, const char *text, struct q_trace_spec *spec,
			 const struct bd_func *f, struct bd_trace_ctx *c)
{
	struct q_trace_item keep;
	int i, n = 0, cols = 0, k, err;

	memset(c, 0, sizeof(*c));
	c->item_total = spec->item_cnt;
	for (i = 0; i < spec->item_cnt; i++) {
		struct q_trace_item *it = &spec->items[i];

		if (it->is_pred) {
			const struct q_expr *e = it->pred;

			k = e->kind == Q_EXPR_CMP ? ctx_kind(&e->value, f) : -1;
			if (k < 0) {
				if (expr_reads_ctx(e, f))
					return bd_err(d, -EINVAL, "trace '%s': a context value "
						      "(%s) is compared alone: write 'NAME op "
						      "VALUE' as an item of its own (at column %d)",
						      text, "comm, pid, tid, uid, gid, cpu, cgroup",
						      e->pos + 1);
				goto keep;
			}
			if (c->pred_cnt == BD_TRACE_CTX_MAX)
				return bd_err(d, -E2BIG, "trace '%s': more than %d context "
					      "predicates", text, BD_TRACE_CTX_MAX);
			err = ctx_pred(d, text, e, k, &c->preds[c->pred_cnt]);
			if (err)
				return err;
			c->pred_cnt++;
			continue;
		}
		if (c->val_cnt == BD_TRACE_CTX_MAX)
			return bd_err(d, -E2BIG, "trace '%s': more than %d values", text,
				      BD_TRACE_CTX_MAX);
		k = ctx_kind(&it->value, f);
		if (k >= 0) {
			c->vals[c->val_cnt].ctx = k;
			c->vals[c->val_cnt++].col = -1;
			c->want |= 1u << k;
			continue;
		}
		c->vals[c->val_cnt].ctx = -1;
		c->vals[c->val_cnt++].col = cols++;
keep:
		/* kept items first, taken ones after (freed with the SPEC) */
		keep = *it;
		memmove(&spec->items[n + 1], &spec->items[n], (i - n) * sizeof(*it));
		spec->items[n++] = keep;
	}
	spec->item_cnt = n;
	return 0;
}

void bd_trace_ctx_restore(struct q_trace_spec *spec, const struct bd_trace_ctx *c)
{
	if (c->item_total > spec->item_cnt)
		spec->item_cnt = c->item_total;
}

void bd_ctx_format(int k, const __u8 *rec, struct bd_strbuf *out)
{
	__u32 v32;
	__u64 v64;
	char comm[17] = "";

	sb_reset(out);
	switch (k) {
	case BD_CTX_COMM:
		memcpy(comm, rec + 32, 16);
		sb_puts(out, comm, strlen(comm));
		return;
	case BD_CTX_CGROUP:
		memcpy(&v64, rec + BD_TRACE_HDR_CGROUP, 8);
		sb_printf(out, "%llu", (unsigned long long)v64);
		return;
	}
	memcpy(&v32, rec + bd_ctx_hdr_off(k), 4);
	sb_printf(out, "%u", v32);
}

int bd_ctx_hdr_off(int k)
{
	switch (k) {
	case BD_CTX_COMM: return 32;
	case BD_CTX_PID: return 16;
	case BD_CTX_TID: return 20;
	case BD_CTX_CPU: return 24;
	case BD_CTX_UID: return BD_TRACE_HDR_UID;
	case BD_CTX_GID: return BD_TRACE_HDR_GID;
	default: return BD_TRACE_HDR_CGROUP;
	}
}

/* --- aggregation: FN[(VALUE)] [BY KEY, KEY...] --- */

static const char *const agg_names[] = {
	[BD_AGG_COUNT] = "count", [BD_AGG_SUM] = "sum", [BD_AGG_MIN] = "min",
	[BD_AGG_MAX] = "max", [BD_AGG_AVG] = "avg", [BD_AGG_HIST] = "hist",
};

const char *bd_agg_name(enum bd_agg_fn fn)
{
	return fn > BD_AGG_NONE && fn <= BD_AGG_HIST ? agg_names[fn] : "?";
}

void bd_agg_free(struct bd_agg *a)
{
	free(a->buf);
	free(a->spec_text);
	memset(a, 0, sizeof(*a));
}

int bd_agg_parse(struct bpfdump *d, const char *agg, const char *spec, struct bd_agg *a)
{
	char *s, *by, *open, *items = NULL, *sp, *close;
	size_t n;
	int fn;

	memset(a, 0, sizeof(*a));
	a->buf = strdup(agg);
	if (!a->buf)
		return -ENOMEM;
	s = bd_trim(a->buf);
	/* ' BY ' (or ' by '), outside parentheses: the value has none of its own */
	close = strrchr(s, ')');
	by = strstr(close ? close : s, " BY ");
	if (!by)
		by = strstr(close ? close : s, " by ");
	if (by) {
		*by = '\0';
		a->keys = bd_trim(by + 4);
		if (!*a->keys)
			goto bad;
	}
	s = bd_trim(s);
	open = strchr(s, '(');
	if (open) {
		*open = '\0';
		close = strrchr(open + 1, ')');
		if (!close || bd_trim(close + 1)[0])
			goto bad;
		*close = '\0';
		a->value = bd_trim(open + 1);
		if (!*a->value)
			a->value = NULL;	/* count(), as bpftrace writes it */
	}
	s = bd_trim(s);
	for (fn = BD_AGG_COUNT; fn <= BD_AGG_HIST; fn++)
		if (!strcmp(s, agg_names[fn]))
			break;
	if (fn > BD_AGG_HIST)
		goto bad;
	a->fn = fn;
	if ((fn == BD_AGG_COUNT) != !a->value)
		return bd_err(d, -EINVAL, "--agg '%s': %s", agg, fn == BD_AGG_COUNT ?
			      "count takes no value (count BY KEY counts per key)" :
			      "give the value: sum(V), min(V), max(V), avg(V), hist(V)");
	/* the SPEC with the keys and the value as its last items */
	if (a->keys && asprintf(&items, "%s%s%s", a->keys, a->value ? ", " : "",
				a->value ? a->value : "") < 0)
		return -ENOMEM;
	if (!a->keys && a->value && !(items = strdup(a->value)))
		return -ENOMEM;
	if (!items) {
		a->spec_text = strdup(spec);
		return a->spec_text ? 0 : -ENOMEM;
	}
	sp = strdup(spec);
	if (!sp) {
		free(items);
		return -ENOMEM;
	}
	n = strlen(bd_trim(sp));
	s = bd_trim(sp);
	if (n && s[n - 1] == ')') {
		char *o = strchr(s, '(');
		bool empty = o && !bd_trim(o + 1)[0];

		s[n - 1] = '\0';
		empty = o && !*bd_trim(o + 1);
		n = asprintf(&a->spec_text, "%s%s%s)", s, empty ? "" : ", ", items);
	} else {
		n = asprintf(&a->spec_text, "%s(%s)", s, items);
	}
	free(sp);
	free(items);
	if ((int)n < 0) {
		a->spec_text = NULL;
		return -ENOMEM;
	}
	return 0;
bad:
	return bd_err(d, -EINVAL, "--agg '%s': write count, sum(V), min(V), max(V), avg(V) or "
		      "hist(V), then optionally BY KEY[, KEY...]", agg);
}

/* --- printing --- */

struct agg_ent {
	const __u8 *key;
	__u64 v[BD_TRACE_HIST_BUCKETS];	/* summed over CPUs (count, sum, min, max) */
	double sort;
};

static int cmp_ent(const void *x, const void *y)
{
	const struct agg_ent *a = x, *b = y;

	return a->sort < b->sort ? -1 : a->sort > b->sort;
}

/*
 * A 'kstack' or 'ustack' key: the stack the stack map holds under the key's id,
 * its frames on lines of their own below the key's line (as bpftrace prints
 * @[kstack]); JSON an array. '(stack lost)' (JSON null) for a stack the program
 * could not have. A user stack's addresses are the key's process's.
 */
static void stack_key_text(const struct bd_agg_view *v, const __u8 *key, bool user, bool json,
			   struct bd_strbuf *cell)
{
	__u64 *ips = v->stack_bytes ? calloc(1, v->stack_bytes) : NULL;
	struct bd_strbuf fr = {};
	__u32 id, pid;

	memcpy(&id, key + (user ? BD_TRACE_HDR_USTACK : BD_TRACE_HDR_STACK), 4);
	memcpy(&pid, key + bd_ctx_hdr_off(BD_CTX_PID), 4);
	sb_reset(cell);
	if (id == BD_TRACE_STACK_LOST || !ips || v->stack_fd < 0 ||
	    bpf_map_lookup_elem(v->stack_fd, &id, ips)) {
		if (json)
			sb_puts(cell, "null", 4);
		else
			sb_puts(cell, "\n        (stack lost)\n", 22);
		free(ips);
		return;
	}
	if (user)
		bd_ustack_format(v->usyms, pid, ips, v->stack_bytes / 8, "        ", json, &fr);
	else
		bd_stack_format(v->ksyms, ips, v->stack_bytes / 8, "        ", json, &fr);
	if (!json)
		sb_putc(cell, '\n');
	if (fr.s)
		sb_puts(cell, fr.s, fr.len);
	sb_free(&fr);
	free(ips);
}

/*
 * A column key in symbols, as an event prints it: a syscall's argument or
 * 'return' (O_RDONLY|O_CLOEXEC, AT_FDCWD, -ENOENT), a value of an enum type by
 * its enumerator's name. The text in sym, the number in *n; false (sym empty)
 * when the key prints as it is.
 */
static bool key_symbol(const struct bd_agg_view *v, const struct bd_column *c, const __u8 *key,
		       long long *n, struct bd_strbuf *sym)
{
	sb_reset(sym);
	if (!bd_column_int(c, key, v->key_size, n))
		return false;
	if (v->sys && bd_sc_format(v->btf, v->sys, c->name, *n, sym) && sym->s)
		return true;
	sb_reset(sym);
	return bd_column_enum_name(c, *n, sym);
}

/* -J: the keys with symbols, "symbolic":{"flags":"O_RDONLY",...} (as an event's) */
static void key_symbols_json(const struct bd_agg_view *v, const __u8 *key, struct bd_strbuf *cell,
			     FILE *out)
{
	int i, first = 1;
	long long n;

	fputs(",\"symbolic\":{", out);
	for (i = 0; i < v->ctx->val_cnt; i++) {
		const struct bd_column *c;
		int ci = v->ctx->vals[i].col;

		if (i == v->val_item || v->ctx->vals[i].ctx >= 0 || ci >= v->plan->col_cnt)
			continue;
		c = &v->plan->cols[ci];
		if (!key_symbol(v, c, key, &n, cell))
			continue;
		fprintf(out, "%s", first ? "" : ",");
		bd_json_str(out, c->name, strlen(c->name));
		fputc(':', out);
		bd_json_str(out, cell->s, cell->len);
		first = 0;
	}
	fputc('}', out);
}

static void key_text(struct bpfdump *d, const struct bd_agg_view *v, const __u8 *key,
		     struct bd_strbuf *cell, FILE *out, bool json)
{
	int i, first = 1;
	long long n;

	for (i = 0; i < v->ctx->val_cnt; i++) {
		int k = v->ctx->vals[i].ctx, c = v->ctx->vals[i].col;
		bool numeric = k != BD_CTX_COMM;
		const char *name;

		if (i == v->val_item)
			continue;
		if (k == BD_CTX_KSTACK || k == BD_CTX_USTACK) {
			stack_key_text(v, key, k == BD_CTX_USTACK, json, cell);
			name = bd_ctx_name(k);
			numeric = true;	/* JSON: an array, or null */
		} else if (k >= 0) {
			bd_ctx_format(k, key, cell);
			name = bd_ctx_name(k);
		} else {
			if (c >= v->plan->col_cnt)
				continue;
			if (key_symbol(v, &v->plan->cols[c], key, &n, cell)) {
				if (json) {	/* the number; its symbols beside the key */
					sb_reset(cell);
					sb_printf(cell, "%lld", n);
				}
				numeric = true;
			} else if (bd_format_column(d, v->plan, &v->plan->cols[c], key,
						    v->plan->fixed_size, cell, &numeric)) {
				sb_reset(cell);
			}
			name = v->plan->cols[c].name;
		}
		if (!cell->s)
			sb_puts(cell, "", 0);
		if (json) {
			fprintf(out, "%s", first ? "" : ",");
			bd_json_str(out, name, strlen(name));
			fputc(':', out);
			if (numeric)
				fputs(cell->s, out);
			else
				bd_json_str(out, cell->s, cell->len);
		} else {
			/* a stack's frames start on a line of their own */
			fprintf(out, "%s%s", first ? "" : cell->s[0] == '\n' ? "," : ", ", cell->s);
		}
		first = 0;
	}
}

static void bucket_num(char *buf, size_t len, __u64 v)
{
	static const char sfx[] = "KMGTPE";
	int i = -1;

	while (v >= 1024 && !(v % 1024) && i < 5) {
		v /= 1024;
		i++;
	}
	if (i < 0)
		snprintf(buf, len, "%llu", (unsigned long long)v);
	else
		snprintf(buf, len, "%llu%c", (unsigned long long)v, sfx[i]);
}

static void bucket_range(int b, __u64 *lo, __u64 *hi)
{
	*lo = b < 2 ? 0 : 1ULL << (b - 2);
	*hi = b < 2 ? 0 : b - 2 == 63 ? ~0ULL : 1ULL << (b - 1);
}

static void print_hist(FILE *out, const __u64 *v)
{
	__u64 max = 0;
	int b, lo = -1, hi = -1;

	for (b = 0; b < BD_TRACE_HIST_BUCKETS; b++) {
		if (!v[b])
			continue;
		if (lo < 0)
			lo = b;
		hi = b;
		if (v[b] > max)
			max = v[b];
	}
	for (b = lo; b >= 0 && b <= hi; b++) {
		char label[64], l[24], h[24];
		__u64 blo, bhi;
		int bar = max ? (int)(v[b] * 52 / max) : 0;

		bucket_range(b, &blo, &bhi);
		if (b == 0)
			snprintf(label, sizeof(label), "(..., 0)");
		else if (b == 1 || bhi - blo == 1)
			snprintf(label, sizeof(label), "[%llu]", (unsigned long long)blo);
		else {
			bucket_num(l, sizeof(l), blo);
			bucket_num(h, sizeof(h), bhi);
			snprintf(label, sizeof(label), "[%s, %s)", l, h);
		}
		fprintf(out, "%-20s %8llu |%.*s%*s|\n", label, (unsigned long long)v[b], bar,
			"@@@@@@@@@@@@@@@@@@@@@@@@@@@@@@@@@@@@@@@@@@@@@@@@@@@@@", 52 - bar, "");
	}
}

static void print_value_json(FILE *out, enum bd_agg_fn fn, const __u64 *v, bool sg)
{
	int b, first = 1;

	switch (fn) {
	case BD_AGG_COUNT:
		fprintf(out, "%llu", (unsigned long long)v[0]);
		return;
	case BD_AGG_SUM:
		if (sg)
			fprintf(out, "%lld", (long long)v[0]);
		else
			fprintf(out, "%llu", (unsigned long long)v[0]);
		return;
	case BD_AGG_HIST:
		fputc('[', out);
		for (b = 0; b < BD_TRACE_HIST_BUCKETS; b++) {
			__u64 lo, hi;

			if (!v[b])
				continue;
			bucket_range(b, &lo, &hi);
			fprintf(out, "%s", first ? "" : ",");
			first = 0;
			if (b == 0)
				fprintf(out, "{\"max\":-1,\"count\":%llu}", (unsigned long long)v[b]);
			else
				fprintf(out, "{\"min\":%llu,\"max\":%llu,\"count\":%llu}",
					(unsigned long long)lo,
					(unsigned long long)(b == 1 ? 0 : hi - 1),
					(unsigned long long)v[b]);
		}
		fputc(']', out);
		return;
	default:
		if (sg)
			fprintf(out, "{\"count\":%llu,\"sum\":%lld,\"min\":%lld,\"max\":%lld}",
				(unsigned long long)v[0], (long long)v[1], (long long)v[2],
				(long long)v[3]);
		else
			fprintf(out, "{\"count\":%llu,\"sum\":%llu,\"min\":%llu,\"max\":%llu}",
				(unsigned long long)v[0], (unsigned long long)v[1],
				(unsigned long long)v[2], (unsigned long long)v[3]);
	}
}

static void print_value_text(FILE *out, enum bd_agg_fn fn, const __u64 *v, bool sg)
{
	long long x;

	switch (fn) {
	case BD_AGG_COUNT:
		fprintf(out, "%llu\n", (unsigned long long)v[0]);
		return;
	case BD_AGG_HIST:
		fputc('\n', out);
		print_hist(out, v);
		fputc('\n', out);
		return;
	case BD_AGG_SUM: x = v[0]; break;
	case BD_AGG_MIN: x = v[2]; break;
	case BD_AGG_MAX: x = v[3]; break;
	default:
		x = !v[0] ? 0 : sg ? (long long)v[1] / (long long)v[0] : (long long)(v[1] / v[0]);
	}
	if (sg)
		fprintf(out, "%lld\n", x);
	else
		fprintf(out, "%llu\n", (unsigned long long)x);
}

/* per-CPU values into one: counts and sums add, min and max compare */
static void merge(enum bd_agg_fn fn, bool sg, const __u8 *vals, int ncpu, __u32 stride,
		  __u64 *v)
{
	int c, i, n = bd_agg_value_size(fn) / 8;

	memset(v, 0, sizeof(__u64) * BD_TRACE_HIST_BUCKETS);
	for (c = 0; c < ncpu; c++) {
		__u64 x[BD_TRACE_HIST_BUCKETS];

		memcpy(x, vals + (size_t)c * stride, n * 8);
		if (fn == BD_AGG_COUNT || fn == BD_AGG_SUM || fn == BD_AGG_HIST) {
			for (i = 0; i < n; i++)
				v[i] += x[i];
			continue;
		}
		if (!x[0])
			continue;
		if (!v[0] || (sg ? (__s64)x[2] < (__s64)v[2] : x[2] < v[2]))
			v[2] = x[2];
		if (!v[0] || (sg ? (__s64)x[3] > (__s64)v[3] : x[3] > v[3]))
			v[3] = x[3];
		v[0] += x[0];
		v[1] += x[1];
	}
}

static double sort_key(enum bd_agg_fn fn, bool sg, const __u64 *v)
{
	double t = 0;
	int b;

	switch (fn) {
	case BD_AGG_COUNT: return (double)v[0];
	case BD_AGG_SUM: return sg ? (double)(__s64)v[0] : (double)v[0];
	case BD_AGG_MIN: return sg ? (double)(__s64)v[2] : (double)v[2];
	case BD_AGG_MAX: return sg ? (double)(__s64)v[3] : (double)v[3];
	case BD_AGG_HIST:
		for (b = 0; b < BD_TRACE_HIST_BUCKETS; b++)
			t += v[b];
		return t;
	default:
		return !v[0] ? 0 : sg ? (double)(__s64)v[1] / v[0] : (double)v[1] / v[0];
	}
}

/* One probe's aggregates: sorted by value, the largest last (as bpftrace prints). */
static int print_view(struct bpfdump *d, FILE *out, bool json, const struct bd_agg_view *v,
		      int top, struct bd_strbuf *cell, bool named)
{
	int ncpu = libbpf_num_possible_cpus();
	__u32 stride = (bd_agg_value_size(v->fn) + 7) & ~7u, ks = v->key_size;
	__u8 *keys = NULL, *vals = NULL, *prev = NULL;
	struct agg_ent *ents = NULL;
	size_t n = 0, keys_cap = 0, ents_cap = 0, i, from;
	bool have_prev = false;
	int err = 0;

	if (ncpu <= 0)
		return ncpu ? ncpu : -EINVAL;
	vals = malloc((size_t)ncpu * stride);
	prev = malloc(ks);
	if (!vals || !prev) {
		err = -ENOMEM;
		goto out;
	}
	for (;;) {
		__u8 *k;

		if (bd_grow((void **)&keys, &keys_cap, n + 1, ks) ||
		    bd_grow((void **)&ents, &ents_cap, n + 1, sizeof(*ents))) {
			err = -ENOMEM;
			goto out;
		}
		k = keys + n * ks;
		if (bpf_map_get_next_key(v->map_fd, have_prev ? prev : NULL, k))
			break;
		memcpy(prev, k, ks);
		have_prev = true;
		if (bpf_map_lookup_elem(v->map_fd, k, vals))
			continue;	/* deleted meanwhile */
		merge(v->fn, v->sg, vals, ncpu, stride, ents[n].v);
		ents[n].sort = sort_key(v->fn, v->sg, ents[n].v);
		n++;
	}
	for (i = 0; i < n; i++)
		ents[i].key = keys + i * ks;
	qsort(ents, n, sizeof(*ents), cmp_ent);
	from = top > 0 && n > (size_t)top ? n - top : 0;
	if (json) {
		fprintf(out, "{\"probe\":");
		bd_json_str(out, v->name, strlen(v->name));
		fprintf(out, ",\"agg\":\"%s\",\"keys\":%zu,\"entries\":[", bd_agg_name(v->fn), n);
		for (i = from; i < n; i++) {
			fprintf(out, "%s{\"key\":{", i > from ? "," : "");
			key_text(d, v, ents[i].key, cell, out, true);
			fputc('}', out);
			key_symbols_json(v, ents[i].key, cell, out);
			fprintf(out, ",\"value\":");
			print_value_json(out, v->fn, ents[i].v, v->sg);
			fputc('}', out);
		}
		fprintf(out, "]}");
	} else {
		if (named)
			fprintf(out, "%s:\n", v->name);
		for (i = from; i < n; i++) {
			fprintf(out, "@%s", bd_agg_name(v->fn));
			if (v->key_cnt) {
				fputc('[', out);
				key_text(d, v, ents[i].key, cell, out, false);
				fputc(']', out);
			}
			fprintf(out, ":%s", v->fn == BD_AGG_HIST ? "" : " ");
			print_value_text(out, v->fn, ents[i].v, v->sg);
		}
	}
out:
	free(prev);
	free(keys);
	free(ents);
	free(vals);
	return err;
}

int bd_agg_print(struct bpfdump *d, FILE *out, bool json, const struct bd_agg_view *views,
		 int cnt, int top, __u64 not_counted, __u64 lost, struct bd_strbuf *cell)
{
	int i, err = 0;

	if (json)
		fprintf(out, "{\"aggregates\":[");
	for (i = 0; i < cnt && !err; i++) {
		if (json && i)
			fputc(',', out);
		err = print_view(d, out, json, &views[i], top, cell, cnt > 1);
	}
	if (json)
		fprintf(out, "],\"not_counted\":%llu,\"lost\":%llu}\n",
			(unsigned long long)not_counted, (unsigned long long)lost);
	fflush(out);
	return err;
}
