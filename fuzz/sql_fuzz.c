// SPDX-License-Identifier: (LGPL-2.1 OR BSD-2-Clause)
// FUZZ_SRCS: src/lib/sql_pushdown.c src/lib/query.c src/lib/strbuf.c src/lib/util.c
// FUZZ_LIBS: -lsqlite3
/*
 * libFuzzer harness for the SQL front end's push-down (src/lib/sql_pushdown.c):
 * each input is the tail of a statement over a virtual table whose xBestIndex and
 * xFilter are the SQL layer's own (sql_best_index, sql_filter_decode), on a real
 * SQLite that parses, plans and runs it. The table's columns have every kind
 * push-down knows (a signed and an unsigned integer, a char array, a column that
 * is no plain path) and a table argument. Checks: what xBestIndex writes is one
 * decision per line of the documented kinds; what xFilter decodes as the target's
 * predicate parses as a --where of the field language; nothing leaks (ASan).
 * The kernel is never asked: the table's rows are fixed.
 */
#include <errno.h>
#include <stdarg.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "query.h"
#include "sql.h"

#define check(cond)                  \
	do {                         \
		if (!(cond))         \
			abort();     \
	} while (0)

#define ROWS 4

/* ---- what sql_pushdown.c needs from the rest of the library ---- */

int bpfdump__target_params(const struct bpfdump *d, const char *target)
{
	return BPFDUMP_PARAM_TASK;
}

/* ---- the table ---- */

static struct sql_col cols[] = {
	{ .name = "pid", .expr = "task->tgid", .push_int = true, .is_signed = true, .size = 4 },
	{ .name = "uid", .expr = "task->cred->uid.val", .push_int = true, .size = 4 },
	{ .name = "big", .expr = "task->start_time", .push_int = true, .size = 8 },
	{ .name = "comm", .expr = "task->comm", .push_str = true, .size = 16 },
	{ .name = "path", .expr = "path(file)" },
};
#define NCOLS (int)(sizeof(cols) / sizeof(cols[0]))

static struct bd_target target = { .name = "task" };
static struct bd_sql sql = { .pushdown = true };

struct cursor {
	sqlite3_vtab_cursor base;
	int row;
};

static int t_connect(sqlite3 *db, void *aux, int argc, const char *const *argv,
		     sqlite3_vtab **out, char **err)
{
	struct sql_vtab *v;
	int rc;

	rc = sqlite3_declare_vtab(db, "CREATE TABLE x(pid INTEGER, uid INTEGER, big INTEGER, "
				  "comm TEXT, path TEXT, arg_pid HIDDEN)");
	if (rc != SQLITE_OK)
		return rc;
	v = sqlite3_malloc(sizeof(*v));
	if (!v)
		return SQLITE_NOMEM;
	memset(v, 0, sizeof(*v));
	v->s = &sql;
	v->t = &target;
	v->cols = cols;
	v->ncols = NCOLS;
	v->params[0] = "arg_pid";
	v->nparams = 1;
	*out = &v->base;
	return SQLITE_OK;
}

static int t_disconnect(sqlite3_vtab *vt)
{
	sqlite3_free(vt);
	return SQLITE_OK;
}

/* idxStr: lines of "w PRED", "i COL ARGV", "p PARAM ARGV", "j COL ARGV", "g COL...",
 * "n", "s TEXT" or "-" */
static int t_best_index(sqlite3_vtab *vt, sqlite3_index_info *info)
{
	int rc = sql_best_index((struct sql_vtab *)vt, info);
	const char *p;

	if (rc != SQLITE_OK)
		return rc;
	check(info->idxStr && info->needToFreeIdxStr);
	for (p = info->idxStr; *p; ) {
		const char *e = strchr(p, '\n');

		check(e && strchr("wipnsjg-", *p));
		check(*p == 'n' || *p == '-' || p[1] == ' ');
		p = e + 1;
	}
	return SQLITE_OK;
}

static int t_open(sqlite3_vtab *vt, sqlite3_vtab_cursor **out)
{
	struct cursor *c = sqlite3_malloc(sizeof(*c));

	if (!c)
		return SQLITE_NOMEM;
	memset(c, 0, sizeof(*c));
	*out = &c->base;
	return SQLITE_OK;
}

static int t_close(sqlite3_vtab_cursor *cur)
{
	sqlite3_free(cur);
	return SQLITE_OK;
}

static int t_filter(sqlite3_vtab_cursor *cur, int idx_num, const char *idx_str, int argc,
		    sqlite3_value **argv)
{
	struct cursor *c = (struct cursor *)cur;
	struct sql_filter f;
	struct q_error err;
	struct q_expr *e = NULL;
	int ret;

	ret = sql_filter_decode((struct sql_vtab *)cur->pVtab, idx_str, argc, argv, &f);
	if (ret == -ENOMEM) {
		sql_filter_free(&f);
		return SQLITE_NOMEM;
	}
	check(ret == 0);
	/* what would become the target's predicate is the field language's */
	if (f.where.len) {
		ret = q_parse_where(f.where.s, &e, &err);
		check(ret == 0 || ret == -ENOMEM || ret == -E2BIG);
		q_expr_free(e);
	}
	c->row = f.never ? ROWS : 0;
	sql_filter_free(&f);
	return SQLITE_OK;
}

static int t_next(sqlite3_vtab_cursor *cur)
{
	((struct cursor *)cur)->row++;
	return SQLITE_OK;
}

static int t_eof(sqlite3_vtab_cursor *cur)
{
	return ((struct cursor *)cur)->row >= ROWS;
}

static int t_column(sqlite3_vtab_cursor *cur, sqlite3_context *ctx, int i)
{
	static const char *const comms[ROWS] = { "init", "sh", "", "a-fifteen-chars" };
	int row = ((struct cursor *)cur)->row;

	switch (i) {
	case 0:
		sqlite3_result_int(ctx, row * 1000 - 1);
		break;
	case 1:
		sqlite3_result_int64(ctx, row ? 4294967295LL : 0);
		break;
	case 2:
		sqlite3_result_int64(ctx, row == 3 ? INT64_MAX : -row);
		break;
	case 3:
		sqlite3_result_text(ctx, comms[row], -1, SQLITE_STATIC);
		break;
	case 4:
		sqlite3_result_text(ctx, "/dev/null", -1, SQLITE_STATIC);
		break;
	default:
		sqlite3_result_null(ctx);
	}
	return SQLITE_OK;
}

static int t_rowid(sqlite3_vtab_cursor *cur, sqlite3_int64 *rowid)
{
	*rowid = ((struct cursor *)cur)->row;
	return SQLITE_OK;
}

static sqlite3_module module = {
	.iVersion = 2,
	.xConnect = t_connect,
	.xBestIndex = t_best_index,
	.xDisconnect = t_disconnect,
	.xOpen = t_open,
	.xClose = t_close,
	.xFilter = t_filter,
	.xNext = t_next,
	.xEof = t_eof,
	.xColumn = t_column,
	.xRowid = t_rowid,
};

/* reads only: no ATTACH (a file), no schema or data written across inputs */
static int authorize(void *arg, int action, const char *a, const char *b, const char *c,
		     const char *d)
{
	switch (action) {
	case SQLITE_SELECT:
	case SQLITE_READ:
	case SQLITE_FUNCTION:
	case SQLITE_RECURSIVE:
		return SQLITE_OK;
	default:
		return SQLITE_DENY;
	}
}

/* a runaway statement (a recursive CTE) stops here */
static int progress(void *arg)
{
	return ++*(int *)arg > 2000;
}

static const char *const templates[] = {
	"SELECT pid, uid, big, comm, path FROM t WHERE %.*s",
	"SELECT count(*) FROM t a JOIN t b ON a.pid = b.pid WHERE %.*s",
	"SELECT * FROM t(%.*s)",
	"%.*s",
};

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	static sqlite3 *db;
	sqlite3_stmt *st = NULL;
	char *text;
	int steps = 0, rows = 0;

	if (!db) {
		check(sqlite3_open(":memory:", &db) == SQLITE_OK);
		check(sqlite3_create_module(db, "t", &module, NULL) == SQLITE_OK);
		sqlite3_limit(db, SQLITE_LIMIT_LENGTH, 1 << 20);
		sqlite3_limit(db, SQLITE_LIMIT_SQL_LENGTH, 1 << 16);
		/* the table connected before the authorizer: its declaration is a CREATE */
		check(sqlite3_exec(db, "SELECT count(*) FROM t", NULL, NULL, NULL) == SQLITE_OK);
		check(sqlite3_set_authorizer(db, authorize, NULL) == SQLITE_OK);
	}
	if (size < 1 || size > 4096)
		return 0;
	sql.pushdown = !(data[0] & 4);
	text = sqlite3_mprintf(templates[data[0] & 3], (int)size - 1, (const char *)data + 1);
	if (!text)
		return 0;
	sqlite3_progress_handler(db, 100, progress, &steps);
	if (sqlite3_prepare_v2(db, text, -1, &st, NULL) == SQLITE_OK && st) {
		while (sqlite3_step(st) == SQLITE_ROW && rows++ < 10000)
			;
	}
	sqlite3_finalize(st);
	sqlite3_progress_handler(db, 0, NULL, NULL);
	sqlite3_free(text);
	return 0;
}
