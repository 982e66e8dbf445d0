// SPDX-License-Identifier: (LGPL-2.1 OR BSD-2-Clause)
/*
 * Push-down: which of a table's constraints become the target's BPF predicate.
 *
 * A constraint is pushed when its column is a plain field path whose cell is the
 * value itself (an integer printed in decimal, or a char array's text), and its
 * right side is a constant SQLite compares the same way the predicate does: an
 * integer within the column's type for integer columns, a text shorter than the
 * array (= and != only, BINARY collation) for strings. Anything else stays with
 * SQLite, so results never depend on it (BPFDUMP_SQL_PUSHDOWN=0 checks that).
 *
 * xBestIndex writes its decisions into idxStr, one per line: "w PRED" (a pushed
 * compare), "i COL ARGV" (an IN list, read in xFilter), "p PARAM ARGV" (a table
 * argument), "n" (IS NULL: no row), "s TEXT" (what SQLite evaluates, for -v),
 * "j COL ARGV" (COL = a value of another table: looked up in an index of the kept
 * rows; SQLite still compares), "g COL..." (GROUP BY COL...: rows handed on group
 * after group, so SQLite needs no sorter). Push-down off turns these off too.
 */
#include <errno.h>
#include <limits.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "sql.h"

void sql_col_classify(struct sql_col *c, const struct bd_column *pc)
{
	const struct bd_access *a;

	c->push_int = c->push_str = false;
	if (!pc || strchr(c->expr, '(') || pc->fmt != BD_FMT_AUTO || pc->acc_cnt != 1)
		return;
	a = &pc->acc[0];
	if (a->full_size > a->size)
		return;
	if ((pc->fast == BD_FAST_UINT || pc->fast == BD_FAST_SINT) &&
	    a->fetch == BD_FETCH_SCALAR && a->size >= 1 && a->size <= 8) {
		c->push_int = true;
		c->is_signed = pc->fast == BD_FAST_SINT;
		c->size = a->size;
	} else if (pc->fast == BD_FAST_CSTR && a->fetch != BD_FETCH_CSTR && a->size > 1) {
		c->push_str = true;
		c->size = a->size;
	}
}

static const char *op_sql(int op)
{
	switch (op) {
	case SQLITE_INDEX_CONSTRAINT_EQ: return "=";
	case SQLITE_INDEX_CONSTRAINT_GT: return ">";
	case SQLITE_INDEX_CONSTRAINT_LE: return "<=";
	case SQLITE_INDEX_CONSTRAINT_LT: return "<";
	case SQLITE_INDEX_CONSTRAINT_GE: return ">=";
	case SQLITE_INDEX_CONSTRAINT_MATCH: return "MATCH";
	case SQLITE_INDEX_CONSTRAINT_LIKE: return "LIKE";
	case SQLITE_INDEX_CONSTRAINT_GLOB: return "GLOB";
	case SQLITE_INDEX_CONSTRAINT_REGEXP: return "REGEXP";
	case SQLITE_INDEX_CONSTRAINT_NE: return "!=";
	case SQLITE_INDEX_CONSTRAINT_ISNOT: return "IS NOT";
	case SQLITE_INDEX_CONSTRAINT_ISNOTNULL: return "IS NOT NULL";
	case SQLITE_INDEX_CONSTRAINT_ISNULL: return "IS NULL";
	case SQLITE_INDEX_CONSTRAINT_IS: return "IS";
	default: return NULL;
	}
}

/* The field language's operator for a pushable SQL one, or NULL. */
static const char *op_pred(int op)
{
	switch (op) {
	case SQLITE_INDEX_CONSTRAINT_EQ: return "==";
	case SQLITE_INDEX_CONSTRAINT_IS: return "==";	/* no NULL cell: IS is = */
	case SQLITE_INDEX_CONSTRAINT_NE: return "!=";
	case SQLITE_INDEX_CONSTRAINT_ISNOT: return "!=";
	case SQLITE_INDEX_CONSTRAINT_GT: return ">";
	case SQLITE_INDEX_CONSTRAINT_GE: return ">=";
	case SQLITE_INDEX_CONSTRAINT_LT: return "<";
	case SQLITE_INDEX_CONSTRAINT_LE: return "<=";
	default: return NULL;
	}
}

/* val as a literal of the field language that compares with c's cells as SQLite
 * would compare val with them; false when there is none. */
static bool literal(const struct sql_col *c, int op, sqlite3_value *val, struct bd_strbuf *b)
{
	int type = sqlite3_value_type(val);

	if (c->push_int) {
		long long v, lo, hi;

		if (type != SQLITE_INTEGER)
			return false;
		v = sqlite3_value_int64(val);
		if (c->is_signed) {
			lo = c->size >= 8 ? INT64_MIN : -(1LL << (8 * c->size - 1));
			hi = c->size >= 8 ? INT64_MAX : (1LL << (8 * c->size - 1)) - 1;
		} else {
			lo = 0;
			hi = c->size >= 8 ? INT64_MAX : (long long)((1ULL << (8 * c->size)) - 1);
		}
		if (v < lo || v > hi)
			return false;
		sb_printf(b, "%lld", v);
		return true;
	}
	if (c->push_str) {
		const unsigned char *s;
		int n, i;

		if (type != SQLITE_TEXT || (op != SQLITE_INDEX_CONSTRAINT_EQ &&
					    op != SQLITE_INDEX_CONSTRAINT_NE &&
					    op != SQLITE_INDEX_CONSTRAINT_IS &&
					    op != SQLITE_INDEX_CONSTRAINT_ISNOT))
			return false;
		s = sqlite3_value_text(val);
		n = sqlite3_value_bytes(val);
		if (!s || n >= (int)c->size || (int)strlen((const char *)s) != n)
			return false;
		sb_putc(b, '"');
		for (i = 0; i < n; i++) {
			if ((s[i] >= 'a' && s[i] <= 'z') || (s[i] >= 'A' && s[i] <= 'Z') ||
			    (s[i] >= '0' && s[i] <= '9') || strchr("_-./:@ ", s[i]))
				sb_putc(b, (char)s[i]);
			else
				sb_printf(b, "\\x%02x", s[i]);
		}
		sb_putc(b, '"');
		return true;
	}
	return false;
}

static void describe(struct bd_strbuf *idx, const struct sql_vtab *v, int col, int op,
		     bool usable)
{
	const char *o = op_sql(op);

	if (!o || col < 0 || col >= v->ncols)
		return;
	sb_printf(idx, "s %s %s%s\n", v->cols[col].name, o,
		  usable ? "" : " (a value from another table)");
}

int sql_best_index(struct sql_vtab *v, sqlite3_index_info *info)
{
	struct bd_strbuf idx = {};
	int i, argv_n = 0, pushed = 0, params = 0, join = -1;
	bool need_map = bpfdump__target_params(v->s->d, v->t->name) & BPFDUMP_PARAM_MAP;
	double cost = 1e6;

	for (i = 0; i < info->nConstraint; i++) {
		const struct sqlite3_index_constraint *k = &info->aConstraint[i];
		struct sqlite3_index_constraint_usage *u = &info->aConstraintUsage[i];
		int col = k->iColumn < 0 ? INT_MAX : sql_col_at(v, k->iColumn);
		const struct sql_col *c;
		sqlite3_value *val = NULL;
		const char *po;
		struct bd_strbuf lit = {};

		if (col < 0) {
			/* a table argument: only a constant, so a run is one read */
			if (!k->usable || k->op != SQLITE_INDEX_CONSTRAINT_EQ)
				continue;
			if (sqlite3_vtab_rhs_value(info, i, &val) != SQLITE_OK) {
				sb_free(&idx);	/* lines of the constraints before this one */
				return SQLITE_CONSTRAINT;
			}
			u->argvIndex = ++argv_n;
			u->omit = 1;
			sb_printf(&idx, "p %d %d\n", -1 - col, argv_n);
			params++;
			if (!strcmp(v->params[-1 - col], "arg_map"))
				need_map = false;
			continue;
		}
		if (col < 0 || col >= v->ncols)
			continue;
		c = &v->cols[col];
		if (k->usable && v->s->pushdown && join < 0 &&
		    k->op == SQLITE_INDEX_CONSTRAINT_EQ && !sqlite3_vtab_in(info, i, -1) &&
		    (sqlite3_vtab_rhs_value(info, i, &val) != SQLITE_OK ||
		     !(c->push_int || c->push_str)) &&
		    !strcmp(sqlite3_vtab_collation(info, i), "BINARY")) {
			/* a value of another table (or one not pushed): a lookup */
			join = i;
			u->argvIndex = ++argv_n;
			sb_printf(&idx, "j %d %d\n", col, argv_n);
			describe(&idx, v, col, k->op, true);
			continue;
		}
		if (!k->usable || !v->s->pushdown || !(c->push_int || c->push_str) ||
		    pushed >= SQL_MAX_PUSHED) {
			describe(&idx, v, col, k->op, k->usable);
			continue;
		}
		if (k->op == SQLITE_INDEX_CONSTRAINT_ISNULL) {
			u->omit = 1;	/* no cell of a target is NULL */
			sb_printf(&idx, "n\n");
			pushed++;
			continue;
		}
		if (k->op == SQLITE_INDEX_CONSTRAINT_ISNOTNULL) {
			u->omit = 1;	/* every row */
			continue;
		}
		if (k->op == SQLITE_INDEX_CONSTRAINT_EQ && sqlite3_vtab_in(info, i, -1)) {
			/* IN (...): its values come to xFilter; SQLite checks them too */
			sqlite3_vtab_in(info, i, 1);
			u->argvIndex = ++argv_n;
			sb_printf(&idx, "i %d %d\n", col, argv_n);
			pushed++;
			continue;
		}
		po = op_pred(k->op);
		if (!po || sqlite3_vtab_rhs_value(info, i, &val) != SQLITE_OK ||
		    (c->push_str && strcmp(sqlite3_vtab_collation(info, i), "BINARY")) ||
		    !literal(c, k->op, val, &lit)) {
			sb_free(&lit);
			describe(&idx, v, col, k->op, true);
			continue;
		}
		sb_printf(&idx, "w %s %s %s\n", c->expr, po, lit.s);
		sb_free(&lit);
		u->omit = 1;
		pushed++;
	}
	/* GROUP BY (rows need only be grouped) on this table's columns alone */
	if (v->s->pushdown && join < 0 && info->nOrderBy > 0 && info->nOrderBy <= SQL_MAX_KEYS &&
	    sqlite3_vtab_distinct(info) == 1) {
		for (i = 0; i < info->nOrderBy; i++)
			if (info->aOrderBy[i].iColumn < 0 ||
			    sql_col_at(v, info->aOrderBy[i].iColumn) < 0)
				break;
		if (i == info->nOrderBy) {
			sb_printf(&idx, "g");
			for (i = 0; i < info->nOrderBy; i++)
				sb_printf(&idx, " %d", sql_col_at(v, info->aOrderBy[i].iColumn));
			sb_printf(&idx, "\n");
			info->orderByConsumed = 1;
		}
	}
	if (!idx.s)
		sb_printf(&idx, "-\n");
	if (!idx.s)
		return SQLITE_NOMEM;
	/* strdup'd into SQLite's allocator: it frees idxStr */
	info->idxStr = sqlite3_mprintf("%s", idx.s);
	sb_free(&idx);
	if (!info->idxStr)
		return SQLITE_NOMEM;
	info->needToFreeIdxStr = 1;
	cost /= 1 + 9 * pushed;
	if (join >= 0)
		cost /= 1000;	/* a lookup: the rows of one value */
	if (params)
		cost /= 1000;
	if (need_map)
		cost = 1e12;	/* xFilter says what is missing */
	info->estimatedCost = cost;
	info->estimatedRows = (sqlite3_int64)cost;
	return SQLITE_OK;
}

void sql_filter_free(struct sql_filter *f)
{
	int i;

	sb_free(&f->where);
	sb_free(&f->sqlite_side);
	for (i = 0; i < SQL_MAX_PARAMS; i++) {
		free(f->param_val[i]);
		f->param_val[i] = NULL;
	}
}

/* An IN list pushed as (e == a || e == b ...); false when a value is not pushable
 * (SQLite checks the list anyway). An empty list matches no row. */
static bool in_list(const struct sql_col *c, sqlite3_value *list, struct sql_filter *f)
{
	struct bd_strbuf b = {};
	sqlite3_value *val;
	int rc, n = 0;

	for (rc = sqlite3_vtab_in_first(list, &val); rc == SQLITE_OK;
	     rc = sqlite3_vtab_in_next(list, &val)) {
		struct bd_strbuf lit = {};

		if (!val || !literal(c, SQLITE_INDEX_CONSTRAINT_EQ, val, &lit)) {
			sb_free(&lit);
			sb_free(&b);
			return false;
		}
		sb_printf(&b, "%s%s == %s", n++ ? " || " : "(", c->expr, lit.s);
		sb_free(&lit);
		if (n > SQL_MAX_IN) {	/* a tree the field language takes: SQLite's */
			sb_free(&b);
			return false;
		}
	}
	if (rc != SQLITE_DONE) {
		sb_free(&b);
		return false;
	}
	if (!n) {
		f->never = true;
		return true;
	}
	sb_printf(&f->where, "%s%s)", f->where.len ? " && " : "", b.s);
	sb_free(&b);
	return true;
}

int sql_filter_decode(struct sql_vtab *v, const char *idx_str, int argc, sqlite3_value **argv,
		      struct sql_filter *f)
{
	const char *p = idx_str ?: "";

	memset(f, 0, sizeof(*f));
	f->join_col = -1;
	while (*p) {
		const char *e = strchr(p, '\n') ?: p + strlen(p);
		int a, b;

		switch (*p) {
		case 'w':
			sb_printf(&f->where, "%s%.*s", f->where.len ? " && " : "", (int)(e - p - 2),
				  p + 2);
			break;
		case 'n':
			f->never = true;
			break;
		case 's':
			sb_printf(&f->sqlite_side, "%s%.*s", f->sqlite_side.len ? ", " : "",
				  (int)(e - p - 2), p + 2);
			break;
		case 'i':
			if (sscanf(p + 2, "%d %d", &a, &b) != 2 || a < 0 || a >= v->ncols || b < 1 ||
			    b > argc)
				return -EINVAL;
			f->varies = true;
			if (!in_list(&v->cols[a], argv[b - 1], f))
				sb_printf(&f->sqlite_side, "%s%s IN (...)",
					  f->sqlite_side.len ? ", " : "", v->cols[a].name);
			break;
		case 'j':
			if (sscanf(p + 2, "%d %d", &a, &b) != 2 || a < 0 || a >= v->ncols || b < 1 ||
			    b > argc)
				return -EINVAL;
			f->join_col = a;
			f->join_val = argv[b - 1];
			f->join_arg = b;
			break;
		case 'g': {
			const char *q = p + 1;
			int used;

			while (f->group_cnt < SQL_MAX_KEYS && sscanf(q, " %d%n", &a, &used) == 1 &&
			       q + used <= e) {
				if (a < 0 || a >= v->ncols)
					return -EINVAL;
				f->group_cols[f->group_cnt++] = a;
				q += used;
			}
			break;
		}
		case 'p':
			if (sscanf(p + 2, "%d %d", &a, &b) != 2 || a < 0 || a >= v->nparams ||
			    b < 1 || b > argc)
				return -EINVAL;
			f->varies = true;
			if (sqlite3_value_type(argv[b - 1]) != SQLITE_NULL) {
				f->param_val[a] = strdup((const char *)sqlite3_value_text(argv[b - 1]));
				if (!f->param_val[a])
					return -ENOMEM;
			}
			break;
		default:
			break;
		}
		p = *e ? e + 1 : e;
	}
	return 0;
}
