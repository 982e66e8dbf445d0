/* SPDX-License-Identifier: (LGPL-2.1 OR BSD-2-Clause) */
/* Field-list, --where and trace-spec parser: text -> AST. No BTF here. */
#ifndef BPFDUMP_QUERY_H
#define BPFDUMP_QUERY_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

enum q_step_kind {
	Q_STEP_ARROW,	/* ->name */
	Q_STEP_DOT,	/* .name */
	Q_STEP_INDEX,	/* [int], or [NAME] with name set: an enumerator */
	Q_STEP_CAST,	/* cast(path, struct name): the pointer so far, as a struct name * */
};

struct q_step {
	enum q_step_kind kind;
	char *name;	/* ARROW, DOT; INDEX: an enumerator's name, or NULL */
	long long index; /* INDEX */
	int pos;	/* byte offset of the step's name/index in the source text */
};

/* root { step } ; root is an identifier (a ctx member, an argument, "return") */
struct q_path {
	char *root;
	int pos;
	struct q_step *steps;
	int step_cnt;
};

enum q_lit_kind {
	Q_LIT_INT,	/* 42, -1, 0x1f, 'c' is not supported */
	Q_LIT_STR,	/* "kthreadd" with \" \\ \n \t \xNN escapes decoded */
	Q_LIT_IDENT,	/* TASK_RUNNING, TCP_LISTEN, NULL: resolved later against BTF */
};

struct q_lit {
	enum q_lit_kind kind;
	long long ival;	/* INT; as unsigned when is_unsigned (> INT64_MAX) */
	bool is_unsigned;
	char *str;	/* STR (decoded, NUL-terminated) and IDENT */
	size_t str_len;	/* STR: decoded length */
	int pos;
};

enum q_op {
	Q_OP_EQ, Q_OP_NE, Q_OP_LT, Q_OP_LE, Q_OP_GT, Q_OP_GE,
	Q_OP_BITAND,	/* value & literal: true when nonzero */
};

enum q_expr_kind {
	Q_EXPR_VALUE,	/* a value alone: true when nonzero / non-NULL */
	Q_EXPR_CMP,	/* value op literal */
	Q_EXPR_AND,
	Q_EXPR_OR,
	Q_EXPR_NOT,
	Q_EXPR_ACMP,	/* arith op arith (op: == != < <= > >=) */
};

/* Arithmetic on 64-bit integers; precedence as in C except that every one of
 * these binds tighter than a compare (as in Python): * / %, + -, << >>, &, ^, |. */
enum q_aop {
	Q_AOP_MUL, Q_AOP_DIV, Q_AOP_MOD, Q_AOP_ADD, Q_AOP_SUB, Q_AOP_SHL, Q_AOP_SHR,
	Q_AOP_AND, Q_AOP_XOR, Q_AOP_OR,
};

enum q_arith_kind {
	Q_ARITH_VALUE,	/* a value; a bare name may also be a constant (the planner decides) */
	Q_ARITH_LIT,	/* an integer or string literal */
	Q_ARITH_BIN,	/* lhs op rhs */
};

/* value := path | func '(' path ')' */
struct q_value {
	char *func;	/* NULL for a plain path; else e.g. "str", "hex", "ip" */
	int func_pos;
	struct q_path path;
	int pos;	/* start of the value in the source */
	int end;	/* one past its end */
};

struct q_arith {
	enum q_arith_kind kind;
	int pos;
	struct q_value value;	/* VALUE */
	struct q_lit lit;	/* LIT */
	enum q_aop op;		/* BIN */
	struct q_arith *lhs, *rhs;
};

struct q_expr {
	enum q_expr_kind kind;
	int pos;
	struct q_value value;	/* VALUE, CMP */
	enum q_op op;		/* CMP */
	struct q_lit lit;	/* CMP */
	struct q_expr *lhs;	/* AND, OR, NOT (operand in lhs) */
	struct q_expr *rhs;	/* AND, OR */
	struct q_arith *alhs, *arhs; /* ACMP */
};

/* col := [ name '=' ] value */
struct q_column {
	char *name;		/* explicit name or NULL */
	struct q_value value;
	char *text;		/* the column's source text (for default headers) */
};

struct q_columns {
	struct q_column *cols;
	int cnt;
};

/* One traced function: FUNC '(' [ item { ',' item } ] ')' or bare FUNC.
 * An item is either an expression with a comparison (a predicate) or a plain
 * value (something to print). "tp:group:name" is accepted as FUNC. */
struct q_trace_item {
	bool is_pred;
	struct q_expr *pred;	/* is_pred */
	struct q_value value;	/* !is_pred */
};

struct q_trace_spec {
	char *func;
	int func_pos;
	bool has_parens;
	struct q_trace_item *items;
	int item_cnt;
};

/* A parse error: message (no trailing newline) and byte position. */
struct q_error {
	char msg[256];
	int pos;
};

/* Each returns 0 or -EINVAL (syntax, *err filled) or -ENOMEM. On error the
 * output is left empty and needs no free; on success free with the matching
 * free function. Input must be NUL-terminated; length limit 64 KiB (-E2BIG). */
int q_parse_columns(const char *text, struct q_columns *out, struct q_error *err);
int q_parse_where(const char *text, struct q_expr **out, struct q_error *err);
int q_parse_trace_spec(const char *text, struct q_trace_spec *out, struct q_error *err);

void q_columns_free(struct q_columns *c);
void q_expr_free(struct q_expr *e);
void q_arith_free(struct q_arith *a);
void q_trace_spec_free(struct q_trace_spec *s);

/* "task->mm->total_vm" for a path (malloc'd), for messages and headers. */
char *q_path_str(const struct q_path *p);

#endif
