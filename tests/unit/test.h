/* SPDX-License-Identifier: (LGPL-2.1 OR BSD-2-Clause) */
/*
 * Tiny unit-test helpers. Each check prints one line to stdout, "ok <name>" or
 * "FAIL <name>: <file>:<line>: expected X got Y", and evaluates to true when it passed.
 * Arguments are (actual, expected, name). Strings in a FAIL line are quoted, with
 * control bytes escaped, so that a check stays one line. End main() with
 * "return test_summary();".
 */
#ifndef BPFDUMP_TEST_H
#define BPFDUMP_TEST_H

#include <stdbool.h>
#include <stdio.h>
#include <string.h>

static int test_passed;
static int test_failed;

static inline bool test_result(bool ok, const char *name)
{
	if (ok) {
		test_passed++;
		printf("ok %s\n", name);
	} else {
		test_failed++;
	}
	return ok;
}

/* s quoted, bytes below 0x20, '"', '\\' and 0x7f escaped; "(null)" for NULL */
static inline void test_print_str(const char *s)
{
	if (!s) {
		fputs("(null)", stdout);
		return;
	}
	putchar('"');
	for (; *s; s++) {
		unsigned char c = *s;

		if (c == '\n')
			fputs("\\n", stdout);
		else if (c == '\t')
			fputs("\\t", stdout);
		else if (c == '"' || c == '\\')
			printf("\\%c", c);
		else if (c < 0x20 || c == 0x7f)
			printf("\\x%02x", c);
		else
			putchar(c);
	}
	putchar('"');
}

static inline bool test_eq_int(long long got, long long want, const char *name, const char *file,
			       int line)
{
	if (got != want)
		printf("FAIL %s: %s:%d: expected %lld got %lld\n", name, file, line, want, got);
	return test_result(got == want, name);
}

static inline bool test_str_eq(const char *got, const char *want, const char *name,
			       const char *file, int line)
{
	bool ok = got && want ? strcmp(got, want) == 0 : got == want;

	if (!ok) {
		printf("FAIL %s: %s:%d: expected ", name, file, line);
		test_print_str(want);
		fputs(" got ", stdout);
		test_print_str(got);
		putchar('\n');
	}
	return test_result(ok, name);
}

static inline bool test_str_contains(const char *got, const char *part, const char *name,
				     const char *file, int line)
{
	bool ok = got && part && strstr(got, part);

	if (!ok) {
		printf("FAIL %s: %s:%d: expected a string containing ", name, file, line);
		test_print_str(part);
		fputs(" got ", stdout);
		test_print_str(got);
		putchar('\n');
	}
	return test_result(ok, name);
}

static inline bool test_true(bool cond, const char *expr, const char *name, const char *file,
			     int line)
{
	if (!cond)
		printf("FAIL %s: %s:%d: expected (%s) to be true got false\n", name, file, line,
		       expr);
	return test_result(cond, name);
}

#define ASSERT_EQ_INT(got, want, name)                                                         \
	test_eq_int((long long)(got), (long long)(want), (name), __FILE__, __LINE__)
#define ASSERT_STR_EQ(got, want, name) test_str_eq((got), (want), (name), __FILE__, __LINE__)
#define ASSERT_STR_CONTAINS(got, part, name)                                                   \
	test_str_contains((got), (part), (name), __FILE__, __LINE__)
#define ASSERT_TRUE(cond, name) test_true(!!(cond), #cond, (name), __FILE__, __LINE__)

/* Prints a summary and returns the exit code: 1 if any check failed, else 0. */
static inline int test_summary(void)
{
	printf("# %d checks, %d passed, %d failed\n", test_passed + test_failed, test_passed,
	       test_failed);
	fflush(stdout);
	return test_failed ? 1 : 0;
}

#endif
