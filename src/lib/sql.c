// SPDX-License-Identifier: (LGPL-2.1 OR BSD-2-Clause)
/*
 * SQL over iterator targets: one SQLite virtual table per target (eponymous, so
 * `FROM task` needs no CREATE), its rows taken from bpfdump_query__rows().
 *
 * Columns: the target's default columns by their lower-case header names, then
 * every double-quoted identifier of the statement (and of the built-in views)
 * that the planner resolves against the target as a field path ("task->mm->total_vm",
 * "path(file)"). SQLite asks a table for its schema once, when the statement first
 * names it (xConnect), and only sees declared columns; so the text is scanned for
 * quoted identifiers before it is prepared, and each table declares the ones that
 * resolve for it. Target parameters are hidden columns, given as table-valued
 * function arguments: task_file(1234), bpf_map_elem('name'), tcp('/proc/1/ns/net').
 *
 * Push-down: constraints of a column that is a plain field path against a constant
 * (= != < <= > >= IN, IS NULL, string = !=) become the target's -w predicate, so
 * failing rows never leave the kernel (sql_pushdown.c). A table's iterator runs once
 * per (columns used, parameters, predicate) in a statement: its rows are kept
 * (compactly: an integer or the text per used cell) and every later scan of it, say
 * as the inner table of a join, reads them again instead of the kernel.
 */
#include <ctype.h>
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>
#include <time.h>
#include <sqlite3.h>

#include "internal.h"
#include "output.h"
#include "sql.h"
#include "util.h"

static const struct {
	const char *name, *sql;
} views[] = {
	{ "fds", "SELECT pid, comm, fd, path FROM task_file" },
	/* an unlinked file still open: its inode has no name left (lsof +L1) */
	{ "deleted", "SELECT pid, comm, fd, path, \"file->f_inode->i_ino\" AS inode "
		     "FROM task_file WHERE \"file->f_inode->i_nlink\" = 0" },
	{ "top_fds", "SELECT pid, comm, count(*) AS fds FROM task_file GROUP BY pid, comm "
		     "ORDER BY fds DESC" },
	/*
	 * Sockets and the processes holding them (ss -tulnp, ss -tnp, lsof -i), joined on
	 * the socket inode: one row per holding fd (a socket shared after fork() has one
	 * per process), NULL pid, comm and fd for a socket no fd holds. Only socket fds
	 * are read (S_IFSOCK: i_mode in 0140000-0147777, pushed into the iterator; an
	 * inode number is unique only within its filesystem), once, and looked up by
	 * inode in an index of them.
	 */
#define SOCK_FDS "f.inode = s.inode AND f.\"file->f_inode->i_mode\" BETWEEN 49152 AND 53247"
	{ "listening", "SELECT f.pid, f.comm, f.fd, 'tcp' AS proto, s.family, s.laddr, s.lport, "
		       "s.raddr, s.rport, s.state, s.uid, s.inode "
		       "FROM tcp s LEFT JOIN task_file f ON " SOCK_FDS " WHERE s.state = 'LISTEN' "
		       "UNION ALL "
		       "SELECT f.pid, f.comm, f.fd, 'udp', s.family, s.laddr, s.lport, s.raddr, "
		       "s.rport, s.state, s.uid, s.inode "
		       "FROM udp s LEFT JOIN task_file f ON " SOCK_FDS " WHERE s.state = 'UNCONN'" },
	/* the TCP states ss shows without -a: not listening, closed, TIME-WAIT, SYN-RECV */
	{ "connections", "SELECT f.pid, f.comm, f.fd, 'tcp' AS proto, s.family, s.laddr, s.lport, "
			 "s.raddr, s.rport, s.state, s.uid, s.inode "
			 "FROM tcp s LEFT JOIN task_file f ON " SOCK_FDS " WHERE s.state NOT IN "
			 "('LISTEN', 'UNCONN', 'TIME-WAIT', 'SYN-RECV', 'NEW-SYN-RECV')" },
#undef SOCK_FDS
};

const char *bpfdump_sql_view(int idx, const char **sql)
{
	if (idx < 0 || idx >= (int)(sizeof(views) / sizeof(views[0])))
		return NULL;
	if (sql)
		*sql = views[idx].sql;
	return views[idx].name;
}

/* ---- quoted identifiers of the text ---- */

/* Every "..." identifier of text, outside strings and comments ("" inside: one "). */
static int scan_idents(struct bd_sql *s, const char *text)
{
	const char *p = text;

	while (*p) {
		if (p[0] == '-' && p[1] == '-') {
			p = strchr(p, '\n') ?: p + strlen(p);
		} else if (p[0] == '/' && p[1] == '*') {
			const char *e = strstr(p + 2, "*/");

			p = e ? e + 2 : p + strlen(p);
		} else if (*p == '\'' || *p == '[' || *p == '`') {
			char close = *p == '[' ? ']' : *p;

			for (p++; *p && !(*p == close && p[1] != close); p++)
				if (*p == close)
					p++;	/* doubled: one literal quote */
			if (*p)
				p++;
		} else if (*p == '"') {
			struct bd_strbuf b = {};

			for (p++; *p && !(*p == '"' && p[1] != '"'); p++) {
				if (*p == '"')
					p++;
				sb_putc(&b, *p);
			}
			if (*p)
				p++;
			if (!b.s) {
				sb_free(&b);
				continue;
			}
			if (bd_grow((void **)&s->idents, &s->idents_cap, (size_t)s->ident_cnt + 1,
				    sizeof(*s->idents))) {
				sb_free(&b);
				return -ENOMEM;
			}
			s->idents[s->ident_cnt++] = b.s;
		} else {
			p++;
		}
	}
	return 0;
}

/* Written like a field path rather than a plain name or alias. */
static bool looks_like_path(const char *id)
{
	return strstr(id, "->") || strchr(id, '(') || strchr(id, '.') || strchr(id, '[');
}

/* ---- the virtual table: schema ---- */

static const struct {
	unsigned int bit;
	const char *names[5];
} param_cols[] = {
	{ BPFDUMP_PARAM_TASK, { "arg_pid", "arg_tid" } },
	{ BPFDUMP_PARAM_CGROUP, { "arg_cgroup", "arg_order" } },
	{ BPFDUMP_PARAM_MAP, { "arg_map" } },
	{ BPFDUMP_PARAM_NETNS, { "arg_netns" } },
	{ BPFDUMP_PARAM_PIDNS, { "arg_pidns", "arg_mntns", "arg_cgroup" } },
};

static int add_param(struct sql_vtab *v, const char *name)
{
	int i;

	for (i = 0; i < v->nparams; i++)
		if (!strcmp(v->params[i], name))
			return 0;	/* cgroup: both a task subtree and the cgroup walk */
	if (v->nparams == SQL_MAX_PARAMS)
		return -E2BIG;
	v->params[v->nparams++] = name;
	return 0;
}

static void col_free(struct sql_col *c)
{
	free(c->name);
	free(c->expr);
}

static void vtab_free(struct sql_vtab *v)
{
	int i;

	if (!v)
		return;
	for (i = 0; i < v->ncols; i++)
		col_free(&v->cols[i]);
	free(v->cols);
	sqlite3_free(v->base.zErrMsg);
	free(v);
}

static int add_col(struct sql_vtab *v, const char *name, const char *expr,
		   const struct bd_column *pc)
{
	struct sql_col *c;
	int i;

	for (i = 0; i < v->ncols; i++)
		if (!strcasecmp(v->cols[i].name, name))
			return 0;
	if (v->ncols == SQL_MAX_COLS)
		return -E2BIG;
	if (bd_grow((void **)&v->cols, &v->cols_cap, (size_t)v->ncols + 1, sizeof(*v->cols)))
		return -ENOMEM;
	c = &v->cols[v->ncols];
	memset(c, 0, sizeof(*c));
	c->name = strdup(name);
	c->expr = strdup(expr);
	if (!c->name || !c->expr) {
		col_free(c);
		return -ENOMEM;
	}
	sql_col_classify(c, pc);
	v->ncols++;
	return 0;
}

/* A single column EXPR planned against t: 0 and its plan, or the planner's error. */
static int plan_one(struct bpfdump *d, const struct bd_target *t, const char *expr,
		    struct bd_plan *p)
{
	char *cols;
	int err;

	memset(p, 0, sizeof(*p));
	p->target = t;
	p->map.fd = -1;
	if (asprintf(&cols, "%s", expr) < 0)
		return -ENOMEM;
	err = bd_plan_build(d, p, cols, NULL);
	free(cols);
	return err;
}

/* The default columns: the target's preset as this kernel resolves it, one
 * "name=expr" per comma, in the order the plan of the default query has them. */
static int add_default_cols(struct bd_sql *s, struct sql_vtab *v)
{
	const char *preset = bd_target_preset(v->t->name);
	char *text = NULL, *tok, *save = NULL;
	int i, err = 0;

	if (preset) {
		text = bd_preset_resolve(s->d, v->t, preset);
		if (!text)
			return -errno ?: -ENOMEM;
	} else {
		struct bd_strbuf b = {};

		for (i = 0; i < v->t->member_cnt; i++)
			sb_printf(&b, "%s%s=%s", i ? "," : "", v->t->members[i].name,
				  v->t->members[i].name);
		text = b.s;
		if (!text)
			return -ENOMEM;
	}
	for (tok = strtok_r(text, ",", &save); tok && !err; tok = strtok_r(NULL, ",", &save)) {
		char *eq = strchr(tok, '='), name[64];
		struct bd_plan p;
		int k;

		if (!eq)
			continue;
		snprintf(name, sizeof(name), "%.*s", (int)(eq - tok), tok);
		err = plan_one(s->d, v->t, eq + 1, &p);
		if (err) {
			/* needs what a table argument gives (a map's types): shown, not pushed */
			err = add_col(v, name, eq + 1, NULL);
			continue;
		}
		/* the header, lower case, names the column (as dump prints it) */
		snprintf(name, sizeof(name), "%.*s", (int)(eq - tok), tok);
		for (k = 0; name[k]; k++)
			name[k] = (char)tolower((unsigned char)name[k]);
		err = add_col(v, name, eq + 1, &p.cols[0]);
		bd_plan_free(&p);
	}
	free(text);
	return err;
}

/* rss, cmdline, exe: the functions of a target's task by name, hidden (after the
 * parameters) so SELECT * does not read them (cmdline loads a sleepable program). */
static int add_task_func_cols(struct bd_sql *s, struct sql_vtab *v)
{
	int i, err = 0;

	for (i = 0; !err && i < v->t->member_cnt; i++) {
		static const char *const funcs[] = { "rss", "cmdline", "exe" };
		int k;

		if (strcmp(v->t->members[i].name, "task"))
			continue;
		for (k = 0; !err && k < 3; k++) {
			char expr[32];
			struct bd_plan p;

			snprintf(expr, sizeof(expr), "%s(task)", funcs[k]);
			if (plan_one(s->d, v->t, expr, &p))
				continue;
			err = add_col(v, funcs[k], expr, &p.cols[0]);
			bd_plan_free(&p);
		}
	}
	return err;
}

/* Quoted identifiers that resolve against this target become its columns; a
 * path-like one that does not keeps the planner's message for "no such column". */
static bool named_by_text(const struct bd_sql *s, const char *id)
{
	int i;

	for (i = s->ident_views; i < s->ident_cnt; i++)
		if (!strcmp(s->idents[i], id))
			return true;
	return false;
}

/* views: only the views' identifiers (hidden), else the statement's (shown) */
static int add_ident_cols(struct bd_sql *s, struct sql_vtab *v, bool views)
{
	int i, err;

	for (i = 0; i < s->ident_cnt; i++) {
		const char *id = s->idents[i];
		struct bd_plan p;

		if (!looks_like_path(id) || views != (i < s->ident_views && !named_by_text(s, id)))
			continue;
		err = plan_one(s->d, v->t, id, &p);
		if (err == -ENOMEM)
			return err;
		if (err) {
			if (!s->ident_err[i]) {
				s->ident_err[i] = strdup(bd_errmsg());
				if (!s->ident_err[i])
					return -ENOMEM;
			}
			continue;
		}
		err = add_col(v, id, id, &p.cols[0]);
		bd_plan_free(&p);
		if (err)
			return err;
	}
	return 0;
}

static int vt_connect(sqlite3 *db, void *aux, int argc, const char *const *argv,
		      sqlite3_vtab **out, char **errp)
{
	struct sql_target *st = aux;
	struct bd_sql *s = st->s;
	struct sql_vtab *v = calloc(1, sizeof(*v));
	struct bd_strbuf b = {};
	int i, j, params, err;

	if (!v)
		return SQLITE_NOMEM;
	v->s = s;
	v->t = st->t;
	err = add_default_cols(s, v);
	if (!err)
		err = add_ident_cols(s, v, false);
	v->nvis = v->ncols;
	if (!err)
		err = add_ident_cols(s, v, true);
	if (!err)
		err = add_task_func_cols(s, v);
	params = bpfdump__target_params(s->d, v->t->name);
	for (i = 0; !err && params > 0 && i < (int)(sizeof(param_cols) / sizeof(param_cols[0]));
	     i++)
		for (j = 0; !err && (params & param_cols[i].bit) && j < 5 &&
			    param_cols[i].names[j]; j++)
			err = add_param(v, param_cols[i].names[j]);
	if (err) {
		*errp = sqlite3_mprintf("table %s: %s", v->t->name, bd_errmsg()[0] ?
					bd_errmsg() : strerror(-err));
		vtab_free(v);
		return SQLITE_ERROR;
	}
	/* the parameters are the first hidden columns: a table-valued function's
	 * arguments go to them */
	sb_printf(&b, "CREATE TABLE x(");
	for (i = 0; i < v->ncols; i++) {
		char *q = sqlite3_mprintf("%w", v->cols[i].name);

		if (i == v->nvis)
			for (j = 0; j < v->nparams; j++)
				sb_printf(&b, ", %s HIDDEN", v->params[j]);
		sb_printf(&b, "%s\"%s\"%s", i ? ", " : "", q ?: "", i >= v->nvis ? " HIDDEN" : "");
		sqlite3_free(q);
	}
	if (v->nvis == v->ncols)
		for (j = 0; j < v->nparams; j++)
			sb_printf(&b, ", %s HIDDEN", v->params[j]);
	sb_printf(&b, ")");
	if (!b.s || sqlite3_declare_vtab(db, b.s) != SQLITE_OK) {
		*errp = sqlite3_mprintf("table %s: cannot declare its columns: %s", v->t->name,
					sqlite3_errmsg(db));
		sb_free(&b);
		vtab_free(v);
		return SQLITE_ERROR;
	}
	sb_free(&b);
	v->next = s->vtabs;
	s->vtabs = v;
	*out = &v->base;
	return SQLITE_OK;
}

static int vt_disconnect(sqlite3_vtab *base)
{
	struct sql_vtab *v = (struct sql_vtab *)base, **pp;

	for (pp = &v->s->vtabs; *pp; pp = &(*pp)->next)
		if (*pp == v) {
			*pp = v->next;
			break;
		}
	vtab_free(v);
	return SQLITE_OK;
}

/* ---- runs: one iterator read per (table, columns, parameters, predicate) ---- */

static void index_free(struct sql_index *ix)
{
	free(ix->head);
	free(ix->tail);
	free(ix->link);
	free(ix->order);
	free(ix);
}

static void run_free(struct sql_run *r)
{
	struct sql_index *ix;
	int i;

	if (!r)
		return;
	while ((ix = r->idx)) {
		r->idx = ix->next;
		index_free(ix);
	}
	for (i = 0; i < r->nparams; i++)
		free(r->param_val[i]);
	free(r->key);
	free(r->row_off);
	sb_free(&r->arena);
	free(r);
}

/*
 * Rows are kept as cells one after another, each a tag byte and its value: tags
 * 0-8 an integer in that many bytes (little endian, sign-extended; 0 bytes: zero),
 * CELL_TEXT a 4-byte length and the text. An integer has one encoding, so equal
 * cells are equal bytes (what the indexes compare).
 */
#define CELL_TEXT 0x54

static size_t cell_put_int(unsigned char *b, long long v)
{
	int n;

	for (n = 0; n < 8; n++) {
		long long t = n ? (long long)((unsigned long long)v << (64 - 8 * n)) >> (64 - 8 * n)
				: 0;

		if (t == v)
			break;
	}
	b[0] = (unsigned char)n;
	memcpy(b + 1, &v, n);	/* little endian: the low bytes */
	return 1 + n;
}

static size_t cell_size(const char *p)
{
	__u32 n;

	if ((unsigned char)*p <= 8)
		return 1 + (unsigned char)*p;
	memcpy(&n, p + 1, 4);
	return 5 + n;
}

/* An encoded cell: NULL and *iv for an integer, else the text and *len. */
static const char *cell_value(const char *p, long long *iv, __u32 *len)
{
	unsigned int n = (unsigned char)*p;

	if (n <= 8) {
		unsigned long long u = 0;

		memcpy(&u, p + 1, n);	/* little endian */
		*iv = n ? (long long)(u << (64 - 8 * n)) >> (64 - 8 * n) : 0;
		return NULL;
	}
	memcpy(len, p + 1, 4);
	return p + 5;
}

/* SQLite's order of two encoded cells: integers before texts, texts as memcmp. */
static int cell_cmp(const char *x, const char *y)
{
	long long a = 0, b = 0;
	__u32 la = 0, lb = 0;
	const char *ta = cell_value(x, &a, &la), *tb = cell_value(y, &b, &lb);
	int d;

	if (!ta || !tb)
		return ta ? 1 : tb ? -1 : (a > b) - (a < b);
	d = memcmp(ta, tb, la < lb ? la : lb);
	return d ? d : (la > lb) - (la < lb);
}

/* The rows at arena offsets a and b: their order on kept cells keys. */
static int offs_cmp(const struct sql_run *r, const int *keys, int nkeys, __u32 a, __u32 b)
{
	int k, d;

	for (k = 0; k < nkeys; k++) {
		const char *x = r->arena.s + a, *y = r->arena.s + b;
		int i;

		for (i = 0; i < keys[k]; i++) {
			x += cell_size(x);
			y += cell_size(y);
		}
		d = cell_cmp(x, y);
		if (d)
			return d;
	}
	return 0;
}

static int keep_row(void *ctx, const struct bpfdump_cell *cells, int cnt)
{
	struct sql_run *r = ctx;
	size_t at = r->arena.len;
	int i;

	if (at > UINT32_MAX || r->nrows >= UINT32_MAX)
		return -E2BIG;
	for (i = 0; i < cnt; i++) {
		const struct bpfdump_cell *c = &cells[i];
		unsigned char b[9];

		if (c->numeric && (c->kind == BPFDUMP_CELL_INT ||
				   (c->kind == BPFDUMP_CELL_UINT && c->v.u <= INT64_MAX))) {
			long long v = c->kind == BPFDUMP_CELL_INT ? c->v.i : (long long)c->v.u;

			sb_puts(&r->arena, (const char *)b, cell_put_int(b, v));
			r->has_int |= 1ULL << (i < 63 ? i : 63);
		} else {
			char dec[24];
			const char *text = c->text;
			__u32 n = c->text_len;

			if (c->numeric && c->kind == BPFDUMP_CELL_UINT && !n) {
				/* past int64 (no text asked for): as dump prints it */
				n = snprintf(dec, sizeof(dec), "%llu", c->v.u);
				text = dec;
			}
			b[0] = CELL_TEXT;
			memcpy(b + 1, &n, 4);
			sb_puts(&r->arena, (const char *)b, 5);
			sb_puts(&r->arena, text, n);
			r->has_text |= 1ULL << (i < 63 ? i : 63);
		}
	}
	if (r->arena.len == at)
		return cnt ? -ENOMEM : 0;
	r->ncells = cnt;
	if (r->norder && r->in_order && r->nrows &&
	    offs_cmp(r, r->order_keys, r->norder, r->last_off, (__u32)at) > 0)
		r->in_order = false;
	r->last_off = (__u32)at;
	r->nrows++;
	return 0;
}

/* Where each kept row starts: one pass once the read is over (an array sized
 * once, not grown a row at a time next to the arena). */
static int rows_locate(struct sql_run *r)
{
	const char *p = r->arena.s;
	long row;
	int i;

	r->row_off = malloc((r->nrows ?: 1) * sizeof(*r->row_off));
	if (!r->row_off)
		return -ENOMEM;
	for (row = 0; row < r->nrows; row++) {
		r->row_off[row] = (__u32)(p - r->arena.s);
		for (i = 0; i < r->ncells; i++)
			p += cell_size(p);
	}
	return 0;
}

/* Cell idx of row: its encoded bytes (the tag first). */
static const char *row_cell(const struct sql_run *r, long row, int idx)
{
	const char *p = r->arena.s + r->row_off[row];

	while (idx-- > 0)
		p += cell_size(p);
	return p;
}

/* ---- indexes of kept runs: rows grouped by equal cells ---- */

static __u64 hash_bytes(__u64 h, const char *p, size_t n)
{
	while (n--)
		h = (h ^ (unsigned char)*p++) * 0x100000001b3ULL;
	return h;
}

static __u64 row_hash(const struct sql_run *r, const struct sql_index *ix, long row)
{
	__u64 h = 0xcbf29ce484222325ULL;
	int k;

	for (k = 0; k < ix->nkeys; k++) {
		const char *c = row_cell(r, row, ix->keys[k]);

		h = hash_bytes(h, c, cell_size(c));
	}
	return h;
}

static bool rows_equal(const struct sql_run *r, const struct sql_index *ix, long a, long b)
{
	int k;

	for (k = 0; k < ix->nkeys; k++) {
		const char *x = row_cell(r, a, ix->keys[k]), *y = row_cell(r, b, ix->keys[k]);
		size_t n = cell_size(x);

		if (n != cell_size(y) || memcmp(x, y, n))
			return false;
	}
	return true;
}

/* The slot of row's group, or of the empty slot where it goes. */
static __u32 index_slot(const struct sql_run *r, const struct sql_index *ix, long row, __u64 h)
{
	__u32 i = (__u32)h & (ix->nslot - 1);

	while (ix->head[i] && !rows_equal(r, ix, ix->head[i] - 1, row))
		i = (i + 1) & (ix->nslot - 1);
	return i;
}

static int index_grow(struct sql_run *r, struct sql_index *ix)
{
	__u32 *oh = ix->head, *ot = ix->tail, on = ix->nslot, i;

	ix->nslot = on ? on * 2 : 1024;
	ix->head = calloc(ix->nslot, sizeof(*ix->head));
	ix->tail = calloc(ix->nslot, sizeof(*ix->tail));
	if (!ix->head || !ix->tail) {
		free(oh);
		free(ot);
		return -ENOMEM;
	}
	for (i = 0; i < on; i++) {
		__u32 to;

		if (!oh[i])
			continue;
		to = index_slot(r, ix, oh[i] - 1, row_hash(r, ix, oh[i] - 1));
		ix->head[to] = oh[i];
		ix->tail[to] = ot[i];
	}
	free(oh);
	free(ot);
	return 0;
}

/* The index of r on kept cells keys (built once per run). */
static struct sql_index *run_index(struct sql_run *r, const int *keys, int nkeys)
{
	struct sql_index *ix;
	long row;

	for (ix = r->idx; ix; ix = ix->next)
		if (ix->nkeys == nkeys && !memcmp(ix->keys, keys, nkeys * sizeof(*keys)))
			return ix;
	ix = calloc(1, sizeof(*ix));
	if (!ix)
		return NULL;
	ix->nkeys = nkeys;
	memcpy(ix->keys, keys, nkeys * sizeof(*keys));
	ix->link = calloc(r->nrows ?: 1, sizeof(*ix->link));
	if (!ix->link || index_grow(r, ix))
		goto err_free;
	for (row = 0; row < r->nrows; row++) {
		__u32 i;

		if ((size_t)ix->ngroups * 2 >= ix->nslot && index_grow(r, ix))
			goto err_free;
		i = index_slot(r, ix, row, row_hash(r, ix, row));
		if (ix->head[i]) {
			ix->link[ix->tail[i] - 1] = row + 1;
		} else {
			if (bd_grow((void **)&ix->order, &ix->order_cap, ix->ngroups + 1,
				    sizeof(*ix->order)))
				goto err_free;
			ix->head[i] = row + 1;
			ix->order[ix->ngroups++] = row;
		}
		ix->tail[i] = row + 1;
	}
	ix->next = r->idx;
	r->idx = ix;
	return ix;

err_free:
	index_free(ix);
	return NULL;
}

/* Two rows' order on kept cells keys, as SQLite's sorter orders them. */
static int rows_cmp(const struct sql_run *r, const int *keys, int nkeys, long a, long b)
{
	return offs_cmp(r, keys, nkeys, r->row_off[a], r->row_off[b]);
}

static int group_cmp(const void *pa, const void *pb, void *ctx)
{
	const struct sql_run *r = ((void **)ctx)[0];
	const struct sql_index *ix = ((void **)ctx)[1];

	return rows_cmp(r, ix->keys, ix->nkeys, *(const __u32 *)pa, *(const __u32 *)pb);
}

/* The rows are in order on keys already (task_file's are by pid, then fd): a
 * GROUP BY on them then needs no index, only a scan. */
static bool rows_sorted(const struct sql_run *r, const int *keys, int nkeys)
{
	long row;

	for (row = 1; row < r->nrows; row++)
		if (rows_cmp(r, keys, nkeys, row - 1, row) > 0)
			return false;
	return true;
}

/* GROUP BY's groups in the order SQLite's sorter hands them on (ascending keys),
 * so the output does not change with the index. Iterators often give rows in
 * that order already (task_file: by pid, then fd): then the groups as first
 * seen are it, and one pass says so. */
static int index_order(struct sql_run *r, struct sql_index *ix)
{
	void *ctx[2] = { r, ix };
	long i;

	if (ix->ordered)
		return 0;
	for (i = 1; i < ix->ngroups; i++)
		if (group_cmp(&ix->order[i - 1], &ix->order[i], ctx) > 0)
			break;
	if (i < ix->ngroups)
		qsort_r(ix->order, ix->ngroups, sizeof(*ix->order), group_cmp, ctx);
	ix->ordered = true;
	return 0;
}

/* The first row whose single key cell is the encoded cell key, or -1. */
static long index_find(const struct sql_run *r, const struct sql_index *ix, const char *key)
{
	size_t n = cell_size(key);
	__u32 i = (__u32)hash_bytes(0xcbf29ce484222325ULL, key, n) & (ix->nslot - 1);

	for (; ix->head[i]; i = (i + 1) & (ix->nslot - 1)) {
		const char *c = row_cell(r, ix->head[i] - 1, ix->keys[0]);

		if (cell_size(c) == n && !memcmp(c, key, n))
			return ix->head[i] - 1;
	}
	return -1;
}

/* The query options of a run: its columns, predicate and parameters. */
static int run_opts(struct sql_vtab *v, struct sql_run *r, const char *where,
		    struct bpfdump_query_opts *o, struct bd_strbuf *cols)
{
	int i, err;

	for (i = 0; i < v->ncols; i++) {
		if (r->colmap[i] < 0)
			continue;
		sb_printf(cols, "%sc%d=%s", cols->len ? "," : "", i, v->cols[i].expr);
	}
	o->target = v->t->name;
	o->columns = cols->s;
	o->where = where && *where ? where : NULL;
	for (i = 0; i < r->nparams; i++) {
		const char *n = v->params[i], *val = r->param_val[i];

		if (!val)
			continue;
		if (!strcmp(n, "arg_pid") || !strcmp(n, "arg_tid")) {
			char *end;
			long pid = strtol(val, &end, 10);

			if (*end || pid <= 0 || pid > INT32_MAX)
				return bd_err(v->s->d, -EINVAL, "table %s: %s '%s' is not a "
					      "positive number", v->t->name, n, val);
			if (n[4] == 'p')
				o->pid = pid;
			else
				o->tid = pid;
		} else if (!strcmp(n, "arg_cgroup")) {
			o->cgroup = val;
		} else if (!strcmp(n, "arg_order")) {
			static const char *const orders[] = { "", "self", "descendants_pre",
				"descendants_post", "ancestors_up" };
			int k;

			for (k = 1; k < 5 && strcmp(orders[k], val); k++)
				;
			if (k == 5)
				return bd_err(v->s->d, -EINVAL, "table %s: arg_order '%s': one of "
					      "self, descendants_pre, descendants_post, ancestors_up",
					      v->t->name, val);
			o->order = k;
		} else if (!strcmp(n, "arg_map")) {
			o->map = val;
		} else if (!strcmp(n, "arg_netns")) {
			o->netns = val;
		} else if (!strcmp(n, "arg_pidns")) {
			o->pidns = val;
		} else if (!strcmp(n, "arg_mntns")) {
			o->mntns = val;
		}
	}
	if ((bpfdump__target_params(v->s->d, v->t->name) & BPFDUMP_PARAM_MAP) && !o->map) {
		err = bd_err(v->s->d, -EINVAL, "table %s: needs a map: SELECT ... FROM %s('NAME' "
			     "or ID) (see SELECT name, id FROM bpf_map)", v->t->name, v->t->name);
		return err;
	}
	return 0;
}

/* Read the table's iterator once for r: rows into r's arena. */
static int run_read(struct sql_vtab *v, struct sql_run *r, const char *where,
		    const char *sqlite_side)
{
	struct bpfdump *d = v->s->d;
	BPFDUMP_OPTS(bpfdump_query_opts, o);
	BPFDUMP_OPTS(bpfdump_rows_opts, ro);
	struct bpfdump_query *q;
	struct sql_prog *prog;
	struct bd_strbuf cols = {};
	long n;
	int err;

	err = run_opts(v, r, where, &o, &cols);
	if (err)
		goto out;
	if (!cols.s) {
		err = -ENOMEM;
		goto out;
	}
	for (prog = v->s->progs; prog; prog = prog->next)
		if (!strcmp(prog->key, r->key))
			break;
	if (prog) {
		q = prog->q;
	} else {
		q = bpfdump_query__new(d, &o);
		if (!q) {
			err = -errno;
			goto out;
		}
	}
	if (v->s->keep_progs && !prog) {	/* kept for the statement's later runs */
		prog = calloc(1, sizeof(*prog));
		if (prog)
			prog->key = strdup(r->key);
		if (!prog || !prog->key) {
			free(prog);
			bpfdump_query__free(q);
			err = -ENOMEM;
			goto out;
		}
		prog->q = q;
		prog->next = v->s->progs;
		v->s->progs = prog;
	}
	if (prog)
		prog->used = true;
	ro.kaddrs = v->s->print ? v->s->print->kaddrs : BPFDUMP_KADDR_AUTO;
	ro.no_number_text = true;	/* keep_row keeps integers as values */
	n = bpfdump_query__rows(q, keep_row, r, &ro);
	if (!prog)
		bpfdump_query__free(q);
	if (n < 0) {
		err = n;
		goto out;
	}
	err = rows_locate(r);
	if (err)
		goto out;
	v->s->runs_done++;
	bd_log(d, BPFDUMP_INFO, "sql: table %s: iterator run %d: %ld rows; pushed down: %s; "
	       "SQLite evaluates: %s", v->t->name, v->s->runs_done, n,
	       where && *where ? where : "nothing", sqlite_side && *sqlite_side ? sqlite_side
	       : "nothing");
out:
	sb_free(&cols);
	return err;
}

/* ---- cursors ---- */

enum cursor_mode {
	CUR_SCAN,	/* every row in order */
	CUR_LOOKUP,	/* the rows of one group of ix (a join's value) */
	CUR_GROUPS,	/* every row, group after group of ix (GROUP BY) */
};

struct sql_cursor {
	sqlite3_vtab_cursor base;
	struct sql_run *run;	/* NULL: no rows (a constraint no row meets) */
	enum cursor_mode mode;
	struct sql_index *ix;
	long row;		/* CUR_LOOKUP, CUR_GROUPS: -1 at the end */
	long group;		/* CUR_GROUPS: the current group, in ix->order */
	/* a join's inner table: the plan (SQLite's idxStr) whose next filters are
	 * lookups of another value in argv[lookup_arg - 1], in cell lookup_key */
	const char *lookup_plan;
	int lookup_arg, lookup_col, lookup_key;
};

static int vt_open(sqlite3_vtab *base, sqlite3_vtab_cursor **out)
{
	struct sql_cursor *c = calloc(1, sizeof(*c));

	if (!c)
		return SQLITE_NOMEM;
	*out = &c->base;
	return SQLITE_OK;
}

static int vt_close(sqlite3_vtab_cursor *cur)
{
	free(cur);
	return SQLITE_OK;
}

/*
 * The rows of r whose cell k equals val: looked up in r's index on k. An index is
 * used only where it returns every row SQLite's own compare could accept (it
 * compares again): an integer among cells that are all integers, a text among
 * texts; anything else scans.
 */
static int cursor_lookup(struct sql_cursor *c, struct sql_run *r, int k, sqlite3_value *val)
{
	struct sql_vtab *v = (struct sql_vtab *)c->base.pVtab;
	sqlite3_uint64 bit = 1ULL << (k < 63 ? k : 63);
	int type = sqlite3_value_type(val);
	char small[64], *key = small;
	__u32 n;

	c->mode = CUR_SCAN;
	c->row = 0;
	if (type == SQLITE_INTEGER && !(r->has_text & bit)) {
		cell_put_int((unsigned char *)small, sqlite3_value_int64(val));
	} else if (type == SQLITE_TEXT && !(r->has_int & bit)) {
		n = sqlite3_value_bytes(val);
		if (n > sizeof(small) - 5) {
			key = malloc(5 + (size_t)n);
			if (!key)
				return -ENOMEM;
		}
		key[0] = CELL_TEXT;
		memcpy(key + 1, &n, 4);
		memcpy(key + 5, sqlite3_value_text(val), n);
	} else {
		return 0;
	}
	if (!c->ix) {
		c->ix = run_index(r, &k, 1);
		if (!c->ix) {
			if (key != small)
				free(key);
			return -ENOMEM;
		}
	}
	c->mode = CUR_LOOKUP;
	c->row = index_find(r, c->ix, key);
	if (key != small)
		free(key);
	if (!c->ix->logged)
		bd_log(v->s->d, BPFDUMP_INFO, "sql: table %s: %ld rows indexed on %s for a join: "
		       "%ld values", v->t->name, r->nrows, v->cols[c->lookup_col].name,
		       c->ix->ngroups);
	c->ix->logged = true;
	return 0;
}

/* Where a scan of r starts: a join's value looked up, GROUP BY's rows grouped, or
 * all rows. */
static int cursor_start(struct sql_cursor *c, struct sql_run *r, const struct sql_filter *f,
			struct sql_vtab *v, const char *idx_str)
{
	int keys[SQL_MAX_KEYS], i, k;

	c->mode = CUR_SCAN;
	c->row = 0;
	c->ix = NULL;
	if (f->join_col >= 0 && f->join_val && (k = r->colmap[f->join_col]) >= 0) {
		c->lookup_col = f->join_col;
		c->lookup_key = k;
		/* the next filter with this plan differs only in the value looked up */
		if (!f->varies) {
			c->lookup_plan = idx_str;
			c->lookup_arg = f->join_arg;
		}
		return cursor_lookup(c, r, k, f->join_val);
	}
	if (f->group_cnt) {
		for (i = 0; i < f->group_cnt; i++) {
			keys[i] = r->colmap[f->group_cols[i]];
			if (keys[i] < 0)
				return 0;
		}
		if (r->norder == f->group_cnt &&
		    !memcmp(r->order_keys, keys, sizeof(*keys) * f->group_cnt) ?
		    r->in_order : rows_sorted(r, keys, f->group_cnt)) {
			if (!r->sorted_logged)
				bd_log(v->s->d, BPFDUMP_INFO, "sql: table %s: %ld rows already in "
				       "GROUP BY order: scanned, no index", v->t->name, r->nrows);
			r->sorted_logged = true;
			return 0;	/* CUR_SCAN from the first row */
		}
		c->ix = run_index(r, keys, f->group_cnt);
		if (!c->ix || index_order(r, c->ix))
			return -ENOMEM;
		c->mode = CUR_GROUPS;
		c->group = 0;
		c->row = c->ix->ngroups ? (long)c->ix->order[0] : -1;
		if (!c->ix->logged)
			bd_log(v->s->d, BPFDUMP_INFO, "sql: table %s: %ld rows in %ld groups for "
			       "GROUP BY", v->t->name, r->nrows, c->ix->ngroups);
		c->ix->logged = true;
	}
	return 0;
}

static int vt_filter(sqlite3_vtab_cursor *cur, int idx_num, const char *idx_str, int argc,
		     sqlite3_value **argv)
{
	struct sql_cursor *c = (struct sql_cursor *)cur;
	struct sql_vtab *v = (struct sql_vtab *)cur->pVtab;
	struct bd_sql *s = v->s;
	struct sql_filter f;
	struct sql_run *r = NULL;
	struct bd_strbuf key = {};
	int i, err;

	if (c->run && idx_str && idx_str == c->lookup_plan && c->lookup_arg <= argc)
		return cursor_lookup(c, c->run, c->lookup_key, argv[c->lookup_arg - 1]) ?
		       SQLITE_NOMEM : SQLITE_OK;
	c->run = NULL;
	c->row = 0;
	c->mode = CUR_SCAN;
	c->lookup_plan = NULL;
	err = sql_filter_decode(v, idx_str, argc, argv, &f);
	if (err)
		goto err_out;
	if (f.never)
		goto done;	/* e.g. IS NULL: no cell of a target is NULL */
	sb_printf(&key, "%s\n%s\n", v->t->name, f.where.s ?: "");
	for (i = 0; i < v->nparams; i++)
		sb_printf(&key, "%s\n", f.param_val[i] ?: "\x01");
	for (i = 0; i < v->ncols; i++)
		sb_putc(&key, (v->used >> (i < 63 ? i : 63)) & 1 ? '1' : '0');
	if (!key.s) {
		err = -ENOMEM;
		goto err_out;
	}
	for (r = s->runs; r; r = r->next)
		if (!strcmp(r->key, key.s))
			break;
	if (!r) {
		int ncol = 0;

		r = calloc(1, sizeof(*r));
		if (!r) {
			err = -ENOMEM;
			goto err_out;
		}
		r->key = key.s;
		key.s = NULL;
		r->nparams = v->nparams;
		for (i = 0; i < v->nparams; i++) {
			r->param_val[i] = f.param_val[i];
			f.param_val[i] = NULL;
		}
		for (i = 0; i < v->ncols; i++)
			r->colmap[i] = (v->used >> (i < 63 ? i : 63)) & 1 ? ncol++ : -1;
		if (!ncol)
			r->colmap[0] = 0;	/* count(*): one column, the cheapest to read */
		for (i = 0; i < f.group_cnt && r->colmap[f.group_cols[i]] >= 0; i++)
			r->order_keys[i] = r->colmap[f.group_cols[i]];
		if (f.group_cnt && i == f.group_cnt) {
			r->norder = f.group_cnt;
			r->in_order = true;
		}
		err = run_read(v, r, f.where.s, f.sqlite_side.s);
		if (err) {
			run_free(r);
			goto err_out;
		}
		r->next = s->runs;
		s->runs = r;
	}
	c->run = r;
	err = cursor_start(c, r, &f, v, idx_str);
	if (err)
		goto err_out;
done:
	sql_filter_free(&f);
	sb_free(&key);
	return SQLITE_OK;

err_out:
	c->run = NULL;
	sql_filter_free(&f);
	sb_free(&key);
	sqlite3_free(v->base.zErrMsg);
	v->base.zErrMsg = sqlite3_mprintf("%s", bd_errmsg()[0] ? bd_errmsg() : strerror(-err));
	s->failed = true;
	return err == -ENOMEM ? SQLITE_NOMEM : SQLITE_ERROR;
}

static int vt_next(sqlite3_vtab_cursor *cur)
{
	struct sql_cursor *c = (struct sql_cursor *)cur;

	switch (c->mode) {
	case CUR_SCAN:
		c->row++;
		break;
	case CUR_LOOKUP:
		c->row = (long)c->ix->link[c->row] - 1;
		break;
	case CUR_GROUPS:
		c->row = (long)c->ix->link[c->row] - 1;
		if (c->row < 0 && ++c->group < c->ix->ngroups)
			c->row = c->ix->order[c->group];
		break;
	}
	return SQLITE_OK;
}

static int vt_eof(sqlite3_vtab_cursor *cur)
{
	struct sql_cursor *c = (struct sql_cursor *)cur;

	return !c->run || c->row < 0 || c->row >= c->run->nrows;
}

static int vt_column(sqlite3_vtab_cursor *cur, sqlite3_context *ctx, int i)
{
	struct sql_cursor *c = (struct sql_cursor *)cur;
	struct sql_vtab *v = (struct sql_vtab *)cur->pVtab;
	const char *t;
	long long iv;
	__u32 len;

	i = sql_col_at(v, i);
	if (i < 0) {	/* a parameter: what this run was given */
		const char *p = c->run ? c->run->param_val[-1 - i] : NULL;

		if (p)
			sqlite3_result_text(ctx, p, -1, SQLITE_TRANSIENT);
		return SQLITE_OK;
	}
	if (c->run->colmap[i] < 0)
		return SQLITE_OK;	/* not used by the statement: NULL */
	t = cell_value(row_cell(c->run, c->row, c->run->colmap[i]), &iv, &len);
	if (t)	/* the run outlives the statement's step: no copy */
		sqlite3_result_text(ctx, t, len, SQLITE_STATIC);
	else
		sqlite3_result_int64(ctx, iv);
	return SQLITE_OK;
}

static int vt_rowid(sqlite3_vtab_cursor *cur, sqlite3_int64 *rowid)
{
	*rowid = ((struct sql_cursor *)cur)->row;
	return SQLITE_OK;
}

static int vt_best_index(sqlite3_vtab *base, sqlite3_index_info *info)
{
	struct sql_vtab *v = (struct sql_vtab *)base;

	int i;

	/* colUsed: a bit per SQLite column, the last for all from 63 on */
	for (i = 0; i < v->ncols; i++) {
		int at = i < v->nvis ? i : i + v->nparams;

		if ((info->colUsed >> (at < 63 ? at : 63)) & 1)
			v->used |= 1ULL << (i < 63 ? i : 63);
	}
	return sql_best_index(v, info);
}

static const sqlite3_module module = {
	.iVersion = 0,
	.xCreate = NULL,	/* eponymous only: the table is the target's name */
	.xConnect = vt_connect,
	.xBestIndex = vt_best_index,
	.xDisconnect = vt_disconnect,
	.xDestroy = vt_disconnect,
	.xOpen = vt_open,
	.xClose = vt_close,
	.xFilter = vt_filter,
	.xNext = vt_next,
	.xEof = vt_eof,
	.xColumn = vt_column,
	.xRowid = vt_rowid,
};

/* ---- statements and their output ---- */

static void nearest_columns(struct bd_sql *s, const char *name, struct bd_strbuf *b)
{
	const struct sql_vtab *v;
	int i, best = 4, found = 0;

	for (v = s->vtabs; v; v = v->next)
		for (i = 0; i < v->ncols; i++) {
			int dist = bd_edit_distance(name, v->cols[i].name);

			if (dist < best)
				best = dist;
		}
	for (v = s->vtabs; v; v = v->next)
		for (i = 0; i < v->ncols; i++)
			if (bd_edit_distance(name, v->cols[i].name) == best && found++ < 6)
				sb_printf(b, "%s%s.%s", found > 1 ? ", " : "", v->t->name,
					  v->cols[i].name);
	if (!found) {
		for (v = s->vtabs; v; v = v->next)
			for (i = 0; i < v->ncols; i++)
				sb_printf(b, "%s%s.%s", b->len ? ", " : "", v->t->name,
					  v->cols[i].name);
	}
}

/* SQLite's message, with what it needs to be acted on. */
static int sql_error(struct bd_sql *s, const char *text, const char *start, int rc)
{
	const char *msg = sqlite3_errmsg(s->db);
	int off = sqlite3_error_offset(s->db), i;
	struct bd_strbuf b = {};
	int err;

	if (s->failed && bd_errmsg()[0]) {	/* the library's own, from a table */
		char why[BD_ERRMSG_MAX];

		snprintf(why, sizeof(why), "%s", bd_errmsg());
		return bd_err(s->d, -EINVAL, "sql: %s", why);
	}
	if (!strncmp(msg, "no such column: ", 16)) {
		const char *name = msg + 16;

		for (i = 0; i < s->ident_cnt; i++)
			if (s->ident_err[i] && !strcmp(s->idents[i], name))
				return bd_err(s->d, -EINVAL, "sql: column \"%s\": %s", name,
					      s->ident_err[i]);
		nearest_columns(s, name, &b);
		err = bd_err(s->d, -EINVAL, "sql: no such column: %s%s%s", name,
			     b.s ? "; nearest: " : "", b.s ?: "");
		sb_free(&b);
		return err;
	}
	if (!strncmp(msg, "no such table: ", 15)) {
		for (i = 0; i < s->d->target_cnt; i++)
			sb_printf(&b, "%s%s", i ? ", " : "", s->d->targets[i].name);
		for (i = 0; bpfdump_sql_view(i, NULL); i++)
			sb_printf(&b, "%s%s", i ? ", " : "; views: ", bpfdump_sql_view(i, NULL));
		err = bd_err(s->d, -ENOENT, "sql: %s; tables: %s", msg, b.s ?: "");
		sb_free(&b);
		return err;
	}
	if (off >= 0 && text && start)
		return bd_err(s->d, -EINVAL, "sql: %s (at byte %d: '%.20s')", msg,
			      (int)(start - text) + off, start + off);
	if (text && start && !strcmp(msg, "incomplete input"))
		return bd_err(s->d, -EINVAL, "sql: incomplete input (at byte %d: the end)",
			      (int)strlen(text));
	return bd_err(s->d, rc == SQLITE_NOMEM ? -ENOMEM : -EINVAL, "sql: %s", msg);
}

/* Print one statement's rows through dump's printers. */
static long print_stmt(struct bd_sql *s, sqlite3_stmt *st, FILE *out)
{
	int n = sqlite3_column_count(st), i, rc;
	const char **names = calloc(n ?: 1, sizeof(*names));
	char **headers = calloc(n ?: 1, sizeof(*headers));
	bool *right = calloc(n ?: 1, sizeof(*right)), *numeric = calloc(n ?: 1, sizeof(bool));
	char **cells = calloc(n ?: 1, sizeof(*cells));
	size_t *lens = calloc(n ?: 1, sizeof(*lens));
	struct bd_printer *pr = NULL;
	long rows = 0, err = 0;

	if (!names || !headers || !right || !numeric || !cells || !lens) {
		err = -ENOMEM;
		goto out;
	}
	for (i = 0; i < n; i++) {
		const char *nm = sqlite3_column_name(st, i);
		int k;

		names[i] = nm;
		headers[i] = strdup(nm ?: "");
		if (!headers[i]) {
			err = -ENOMEM;
			goto out;
		}
		for (k = 0; headers[i][k]; k++)
			headers[i][k] = (char)toupper((unsigned char)headers[i][k]);
	}
	while ((rc = sqlite3_step(st)) == SQLITE_ROW) {
		if (!n)
			continue;
		for (i = 0; i < n; i++) {
			int type = sqlite3_column_type(st, i);

			numeric[i] = type == SQLITE_INTEGER || type == SQLITE_FLOAT;
			cells[i] = (char *)(sqlite3_column_text(st, i) ?: (const unsigned char *)"");
			lens[i] = sqlite3_column_bytes(st, i);
			if (!rows)	/* numbers right-aligned, as the first row has them */
				right[i] = numeric[i];
		}
		if (!pr) {
			pr = bd_printer__new(out, n, names, (const char **)headers, right, s->print);
			if (!pr) {
				err = -ENOMEM;
				goto out;
			}
		}
		err = bd_printer__row(pr, cells, lens, numeric);
		if (err)
			goto out;
		rows++;
	}
	if (rc != SQLITE_DONE) {
		err = sql_error(s, NULL, NULL, rc);
		goto out;
	}
	if (!pr && n) {	/* no rows: the header alone, as dump prints it */
		pr = bd_printer__new(out, n, names, (const char **)headers, right, s->print);
		if (!pr) {
			err = -ENOMEM;
			goto out;
		}
	}
	if (pr)
		err = bd_printer__finish(pr);
out:
	bd_printer__free(pr);
	for (i = 0; headers && i < n; i++)
		free(headers[i]);
	free(names);
	free(headers);
	free(right);
	free(numeric);
	free(cells);
	free(lens);
	return err ?: rows;
}

static void runs_free(struct bd_sql *s)
{
	struct sql_run *r;

	while ((r = s->runs)) {
		s->runs = r->next;
		run_free(r);
	}
}

/* Programs the last run did not read (keys that change from run to run) go. */
static void progs_trim(struct bd_sql *s, bool all)
{
	struct sql_prog **pp = &s->progs, *p;

	while ((p = *pp)) {
		if (!all && p->used) {
			p->used = false;
			pp = &p->next;
			continue;
		}
		*pp = p->next;
		bpfdump_query__free(p->q);
		free(p->key);
		free(p);
	}
}

static void sql_free(struct bd_sql *s)
{
	int i;

	if (s->db)
		sqlite3_close(s->db);	/* disconnects the tables */
	runs_free(s);
	progs_trim(s, true);
	for (i = 0; i < s->ident_cnt; i++) {
		free(s->idents[i]);
		if (s->ident_err)	/* NULL when its allocation failed */
			free(s->ident_err[i]);
	}
	free(s->idents);
	free(s->ident_err);
	free(s->targets);
}

/* Whether text names the view (a word of it, in any case): only those are made,
 * so a statement without views neither parses nor connects their tables. */
static bool names_view(const char *text, const char *name)
{
	size_t n = strlen(name);
	const char *p;

	for (p = text; *p; p++)
		if (!strncasecmp(p, name, n) && (p == text || !(isalnum((unsigned char)p[-1]) ||
							      p[-1] == '_')) &&
		    !(isalnum((unsigned char)p[n]) || p[n] == '_'))
			return true;
	return false;
}

static int sql_open(struct bd_sql *s, const char *text)
{
	int i, err;

	for (i = 0; bpfdump_sql_view(i, NULL); i++) {
		if (!names_view(text, views[i].name))
			continue;
		err = scan_idents(s, views[i].sql);
		if (err)
			return err;
	}
	s->ident_views = s->ident_cnt;
	err = scan_idents(s, text);
	if (err)
		return err;
	s->ident_err = calloc(s->ident_cnt ?: 1, sizeof(*s->ident_err));
	s->targets = calloc(s->d->target_cnt ?: 1, sizeof(*s->targets));
	if (!s->ident_err || !s->targets)
		return -ENOMEM;
	/* one thread at a time uses a session (serve's pool runs queries under its
	 * run lock): no mutex around every call SQLite makes into the tables, two
	 * per column value (a fifth of a million-row GROUP BY's time) */
	if (sqlite3_open_v2(":memory:", &s->db, SQLITE_OPEN_READWRITE | SQLITE_OPEN_CREATE |
			    SQLITE_OPEN_NOMUTEX, NULL) != SQLITE_OK)
		return bd_err(s->d, -ENOMEM, "sql: cannot open SQLite: %s",
			      s->db ? sqlite3_errmsg(s->db) : "out of memory");
	/* "x" is a name, never a string: an unknown field path is an error, not text */
	sqlite3_db_config(s->db, SQLITE_DBCONFIG_DQS_DML, 0, NULL);
	sqlite3_db_config(s->db, SQLITE_DBCONFIG_DQS_DDL, 0, NULL);
	for (i = 0; i < s->d->target_cnt; i++) {
		s->targets[i].s = s;
		s->targets[i].t = &s->d->targets[i];
		if (sqlite3_create_module_v2(s->db, s->d->targets[i].name, &module,
					     &s->targets[i], NULL) != SQLITE_OK)
			return bd_err(s->d, -EINVAL, "sql: table %s: %s", s->d->targets[i].name,
				      sqlite3_errmsg(s->db));
	}
	for (i = 0; bpfdump_sql_view(i, NULL); i++) {
		char *q;

		if (!names_view(text, views[i].name))
			continue;
		q = sqlite3_mprintf("CREATE TEMP VIEW \"%w\" AS %s", views[i].name, views[i].sql);
		if (!q)
			return -ENOMEM;
		if (sqlite3_exec(s->db, q, NULL, NULL, NULL) != SQLITE_OK) {
			err = bd_err(s->d, -EINVAL, "sql: view %s: %s", views[i].name,
				     sqlite3_errmsg(s->db));
			sqlite3_free(q);
			return err;
		}
		sqlite3_free(q);
	}
	return 0;
}

long bpfdump__sql(struct bpfdump *d, const char *text, FILE *out,
		  const struct bpfdump_sql_opts *opts)
{
	struct bd_sql s = { .d = d };
	const char *tail, *env = getenv("BPFDUMP_SQL_PUSHDOWN");
	long rows = 0, n;
	int err;

	if (!d || !text || !out || !OPTS_OK(opts, bpfdump_sql_opts))
		return -EINVAL;
	err = bd_btf_ready(d);
	if (err)
		return err;
	s.print = OPTS_GET(opts, print, NULL);
	s.pushdown = !OPTS_GET(opts, no_pushdown, false) && !(env && !strcmp(env, "0"));
	bd_errmsg()[0] = '\0';
	err = sql_open(&s, text);
	if (err)
		goto out;
	for (tail = text; tail && *tail;) {
		sqlite3_stmt *st = NULL;
		const char *start = tail;
		int rc;

		s.failed = false;
		rc = sqlite3_prepare_v2(s.db, tail, -1, &st, &tail);
		if (rc != SQLITE_OK) {
			err = sql_error(&s, text, start, rc);
			goto out;
		}
		if (!st)
			break;	/* only blanks or comments left */
		n = print_stmt(&s, st, out);
		sqlite3_finalize(st);
		if (n < 0) {
			err = n;
			goto out;
		}
		rows += n;
	}
out:
	sql_free(&s);
	return err ?: rows;
}

/* ---- prepared statements (serve, metrics, --interval) ---- */

struct bd_sql_prep {
	struct bd_sql s;
	sqlite3_stmt *st;
	int ncols;
	const char **names;
	const char **texts;
	double *nums;
	bool *numeric;
	long long deadline_ns;
};

static long long mono_ns(void)
{
	struct timespec ts;

	clock_gettime(CLOCK_MONOTONIC, &ts);
	return ts.tv_sec * 1000000000LL + ts.tv_nsec;
}

static int prep_progress(void *ctx)
{
	struct bd_sql_prep *p = ctx;

	return p->deadline_ns && mono_ns() > p->deadline_ns;
}

void bd_sql_prep_free(struct bd_sql_prep *p)
{
	if (!p)
		return;
	sqlite3_finalize(p->st);
	sql_free(&p->s);
	free(p->names);
	free(p->texts);
	free(p->nums);
	free(p->numeric);
	free(p);
}

struct bd_sql_prep *bd_sql_prep_new(struct bpfdump *d, const char *text, bool pushdown)
{
	const char *env = getenv("BPFDUMP_SQL_PUSHDOWN");
	struct bd_sql_prep *p;
	const char *tail = NULL;
	int rc, err, i;

	if (!d || !text) {
		errno = EINVAL;
		return NULL;
	}
	err = bd_btf_ready(d);
	if (err) {
		errno = -err;
		return NULL;
	}
	p = calloc(1, sizeof(*p));
	if (!p) {
		errno = ENOMEM;
		return NULL;
	}
	p->s.d = d;
	p->s.pushdown = pushdown && !(env && !strcmp(env, "0"));
	p->s.keep_progs = true;
	bd_errmsg()[0] = '\0';
	err = sql_open(&p->s, text);
	if (err)
		goto err_free;
	rc = sqlite3_prepare_v2(p->s.db, text, -1, &p->st, &tail);
	if (rc != SQLITE_OK) {
		err = sql_error(&p->s, text, text, rc);
		goto err_free;
	}
	if (!p->st) {
		err = bd_err(d, -EINVAL, "sql: no statement");
		goto err_free;
	}
	while (tail && isspace((unsigned char)*tail))
		tail++;
	if (tail && *tail && strcmp(tail, ";")) {
		err = bd_err(d, -EINVAL, "sql: one statement only (more at byte %d)",
			     (int)(tail - text));
		goto err_free;
	}
	if (!sqlite3_stmt_readonly(p->st)) {
		err = bd_err(d, -EPERM, "sql: not a read-only statement");
		goto err_free;
	}
	p->ncols = sqlite3_column_count(p->st);
	p->names = calloc(p->ncols ?: 1, sizeof(*p->names));
	p->texts = calloc(p->ncols ?: 1, sizeof(*p->texts));
	p->nums = calloc(p->ncols ?: 1, sizeof(*p->nums));
	p->numeric = calloc(p->ncols ?: 1, sizeof(*p->numeric));
	if (!p->names || !p->texts || !p->nums || !p->numeric) {
		err = -ENOMEM;
		goto err_free;
	}
	for (i = 0; i < p->ncols; i++)
		p->names[i] = sqlite3_column_name(p->st, i) ?: "";
	sqlite3_progress_handler(p->s.db, 1000, prep_progress, p);
	return p;

err_free:
	bd_sql_prep_free(p);
	errno = -err;
	return NULL;
}

int bd_sql_prep_column_cnt(const struct bd_sql_prep *p)
{
	return p->ncols;
}

const char *bd_sql_prep_column_name(const struct bd_sql_prep *p, int idx)
{
	return idx >= 0 && idx < p->ncols ? p->names[idx] : NULL;
}

/* The end of a run: the next one reads the kernel again, with the same programs. */
static void prep_done(struct bd_sql_prep *p)
{
	sqlite3_reset(p->st);
	p->deadline_ns = 0;
	runs_free(&p->s);
	progs_trim(&p->s, false);
}

long bd_sql_prep_print(struct bd_sql_prep *p, FILE *out, const struct bpfdump_print_opts *po)
{
	long n;

	bd_errmsg()[0] = '\0';
	p->s.failed = false;
	p->s.print = po;
	n = print_stmt(&p->s, p->st, out);
	prep_done(p);
	return n;
}

long bd_sql_prep_run(struct bd_sql_prep *p, long timeout_ms, bd_sql_row_fn fn, void *ctx)
{
	long rows = 0;
	int rc, i, ret;
	long err = 0;

	bd_errmsg()[0] = '\0';
	p->s.failed = false;
	p->deadline_ns = timeout_ms > 0 ? mono_ns() + timeout_ms * 1000000LL : 0;
	while ((rc = sqlite3_step(p->st)) == SQLITE_ROW) {
		for (i = 0; i < p->ncols; i++) {
			int type = sqlite3_column_type(p->st, i);

			p->numeric[i] = type == SQLITE_INTEGER || type == SQLITE_FLOAT;
			p->nums[i] = p->numeric[i] ? sqlite3_column_double(p->st, i) : 0;
			p->texts[i] = type == SQLITE_NULL ? NULL
				      : (const char *)sqlite3_column_text(p->st, i);
		}
		ret = fn ? fn(ctx, p->ncols, p->names, p->texts, p->nums, p->numeric) : 0;
		rows++;
		if (ret) {
			err = ret;
			break;
		}
	}
	if (!err && rc == SQLITE_INTERRUPT)
		err = bd_err(p->s.d, -ETIME, "sql: interrupted after its timeout of %ld ms",
			     timeout_ms);
	else if (!err && rc != SQLITE_DONE)
		err = sql_error(&p->s, NULL, NULL, rc);
	prep_done(p);
	return err ?: rows;
}
