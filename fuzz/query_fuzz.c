// SPDX-License-Identifier: (LGPL-2.1 OR BSD-2-Clause)
// FUZZ_SRCS: src/lib/query.c src/lib/util.c
/*
 * libFuzzer harness for the query parser: runs the field-list, --where and
 * trace-spec parsers on every input, renders every path it finds, checks the
 * documented contract (output empty on error, one-line message, sane
 * positions, column text is the value's source) and frees everything.
 */
#include <errno.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include "query.h"

#define check(cond)                  \
	do {                         \
		if (!(cond))         \
			abort();     \
	} while (0)

static void check_error(const struct q_error *err, int ret, size_t len)
{
	check(ret == -EINVAL || ret == -ENOMEM || ret == -E2BIG);
	check(memchr(err->msg, '\0', sizeof(err->msg)));
	check(err->msg[0] && !strchr(err->msg, '\n'));
	check(err->pos >= 0 && (size_t)err->pos <= len);
}

static void visit_path(const struct q_path *p)
{
	char *s = q_path_str(p);

	/* a cast(...) wraps the path before it: the text starts there instead */
	check(s && (!strncmp(s, p->root, strlen(p->root)) || !strncmp(s, "cast(", 5)));
	check(p->step_cnt >= 0 && p->step_cnt <= 32);
	free(s);
}

static void visit_value(const struct q_value *v, const char *text, size_t len)
{
	check(v->pos >= 0 && v->pos < v->end && (size_t)v->end <= len);
	check(!v->func || !strncmp(text + v->func_pos, v->func, strlen(v->func)));
	check(!strncmp(text + v->path.pos, v->path.root, strlen(v->path.root)));
	visit_path(&v->path);
}

static void visit_expr(const struct q_expr *e, const char *text, size_t len, int depth)
{
	check(e && depth <= 256);
	switch (e->kind) {
	case Q_EXPR_VALUE:
	case Q_EXPR_CMP:
		check(!e->lhs && !e->rhs);
		visit_value(&e->value, text, len);
		check(e->kind != Q_EXPR_CMP || e->lit.kind != Q_LIT_STR || e->lit.str);
		break;
	case Q_EXPR_NOT:
		check(!e->rhs);
		visit_expr(e->lhs, text, len, depth + 1);
		break;
	case Q_EXPR_AND:
	case Q_EXPR_OR:
		visit_expr(e->lhs, text, len, depth + 1);
		visit_expr(e->rhs, text, len, depth + 1);
		break;
	}
}

static void fuzz_columns(const char *text, size_t len)
{
	struct q_columns c;
	struct q_error err;
	const struct q_column *col;
	int ret, i;

	ret = q_parse_columns(text, &c, &err);
	if (ret) {
		check_error(&err, ret, len);
		check(!c.cols && !c.cnt);
		return;
	}
	check(c.cnt > 0);
	for (i = 0; i < c.cnt; i++) {
		col = &c.cols[i];
		visit_value(&col->value, text, len);
		check(strlen(col->text) == (size_t)(col->value.end - col->value.pos));
		check(!memcmp(col->text, text + col->value.pos, strlen(col->text)));
	}
	q_columns_free(&c);
}

static void fuzz_where(const char *text, size_t len)
{
	struct q_error err;
	struct q_expr *e;
	int ret;

	ret = q_parse_where(text, &e, &err);
	if (ret) {
		check_error(&err, ret, len);
		check(!e);
		return;
	}
	visit_expr(e, text, len, 1);
	q_expr_free(e);
}

static void fuzz_trace_spec(const char *text, size_t len)
{
	struct q_trace_spec s;
	struct q_error err;
	int ret, i;

	ret = q_parse_trace_spec(text, &s, &err);
	if (ret) {
		check_error(&err, ret, len);
		check(!s.func && !s.items && !s.item_cnt);
		return;
	}
	check(s.func && (s.has_parens || !s.item_cnt));
	for (i = 0; i < s.item_cnt; i++) {
		if (s.items[i].is_pred)
			visit_expr(s.items[i].pred, text, len, 1);
		else
			visit_value(&s.items[i].value, text, len);
	}
	q_trace_spec_free(&s);
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	char *text = malloc(size + 1);
	size_t len;

	if (!text)
		return 0;
	memcpy(text, data, size);
	text[size] = '\0';
	len = strlen(text);

	fuzz_columns(text, len);
	fuzz_where(text, len);
	fuzz_trace_spec(text, len);
	free(text);
	return 0;
}
