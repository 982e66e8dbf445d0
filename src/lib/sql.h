/* SPDX-License-Identifier: (LGPL-2.1 OR BSD-2-Clause) */
/* The SQL layer's tables (sql.c) and push-down decisions (sql_pushdown.c). */
#ifndef BPFDUMP_SQL_H
#define BPFDUMP_SQL_H

#include <sqlite3.h>

#include "internal.h"

#define SQL_MAX_COLS 63		/* a statement's colUsed has one bit per column */
#define SQL_MAX_PARAMS 8
#define SQL_MAX_KEYS 8		/* columns of a kept run's index (GROUP BY, join) */
/* Constraints pushed into one table's predicate, and values of a pushed IN list: the
 * predicate stays an expression tree the field language takes (Q_MAX_HEIGHT 256) */
#define SQL_MAX_PUSHED 64
#define SQL_MAX_IN 128

struct bd_sql;
struct sql_prog;

/* A declared column: its SQL name, its field-language expression, and whether
 * constraints on it can become the target's predicate. */
struct sql_col {
	char *name;
	char *expr;
	bool push_int;		/* a plain path to an integer printed as such */
	bool push_str;		/* a plain path to a char array */
	bool is_signed;
	unsigned int size;	/* integer bytes, or the array's length */
};

struct sql_vtab {
	sqlite3_vtab base;
	struct bd_sql *s;
	const struct bd_target *t;
	struct sql_col *cols;
	int ncols;
	size_t cols_cap;
	const char *params[SQL_MAX_PARAMS];	/* hidden columns, after cols */
	int nparams;
	int nvis;		/* cols before the parameters; the hidden ones after */
	sqlite3_uint64 used;	/* cols any plan of the statement reads */
	struct sql_vtab *next;
};

/* SQLite's column idx (cols[0, nvis), the parameters, cols[nvis, ncols)): a cols
 * index, or -1 - the parameter's index. */
static inline int sql_col_at(const struct sql_vtab *v, int idx)
{
	if (idx < v->nvis)
		return idx;
	if (idx < v->nvis + v->nparams)
		return -1 - (idx - v->nvis);
	return idx - v->nparams;
}

/* Rows of a kept run grouped by some of their cells: for a join's lookups (one
 * cell) and for GROUP BY (the rows of a group handed on one after another). */
struct sql_index {
	struct sql_index *next;
	int nkeys;
	int keys[SQL_MAX_KEYS];	/* kept cells */
	__u32 *head, *tail;	/* per slot: a group's first and last row + 1, or 0 */
	__u32 nslot;
	long ngroups;
	__u32 *link;		/* per row: the next row of its group + 1, or 0 */
	__u32 *order;		/* each group's first row: as first seen, then (GROUP BY,
				 * once ordered) in SQLite's order */
	size_t order_cap;
	bool ordered;		/* order is SQLite's */
	bool logged;		/* -v said it was built */
};

/* One read of a target: its rows, kept for every scan that asks for the same. */
struct sql_run {
	struct sql_run *next;
	char *key;		/* target, predicate, parameters, columns */
	int nparams;
	char *param_val[SQL_MAX_PARAMS];
	int colmap[SQL_MAX_COLS];	/* table column -> kept cell, or -1 */
	struct bd_strbuf arena;
	__u32 *row_off;		/* where each row starts in arena: made once all are in */
	long nrows;
	int ncells;		/* cells a row holds */
	/* a GROUP BY's kept cells, known before the read: whether the rows come in
	 * their order is found as they are kept (while the kernel reads on) */
	int order_keys[SQL_MAX_KEYS], norder;
	bool in_order;
	__u32 last_off;
	sqlite3_uint64 has_int, has_text;	/* kept cells holding such a value in some row */
	struct sql_index *idx;
	bool sorted_logged;	/* -v said a GROUP BY scans it in order */
};

struct sql_target {
	struct bd_sql *s;
	const struct bd_target *t;
};

struct bd_sql {
	struct bpfdump *d;
	sqlite3 *db;
	const struct bpfdump_print_opts *print;
	bool pushdown;
	bool failed;		/* a table set d's message */
	char **idents;		/* quoted identifiers of the text and the views */
	char **ident_err;	/* the planner's message for each, when no table took it */
	int ident_cnt;
	size_t idents_cap;
	int ident_views;	/* the first ones: only the views' (hidden unless named again) */
	struct sql_target *targets;
	struct sql_vtab *vtabs;
	struct sql_run *runs;
	int runs_done;
	struct sql_prog *progs;	/* prepared statements: loaded programs kept across runs */
	bool keep_progs;
};

/* A loaded query of a prepared statement, reused by every run that reads the same
 * (target, predicate, parameters, columns). */
struct sql_prog {
	struct sql_prog *next;
	char *key;
	struct bpfdump_query *q;
	bool used;		/* read by the current run */
};

#include "sql_prep.h"

/* What xFilter gets from the chosen plan. */
struct sql_filter {
	bool never;			/* a pushed constraint no row meets */
	struct bd_strbuf where;		/* pushed down, in the field language */
	struct bd_strbuf sqlite_side;	/* left to SQLite, for -v */
	char *param_val[SQL_MAX_PARAMS];
	int join_col;			/* = another table's value: looked up, or -1 */
	sqlite3_value *join_val;
	int join_arg;			/* join_val is argv[join_arg - 1] */
	bool varies;			/* another argv value (IN, a parameter) shapes the run */
	int group_cnt;			/* GROUP BY these columns: rows handed on grouped */
	int group_cols[SQL_MAX_KEYS];
};

/* sql_pushdown.c */
void sql_col_classify(struct sql_col *c, const struct bd_column *pc);
int sql_best_index(struct sql_vtab *v, sqlite3_index_info *info);
int sql_filter_decode(struct sql_vtab *v, const char *idx_str, int argc, sqlite3_value **argv,
		      struct sql_filter *f);
void sql_filter_free(struct sql_filter *f);

#endif
