// SPDX-License-Identifier: (LGPL-2.1 OR BSD-2-Clause)
/*
 * Field-list, --where and trace-spec parser: a tokenizer that turns the whole
 * input into an array of tokens, then a recursive-descent parser over it.
 * Recursion is bounded: '(' and '!' nest at most Q_MAX_NEST deep, and the
 * expression trees it builds are at most Q_MAX_HEIGHT levels high, so code
 * that walks them recursively is bounded too.
 */
#include <errno.h>
#include <limits.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "query.h"
#include "util.h"

#define Q_MAX_INPUT	(64 * 1024)	/* bytes of query text */
#define Q_MAX_STEPS	32		/* steps after a path's root */
#define Q_MAX_NEST	64		/* nested '(' and '!' */
#define Q_MAX_HEIGHT	256		/* levels of an expression tree */
#define Q_QUOTE_MAX	32		/* source bytes quoted in a message */
#define Q_QUOTE_BUF	(Q_QUOTE_MAX * 4 + 16)

enum tok_kind {
	T_EOF,
	T_IDENT,
	T_INT,
	T_STR,
	T_ARROW,	/* -> */
	T_DOT,		/* . */
	T_LBRACK,	/* [ */
	T_RBRACK,	/* ] */
	T_LPAREN,	/* ( */
	T_RPAREN,	/* ) */
	T_COMMA,	/* , */
	T_COLON,	/* : */
	T_ASSIGN,	/* = */
	T_EQ,		/* == */
	T_NE,		/* != */
	T_LT,		/* < */
	T_LE,		/* <= */
	T_GT,		/* > */
	T_GE,		/* >= */
	T_AMP,		/* & */
	T_ANDAND,	/* && */
	T_OROR,		/* || */
	T_NOT,		/* ! */
	T_PLUS,		/* + */
	T_MINUS,	/* - (a '-' before a digit after an operator is a number's sign) */
	T_STAR,		/* * */
	T_SLASH,	/* / */
	T_PERCENT,	/* % */
	T_PIPE,		/* | */
	T_CARET,	/* ^ */
	T_SHL,		/* << */
	T_SHR,		/* >> */
};

struct tok {
	enum tok_kind kind;
	int pos;
	int len;
	unsigned long long mag;	/* T_INT: magnitude */
	bool neg;		/* T_INT: had a leading '-' */
};

struct parser {
	const char *src;
	int len;
	struct tok *toks;	/* always ends with a T_EOF token */
	int tok_cnt;
	int cur;
	int nest;		/* '(' and '!' currently open */
	struct q_error *err;
};

static bool is_ident_start(char c)
{
	return (c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') || c == '_';
}

static bool is_digit(char c)
{
	return c >= '0' && c <= '9';
}

static bool is_ident_char(char c)
{
	return is_ident_start(c) || is_digit(c);
}

static bool is_space(char c)
{
	return c == ' ' || c == '\t' || c == '\n' || c == '\r' || c == '\f' || c == '\v';
}

static int hex_val(char c)
{
	if (c >= '0' && c <= '9')
		return c - '0';
	if (c >= 'a' && c <= 'f')
		return c - 'a' + 10;
	if (c >= 'A' && c <= 'F')
		return c - 'A' + 10;
	return -1;
}

static void put_char(char *buf, size_t size, size_t *len, char c)
{
	if (*len + 1 < size)
		buf[(*len)++] = c;
	buf[*len] = '\0';
}

static void put_str(char *buf, size_t size, size_t *len, const char *s)
{
	while (*s)
		put_char(buf, size, len, *s++);
}

/*
 * Quote s[0..n) as 'text' for a message, escaping unprintable bytes. Text
 * longer than Q_QUOTE_MAX bytes is cut at its end, or at its start with tail.
 */
static void quote(char *buf, size_t size, const char *s, int n, bool tail)
{
	static const char hex[] = "0123456789abcdef";
	bool cut = n > Q_QUOTE_MAX;
	int i = cut && tail ? n - Q_QUOTE_MAX : 0;
	int end = cut && !tail ? Q_QUOTE_MAX : n;
	size_t len = 0;

	buf[0] = '\0';
	put_char(buf, size, &len, '\'');
	if (cut && tail)
		put_str(buf, size, &len, "...");
	for (; i < end; i++) {
		unsigned char c = s[i];

		if (c >= 0x20 && c < 0x7f) {
			put_char(buf, size, &len, c);
			continue;
		}
		put_str(buf, size, &len, "\\x");
		put_char(buf, size, &len, hex[c >> 4]);
		put_char(buf, size, &len, hex[c & 0xf]);
	}
	if (cut && !tail)
		put_str(buf, size, &len, "...");
	put_char(buf, size, &len, '\'');
}

__attribute__((format(printf, 3, 4)))
static int fail(struct parser *p, int pos, const char *fmt, ...)
{
	va_list ap;

	va_start(ap, fmt);
	vsnprintf(p->err->msg, sizeof(p->err->msg), fmt, ap);
	va_end(ap);
	p->err->pos = pos;
	return -EINVAL;
}

static const struct tok *peek(const struct parser *p)
{
	return &p->toks[p->cur];
}

static const struct tok *peek2(const struct parser *p)
{
	return &p->toks[p->cur + 1 < p->tok_cnt ? p->cur + 1 : p->cur];
}

static void advance(struct parser *p)
{
	if (p->toks[p->cur].kind != T_EOF)
		p->cur++;
}

/* Start of the last consumed token, or -1 at the start of the input. */
static int prev_pos(const struct parser *p)
{
	return p->cur > 0 ? p->toks[p->cur - 1].pos : -1;
}

/* One past the end of the last consumed token. */
static int prev_end(const struct parser *p)
{
	const struct tok *t;

	if (p->cur == 0)
		return 0;
	t = &p->toks[p->cur - 1];
	return t->pos + t->len;
}

static void describe_tok(const struct parser *p, const struct tok *t, char *buf, size_t size)
{
	if (t->kind == T_EOF)
		snprintf(buf, size, "end of input");
	else
		quote(buf, size, p->src + t->pos, t->len, false);
}

/*
 * "expected WHAT after 'TEXT' but found 'TOKEN'", where TEXT is the source from
 * after up to the last consumed token (left out when after < 0).
 */
static int expected(struct parser *p, const char *what, int after)
{
	const struct tok *t = peek(p);
	char found[Q_QUOTE_BUF], prev[Q_QUOTE_BUF];
	int end = prev_end(p);

	describe_tok(p, t, found, sizeof(found));
	if (after < 0 || after >= end)
		return fail(p, t->pos, "expected %s but found %s", what, found);
	quote(prev, sizeof(prev), p->src + after, end - after, true);
	return fail(p, t->pos, "expected %s after %s but found %s", what, prev, found);
}

static int trailing(struct parser *p, const char *what)
{
	const struct tok *t = peek(p);
	char rest[Q_QUOTE_BUF];

	quote(rest, sizeof(rest), p->src + t->pos, p->len - t->pos, false);
	return fail(p, t->pos, "trailing input %s (expected %s)", rest, what);
}

static char *tok_strdup(const struct parser *p, const struct tok *t)
{
	return strndup(p->src + t->pos, t->len);
}

/* ---- tokenizer ---- */

static int lex_int(struct parser *p, int i, struct tok *t)
{
	const char *s = p->src;
	unsigned long long v = 0, base = 10;
	bool overflow = false;
	int start = i, digits = 0, d;
	char q[Q_QUOTE_BUF];

	if (s[i] == '-') {
		t->neg = true;
		i++;
	}
	/* C literals: 0x hexadecimal, 0b binary, a leading 0 octal */
	if (s[i] == '0' && (s[i + 1] == 'x' || s[i + 1] == 'X')) {
		base = 16;
		i += 2;
	} else if (s[i] == '0' && (s[i + 1] == 'b' || s[i + 1] == 'B')) {
		base = 2;
		i += 2;
	} else if (s[i] == '0' && is_digit(s[i + 1])) {
		base = 8;
		i++;
	}
	for (; i < p->len; i++, digits++) {
		d = hex_val(s[i]);
		if (d < 0 || (unsigned long long)d >= base || (base != 16 && !is_digit(s[i])))
			break;
		if (v > (ULLONG_MAX - d) / base)
			overflow = true;
		v = v * base + d;
	}
	if (digits == 0 || is_ident_char(s[i])) {
		while (i < p->len && is_ident_char(s[i]))
			i++;
		quote(q, sizeof(q), s + start, i - start, false);
		return fail(p, start, "invalid number %s", q);
	}
	if (overflow || (t->neg && v > (unsigned long long)LLONG_MAX + 1)) {
		quote(q, sizeof(q), s + start, i - start, false);
		return fail(p, start, "number %s out of range", q);
	}
	t->kind = T_INT;
	t->len = i - start;
	t->mag = v;
	return 0;
}

/*
 * Scan the string literal whose opening quote is at s[i]. When out is not NULL,
 * decode it there (out needs room for the literal's raw length). Returns the
 * offset one past the closing quote, or -EINVAL.
 */
static int scan_string(struct parser *p, int i, char *out, size_t *out_len)
{
	const char *s = p->src;
	int start = i, hi, lo;
	char q[Q_QUOTE_BUF];
	size_t n = 0;
	char c;

	for (i++; i < p->len && s[i] != '"'; i++) {
		c = s[i];
		if (c == '\\') {
			switch (s[i + 1]) {
			case '"':
			case '\\':
				c = s[++i];
				break;
			case 'n':
				c = '\n';
				i++;
				break;
			case 't':
				c = '\t';
				i++;
				break;
			case 'x':
				hi = hex_val(s[i + 2]);
				lo = hi < 0 ? -1 : hex_val(s[i + 3]);
				if (lo < 0)
					return fail(p, i, "invalid escape '\\x' in string: "
						    "expected two hex digits");
				c = (char)(hi << 4 | lo);
				i += 3;
				break;
			case '\0':
				return fail(p, start, "unterminated string");
			default:
				quote(q, sizeof(q), s + i, 2, false);
				return fail(p, i, "invalid escape %s in string", q);
			}
		}
		if (out)
			out[n] = c;
		n++;
	}
	if (i >= p->len)
		return fail(p, start, "unterminated string");
	if (out)
		out[n] = '\0';
	*out_len = n;
	return i + 1;
}

static int set_tok(struct tok *t, enum tok_kind kind, int len)
{
	t->kind = kind;
	t->len = len;
	return 0;
}

/* After one of these a '-' is an operator ("a-1"), else a number's sign ("== -1"). */
static bool ends_operand(enum tok_kind kind)
{
	return kind == T_IDENT || kind == T_INT || kind == T_STR || kind == T_RPAREN ||
	       kind == T_RBRACK;
}

static int lex_one(struct parser *p, int i, struct tok *t, enum tok_kind prev)
{
	const char *s = p->src;
	char c = s[i], c2 = s[i + 1];
	char q[Q_QUOTE_BUF];
	size_t n;
	int end;

	if (is_ident_start(c)) {
		for (end = i + 1; is_ident_char(s[end]); end++)
			;
		return set_tok(t, T_IDENT, end - i);
	}
	if (is_digit(c) || (c == '-' && is_digit(c2) && !ends_operand(prev)))
		return lex_int(p, i, t);
	if (c == '"') {
		end = scan_string(p, i, NULL, &n);
		return end < 0 ? end : set_tok(t, T_STR, end - i);
	}

	switch (c) {
	case '-':
		return c2 == '>' ? set_tok(t, T_ARROW, 2) : set_tok(t, T_MINUS, 1);
	case '+':
		return set_tok(t, T_PLUS, 1);
	case '*':
		return set_tok(t, T_STAR, 1);
	case '/':
		return set_tok(t, T_SLASH, 1);
	case '%':
		return set_tok(t, T_PERCENT, 1);
	case '^':
		return set_tok(t, T_CARET, 1);
	case '.':
		return set_tok(t, T_DOT, 1);
	case '[':
		return set_tok(t, T_LBRACK, 1);
	case ']':
		return set_tok(t, T_RBRACK, 1);
	case '(':
		return set_tok(t, T_LPAREN, 1);
	case ')':
		return set_tok(t, T_RPAREN, 1);
	case ',':
		return set_tok(t, T_COMMA, 1);
	case ':':
		return set_tok(t, T_COLON, 1);
	case '=':
		return c2 == '=' ? set_tok(t, T_EQ, 2) : set_tok(t, T_ASSIGN, 1);
	case '!':
		return c2 == '=' ? set_tok(t, T_NE, 2) : set_tok(t, T_NOT, 1);
	case '<':
		if (c2 == '<')
			return set_tok(t, T_SHL, 2);
		return c2 == '=' ? set_tok(t, T_LE, 2) : set_tok(t, T_LT, 1);
	case '>':
		if (c2 == '>')
			return set_tok(t, T_SHR, 2);
		return c2 == '=' ? set_tok(t, T_GE, 2) : set_tok(t, T_GT, 1);
	case '&':
		return c2 == '&' ? set_tok(t, T_ANDAND, 2) : set_tok(t, T_AMP, 1);
	case '|':
		return c2 == '|' ? set_tok(t, T_OROR, 2) : set_tok(t, T_PIPE, 1);
	}
	quote(q, sizeof(q), s + i, 1, false);
	return fail(p, i, "unexpected character %s", q);
}

static int lex(struct parser *p)
{
	size_t cap = 0;
	struct tok *t;
	int i = 0, err;

	for (;;) {
		while (i < p->len && is_space(p->src[i]))
			i++;
		if (bd_grow((void **)&p->toks, &cap, (size_t)p->tok_cnt + 1, sizeof(*p->toks)))
			return -ENOMEM;
		t = &p->toks[p->tok_cnt];
		memset(t, 0, sizeof(*t));
		t->pos = i;
		if (i >= p->len) {
			t->kind = T_EOF;
			p->tok_cnt++;
			return 0;
		}
		err = lex_one(p, i, t, p->tok_cnt ? p->toks[p->tok_cnt - 1].kind : T_EOF);
		if (err)
			return err;
		i += t->len;
		p->tok_cnt++;
	}
}

/* ---- AST helpers ---- */

static void path_free(struct q_path *path)
{
	int i;

	for (i = 0; i < path->step_cnt; i++)
		free(path->steps[i].name);
	free(path->steps);
	free(path->root);
	memset(path, 0, sizeof(*path));
}

static void value_free(struct q_value *v)
{
	free(v->func);
	path_free(&v->path);
	memset(v, 0, sizeof(*v));
}

/* Recursive: parse_arith bounds a tree's height at Q_MAX_NEST. */
void q_arith_free(struct q_arith *a)
{
	if (!a)
		return;
	q_arith_free(a->lhs);
	q_arith_free(a->rhs);
	value_free(&a->value);
	free(a->lit.str);
	free(a);
}

/* Frees without recursion: rotate each left child up until there is none. */
void q_expr_free(struct q_expr *e)
{
	struct q_expr *l, *next;

	while (e) {
		if (e->lhs) {
			l = e->lhs;
			e->lhs = l->rhs;
			l->rhs = e;
			e = l;
			continue;
		}
		next = e->rhs;
		q_arith_free(e->alhs);
		q_arith_free(e->arhs);
		value_free(&e->value);
		free(e->lit.str);
		free(e);
		e = next;
	}
}

void q_columns_free(struct q_columns *c)
{
	int i;

	if (!c)
		return;
	for (i = 0; i < c->cnt; i++) {
		free(c->cols[i].name);
		free(c->cols[i].text);
		value_free(&c->cols[i].value);
	}
	free(c->cols);
	memset(c, 0, sizeof(*c));
}

void q_trace_spec_free(struct q_trace_spec *s)
{
	int i;

	if (!s)
		return;
	for (i = 0; i < s->item_cnt; i++) {
		q_expr_free(s->items[i].pred);
		value_free(&s->items[i].value);
	}
	free(s->items);
	free(s->func);
	memset(s, 0, sizeof(*s));
}

char *q_path_str(const struct q_path *p)
{
	const struct q_step *st;
	size_t size, len;
	char *buf;
	int i;

	if (!p || !p->root || p->step_cnt < 0 || (p->step_cnt && !p->steps)) {
		errno = EINVAL;
		return NULL;
	}
	size = strlen(p->root) + 1;
	for (i = 0; i < p->step_cnt; i++) {
		st = &p->steps[i];
		if (st->kind == Q_STEP_INDEX)
			size += 2 + 20 + (st->name ? strlen(st->name) : 0); /* "[" LLONG_MIN "]" */
		else if (st->kind == Q_STEP_CAST)
			size += 15 + (st->name ? strlen(st->name) : 0); /* "cast(" ", struct " ")" */
		else
			size += 2 + (st->name ? strlen(st->name) : 0);
	}
	buf = malloc(size);
	if (!buf)
		return NULL;

	len = strlen(p->root);
	memcpy(buf, p->root, len);
	for (i = 0; i < p->step_cnt; i++) {
		st = &p->steps[i];
		switch (st->kind) {
		case Q_STEP_INDEX:
			if (st->name)
				len += snprintf(buf + len, size - len, "[%s]", st->name);
			else
				len += snprintf(buf + len, size - len, "[%lld]", st->index);
			continue;
		case Q_STEP_CAST:
			/* wraps everything so far */
			memmove(buf + 5, buf, len);
			memcpy(buf, "cast(", 5);
			len += 5;
			len += snprintf(buf + len, size - len, ", struct %s)",
					st->name ? st->name : "");
			continue;
		case Q_STEP_ARROW:
			buf[len++] = '-';
			buf[len++] = '>';
			break;
		case Q_STEP_DOT:
			buf[len++] = '.';
			break;
		}
		if (st->name) {
			memcpy(buf + len, st->name, strlen(st->name));
			len += strlen(st->name);
		}
	}
	buf[len] = '\0';
	return buf;
}

/* ---- parser ---- */

/* index := int | NAME (an enumerator: rss_stat[MM_ANONPAGES], resolved by the planner) */
static int parse_index(struct parser *p, int path_pos, long long *index, char **name)
{
	const struct tok *t = peek(p);
	char q[Q_QUOTE_BUF];

	if (t->kind == T_IDENT) {
		*name = tok_strdup(p, t);
		if (!*name)
			return -ENOMEM;
		*index = 0;
		advance(p);
		if (peek(p)->kind != T_RBRACK)
			return expected(p, "']'", path_pos);
		advance(p);
		return 0;
	}
	if (t->kind != T_INT)
		return expected(p, "an array index", path_pos);
	if (t->neg || t->mag > LLONG_MAX) {
		quote(q, sizeof(q), p->src + t->pos, t->len, false);
		return fail(p, t->pos, "array index %s out of range", q);
	}
	*index = (long long)t->mag;
	advance(p);
	if (peek(p)->kind != T_RBRACK)
		return expected(p, "']'", path_pos);
	advance(p);
	return 0;
}

static int parse_path(struct parser *p, struct q_path *path, int after);

static bool is_cast(const struct parser *p, const struct tok *t)
{
	return t->kind == T_IDENT && t->len == 4 && !strncmp(p->src + t->pos, "cast", 4) &&
	       peek2(p)->kind == T_LPAREN;
}

/*
 * cast '(' path ',' ( 'struct' | 'union' ) ident ')': the inner path's steps, then a
 * CAST step naming the type (the planner resolves it). Nests as '(' does.
 */
static int parse_cast(struct parser *p, struct q_path *path, size_t *cap)
{
	int pos = peek(p)->pos, err;
	struct q_step *step;
	const struct tok *t;

	if (p->nest >= Q_MAX_NEST)
		return fail(p, pos, "expression nested too deeply (more than %d levels)",
			    Q_MAX_NEST);
	advance(p);
	advance(p);
	p->nest++;
	err = parse_path(p, path, pos);
	p->nest--;
	if (err)
		return err;
	*cap = path->step_cnt;
	if (peek(p)->kind != T_COMMA) {
		err = expected(p, "',' and the struct to cast to", pos);
		goto free_path;
	}
	advance(p);
	t = peek(p);
	if (t->kind != T_IDENT || !((t->len == 6 && !strncmp(p->src + t->pos, "struct", 6)) ||
				     (t->len == 5 && !strncmp(p->src + t->pos, "union", 5)))) {
		err = expected(p, "'struct NAME'", prev_pos(p));
		goto free_path;
	}
	advance(p);
	t = peek(p);
	if (t->kind != T_IDENT) {
		err = expected(p, "a struct name", prev_pos(p));
		goto free_path;
	}
	if (path->step_cnt >= Q_MAX_STEPS) {
		err = fail(p, t->pos, "path is too deep (more than %d steps)", Q_MAX_STEPS);
		goto free_path;
	}
	if (bd_grow((void **)&path->steps, cap, (size_t)path->step_cnt + 1, sizeof(*path->steps))) {
		err = -ENOMEM;
		goto free_path;
	}
	step = &path->steps[path->step_cnt];
	memset(step, 0, sizeof(*step));
	step->kind = Q_STEP_CAST;
	step->pos = t->pos;
	step->name = tok_strdup(p, t);
	if (!step->name) {
		err = -ENOMEM;
		goto free_path;
	}
	path->step_cnt++;
	advance(p);
	if (peek(p)->kind != T_RPAREN) {
		err = expected(p, "')'", pos);
		goto free_path;
	}
	advance(p);
	return 0;

free_path:
	path_free(path);
	return err;
}

/* path := ( ident | cast ) { '->' ident | '.' ident | '[' int ']' } */
static int parse_path(struct parser *p, struct q_path *path, int after)
{
	const struct tok *t = peek(p);
	struct q_step *step;
	enum tok_kind kind;
	char q[Q_QUOTE_BUF];
	size_t cap = 0;
	int err;

	memset(path, 0, sizeof(*path));
	if (t->kind != T_IDENT)
		return expected(p, "a field name", after);
	if (is_cast(p, t)) {
		err = parse_cast(p, path, &cap);
		if (err)
			return err;
	} else {
		path->root = tok_strdup(p, t);
		if (!path->root)
			return -ENOMEM;
		path->pos = t->pos;
		advance(p);
	}

	for (;;) {
		kind = peek(p)->kind;
		if (kind != T_ARROW && kind != T_DOT && kind != T_LBRACK)
			return 0;
		if (path->step_cnt == Q_MAX_STEPS) {
			quote(q, sizeof(q), p->src + path->pos, prev_end(p) - path->pos, true);
			err = fail(p, peek(p)->pos, "path %s is too deep (more than %d steps)", q,
				   Q_MAX_STEPS);
			goto free_path;
		}
		if (bd_grow((void **)&path->steps, &cap, (size_t)path->step_cnt + 1,
			    sizeof(*path->steps))) {
			err = -ENOMEM;
			goto free_path;
		}
		step = &path->steps[path->step_cnt];
		memset(step, 0, sizeof(*step));
		advance(p);
		t = peek(p);
		step->pos = t->pos;
		if (kind == T_LBRACK) {
			step->kind = Q_STEP_INDEX;
			err = parse_index(p, path->pos, &step->index, &step->name);
			if (err) {
				path->step_cnt++;	/* frees the step's name */
				goto free_path;
			}
		} else {
			step->kind = kind == T_ARROW ? Q_STEP_ARROW : Q_STEP_DOT;
			if (t->kind != T_IDENT) {
				err = expected(p, "a field name", path->pos);
				goto free_path;
			}
			step->name = tok_strdup(p, t);
			if (!step->name) {
				err = -ENOMEM;
				goto free_path;
			}
			advance(p);
		}
		path->step_cnt++;
	}

free_path:
	path_free(path);
	return err;
}

/* value := path | func '(' path ')' */
static int parse_value(struct parser *p, struct q_value *v)
{
	const struct tok *t = peek(p);
	int err;

	memset(v, 0, sizeof(*v));
	v->pos = t->pos;
	if (t->kind == T_IDENT && peek2(p)->kind == T_LPAREN && !is_cast(p, t)) {
		v->func = tok_strdup(p, t);
		if (!v->func)
			return -ENOMEM;
		v->func_pos = t->pos;
		advance(p);
		advance(p);
		err = parse_path(p, &v->path, v->pos);
		if (err)
			goto free_value;
		if (peek(p)->kind != T_RPAREN) {
			err = expected(p, "')'", v->path.pos);
			goto free_value;
		}
		advance(p);
	} else {
		err = parse_path(p, &v->path, prev_pos(p));
		if (err)
			return err;
	}
	v->end = prev_end(p);
	return 0;

free_value:
	value_free(v);
	return err;
}

static int parse_literal(struct parser *p, struct q_lit *lit, int op_pos)
{
	const struct tok *t = peek(p);

	memset(lit, 0, sizeof(*lit));
	lit->pos = t->pos;
	switch (t->kind) {
	case T_INT:
		lit->kind = Q_LIT_INT;
		if (t->neg)
			lit->ival = t->mag ? -(long long)(t->mag - 1) - 1 : 0;
		else
			lit->ival = (long long)t->mag;
		lit->is_unsigned = !t->neg && t->mag > LLONG_MAX;
		break;
	case T_STR:
		lit->kind = Q_LIT_STR;
		lit->str = malloc(t->len);
		if (!lit->str)
			return -ENOMEM;
		scan_string(p, t->pos, lit->str, &lit->str_len);
		break;
	case T_IDENT:
		lit->kind = Q_LIT_IDENT;
		lit->str = tok_strdup(p, t);
		if (!lit->str)
			return -ENOMEM;
		lit->str_len = t->len;
		break;
	default:
		return expected(p, "a number, string or name", op_pos);
	}
	advance(p);
	return 0;
}

static bool tok_to_op(enum tok_kind kind, enum q_op *op)
{
	static const struct {
		enum tok_kind tok;
		enum q_op op;
	} ops[] = {
		{ T_EQ, Q_OP_EQ }, { T_NE, Q_OP_NE }, { T_LT, Q_OP_LT },	  { T_LE, Q_OP_LE },
		{ T_GT, Q_OP_GT }, { T_GE, Q_OP_GE }, { T_AMP, Q_OP_BITAND },
	};
	size_t i;

	for (i = 0; i < sizeof(ops) / sizeof(ops[0]); i++) {
		if (ops[i].tok == kind) {
			*op = ops[i].op;
			return true;
		}
	}
	return false;
}

static const struct {
	enum tok_kind tok;
	enum q_aop op;
	int level;	/* 0 binds loosest */
} aops[] = {
	{ T_PIPE, Q_AOP_OR, 0 },   { T_CARET, Q_AOP_XOR, 1 },   { T_AMP, Q_AOP_AND, 2 },
	{ T_SHL, Q_AOP_SHL, 3 },   { T_SHR, Q_AOP_SHR, 3 },     { T_PLUS, Q_AOP_ADD, 4 },
	{ T_MINUS, Q_AOP_SUB, 4 }, { T_STAR, Q_AOP_MUL, 5 },    { T_SLASH, Q_AOP_DIV, 5 },
	{ T_PERCENT, Q_AOP_MOD, 5 },
};
#define Q_AOP_LEVELS 6

static bool tok_to_aop(enum tok_kind kind, int level, enum q_aop *op)
{
	size_t i;

	for (i = 0; i < sizeof(aops) / sizeof(aops[0]); i++) {
		if (aops[i].tok == kind && aops[i].level == level) {
			*op = aops[i].op;
			return true;
		}
	}
	return false;
}

static int parse_arith(struct parser *p, int level, struct q_arith **out, int *height);

/* operand := value | number | string | '-' operand | '(' arith ')' */
static int parse_operand(struct parser *p, struct q_arith **out, int *height)
{
	const struct tok *t = peek(p);
	struct q_arith *a, *sub;
	int pos = t->pos, err;

	*out = NULL;
	*height = 1;
	if (t->kind == T_LPAREN || t->kind == T_MINUS) {
		enum tok_kind kind = t->kind;

		if (p->nest >= Q_MAX_NEST)
			return fail(p, pos, "expression nested too deeply (more than %d levels)",
				    Q_MAX_NEST);
		p->nest++;
		advance(p);
		if (kind == T_LPAREN) {
			err = parse_arith(p, 0, out, height);
			if (!err && peek(p)->kind != T_RPAREN)
				err = expected(p, "')'", pos);
			else if (!err)
				advance(p);
		} else {
			err = parse_operand(p, &sub, height);
			if (!err && sub->kind == Q_ARITH_LIT && sub->lit.kind == Q_LIT_INT &&
			    !sub->lit.is_unsigned) {
				sub->lit.ival = -sub->lit.ival;	/* "- 5": a negative literal */
				sub->pos = pos;
				*out = sub;
			} else if (!err) {
				/* -x as 0 - x */
				a = calloc(1, sizeof(*a));
				if (!a) {
					q_arith_free(sub);
					err = -ENOMEM;
				} else {
					a->kind = Q_ARITH_BIN;
					a->op = Q_AOP_SUB;
					a->pos = pos;
					a->rhs = sub;
					a->lhs = calloc(1, sizeof(*a->lhs));
					if (!a->lhs)
						err = -ENOMEM;
					else
						a->lhs->kind = Q_ARITH_LIT;	/* 0 */
					*out = a;
					*height += 1;
				}
			}
		}
		p->nest--;
		if (err) {
			q_arith_free(*out);
			*out = NULL;
		}
		return err;
	}
	if (t->kind != T_IDENT && t->kind != T_INT && t->kind != T_STR)
		return expected(p, "a field name, number or '('", prev_pos(p));
	a = calloc(1, sizeof(*a));
	if (!a)
		return -ENOMEM;
	a->pos = pos;
	if (t->kind == T_IDENT) {
		a->kind = Q_ARITH_VALUE;
		err = parse_value(p, &a->value);
	} else {
		a->kind = Q_ARITH_LIT;
		err = parse_literal(p, &a->lit, prev_pos(p));
	}
	if (err) {
		q_arith_free(a);
		return err;
	}
	*out = a;
	return 0;
}

/* arith := operand { aop operand }, by precedence level (aops) */
static int parse_arith(struct parser *p, int level, struct q_arith **out, int *height)
{
	struct q_arith *lhs, *rhs, *a;
	enum q_aop op;
	int err, pos, lh, rh;

	if (level == Q_AOP_LEVELS)
		return parse_operand(p, out, height);
	err = parse_arith(p, level + 1, &lhs, &lh);
	if (err)
		return err;
	while (tok_to_aop(peek(p)->kind, level, &op)) {
		pos = peek(p)->pos;
		advance(p);
		err = parse_arith(p, level + 1, &rhs, &rh);
		if (err)
			goto free_lhs;
		lh = (lh > rh ? lh : rh) + 1;
		a = calloc(1, sizeof(*a));
		if (!a || lh > Q_MAX_NEST) {
			q_arith_free(rhs);
			free(a);
			err = a ? fail(p, pos, "expression too complex (more than %d levels)",
				       Q_MAX_NEST) : -ENOMEM;
			goto free_lhs;
		}
		a->kind = Q_ARITH_BIN;
		a->op = op;
		a->pos = lhs->pos;
		a->lhs = lhs;
		a->rhs = rhs;
		lhs = a;
	}
	*out = lhs;
	*height = lh;
	return 0;

free_lhs:
	q_arith_free(lhs);
	return err;
}

static bool is_bare_name(const struct q_arith *a)
{
	return a->kind == Q_ARITH_VALUE && !a->value.func && !a->value.path.step_cnt;
}

/* A literal node, or a bare name (a constant: TCP_LISTEN), as the literal of a CMP. */
static bool take_lit(struct q_arith *a, struct q_lit *lit)
{
	if (a->kind == Q_ARITH_LIT) {
		*lit = a->lit;
		memset(&a->lit, 0, sizeof(a->lit));
		return true;
	}
	if (!is_bare_name(a))
		return false;
	memset(lit, 0, sizeof(*lit));
	lit->kind = Q_LIT_IDENT;
	lit->str = a->value.path.root;
	lit->str_len = strlen(lit->str);
	lit->pos = a->pos;
	a->value.path.root = NULL;
	return true;
}

/*
 * cmp := arith [ op arith ]. The forms "value", "value op literal" and "value &
 * literal" keep their nodes (VALUE, CMP): those compare in the value's own type and
 * take strings, addresses and the value's enum names; anything else is an ACMP.
 */
static int parse_cmp(struct parser *p, struct q_expr **out)
{
	struct q_arith *a = NULL, *b = NULL;
	struct q_expr *e;
	char q[Q_QUOTE_BUF];
	int err, h;
	bool has_op;

	e = calloc(1, sizeof(*e));
	if (!e)
		return -ENOMEM;
	e->pos = peek(p)->pos;
	err = parse_arith(p, 0, &a, &h);
	if (err)
		goto free_expr;
	has_op = tok_to_op(peek(p)->kind, &e->op) && e->op != Q_OP_BITAND;
	if (has_op) {
		advance(p);
		err = parse_arith(p, 0, &b, &h);
		if (err)
			goto free_expr;
	} else if (peek(p)->kind == T_ASSIGN) {
		quote(q, sizeof(q), p->src + e->pos, prev_end(p) - e->pos, true);
		err = fail(p, peek(p)->pos, "unexpected '=' after %s (use '==' to compare)", q);
		goto free_expr;
	}

	if (!b && a->kind == Q_ARITH_VALUE) {
		e->kind = Q_EXPR_VALUE;
		e->value = a->value;
		memset(&a->value, 0, sizeof(a->value));
	} else if (!b && a->kind == Q_ARITH_BIN && a->op == Q_AOP_AND &&
		   a->lhs->kind == Q_ARITH_VALUE && take_lit(a->rhs, &e->lit)) {
		e->kind = Q_EXPR_CMP;
		e->op = Q_OP_BITAND;
		e->value = a->lhs->value;
		memset(&a->lhs->value, 0, sizeof(a->lhs->value));
	} else if (b && a->kind == Q_ARITH_VALUE && take_lit(b, &e->lit)) {
		e->kind = Q_EXPR_CMP;
		e->value = a->value;
		memset(&a->value, 0, sizeof(a->value));
	} else {
		e->kind = Q_EXPR_ACMP;
		if (!b) {	/* true when nonzero */
			e->op = Q_OP_NE;
			b = calloc(1, sizeof(*b));
			if (!b) {
				err = -ENOMEM;
				goto free_expr;
			}
			b->kind = Q_ARITH_LIT;
			b->pos = prev_end(p);
		}
		e->alhs = a;
		e->arhs = b;
		a = b = NULL;
	}
	q_arith_free(a);
	q_arith_free(b);
	*out = e;
	return 0;

free_expr:
	q_arith_free(a);
	q_arith_free(b);
	q_expr_free(e);
	return err;
}

/* Joins lhs and rhs (either may be NULL) under a new node; frees both on error. */
static int new_node(struct parser *p, enum q_expr_kind kind, int op_pos, struct q_expr *lhs,
		    struct q_expr *rhs, int height, struct q_expr **out)
{
	struct q_expr *e;
	int err;

	if (height > Q_MAX_HEIGHT) {
		err = fail(p, op_pos, "expression too complex (more than %d levels)", Q_MAX_HEIGHT);
		goto free_operands;
	}
	e = calloc(1, sizeof(*e));
	if (!e) {
		err = -ENOMEM;
		goto free_operands;
	}
	e->kind = kind;
	e->pos = kind == Q_EXPR_NOT ? op_pos : lhs->pos;
	e->lhs = lhs;
	e->rhs = rhs;
	*out = e;
	return 0;

free_operands:
	q_expr_free(lhs);
	q_expr_free(rhs);
	return err;
}

static int parse_or(struct parser *p, struct q_expr **out, int *height);

/* unary := '!' unary | '(' or ')' | cmp */
static int parse_unary(struct parser *p, struct q_expr **out, int *height)
{
	const struct tok *t = peek(p);
	enum tok_kind kind = t->kind;
	int pos = t->pos, err;
	struct q_expr *sub;

	if (kind != T_NOT && kind != T_LPAREN) {
		if (kind != T_IDENT && kind != T_INT && kind != T_MINUS)
			return expected(p, "a field name, '(' or '!'", prev_pos(p));
		*height = 1;
		return parse_cmp(p, out);
	}
	if (kind == T_LPAREN) {
		/* '(' opens arithmetic, "(a & 7) == 1", or a group, "(a || b)": try the first */
		struct q_error saved = *p->err;
		int save = p->cur;

		err = parse_cmp(p, out);
		if (err != -EINVAL) {
			*height = 1;
			return err;
		}
		p->cur = save;
		*p->err = saved;
	}

	if (p->nest >= Q_MAX_NEST)
		return fail(p, pos, "expression nested too deeply (more than %d levels)",
			    Q_MAX_NEST);
	p->nest++;
	advance(p);
	if (kind == T_NOT) {
		err = parse_unary(p, &sub, height);
		if (!err) {
			*height += 1;
			err = new_node(p, Q_EXPR_NOT, pos, sub, NULL, *height, out);
		}
	} else {
		err = parse_or(p, out, height);
		if (!err && peek(p)->kind == T_RPAREN) {
			advance(p);
		} else if (!err) {
			err = expected(p, "')'", pos);
			q_expr_free(*out);
			*out = NULL;
		}
	}
	p->nest--;
	return err;
}

/* and := unary { '&&' unary } ; or := and { '||' and } */
static int parse_chain(struct parser *p, enum tok_kind op, struct q_expr **out, int *height)
{
	enum q_expr_kind kind = op == T_ANDAND ? Q_EXPR_AND : Q_EXPR_OR;
	struct q_expr *lhs, *rhs;
	int err, op_pos, lh, rh;

	err = op == T_ANDAND ? parse_unary(p, &lhs, &lh) : parse_chain(p, T_ANDAND, &lhs, &lh);
	if (err)
		return err;
	while (peek(p)->kind == op) {
		op_pos = peek(p)->pos;
		advance(p);
		err = op == T_ANDAND ? parse_unary(p, &rhs, &rh) :
				       parse_chain(p, T_ANDAND, &rhs, &rh);
		if (err) {
			q_expr_free(lhs);
			return err;
		}
		lh = (lh > rh ? lh : rh) + 1;
		err = new_node(p, kind, op_pos, lhs, rhs, lh, &lhs);
		if (err)
			return err;
	}
	*out = lhs;
	*height = lh;
	return 0;
}

static int parse_or(struct parser *p, struct q_expr **out, int *height)
{
	return parse_chain(p, T_OROR, out, height);
}

/* ---- entry points ---- */

static int parser_init(struct parser *p, const char *text, struct q_error *err)
{
	size_t len;

	memset(p, 0, sizeof(*p));
	p->err = err;
	err->msg[0] = '\0';
	err->pos = 0;
	if (!text)
		return fail(p, 0, "no input");
	len = strnlen(text, Q_MAX_INPUT + 1);
	if (len > Q_MAX_INPUT)	/* a bad input: -EINVAL, so the message says where */
		return fail(p, Q_MAX_INPUT, "longer than %d bytes, the limit of a query",
			    Q_MAX_INPUT);
	p->src = text;
	p->len = (int)len;
	return lex(p);
}

static int parser_fini(struct parser *p, int ret)
{
	if (ret == -ENOMEM)
		fail(p, 0, "out of memory");
	free(p->toks);
	p->toks = NULL;
	return ret;
}

int q_parse_columns(const char *text, struct q_columns *out, struct q_error *err)
{
	struct q_error dummy;
	struct parser p;
	struct q_column *col;
	const struct tok *t;
	size_t cap = 0;
	int ret;

	if (!out)
		return -EINVAL;
	memset(out, 0, sizeof(*out));
	ret = parser_init(&p, text, err ? err : &dummy);
	if (ret)
		goto fini;
	if (peek(&p)->kind == T_EOF) {
		ret = fail(&p, 0, "empty field list");
		goto fini;
	}

	for (;;) {
		if (bd_grow((void **)&out->cols, &cap, (size_t)out->cnt + 1, sizeof(*out->cols))) {
			ret = -ENOMEM;
			goto free_columns;
		}
		col = &out->cols[out->cnt++];
		memset(col, 0, sizeof(*col));

		t = peek(&p);
		if (t->kind == T_IDENT && peek2(&p)->kind == T_ASSIGN) {
			col->name = tok_strdup(&p, t);
			if (!col->name) {
				ret = -ENOMEM;
				goto free_columns;
			}
			advance(&p);
			advance(&p);
		}
		ret = parse_value(&p, &col->value);
		if (ret)
			goto free_columns;
		col->text = strndup(p.src + col->value.pos, col->value.end - col->value.pos);
		if (!col->text) {
			ret = -ENOMEM;
			goto free_columns;
		}

		t = peek(&p);
		if (t->kind == T_EOF)
			break;
		if (t->kind != T_COMMA) {
			ret = expected(&p, "',' or end of input", col->value.pos);
			goto free_columns;
		}
		advance(&p);
	}
	goto fini;

free_columns:
	q_columns_free(out);
fini:
	return parser_fini(&p, ret);
}

int q_parse_where(const char *text, struct q_expr **out, struct q_error *err)
{
	struct q_error dummy;
	struct parser p;
	int ret, height;

	if (!out)
		return -EINVAL;
	*out = NULL;
	ret = parser_init(&p, text, err ? err : &dummy);
	if (ret)
		goto fini;
	if (peek(&p)->kind == T_EOF) {
		ret = fail(&p, 0, "empty expression");
		goto fini;
	}
	ret = parse_or(&p, out, &height);
	if (ret)
		goto fini;
	if (peek(&p)->kind != T_EOF) {
		ret = trailing(&p, "'&&', '||' or end of input");
		q_expr_free(*out);
		*out = NULL;
	}
fini:
	return parser_fini(&p, ret);
}

/* FUNC := ident | 'tp' ':' ident ':' ident */
static int parse_trace_func(struct parser *p, struct q_trace_spec *s)
{
	const struct tok *t = peek(p), *group, *name;
	char q[Q_QUOTE_BUF];
	size_t size;

	if (t->kind != T_IDENT)
		return expected(p, "a function name", prev_pos(p));
	s->func_pos = t->pos;
	if (peek2(p)->kind != T_COLON) {
		s->func = tok_strdup(p, t);
		if (!s->func)
			return -ENOMEM;
		advance(p);
		return 0;
	}
	if (t->len != 2 || strncmp(p->src + t->pos, "tp", 2)) {
		quote(q, sizeof(q), p->src + t->pos, t->len, false);
		return fail(p, t->pos, "unknown probe type %s (only 'tp:' is supported)", q);
	}
	advance(p);
	advance(p);
	group = peek(p);
	if (group->kind != T_IDENT)
		return expected(p, "a tracepoint group", s->func_pos);
	advance(p);
	if (peek(p)->kind != T_COLON)
		return expected(p, "':'", s->func_pos);
	advance(p);
	name = peek(p);
	if (name->kind != T_IDENT)
		return expected(p, "a tracepoint name", s->func_pos);
	advance(p);

	size = 3 + group->len + 1 + name->len + 1;
	s->func = malloc(size);
	if (!s->func)
		return -ENOMEM;
	snprintf(s->func, size, "tp:%.*s:%.*s", group->len, p->src + group->pos, name->len,
		 p->src + name->pos);
	return 0;
}

/* An item: a predicate when it has an operator, else a plain value. */
static int parse_trace_item(struct parser *p, struct q_trace_item *item)
{
	struct q_expr *e;
	int err, height;

	err = parse_or(p, &e, &height);
	if (err)
		return err;
	if (e->kind == Q_EXPR_VALUE) {
		item->value = e->value;
		memset(&e->value, 0, sizeof(e->value));
		q_expr_free(e);
	} else {
		item->is_pred = true;
		item->pred = e;
	}
	return 0;
}

int q_parse_trace_spec(const char *text, struct q_trace_spec *out, struct q_error *err)
{
	struct q_trace_item *item;
	struct q_error dummy;
	struct parser p;
	size_t cap = 0;
	int ret, item_pos;

	if (!out)
		return -EINVAL;
	memset(out, 0, sizeof(*out));
	ret = parser_init(&p, text, err ? err : &dummy);
	if (ret)
		goto fini;
	if (peek(&p)->kind == T_EOF) {
		ret = fail(&p, 0, "empty trace spec");
		goto fini;
	}
	ret = parse_trace_func(&p, out);
	if (ret)
		goto free_spec;
	if (peek(&p)->kind == T_EOF)
		goto fini;
	if (peek(&p)->kind != T_LPAREN) {
		ret = expected(&p, "'(' or end of input", out->func_pos);
		goto free_spec;
	}
	out->has_parens = true;
	advance(&p);
	if (peek(&p)->kind == T_RPAREN)
		goto close_paren;

	for (;;) {
		if (bd_grow((void **)&out->items, &cap, (size_t)out->item_cnt + 1,
			    sizeof(*out->items))) {
			ret = -ENOMEM;
			goto free_spec;
		}
		item = &out->items[out->item_cnt++];
		memset(item, 0, sizeof(*item));
		item_pos = peek(&p)->pos;
		ret = parse_trace_item(&p, item);
		if (ret)
			goto free_spec;
		if (peek(&p)->kind == T_RPAREN)
			break;
		if (peek(&p)->kind != T_COMMA) {
			ret = expected(&p, "',' or ')'", item_pos);
			goto free_spec;
		}
		advance(&p);
	}
close_paren:
	advance(&p);
	if (peek(&p)->kind != T_EOF) {
		ret = trailing(&p, "end of input");
		goto free_spec;
	}
	goto fini;

free_spec:
	q_trace_spec_free(out);
fini:
	return parser_fini(&p, ret);
}
