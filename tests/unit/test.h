/* SPDX-License-Identifier: (LGPL-2.1 OR BSD-2-Clause) */
/*
 * Tiny unit-test helpers. Each check prints one line to stdout, "ok <name>" or
 * "FAIL <name>: expected X got Y", and evaluates to true when it passed.
 * Arguments are (actual, expected, name). End main() with
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

static inline bool test_eq_int(long long got, long long want, const char *name)
{
	if (got != want)
		printf("FAIL %s: expected %lld got %lld\n", name, want, got);
	return test_result(got == want, name);
}

static inline bool test_str_eq(const char *got, const char *want, const char *name)
{
	bool ok = got && want ? strcmp(got, want) == 0 : got == want;

	if (!ok)
		printf("FAIL %s: expected \"%s\" got \"%s\"\n", name, want ? want : "(null)",
		       got ? got : "(null)");
	return test_result(ok, name);
}

static inline bool test_true(bool cond, const char *expr, const char *name)
{
	if (!cond)
		printf("FAIL %s: expected (%s) to be true got false\n", name, expr);
	return test_result(cond, name);
}

#define ASSERT_EQ_INT(got, want, name) test_eq_int((long long)(got), (long long)(want), (name))
#define ASSERT_STR_EQ(got, want, name) test_str_eq((got), (want), (name))
#define ASSERT_TRUE(cond, name)	       test_true(!!(cond), #cond, (name))

/* Prints a summary and returns the exit code: 1 if any check failed, else 0. */
static inline int test_summary(void)
{
	printf("# %d checks, %d passed, %d failed\n", test_passed + test_failed, test_passed,
	       test_failed);
	fflush(stdout);
	return test_failed ? 1 : 0;
}

#endif
