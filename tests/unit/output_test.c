// SPDX-License-Identifier: (LGPL-2.1 OR BSD-2-Clause)
/*
 * Unit tests for the row printers (src/lib/output.c): the JSON string writer, table
 * cell escaping, measured tables (widths, alignment, -r, -n), JSON lines, write
 * errors, and the kernel-address policy's pure part (kallsyms_show_value()).
 */
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "internal.h"
#include "output.h"
#include "test.h"

/* bd_json_sb of n bytes of s, NUL-terminated (freed by the next call) */
static const char *json(const char *s, size_t n)
{
	static struct bd_strbuf b;

	sb_reset(&b);
	bd_json_sb(&b, s, n);
	sb_putc(&b, '\0');
	return b.s;
}

/* bd_json_str's output for n bytes of s, as a malloc'd string */
static char *json_file(const char *s, size_t n)
{
	char *out = NULL;
	size_t len = 0;
	FILE *f = open_memstream(&out, &len);

	if (!f)
		return NULL;
	bd_json_str(f, s, n);
	fclose(f);
	return out;
}

static void test_json_strings(void)
{
	static const struct {
		const char *in;
		size_t n;
		const char *want;
		const char *name;
	} cases[] = {
		{ "plain", 5, "\"plain\"", "json: printable ASCII is copied" },
		{ "", 0, "\"\"", "json: the empty string" },
		{ "a\"b\\c", 5, "\"a\\\"b\\\\c\"", "json: quote and backslash escaped" },
		{ "a\nb\tc", 5, "\"a\\nb\\tc\"", "json: newline and tab as \\n, \\t" },
		{ "\x01\x1f\x7f", 3, "\"\\u0001\\u001f\\u007f\"", "json: control bytes as \\u00XX" },
		{ "a\0b", 3, "\"a\\u0000b\"", "json: an embedded NUL is kept as \\u0000" },
		{ "caf\xc3\xa9", 5, "\"caf\xc3\xa9\"", "json: valid 2-byte UTF-8 is copied" },
		{ "\xe2\x82\xac\xf0\x9f\x98\x80", 7, "\"\xe2\x82\xac\xf0\x9f\x98\x80\"",
		  "json: valid 3- and 4-byte UTF-8 is copied" },
		{ "\xff", 1, "\"\\u00ff\"", "json: a byte that starts no UTF-8 is escaped" },
		{ "x\xc3", 2, "\"x\\u00c3\"", "json: UTF-8 cut short at the end is escaped" },
		{ "\xc3(", 2, "\"\\u00c3(\"", "json: a lead byte without continuation is escaped" },
		{ "\xc0\x80", 2, "\"\\u00c0\\u0080\"", "json: overlong NUL (c0 80) is escaped" },
		{ "\xf5\x80\x80\x80", 4, "\"\\u00f5\\u0080\\u0080\\u0080\"",
		  "json: lead bytes past U+10FFFF are escaped" },
		{ "ab\"cd", 2, "\"ab\"", "json: only n bytes are read" },
	};
	size_t i;

	for (i = 0; i < sizeof(cases) / sizeof(cases[0]); i++) {
		char name[160], *f;

		ASSERT_STR_EQ(json(cases[i].in, cases[i].n), cases[i].want, cases[i].name);
		f = json_file(cases[i].in, cases[i].n);
		snprintf(name, sizeof(name), "%s (bd_json_str to a FILE)", cases[i].name);
		ASSERT_STR_EQ(f, cases[i].want, name);
		free(f);
	}
}

static void test_text_escape(void)
{
	struct bd_strbuf b = {};
	const char *s = "no escapes, a space";
	const char *got;

	got = bd_text_escape(&b, s, strlen(s));
	ASSERT_TRUE(got == s, "text: a cell needing no escape is returned as is");
	got = bd_text_escape(&b, "a\x01z\n", 4);
	ASSERT_STR_EQ(got, "a\\x01z\\x0a", "text: control bytes as \\xNN");
	got = bd_text_escape(&b, "back\\slash", 10);
	ASSERT_STR_EQ(got, "back\\x5cslash", "text: a backslash is escaped (output stays unambiguous)");
	got = bd_text_escape(&b, "del\x7f", 4);
	ASSERT_STR_EQ(got, "del\\x7f", "text: DEL is escaped");
	got = bd_text_escape(&b, "caf\xc3\xa9", 5);
	ASSERT_STR_EQ(got, "caf\xc3\xa9", "text: UTF-8 is kept");
	sb_free(&b);
}

/* Prints rows of ncols cells (NULL-terminated list, row after row) with opts; the
 * output as a malloc'd string; *err the first non-zero row/finish result. */
static char *print_rows(int ncols, const char **names, const char **headers, const bool *right,
			const bool *numeric, const char *const *cells, int nrows,
			const struct bpfdump_print_opts *opts, int *err)
{
	char *out = NULL;
	size_t len = 0;
	FILE *f = open_memstream(&out, &len);
	struct bd_printer *pr;
	int r, i, e;

	*err = 0;
	if (!f)
		return NULL;
	pr = bd_printer__new(f, ncols, names, headers, right, opts);
	if (!pr) {
		*err = -errno;
		fclose(f);
		return out;
	}
	for (r = 0; r < nrows; r++) {
		char *row[8];
		size_t lens[8];

		for (i = 0; i < ncols; i++) {
			row[i] = (char *)cells[r * ncols + i];
			lens[i] = strlen(row[i]);
		}
		e = bd_printer__row(pr, row, lens, numeric);
		if (e && !*err)
			*err = e;
	}
	e = bd_printer__finish(pr);
	if (e && !*err)
		*err = e;
	bd_printer__free(pr);
	fclose(f);
	return out;
}

static const char *names[] = { "pid", "comm", "path" };
static const char *headers[] = { "PID", "COMM", "PATH" };
static const bool right[] = { true, false, false };
static const bool numeric[] = { true, false, false };
static const char *const rows[] = {
	"1", "systemd", "/sbin/init",
	"12345", "a b", "/tmp/x y",
	"7", "caf\xc3\xa9", "tab\there",
};

static void test_table(void)
{
	BPFDUMP_OPTS(bpfdump_print_opts, po);
	char *out;
	int err;

	out = print_rows(3, names, headers, right, numeric, rows, 3, &po, &err);
	ASSERT_EQ_INT(err, 0, "table: rows and finish return 0");
	/* widths: PID 5 (12345), COMM 7 (systemd; café is 4 wide, not 5 bytes), last
	 * column unpadded; numbers right-aligned */
	ASSERT_STR_EQ(out,
		      "  PID COMM    PATH\n"
		      "    1 systemd /sbin/init\n"
		      "12345 a b     /tmp/x y\n"
		      "    7 caf\xc3\xa9    tab\\x09here\n",
		      "table: width = max(header, cells), numbers right, last column unpadded, "
		      "UTF-8 counted by characters");
	free(out);

	po.noheadings = true;
	out = print_rows(3, names, headers, right, numeric, rows, 2, &po, &err);
	ASSERT_STR_EQ(out,
		      "    1 systemd /sbin/init\n"
		      "12345 a b     /tmp/x y\n",
		      "table -n: no header line, and the header does not widen a column");
	free(out);

	po.noheadings = false;
	po.raw = true;
	out = print_rows(3, names, headers, right, numeric, rows, 3, &po, &err);
	ASSERT_STR_EQ(out,
		      "PID COMM PATH\n"
		      "1 systemd /sbin/init\n"
		      "12345 a\\x20b /tmp/x\\x20y\n"
		      "7 caf\xc3\xa9 tab\\x09here\n",
		      "table -r: one space between cells, spaces in cells as \\x20");
	free(out);

	po.raw = false;
	out = print_rows(3, names, headers, right, numeric, rows, 0, &po, &err);
	ASSERT_STR_EQ(out, "PID COMM PATH\n", "table: no rows still prints the header");
	free(out);
}

static void test_table_measure_window(void)
{
	BPFDUMP_OPTS(bpfdump_print_opts, po);
	static const char *h[] = { "N" };
	static const bool r[] = { true };
	static const bool num[] = { true };
	const char **cells = calloc(1002, sizeof(*cells));
	char *out, *line;
	int i, err;

	if (!cells)
		return;
	for (i = 0; i < 1002; i++)
		cells[i] = i == 1001 ? "123456" : i == 5 ? "22" : "1";
	out = print_rows(1, h, h, r, num, cells, 1002, &po, &err);
	ASSERT_EQ_INT(err, 0, "table: 1002 rows print");
	ASSERT_TRUE(out && !strncmp(out, " N\n 1\n", 6),
		    "table: widths come from the first rows (2 wide, from \"22\")");
	line = out ? strstr(out, "\n123456\n") : NULL;
	ASSERT_TRUE(line && line[8] == '\0',
		    "table: a wider row after the measured ones is printed whole, unpadded");
	free(out);
	free(cells);
}

static void test_json_lines(void)
{
	BPFDUMP_OPTS(bpfdump_print_opts, po, .format = BPFDUMP_FMT_JSON);
	static const char *keys[] = { "pid", "comm\"x", "path" };
	char *out;
	int err;

	out = print_rows(3, keys, headers, right, numeric, rows, 2, &po, &err);
	ASSERT_EQ_INT(err, 0, "json: rows and finish return 0");
	ASSERT_STR_EQ(out,
		      "{\"pid\":1,\"comm\\\"x\":\"systemd\",\"path\":\"/sbin/init\"}\n"
		      "{\"pid\":12345,\"comm\\\"x\":\"a b\",\"path\":\"/tmp/x y\"}\n",
		      "json: one object per line, numbers bare, keys and strings escaped");
	free(out);
}

static void test_write_error(void)
{
	BPFDUMP_OPTS(bpfdump_print_opts, po);
	FILE *f = fopen("/dev/full", "w");
	struct bd_printer *pr;
	char *row[3];
	size_t lens[3];
	int i, err = 0, e;

	if (!f) {
		printf("skip output: write errors: no /dev/full\n");
		return;
	}
	setvbuf(f, NULL, _IONBF, 0);
	pr = bd_printer__new(f, 3, names, headers, right, &po);
	if (!ASSERT_TRUE(pr != NULL, "write error: printer made")) {
		fclose(f);
		return;
	}
	for (i = 0; i < 3; i++) {
		row[i] = (char *)rows[i];
		lens[i] = strlen(rows[i]);
	}
	e = bd_printer__row(pr, row, lens, numeric);
	if (e)
		err = e;
	e = bd_printer__finish(pr);
	if (e && !err)
		err = e;
	ASSERT_EQ_INT(err, -ENOSPC, "write error: /dev/full is reported as -ENOSPC");
	bd_printer__free(pr);
	fclose(f);
}

static void test_name_set(void)
{
	struct bd_name_set *ns = bd_name_set__new(5);
	char *n[5];
	int i;

	if (!ASSERT_TRUE(ns != NULL, "names: set made"))
		return;
	n[0] = strdup("pid");
	n[1] = strdup("pid");
	n[2] = strdup("pid_2");
	n[3] = strdup("pid");
	n[4] = strdup("comm");
	for (i = 0; i < 5; i++)
		ASSERT_EQ_INT(bd_name_set__add(ns, &n[i]), 0, "names: add returns 0");
	ASSERT_STR_EQ(n[0], "pid", "names: the first pid is kept");
	ASSERT_STR_EQ(n[1], "pid_2", "names: the second pid becomes pid_2");
	ASSERT_STR_EQ(n[2], "pid_2_2", "names: a given pid_2 that is taken becomes pid_2_2");
	ASSERT_STR_EQ(n[3], "pid_3", "names: the third pid becomes pid_3");
	ASSERT_STR_EQ(n[4], "comm", "names: another name is kept");
	bd_name_set__free(ns);
	for (i = 0; i < 5; i++)
		free(n[i]);
}

static void test_kaddr_policy(void)
{
	/* kallsyms_show_value(): kptr_restrict, perf_event_paranoid, CAP_SYSLOG -> shown */
	static const struct {
		int kptr, paranoid;
		bool cap, want;
	} t[] = {
		{ 0, 1, false, true },  { 0, 2, false, false }, { 0, 2, true, true },
		{ 1, 1, false, false }, { 1, 1, true, true },   { 1, -1, true, true },
		{ 2, -1, false, false }, { 2, -1, true, false }, { 0, -1, false, true },
	};
	BPFDUMP_OPTS(bpfdump_print_opts, po);
	size_t i;

	for (i = 0; i < sizeof(t) / sizeof(t[0]); i++) {
		struct bd_kaddr_sysctl s = { .kptr_restrict = t[i].kptr,
					     .perf_event_paranoid = t[i].paranoid };
		char name[128];

		snprintf(name, sizeof(name),
			 "kaddr: kptr_restrict=%d perf_event_paranoid=%d %s CAP_SYSLOG: %s",
			 t[i].kptr, t[i].paranoid, t[i].cap ? "with" : "without",
			 t[i].want ? "shown" : "hidden");
		ASSERT_EQ_INT(bd_kaddr_shown(&s, t[i].cap), t[i].want, name);
	}
	po.kaddrs = BPFDUMP_KADDR_SHOW;
	ASSERT_TRUE(!bd_print_hides_kaddr(&po), "kaddr: BPFDUMP_KADDR_SHOW shows");
	po.kaddrs = BPFDUMP_KADDR_HIDE;
	ASSERT_TRUE(bd_print_hides_kaddr(&po), "kaddr: BPFDUMP_KADDR_HIDE hides");
	/* an opts struct too short to hold kaddrs: AUTO, the sysctls decide */
	po.sz = offsetof(struct bpfdump_print_opts, kaddrs);
	{
		struct bd_kaddr_sysctl s;

		bd_kaddr_sysctl_read(&s);
		if (bd_kaddr_shown(&s, false))
			ASSERT_TRUE(!bd_print_hides_kaddr(&po),
				    "kaddr: a short opts struct means AUTO (shown to all here)");
		else if (!bd_kaddr_shown(&s, true))
			ASSERT_TRUE(bd_print_hides_kaddr(&po),
				    "kaddr: a short opts struct means AUTO (hidden from all here)");
		else
			printf("skip kaddr: a short opts struct means AUTO: the answer depends on "
			       "CAP_SYSLOG here\n");
	}
}

int main(void)
{
	test_json_strings();
	test_text_escape();
	test_table();
	test_table_measure_window();
	test_json_lines();
	test_write_error();
	test_name_set();
	test_kaddr_policy();
	return test_summary();
}
