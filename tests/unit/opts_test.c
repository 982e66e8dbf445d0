// SPDX-License-Identifier: (LGPL-2.1 OR BSD-2-Clause)
/*
 * Every public entry point that takes an options struct checks it the same way
 * (OPTS_OK in util.h): sz must cover sz itself, and the bytes a newer caller has past
 * the library's struct must be zero. A caller built against an older, shorter struct
 * gets the defaults for the fields it lacks (OPTS_GET).
 */
#include <errno.h>
#include <stdlib.h>
#include <string.h>

#include "bpfdump.h"
#include "bpfdump_snapshot.h"
#include "bpfdump_trace.h"
#include "bpfdump_view.h"
#include "test.h"
#include "util.h"

/* A struct of TYPE as a newer caller has it: 8 bytes more, the last one set. */
#define NEWER(TYPE, NAME)                                                       \
	union {                                                                 \
		struct TYPE o;                                                  \
		unsigned char b[sizeof(struct TYPE) + 8];                       \
	} NAME = { .b = { 0 } };                                                \
	NAME.o.sz = sizeof(NAME.b);                                             \
	NAME.b[sizeof(NAME.b) - 1] = 1

struct small_opts {
	size_t sz;
	int a;
	const char *b;
	size_t :0;
};

static void macros(void)
{
	struct small_opts full = { .sz = sizeof(full), .a = 7, .b = "x" };
	struct small_opts old = { .sz = offsetof(struct small_opts, b), .a = 7, .b = "x" };
	struct small_opts *none = NULL, *pfull = &full, *pold = &old, *pnew;
	union {
		struct small_opts o;
		unsigned char b[sizeof(struct small_opts) + 4];
	} newer = { .b = { 0 } };

	pnew = &newer.o;
	ASSERT_TRUE(OPTS_OK(none, small_opts), "OPTS_OK: NULL is the defaults");
	ASSERT_TRUE(OPTS_OK(pfull, small_opts), "OPTS_OK: our own size");
	ASSERT_TRUE(OPTS_OK(pold, small_opts), "OPTS_OK: an older, shorter struct");
	old.sz = 4;
	ASSERT_TRUE(!OPTS_OK(pold, small_opts), "OPTS_OK: sz shorter than sz itself");
	newer.o.sz = sizeof(newer.b);
	ASSERT_TRUE(OPTS_OK(pnew, small_opts), "OPTS_OK: a newer struct, its tail zero");
	newer.b[sizeof(newer.b) - 1] = 1;
	ASSERT_TRUE(!OPTS_OK(pnew, small_opts), "OPTS_OK: a newer struct's field set");

	old.sz = offsetof(struct small_opts, b);
	ASSERT_EQ_INT(OPTS_GET(pfull, a, 0), 7, "OPTS_GET: a field the caller has");
	ASSERT_TRUE(OPTS_GET(pold, b, NULL) == NULL, "OPTS_GET: a field past the caller's sz");
	ASSERT_EQ_INT(OPTS_GET(none, a, 3), 3, "OPTS_GET: NULL gives the fallback");
	ASSERT_TRUE(OPTS_HAS(pfull, b) && !OPTS_HAS(pold, b), "OPTS_HAS: by the caller's sz");
}

/* Each entry point refuses a newer caller's options with EINVAL, before it does
 * anything (no root, no BTF needed for the refusal). */
static void entry_points(void)
{
	struct bpfdump *d;
	FILE *out = fopen("/dev/null", "w");

	{
		NEWER(bpfdump_opts, o);
		errno = 0;
		d = bpfdump__new(&o.o);
		ASSERT_TRUE(!d && errno == EINVAL, "bpfdump__new: newer options refused");
		bpfdump__free(d);
	}
	{
		BPFDUMP_OPTS(bpfdump_opts, lazy, .lazy_btf = true);
		d = bpfdump__new(&lazy);
	}
	if (!d) {
		printf("skip entry points: bpfdump__new failed: %s\n", strerror(errno));
		fclose(out);
		return;
	}
	{
		NEWER(bpfdump_sql_opts, o);
		ASSERT_EQ_INT(bpfdump__sql(d, "SELECT 1", out, &o.o), -EINVAL,
			      "bpfdump__sql: newer options refused");
	}
	{
		NEWER(bpfdump_print_opts, o);
		ASSERT_EQ_INT(bpfdump__cat(d, "/nonexistent", out, &o.o), -EINVAL,
			      "bpfdump__cat: newer print options refused");
		ASSERT_EQ_INT(bpfdump__show(d, "/nonexistent", out, &o.o), -EINVAL,
			      "bpfdump__show: newer print options refused");
		ASSERT_EQ_INT(bpfdump__view_list(d, "/nonexistent", out, &o.o), -EINVAL,
			      "bpfdump__view_list: newer print options refused");
	}
	{
		NEWER(bpfdump_print_opts, o);
		ASSERT_EQ_INT(bpfdump__describe_target(d, "task", out, &o.o), -EINVAL,
			      "bpfdump__describe_target: newer print options refused");
		ASSERT_EQ_INT(bpfdump__func_info(d, "vfs_read", out, &o.o), -EINVAL,
			      "bpfdump__func_info: newer print options refused");
	}
	{
		NEWER(bpfdump_remove_opts, o);
		ASSERT_EQ_INT(bpfdump__remove(d, "/nonexistent", &o.o), -EINVAL,
			      "bpfdump__remove: newer options refused");
	}
	{
		NEWER(bpfdump_snapshot_opts, o);
		ASSERT_EQ_INT(bpfdump__snapshot(d, 1, &o.o, out), -EINVAL,
			      "bpfdump__snapshot: newer options refused");
	}
	{
		NEWER(bpfdump_trace_opts, o);
		ASSERT_EQ_INT(bpfdump__trace(d, &o.o), -EINVAL,
			      "bpfdump__trace: newer options refused");
	}
	{
		NEWER(bpfdump_object_opts, o);
		ASSERT_EQ_INT(bpfdump__run_object(d, "/nonexistent.bpf.o", &o.o), -EINVAL,
			      "bpfdump__run_object: newer options refused");
	}
	{
		NEWER(bpfdump_view_opts, o);
		o.o.columns = "pid=task->tgid";
		ASSERT_EQ_INT(bpfdump__view_add(d, "/nonexistent", "v", &o.o), -EINVAL,
			      "bpfdump__view_add: newer options refused");
	}
	{
		NEWER(bpfdump_mount_opts, o);
		ASSERT_EQ_INT(bpfdump__view_mount(d, "/nonexistent", &o.o), -EINVAL,
			      "bpfdump__view_mount: newer options refused");
	}
	{
		NEWER(bpfdump_query_opts, o);
		o.o.target = "task";
		errno = 0;
		ASSERT_TRUE(!bpfdump_query__new(d, &o.o) && errno == EINVAL,
			    "bpfdump_query__new: newer options refused");
	}
	bpfdump__free(d);
	fclose(out);
}

int main(void)
{
	macros();
	entry_points();
	return test_summary();
}
