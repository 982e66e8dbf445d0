// SPDX-License-Identifier: (LGPL-2.1 OR BSD-2-Clause)
/* Unit tests of the field-list, --where and trace-spec parser (src/lib/query.c). */
#include <errno.h>
#include <limits.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "output.h"
#include "query.h"
#include "test.h"

#define NAME_MAX_LEN 200

/* A check name: printf-style, control bytes shown as '.', so it stays one line. */
__attribute__((format(printf, 2, 3)))
static const char *tname(char *buf, const char *fmt, ...)
{
	va_list ap;
	char *c;

	va_start(ap, fmt);
	vsnprintf(buf, NAME_MAX_LEN, fmt, ap);
	va_end(ap);
	for (c = buf; *c; c++) {
		if ((unsigned char)*c < 0x20 || (unsigned char)*c == 0x7f)
			*c = '.';
	}
	return buf;
}

/* ---- AST renderers: a compact text form that the tables compare against ---- */

static void render_path(FILE *f, const struct q_path *p)
{
	char *s = q_path_str(p);

	fputs(s ? s : "<null>", f);
	free(s);
}

static void render_value(FILE *f, const struct q_value *v)
{
	if (v->func) {
		fprintf(f, "%s(", v->func);
		render_path(f, &v->path);
		fputc(')', f);
	} else {
		render_path(f, &v->path);
	}
}

static void render_lit(FILE *f, const struct q_lit *l)
{
	size_t i;

	switch (l->kind) {
	case Q_LIT_INT:
		if (l->is_unsigned)
			fprintf(f, "%lluu", (unsigned long long)l->ival);
		else
			fprintf(f, "%lld", l->ival);
		break;
	case Q_LIT_IDENT:
		fputs(l->str, f);
		break;
	case Q_LIT_STR:
		fputc('"', f);
		for (i = 0; i < l->str_len; i++) {
			unsigned char c = l->str[i];

			if (c == '"' || c == '\\')
				fprintf(f, "\\%c", c);
			else if (c == '\n')
				fputs("\\n", f);
			else if (c == '\t')
				fputs("\\t", f);
			else if (c < 0x20 || c >= 0x7f)
				fprintf(f, "\\x%02x", c);
			else
				fputc(c, f);
		}
		fputc('"', f);
		break;
	}
}

static const char *op_str(enum q_op op)
{
	static const char *const names[] = {
		[Q_OP_EQ] = "==", [Q_OP_NE] = "!=", [Q_OP_LT] = "<",	 [Q_OP_LE] = "<=",
		[Q_OP_GT] = ">",  [Q_OP_GE] = ">=", [Q_OP_BITAND] = "&",
	};

	return op <= Q_OP_BITAND ? names[op] : "?";
}

static void render_arith(FILE *f, const struct q_arith *a)
{
	static const char *const names[] = {
		[Q_AOP_MUL] = "*", [Q_AOP_DIV] = "/", [Q_AOP_MOD] = "%", [Q_AOP_ADD] = "+",
		[Q_AOP_SUB] = "-", [Q_AOP_SHL] = "<<", [Q_AOP_SHR] = ">>", [Q_AOP_AND] = "&",
		[Q_AOP_XOR] = "^", [Q_AOP_OR] = "|",
	};

	switch (a->kind) {
	case Q_ARITH_VALUE:
		render_value(f, &a->value);
		break;
	case Q_ARITH_LIT:
		render_lit(f, &a->lit);
		break;
	case Q_ARITH_BIN:
		fprintf(f, "(%s ", names[a->op]);
		render_arith(f, a->lhs);
		fputc(' ', f);
		render_arith(f, a->rhs);
		fputc(')', f);
		break;
	}
}

static void render_expr(FILE *f, const struct q_expr *e)
{
	switch (e->kind) {
	case Q_EXPR_ACMP:
		fprintf(f, "[%s ", op_str(e->op));
		render_arith(f, e->alhs);
		fputc(' ', f);
		render_arith(f, e->arhs);
		fputc(']', f);
		break;
	case Q_EXPR_VALUE:
		render_value(f, &e->value);
		break;
	case Q_EXPR_CMP:
		fprintf(f, "(%s ", op_str(e->op));
		render_value(f, &e->value);
		fputc(' ', f);
		render_lit(f, &e->lit);
		fputc(')', f);
		break;
	case Q_EXPR_AND:
	case Q_EXPR_OR:
		fprintf(f, "(%s ", e->kind == Q_EXPR_AND ? "&&" : "||");
		render_expr(f, e->lhs);
		fputc(' ', f);
		render_expr(f, e->rhs);
		fputc(')', f);
		break;
	case Q_EXPR_NOT:
		fputs("(! ", f);
		render_expr(f, e->lhs);
		fputc(')', f);
		break;
	}
}

/* Each renderer returns a malloc'd string, or NULL when parsing failed. */
static char *where_str(const char *text)
{
	struct q_error err;
	struct q_expr *e;
	size_t size;
	char *buf;
	FILE *f;

	if (q_parse_where(text, &e, &err)) {
		printf("# where '%.60s': %s (pos %d)\n", text, err.msg, err.pos);
		return NULL;
	}
	f = open_memstream(&buf, &size);
	render_expr(f, e);
	fclose(f);
	q_expr_free(e);
	return buf;
}

static char *columns_str(const char *text)
{
	struct q_columns c;
	struct q_error err;
	size_t size;
	char *buf;
	FILE *f;
	int i;

	if (q_parse_columns(text, &c, &err)) {
		printf("# columns '%.60s': %s (pos %d)\n", text, err.msg, err.pos);
		return NULL;
	}
	f = open_memstream(&buf, &size);
	for (i = 0; i < c.cnt; i++) {
		fputs(i ? " | " : "", f);
		if (c.cols[i].name)
			fprintf(f, "%s=", c.cols[i].name);
		render_value(f, &c.cols[i].value);
		fprintf(f, " {%s}", c.cols[i].text);
	}
	fclose(f);
	q_columns_free(&c);
	return buf;
}

static char *trace_str(const char *text)
{
	struct q_trace_spec s;
	struct q_error err;
	size_t size;
	char *buf;
	FILE *f;
	int i;

	if (q_parse_trace_spec(text, &s, &err)) {
		printf("# trace '%.60s': %s (pos %d)\n", text, err.msg, err.pos);
		return NULL;
	}
	f = open_memstream(&buf, &size);
	fputs(s.func, f);
	if (s.has_parens)
		fputc('(', f);
	for (i = 0; i < s.item_cnt; i++) {
		fputs(i ? ", " : "", f);
		if (s.items[i].is_pred) {
			fputc('P', f);
			render_expr(f, s.items[i].pred);
		} else {
			fputc('V', f);
			render_value(f, &s.items[i].value);
		}
	}
	if (s.has_parens)
		fputc(')', f);
	fclose(f);
	q_trace_spec_free(&s);
	return buf;
}

struct shape_case {
	const char *text;
	const char *want;
};

static const struct shape_case where_cases[] = {
	{ "a", "a" },
	{ "task->pid == 1", "(== task->pid 1)" },
	{ "task->mm->total_vm > 1000", "(> task->mm->total_vm 1000)" },
	{ "a != 0x1f", "(!= a 31)" },
	{ "a == 0X1F", "(== a 31)" },
	{ "a == 007", "(== a 7)" },
	{ "a & 02000000", "(& a 524288)" },
	{ "a == 0755", "(== a 493)" },
	{ "a == -010", "(== a -8)" },
	{ "a == 00", "(== a 0)" },
	{ "a == 0b101", "(== a 5)" },
	{ "a == 0B11", "(== a 3)" },
	{ "a == 01777777777777777777777", "(== a 18446744073709551615u)" },
	{ "a < -1", "(< a -1)" },
	{ "a <= -0x10", "(<= a -16)" },
	{ "a == 0", "(== a 0)" },
	{ "a == -0", "(== a 0)" },
	{ "a >= 18446744073709551615", "(>= a 18446744073709551615u)" },
	{ "a == 0xffffffffffffffff", "(== a 18446744073709551615u)" },
	{ "a == 9223372036854775807", "(== a 9223372036854775807)" },
	{ "a == 9223372036854775808", "(== a 9223372036854775808u)" },
	{ "a == -9223372036854775808", "(== a -9223372036854775808)" },
	{ "a & 4", "(& a 4)" },
	{ "a & 0x8000000000000000", "(& a 9223372036854775808u)" },
	{ "comm == \"kthreadd\"", "(== comm \"kthreadd\")" },
	{ "s == \"a\\\"b\\\\c\\nd\\te\\x41\\x7f\"", "(== s \"a\\\"b\\\\c\\nd\\teA\\x7f\")" },
	{ "a == \"\"", "(== a \"\")" },
	{ "a == \"x,y) && (\"", "(== a \"x,y) && (\")" },
	{ "state == TASK_RUNNING", "(== state TASK_RUNNING)" },
	{ "p != NULL", "(!= p NULL)" },
	{ "a && b || c", "(|| (&& a b) c)" },
	{ "a || b && c", "(|| a (&& b c))" },
	{ "a && b && c", "(&& (&& a b) c)" },
	{ "a || b || c", "(|| (|| a b) c)" },
	{ "a == b->c", "[== a b->c]" },
	{ "a->r[MM_ANONPAGES].count > 0", "(> a->r[MM_ANONPAGES].count 0)" },
	{ "1 == a", "[== 1 a]" },
	{ "a == (1)", "(== a 1)" },
	{ "task->pid == task->tgid", "[== task->pid task->tgid]" },
	{ "(f->i_mode & 0170000) == 0140000", "[== (& f->i_mode 61440) 49152]" },
	{ "a & 0170000 == 0140000", "[== (& a 61440) 49152]" },
	{ "a + b * c - d", "[!= (- (+ a (* b c)) d) 0]" },
	{ "a-1 > b", "[> (- a 1) b]" },
	{ "a == -1", "(== a -1)" },
	{ "a == - 1", "(== a -1)" },
	{ "-a < 0", "[< (- 0 a) 0]" },
	{ "a << 2 | b >> 1 ^ c % 3 / 4", "[!= (| (<< a 2) (^ (>> b 1) (/ (% c 3) 4))) 0]" },
	{ "(a & 4)", "(& a 4)" },
	{ "!(a & 4) && ((a + 1) == 2 || b)", "(&& (! (& a 4)) (|| [== (+ a 1) 2] b))" },
	{ "((a == 1))", "(== a 1)" },
	{ "a & MASK", "(& a MASK)" },
	{ "a == LISTEN", "(== a LISTEN)" },
	{ "a - b == MM_X", "[== (- a b) MM_X]" },
	{ "a || b && c || d", "(|| (|| a (&& b c)) d)" },
	{ "!a", "(! a)" },
	{ "!a && b", "(&& (! a) b)" },
	{ "!(a && b)", "(! (&& a b))" },
	{ "(a || b) && c", "(&& (|| a b) c)" },
	{ "a && (b || c)", "(&& a (|| b c))" },
	{ "((a))", "a" },
	{ "!!a", "(! (! a))" },
	{ "!a == 1", "(! (== a 1))" },
	{ "str(task->comm) == \"sh\"", "(== str(task->comm) \"sh\")" },
	{ "hex(a.b[3])", "hex(a.b[3])" },
	{ "f (a)", "f(a)" },
	{ "  a   ->b [ 2 ] . c==1  ", "(== a->b[2].c 1)" },
	{ "a==1&&b!=2||!c", "(|| (&& (== a 1) (!= b 2)) (! c))" },
	{ "a==1\n&&\tb==2", "(&& (== a 1) (== b 2))" },
	{ "return != 0", "(!= return 0)" },
	{ "x[0][1]", "x[0][1]" },
	{ "_x9 > 0", "(> _x9 0)" },
	/* cast(PATH, struct NAME): the path so far, then a cast step; nests */
	{ "cast(file->private_data, struct socket)->sk == 0",
	  "(== cast(file->private_data, struct socket)->sk 0)" },
	{ "cast( a , union u )[1].b > 2", "(> cast(a, struct u)[1].b 2)" },
	{ "cast(cast(a->b, struct x)->c, struct y)->d == 1",
	  "(== cast(cast(a->b, struct x)->c, struct y)->d 1)" },
	{ "hex(cast(a, struct s)->b)", "hex(cast(a, struct s)->b)" },
	{ "cast == 1", "(== cast 1)" },
};

static const struct shape_case column_cases[] = {
	{ "task->tgid", "task->tgid {task->tgid}" },
	{ "pid=task->tgid,comm=task->comm,vm=task->mm->total_vm",
	  "pid=task->tgid {task->tgid} | comm=task->comm {task->comm} | "
	  "vm=task->mm->total_vm {task->mm->total_vm}" },
	{ " name = str( task->comm ) , x ", "name=str(task->comm) {str( task->comm )} | x {x}" },
	{ "a.b[0],c", "a.b[0] {a.b[0]} | c {c}" },
	{ "a->b , c -> d", "a->b {a->b} | c->d {c -> d}" },
	{ "x=hex(y)", "x=hex(y) {hex(y)}" },
	{ "f(a)", "f(a) {f(a)}" },
	{ "_a1=_b2", "_a1=_b2 {_b2}" },
	{ "return", "return {return}" },
	{ "st=cast(file->private_data, struct socket)->sk",
	  "st=cast(file->private_data, struct socket)->sk "
	  "{cast(file->private_data, struct socket)->sk}" },
	{ "cast(a, struct b)->c", "cast(a, struct b)->c {cast(a, struct b)->c}" },
};

static const struct shape_case trace_cases[] = {
	{ "vfs_read", "vfs_read" },
	{ "vfs_read()", "vfs_read()" },
	{ "ip_send_skb(skb->len == 84, skb)", "ip_send_skb(P(== skb->len 84), Vskb)" },
	{ "tp:sched:sched_switch(prev->comm)", "tp:sched:sched_switch(Vprev->comm)" },
	{ "tp : sched : sched_switch", "tp:sched:sched_switch" },
	{ "f(skb, return != 0)", "f(Vskb, P(!= return 0))" },
	{ "f(a && b, !c, (d), str(e->f))", "f(P(&& a b), P(! c), Vd, Vstr(e->f))" },
	{ "f(return)", "f(Vreturn)" },
	{ "tp(x)", "tp(Vx)" },
	{ " do_sys_open ( filename , flags & 0x40 ) ", "do_sys_open(Vfilename, P(& flags 64))" },
	{ "f(a || b)", "f(P(|| a b))" },
	{ "f(s == \"a,b)\")", "f(P(== s \"a,b)\"))" },
};

static void test_shapes(const char *kind, const struct shape_case *cases, int cnt,
			char *(*render)(const char *text))
{
	char name[NAME_MAX_LEN];
	char *got;
	int i;

	for (i = 0; i < cnt; i++) {
		got = render(cases[i].text);
		ASSERT_STR_EQ(got, cases[i].want, tname(name, "%s '%s'", kind, cases[i].text));
		free(got);
	}
}

/* ---- invalid input ---- */

enum which { COLS, WHERE, TRACE };

struct err_case {
	enum which which;
	const char *text;
	int pos;
	const char *msg;	/* substring of the message */
};

static const struct err_case err_cases[] = {
	{ COLS, "", 0, "empty field list" },
	{ COLS, "  \t ", 0, "empty field list" },
	{ COLS, "a,", 2, "expected a field name after ',' but found end of input" },
	{ COLS, ",a", 0, "expected a field name but found ','" },
	{ COLS, "a b", 2, "expected ',' or end of input after 'a' but found 'b'" },
	{ COLS, "a==1", 1, "expected ',' or end of input after 'a' but found '=='" },
	{ COLS, "n=", 2, "expected a field name after '=' but found end of input" },
	{ COLS, "=a", 0, "but found '='" },
	{ COLS, "x=1", 2, "but found '1'" },
	{ COLS, "x=\"s\"", 2, "but found '\"s\"'" },
	{ COLS, "a->", 3, "expected a field name after 'a->'" },
	{ COLS, "cast(a)", 6, "expected ',' and the struct to cast to" },
	{ COLS, "cast(a, b)", 8, "expected 'struct NAME'" },
	{ COLS, "cast(a, struct)", 14, "expected a struct name" },
	{ COLS, "cast(a, struct s", 16, "expected ')'" },
	{ COLS, "cast(, struct s)", 5, "expected a field name" },
	{ COLS, "a->1", 3, "but found '1'" },
	{ COLS, "a.b.", 4, "after 'a.b.'" },
	{ COLS, "a[", 2, "expected an array index after 'a['" },
	{ COLS, "a[\"x\"]", 2, "expected an array index after 'a[' but found '\"x\"'" },
	{ COLS, "a[X y]", 4, "expected ']' after 'a[X' but found 'y'" },
	{ COLS, "a[1", 3, "expected ']' after 'a[1'" },
	{ COLS, "a[-1]", 2, "array index '-1' out of range" },
	{ COLS, "a[9223372036854775808]", 2, "out of range" },
	{ COLS, "str(task->comm", 14, "expected ')' after 'task->comm' but found end of input" },
	{ COLS, "str(task->comm,x)", 14, "expected ')' after 'task->comm' but found ','" },
	{ COLS, "str()", 4, "expected a field name after 'str(' but found ')'" },
	{ COLS, "str(hex(a))", 7, "expected ')' after 'hex' but found '('" },
	{ COLS, "a$", 1, "unexpected character '$'" },
	{ COLS, "a\x01", 1, "unexpected character '\\x01'" },
	{ COLS, "a\xc3\xa9", 1, "unexpected character '\\xc3'" },
	{ COLS, "a|b", 1, "expected ',' or end of input after 'a' but found '|'" },
	{ COLS, "a - b", 2, "expected ',' or end of input after 'a' but found '-'" },
	{ COLS, "a:b", 1, "but found ':'" },
	{ WHERE, "", 0, "empty expression" },
	{ WHERE, "a ==", 4, "expected a field name, number or '(' after '==' but found end of input" },
	{ WHERE, "a xyz", 2, "trailing input 'xyz'" },
	{ WHERE, "a b c", 2, "trailing input 'b c'" },
	{ WHERE, "a == 1 == 2", 7, "trailing input '== 2'" },
	{ WHERE, "a == 1 &", 8, "expected a field name, number or '(' after '&'" },
	{ WHERE, "a)", 1, "trailing input ')'" },
	{ WHERE, "tp:a:b", 2, "trailing input ':a:b'" },
	{ WHERE, "(a", 2, "expected ')' after '(a' but found end of input" },
	{ WHERE, "(a && b c", 8, "expected ')' after '(a && b' but found 'c'" },
	{ WHERE, "a &&", 4, "expected a field name, '(' or '!' after '&&' but found end of input" },
	{ WHERE, "a == 1 ||", 9, "after '||' but found end of input" },
	{ WHERE, "&& a", 0, "expected a field name, '(' or '!' but found '&&'" },
	{ WHERE, "|| a", 0, "but found '||'" },
	{ WHERE, "!", 1, "after '!' but found end of input" },
	{ WHERE, "()", 1, "after '(' but found ')'" },
	{ WHERE, "\"s\" == a", 0, "but found '\"s\"'" },
	{ WHERE, "a = 1", 2, "use '==' to compare" },
	{ WHERE, "a == ==", 5, "but found '=='" },
	{ WHERE, "a &", 3, "expected a field name, number or '(' after '&'" },
	{ WHERE, "a & & b", 4, "but found '&'" },
	{ WHERE, "a <> b", 3, "but found '>'" },
	{ WHERE, "a -> == 1", 5, "expected a field name after 'a ->' but found '=='" },
	{ WHERE, "a == \"abc", 5, "unterminated string" },
	{ WHERE, "a == \"ab\\", 5, "unterminated string" },
	{ WHERE, "a == \"ab\\\"", 5, "unterminated string" },
	{ WHERE, "a == \"\\q\"", 6, "invalid escape '\\q'" },
	{ WHERE, "a == \"\\x4\"", 6, "expected two hex digits" },
	{ WHERE, "a == \"\\xg0\"", 6, "expected two hex digits" },
	{ WHERE, "a == \"\\x", 6, "expected two hex digits" },
	{ WHERE, "a == 18446744073709551616", 5, "number '18446744073709551616' out of range" },
	{ WHERE, "a == 0x10000000000000000", 5, "out of range" },
	{ WHERE, "a == -9223372036854775809", 5, "out of range" },
	{ WHERE, "a == 0x", 5, "invalid number '0x'" },
	{ WHERE, "a == 12ab", 5, "invalid number '12ab'" },
	{ WHERE, "a == 0x1g", 5, "invalid number '0x1g'" },
	{ WHERE, "a == 08", 5, "invalid number '08'" },
	{ WHERE, "a == 0779", 5, "invalid number '0779'" },
	{ WHERE, "a == 0b", 5, "invalid number '0b'" },
	{ WHERE, "a == 0b102", 5, "invalid number '0b102'" },
	{ WHERE, "a == 02000000000000000000000", 5, "out of range" },
	{ WHERE, "a == -", 6, "expected a field name, number or '(' after '-'" },
	{ WHERE, "(a + 1", 6, "expected ')' after '(a + 1' but found end of input" },
	{ WHERE, "a | | b", 4, "expected a field name, number or '(' after '|'" },
	{ TRACE, "", 0, "empty trace spec" },
	{ TRACE, "(a)", 0, "expected a function name but found '('" },
	{ TRACE, "1f", 0, "invalid number '1f'" },
	{ TRACE, "f(", 2, "after '(' but found end of input" },
	{ TRACE, "f(a", 3, "expected ',' or ')' after 'a' but found end of input" },
	{ TRACE, "f(a,)", 4, "after ',' but found ')'" },
	{ TRACE, "f(,a)", 2, "but found ','" },
	{ TRACE, "f(a,,b)", 4, "but found ','" },
	{ TRACE, "f(a b)", 4, "expected ',' or ')' after 'a' but found 'b'" },
	{ TRACE, "f(a == 1 b)", 9, "after 'a == 1' but found 'b'" },
	{ TRACE, "f(x[0)", 5, "expected ']' after 'x[0'" },
	{ TRACE, "f(a = 1)", 4, "use '==' to compare" },
	{ TRACE, "f(a))", 4, "trailing input ')'" },
	{ TRACE, "f(a) g", 5, "trailing input 'g'" },
	{ TRACE, "f g", 2, "expected '(' or end of input after 'f' but found 'g'" },
	{ TRACE, "kprobe:f", 0, "unknown probe type 'kprobe'" },
	{ TRACE, "tp:", 3, "expected a tracepoint group after 'tp:' but found end of input" },
	{ TRACE, "tp:sched", 8, "expected ':' after 'tp:sched'" },
	{ TRACE, "tp:sched:", 9, "expected a tracepoint name after 'tp:sched:'" },
	{ TRACE, "tp:sched:1", 9, "but found '1'" },
	{ TRACE, "f(a) $", 5, "unexpected character '$'" },
};

/* Parses text with the given parser; checks the output is left empty on error. */
static int parse_any(enum which which, const char *text, struct q_error *err, bool *empty)
{
	struct q_trace_spec spec;
	struct q_columns cols;
	struct q_expr *e = (struct q_expr *)&cols;	/* must be reset to NULL */
	int ret;

	switch (which) {
	case COLS:
		ret = q_parse_columns(text, &cols, err);
		*empty = !cols.cols && !cols.cnt;
		q_columns_free(&cols);
		break;
	case WHERE:
		ret = q_parse_where(text, &e, err);
		*empty = !e;
		q_expr_free(e);
		break;
	default:
		ret = q_parse_trace_spec(text, &spec, err);
		*empty = !spec.func && !spec.items && !spec.item_cnt && !spec.has_parens;
		q_trace_spec_free(&spec);
		break;
	}
	return ret;
}

static void test_errors(void)
{
	static const char *const kinds[] = { "columns", "where", "trace" };
	char name[NAME_MAX_LEN];
	const struct err_case *c;
	struct q_error err;
	bool empty;
	size_t i;
	int ret;

	for (i = 0; i < sizeof(err_cases) / sizeof(err_cases[0]); i++) {
		c = &err_cases[i];
		memset(&err, 0x55, sizeof(err));
		ret = parse_any(c->which, c->text, &err, &empty);
		tname(name, "%s error '%s'", kinds[c->which], c->text);
		if (!ASSERT_EQ_INT(ret, -EINVAL, name))
			continue;
		if (!ASSERT_TRUE(strstr(err.msg, c->msg), name))
			printf("#   message: %s\n#   want: %s\n", err.msg, c->msg);
		ASSERT_EQ_INT(err.pos, c->pos, tname(name, "%s error '%s' pos", kinds[c->which],
						      c->text));
		ASSERT_TRUE(empty && !strchr(err.msg, '\n') && strlen(err.msg) < sizeof(err.msg),
			    tname(name, "%s error '%s' clean", kinds[c->which], c->text));
	}
}

/* ---- details the renderers do not show ---- */

static void test_column_details(void)
{
	const char *text = "pid=task->tgid, comm = str(task->comm)";
	struct q_columns c;
	struct q_error err;
	struct q_column *col;

	if (!ASSERT_EQ_INT(q_parse_columns(text, &c, &err), 0, "cols details parse"))
		return;
	ASSERT_EQ_INT(c.cnt, 2, "cols details cnt");
	col = &c.cols[0];
	ASSERT_STR_EQ(col->name, "pid", "cols details name 0");
	ASSERT_TRUE(!col->value.func, "cols details no func 0");
	ASSERT_EQ_INT(col->value.pos, 4, "cols details value pos 0");
	ASSERT_EQ_INT(col->value.end, 14, "cols details value end 0");
	ASSERT_STR_EQ(col->value.path.root, "task", "cols details root 0");
	ASSERT_EQ_INT(col->value.path.pos, 4, "cols details root pos 0");
	ASSERT_EQ_INT(col->value.path.step_cnt, 1, "cols details steps 0");
	ASSERT_EQ_INT(col->value.path.steps[0].kind, Q_STEP_ARROW, "cols details step kind 0");
	ASSERT_STR_EQ(col->value.path.steps[0].name, "tgid", "cols details step name 0");
	ASSERT_EQ_INT(col->value.path.steps[0].pos, 10, "cols details step pos 0");
	ASSERT_STR_EQ(col->text, "task->tgid", "cols details text 0");
	col = &c.cols[1];
	ASSERT_STR_EQ(col->name, "comm", "cols details name 1");
	ASSERT_STR_EQ(col->value.func, "str", "cols details func 1");
	ASSERT_EQ_INT(col->value.func_pos, 23, "cols details func pos 1");
	ASSERT_EQ_INT(col->value.pos, 23, "cols details value pos 1");
	ASSERT_EQ_INT(col->value.end, 38, "cols details value end 1");
	ASSERT_EQ_INT(col->value.path.pos, 27, "cols details root pos 1");
	ASSERT_EQ_INT(col->value.path.steps[0].pos, 33, "cols details step pos 1");
	ASSERT_STR_EQ(col->text, "str(task->comm)", "cols details text 1");
	q_columns_free(&c);
	ASSERT_TRUE(!c.cols && !c.cnt, "cols details freed");
	q_columns_free(&c);
}

static void test_where_details(void)
{
	const char *text = "a->b[3] == -5 && !c";
	struct q_expr *e, *cmp, *not;
	struct q_error err;
	struct q_path *p;

	if (!ASSERT_EQ_INT(q_parse_where(text, &e, &err), 0, "where details parse"))
		return;
	ASSERT_EQ_INT(e->kind, Q_EXPR_AND, "where details and");
	ASSERT_EQ_INT(e->pos, 0, "where details and pos");
	cmp = e->lhs;
	ASSERT_EQ_INT(cmp->kind, Q_EXPR_CMP, "where details cmp");
	ASSERT_EQ_INT(cmp->op, Q_OP_EQ, "where details op");
	ASSERT_EQ_INT(cmp->pos, 0, "where details cmp pos");
	ASSERT_EQ_INT(cmp->value.end, 7, "where details value end");
	ASSERT_EQ_INT(cmp->lit.kind, Q_LIT_INT, "where details lit kind");
	ASSERT_EQ_INT(cmp->lit.ival, -5, "where details lit value");
	ASSERT_TRUE(!cmp->lit.is_unsigned, "where details lit signed");
	ASSERT_EQ_INT(cmp->lit.pos, 11, "where details lit pos");
	p = &cmp->value.path;
	ASSERT_EQ_INT(p->step_cnt, 2, "where details steps");
	ASSERT_EQ_INT(p->steps[0].pos, 3, "where details step 0 pos");
	ASSERT_EQ_INT(p->steps[1].kind, Q_STEP_INDEX, "where details step 1 kind");
	ASSERT_EQ_INT(p->steps[1].index, 3, "where details step 1 index");
	ASSERT_EQ_INT(p->steps[1].pos, 5, "where details step 1 pos");
	ASSERT_TRUE(!p->steps[1].name, "where details step 1 no name");
	not = e->rhs;
	ASSERT_EQ_INT(not->kind, Q_EXPR_NOT, "where details not");
	ASSERT_EQ_INT(not->pos, 17, "where details not pos");
	ASSERT_TRUE(!not->rhs, "where details not rhs");
	ASSERT_EQ_INT(not->lhs->kind, Q_EXPR_VALUE, "where details not operand");
	ASSERT_EQ_INT(not->lhs->pos, 18, "where details not operand pos");
	q_expr_free(e);
}

static void test_literals(void)
{
	struct q_error err;
	struct q_expr *e;

	if (ASSERT_EQ_INT(q_parse_where("s == \"a\\x00b\"", &e, &err), 0, "lit nul parse")) {
		ASSERT_EQ_INT(e->lit.kind, Q_LIT_STR, "lit nul kind");
		ASSERT_EQ_INT(e->lit.str_len, 3, "lit nul len");
		ASSERT_TRUE(!memcmp(e->lit.str, "a\0b", 4), "lit nul bytes");
		ASSERT_EQ_INT(e->lit.pos, 5, "lit nul pos");
		q_expr_free(e);
	}
	if (ASSERT_EQ_INT(q_parse_where("x == 0xffffffffffffffff", &e, &err), 0, "lit umax")) {
		ASSERT_TRUE(e->lit.is_unsigned, "lit umax unsigned");
		ASSERT_TRUE((unsigned long long)e->lit.ival == ULLONG_MAX, "lit umax value");
		q_expr_free(e);
	}
	if (ASSERT_EQ_INT(q_parse_where("x == -9223372036854775808", &e, &err), 0, "lit min")) {
		ASSERT_TRUE(!e->lit.is_unsigned, "lit min signed");
		ASSERT_TRUE(e->lit.ival == LLONG_MIN, "lit min value");
		q_expr_free(e);
	}
	if (ASSERT_EQ_INT(q_parse_where("x != NULL", &e, &err), 0, "lit ident")) {
		ASSERT_EQ_INT(e->lit.kind, Q_LIT_IDENT, "lit ident kind");
		ASSERT_STR_EQ(e->lit.str, "NULL", "lit ident name");
		q_expr_free(e);
	}
}

static void test_trace_details(void)
{
	struct q_trace_spec s;
	struct q_error err;

	if (ASSERT_EQ_INT(q_parse_trace_spec(" tp:net:xmit (a)", &s, &err), 0, "trace tp parse")) {
		ASSERT_STR_EQ(s.func, "tp:net:xmit", "trace tp func");
		ASSERT_EQ_INT(s.func_pos, 1, "trace tp func pos");
		ASSERT_TRUE(s.has_parens, "trace tp parens");
		ASSERT_EQ_INT(s.items[0].value.pos, 14, "trace tp item pos");
		ASSERT_TRUE(!s.items[0].pred, "trace tp item no pred");
		q_trace_spec_free(&s);
	}
	if (ASSERT_EQ_INT(q_parse_trace_spec("vfs_read", &s, &err), 0, "trace bare parse")) {
		ASSERT_TRUE(!s.has_parens && !s.item_cnt && !s.items, "trace bare no items");
		q_trace_spec_free(&s);
	}
	if (ASSERT_EQ_INT(q_parse_trace_spec("f(a > 1)", &s, &err), 0, "trace pred parse")) {
		ASSERT_TRUE(s.items[0].is_pred && s.items[0].pred, "trace pred set");
		ASSERT_TRUE(!s.items[0].value.path.root, "trace pred value empty");
		q_trace_spec_free(&s);
	}
}

static void test_path_str(void)
{
	struct q_step steps[] = {
		{ .kind = Q_STEP_ARROW, .name = "mm" },
		{ .kind = Q_STEP_DOT, .name = "x" },
		{ .kind = Q_STEP_INDEX, .index = 3 },
		{ .kind = Q_STEP_INDEX, .index = LLONG_MAX },
		{ .kind = Q_STEP_INDEX, .index = LLONG_MIN },
	};
	struct q_path p = { .root = "task", .steps = steps, .step_cnt = 5 };
	char *s;

	s = q_path_str(&p);
	ASSERT_STR_EQ(s, "task->mm.x[3][9223372036854775807][-9223372036854775808]",
		      "path_str steps");
	free(s);
	p.step_cnt = 0;
	s = q_path_str(&p);
	ASSERT_STR_EQ(s, "task", "path_str root only");
	free(s);
	errno = 0;
	ASSERT_TRUE(!q_path_str(NULL) && errno == EINVAL, "path_str NULL");
}

/* ---- limits ---- */

static char *repeat(const char *head, const char *unit, int n, const char *tail)
{
	size_t hl = strlen(head), ul = strlen(unit), tl = strlen(tail);
	char *buf = malloc(hl + ul * n + tl + 1);
	char *c = buf;
	int i;

	memcpy(c, head, hl);
	c += hl;
	for (i = 0; i < n; i++, c += ul)
		memcpy(c, unit, ul);
	memcpy(c, tail, tl + 1);
	return buf;
}

/* Parses text as --where; returns the result and, on error, the message. */
static int where_ret(const char *text, struct q_error *err)
{
	struct q_expr *e;
	int ret = q_parse_where(text, &e, err);

	q_expr_free(e);
	return ret;
}

static void test_limits(void)
{
	struct q_error err;
	struct q_columns c;
	char *s, *t;

	s = repeat("a", "->b", 32, "");
	ASSERT_EQ_INT(where_ret(s, &err), 0, "limit 32 steps ok");
	free(s);
	s = repeat("a", ".b", 33, "");
	ASSERT_EQ_INT(where_ret(s, &err), -EINVAL, "limit 33 steps rejected");
	ASSERT_TRUE(strstr(err.msg, "too deep"), "limit 33 steps message");
	ASSERT_EQ_INT(err.pos, 65, "limit 33 steps pos");
	free(s);

	s = repeat("", "(", 64, "a");
	ASSERT_EQ_INT(where_ret(s, &err), -EINVAL, "limit 64 parens unclosed");
	ASSERT_TRUE(strstr(err.msg, "expected ')'"), "limit 64 parens unclosed message");
	t = repeat(s, ")", 64, "");
	ASSERT_EQ_INT(where_ret(t, &err), 0, "limit 64 parens ok");
	free(t);
	free(s);
	s = repeat("", "(", 65, "a");
	ASSERT_EQ_INT(where_ret(s, &err), -EINVAL, "limit 65 parens rejected");
	ASSERT_TRUE(strstr(err.msg, "nested too deeply"), "limit 65 parens message");
	ASSERT_EQ_INT(err.pos, 64, "limit 65 parens pos");
	free(s);
	s = repeat("", "!", 64, "a");
	ASSERT_EQ_INT(where_ret(s, &err), 0, "limit 64 nots ok");
	free(s);
	s = repeat("", "!(", 40, "a");
	ASSERT_EQ_INT(where_ret(s, &err), -EINVAL, "limit 80 mixed rejected");
	ASSERT_TRUE(strstr(err.msg, "nested too deeply"), "limit 80 mixed message");
	free(s);
	s = repeat("", "!", 100000, "a");
	ASSERT_EQ_INT(where_ret(s, &err), -EINVAL, "limit 100000 nots too big");
	free(s);

	s = repeat("a", " && a", 255, "");
	ASSERT_EQ_INT(where_ret(s, &err), 0, "limit 256 terms ok");
	free(s);
	s = repeat("a", " || a", 256, "");
	ASSERT_EQ_INT(where_ret(s, &err), -EINVAL, "limit 257 terms rejected");
	ASSERT_TRUE(strstr(err.msg, "too complex"), "limit 257 terms message");
	free(s);
	s = repeat("f(", "a && ", 300, "a)");
	ASSERT_EQ_INT(q_parse_trace_spec(s, &(struct q_trace_spec){ 0 }, &err), -EINVAL,
		      "limit trace item terms rejected");
	free(s);

	s = repeat("", "a", 64 * 1024, "");
	ASSERT_EQ_INT(q_parse_columns(s, &c, &err), 0, "limit 64 KiB ok");
	ASSERT_EQ_INT(c.cnt ? (long long)strlen(c.cols[0].text) : 0, 64 * 1024, "limit 64 KiB col");
	q_columns_free(&c);
	free(s);
	s = repeat("", "a", 64 * 1024 + 1, "");
	/* a bad input like any other: -EINVAL with a message naming the limit */
	ASSERT_EQ_INT(q_parse_columns(s, &c, &err), -EINVAL, "limit over 64 KiB columns");
	ASSERT_TRUE(!c.cols && !c.cnt, "limit over 64 KiB columns empty");
	ASSERT_TRUE(strstr(err.msg, "65536 bytes") && strstr(err.msg, "limit"),
		    "limit over 64 KiB message names the limit");
	ASSERT_EQ_INT(err.pos, 64 * 1024, "limit over 64 KiB pos");
	ASSERT_EQ_INT(where_ret(s, &err), -EINVAL, "limit over 64 KiB where");
	ASSERT_TRUE(strstr(err.msg, "65536 bytes") != NULL, "limit over 64 KiB where message");
	ASSERT_EQ_INT(q_parse_trace_spec(s, &(struct q_trace_spec){ 0 }, &err), -EINVAL,
		      "limit over 64 KiB trace");
	free(s);

	s = repeat("a", ",a", 32767, "");
	if (ASSERT_EQ_INT(q_parse_columns(s, &c, &err), 0, "limit many columns ok"))
		ASSERT_EQ_INT(c.cnt, 32768, "limit many columns cnt");
	q_columns_free(&c);
	free(s);

	s = repeat("a ", "b", 100, "");
	ASSERT_EQ_INT(where_ret(s, &err), -EINVAL, "limit long token");
	ASSERT_TRUE(strstr(err.msg, "'bbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbb...'"), "limit long token cut");
	ASSERT_TRUE(strlen(err.msg) < 100, "limit long token short");
	free(s);
}

static void test_null_args(void)
{
	struct q_trace_spec s;
	struct q_columns c;
	struct q_expr *e;

	ASSERT_EQ_INT(q_parse_where("a ==", &e, NULL), -EINVAL, "null err where");
	ASSERT_TRUE(!e, "null err where empty");
	ASSERT_EQ_INT(q_parse_columns(NULL, &c, NULL), -EINVAL, "null text columns");
	ASSERT_EQ_INT(q_parse_where("a", NULL, NULL), -EINVAL, "null out where");
	ASSERT_EQ_INT(q_parse_trace_spec("f", NULL, NULL), -EINVAL, "null out trace");
	ASSERT_EQ_INT(q_parse_trace_spec("f(a)", &s, NULL), 0, "null err trace ok");
	q_trace_spec_free(&s);
	q_trace_spec_free(&s);
	q_trace_spec_free(NULL);
	q_columns_free(NULL);
	q_expr_free(NULL);
	ASSERT_TRUE(true, "null frees");
}

/* Names a list of columns gets (plan.c's bd_name_set): NULL-terminated. */
static void check_names(const char *const *in, const char *const *want, const char *what)
{
	struct bd_name_set *ns;
	char *names[32], buf[NAME_MAX_LEN];
	int n, i;

	for (n = 0; in[n]; n++)
		;
	ns = bd_name_set__new(n);
	if (!ASSERT_TRUE(ns, tname(buf, "names %s set", what)))
		return;
	for (i = 0; i < n; i++) {
		names[i] = strdup(in[i]);
		ASSERT_EQ_INT(bd_name_set__add(ns, &names[i]), 0, tname(buf, "names %s add %d",
									what, i));
		ASSERT_STR_EQ(names[i], want[i], tname(buf, "names %s [%d]", what, i));
	}
	names[n] = strdup("one-too-many");
	ASSERT_EQ_INT(bd_name_set__add(ns, &names[n]), -E2BIG, tname(buf, "names %s full", what));
	for (i = 0; i <= n; i++)
		free(names[i]);
	bd_name_set__free(ns);
}

static void test_column_names(void)
{
	static const char *const dup[] = { "pid", "pid", "pid", "pid", NULL };
	static const char *const dup_w[] = { "pid", "pid_2", "pid_3", "pid_4" };
	static const char *const given[] = { "pid", "pid_2", "pid", "pid", NULL };
	static const char *const given_w[] = { "pid", "pid_2", "pid_3", "pid_4" };
	static const char *const late[] = { "pid", "pid", "pid_2", "comm", "pid", NULL };
	static const char *const late_w[] = { "pid", "pid_2", "pid_2_2", "comm", "pid_3" };
	static const char *const mixed[] = { "a", "b", "a", "b", "a_2", "a", NULL };
	static const char *const mixed_w[] = { "a", "b", "a_2", "b_2", "a_2_2", "a_3" };
	char *many[2000], buf[NAME_MAX_LEN];
	struct bd_name_set *ns = bd_name_set__new(2000);
	bool ok = ns != NULL;
	int i;

	check_names(dup, dup_w, "duplicates");
	check_names(given, given_w, "given _2");
	check_names(late, late_w, "late _2");
	check_names(mixed, mixed_w, "mixed");
	/* 2000 of one name: PID, PID_2 ... PID_2000, each distinct */
	for (i = 0; ok && i < 2000; i++) {
		char want[32];

		many[i] = strdup("pid");
		ok = !bd_name_set__add(ns, &many[i]);
		snprintf(want, sizeof(want), i ? "pid_%d" : "pid", i + 1);
		ok = ok && !strcmp(many[i], want);
	}
	ASSERT_TRUE(ok, tname(buf, "names 2000 duplicates numbered in order"));
	while (i-- > 0)
		free(many[i]);
	bd_name_set__free(ns);
}

/* kallsyms_show_value()'s rule, and which values count as kernel addresses */
static void test_kaddr_rules(void)
{
	static const struct {
		int kptr, paranoid;
		bool cap, shown;
	} cases[] = {
		{ 0, 1, false, true }, { 0, -1, false, true }, { 0, 2, false, false },
		{ 0, 2, true, true }, { 1, 1, false, false }, { 1, 0, true, true },
		{ 2, -1, true, false }, { 2, 2, false, false },
	};
	unsigned int i;
	char buf[NAME_MAX_LEN];

	for (i = 0; i < sizeof(cases) / sizeof(cases[0]); i++) {
		struct bd_kaddr_sysctl s = { cases[i].kptr, cases[i].paranoid };

		ASSERT_EQ_INT(bd_kaddr_shown(&s, cases[i].cap), cases[i].shown,
			      tname(buf, "kaddr kptr_restrict=%d paranoid=%d cap_syslog=%d",
				    cases[i].kptr, cases[i].paranoid, cases[i].cap));
	}
	ASSERT_TRUE(bd_is_kaddr_value(0xffffffff81000000ULL), "kaddr text address");
	ASSERT_TRUE(bd_is_kaddr_value(0xffff888000000000ULL), "kaddr direct map");
	ASSERT_TRUE(!bd_is_kaddr_value(0x7ffd12345000ULL), "kaddr user address kept");
	ASSERT_TRUE(!bd_is_kaddr_value(0), "kaddr zero kept");
	ASSERT_TRUE(!bd_is_kaddr_value(~0ULL), "kaddr all ones (RLIM_INFINITY) kept");
}

int main(void)
{
	test_shapes("where", where_cases, sizeof(where_cases) / sizeof(where_cases[0]),
		    where_str);
	test_shapes("columns", column_cases, sizeof(column_cases) / sizeof(column_cases[0]),
		    columns_str);
	test_shapes("trace", trace_cases, sizeof(trace_cases) / sizeof(trace_cases[0]),
		    trace_str);
	test_errors();
	test_column_details();
	test_where_details();
	test_literals();
	test_trace_details();
	test_path_str();
	test_limits();
	test_null_args();
	test_column_names();
	test_kaddr_rules();
	return test_summary();
}
