// SPDX-License-Identifier: (LGPL-2.1 OR BSD-2-Clause)
/*
 * Unit tests for classic tracepoints' fields (src/lib/trace_tpfmt.c): a field's C
 * declaration from tracefs's format file resolved to a BTF id, against a BTF made
 * here whose every id is known; the integer fallback by size; then, where tracefs is
 * readable, sys_enter_openat resolved end to end and compared with its format file.
 *
 * The declaration parser is static: the source file is compiled into this test (the
 * library's copy of it is then not linked).
 */
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <bpf/btf.h>

#include "../../src/lib/trace_tpfmt.c"
#include "test.h"

/* ids of the types made by make_btf() */
enum {
	T_INT = 1, T_CHAR, T_CONST_CHAR, T_PTR_CONST_CHAR, T_ULONG, T_SIZE_T, T_LONG,
	T_STRUCT_STAT, T_PTR_STAT, T_CONST_PTR_CONST_CHAR, T_PTR_CONST_PTR_CONST_CHAR, T_UINT,
	T_UCHAR, T_VOID_PTR, T_ENUM, T_PTR_INT,
};

static struct btf *make_btf(void)
{
	struct btf *b = btf__new_empty();
	int ids[16], n = 0;

	if (!b)
		return NULL;
	ids[n++] = btf__add_int(b, "int", 4, BTF_INT_SIGNED);
	ids[n++] = btf__add_int(b, "char", 1, BTF_INT_SIGNED);
	ids[n++] = btf__add_const(b, T_CHAR);
	ids[n++] = btf__add_ptr(b, T_CONST_CHAR);
	ids[n++] = btf__add_int(b, "long unsigned int", 8, 0);
	ids[n++] = btf__add_typedef(b, "size_t", T_ULONG);
	ids[n++] = btf__add_int(b, "long int", 8, BTF_INT_SIGNED);
	ids[n++] = btf__add_struct(b, "stat", 144);
	ids[n++] = btf__add_ptr(b, T_STRUCT_STAT);
	ids[n++] = btf__add_const(b, T_PTR_CONST_CHAR);
	ids[n++] = btf__add_ptr(b, T_CONST_PTR_CONST_CHAR);
	ids[n++] = btf__add_int(b, "unsigned int", 4, 0);
	ids[n++] = btf__add_int(b, "unsigned char", 1, 0);
	ids[n++] = btf__add_ptr(b, 0);
	ids[n++] = btf__add_enum(b, "pid_type", 4);
	ids[n++] = btf__add_ptr(b, T_INT);
	for (int i = 0; i < n; i++) {
		if (ids[i] != i + 1) {
			printf("FAIL tpfmt: test BTF: type %d got id %d\n", i + 1, ids[i]);
			btf__free(b);
			return NULL;
		}
	}
	return b;
}

static void test_resolve_decl(const struct btf *b)
{
	static const struct {
		const char *decl;
		int want;
	} t[] = {
		{ "int ", T_INT },
		{ "int", T_INT },
		{ "const char * ", T_PTR_CONST_CHAR },
		{ "const char *", T_PTR_CONST_CHAR },
		{ "const char __user * ", T_PTR_CONST_CHAR },
		{ "size_t ", T_SIZE_T },
		{ "unsigned long ", T_ULONG },
		{ "long ", T_LONG },
		{ "unsigned int ", T_UINT },
		{ "unsigned ", T_UINT },
		{ "volatile int ", T_INT },
		{ "const int ", T_INT },	/* no CONST int in this BTF: dropped */
		{ "struct stat * ", T_PTR_STAT },
		{ "const char *const * ", T_PTR_CONST_PTR_CONST_CHAR },
		{ "const char * const * ", T_PTR_CONST_PTR_CONST_CHAR },
		{ "void * ", T_VOID_PTR },
		{ "enum pid_type ", T_ENUM },
		{ "int * ", T_PTR_INT },
		{ "int * * ", -ENOENT },	/* no int ** in this BTF */
		{ "char * ", -ENOENT },		/* no PTR to plain char */
		{ "struct nosuch * ", -ENOENT },
		{ "union stat ", -ENOENT },	/* a struct is not a union */
		{ "int junk ", -ENOENT },
		{ "int *x", -ENOENT },
		{ "", -ENOENT },
		{ "const ", -ENOENT },		/* "" would find an anonymous type */
	};
	size_t i;

	for (i = 0; i < sizeof(t) / sizeof(t[0]); i++) {
		char name[128];

		snprintf(name, sizeof(name), "tpfmt: declaration \"%s\" resolves to %d", t[i].decl,
			 t[i].want);
		ASSERT_EQ_INT(resolve_decl(b, t[i].decl), t[i].want, name);
	}
}

static void test_fallback(const struct btf *b)
{
	static const struct {
		const char *decl;
		int size, sgn, want;
	} t[] = {
		{ "char * ", 8, 0, T_VOID_PTR },
		{ "struct nosuch * ", 8, 0, T_VOID_PTR },
		{ "u32 ", 4, 0, T_UINT },
		{ "s32 ", 4, 1, T_INT },
		{ "s64 ", 8, 1, T_LONG },
		{ "u64 ", 8, 0, T_ULONG },
		{ "u8 ", 1, 0, T_UCHAR },
		{ "u16 ", 2, 0, -ENOENT },	/* this BTF has no short */
		{ "odd ", 3, 0, -ENOENT },
		{ "big ", 16, 1, -ENOENT },
	};
	size_t i;

	for (i = 0; i < sizeof(t) / sizeof(t[0]); i++) {
		char name[128];

		snprintf(name, sizeof(name), "tpfmt: fallback for \"%s\" size %d %s: %d", t[i].decl,
			 t[i].size, t[i].sgn ? "signed" : "unsigned", t[i].want);
		ASSERT_EQ_INT(fallback_type(b, t[i].decl, t[i].size, t[i].sgn), t[i].want, name);
	}
}

/* The offset of field NAME in the format file at path, or -1 */
static int format_offset(const char *path, const char *fname)
{
	char line[512], want[80];
	FILE *f = fopen(path, "re");
	int off = -1;

	if (!f)
		return -1;
	snprintf(want, sizeof(want), " %s;", fname);
	while (fgets(line, sizeof(line), f)) {
		char *p = strstr(line, want), *o = strstr(line, "offset:");

		if (p && o && p < o) {
			off = atoi(o + 7);
			break;
		}
	}
	fclose(f);
	return off;
}

static unsigned int format_id(const char *path)
{
	char line[512];
	unsigned int id = 0;
	FILE *f = fopen(path, "re");

	if (!f)
		return 0;
	while (fgets(line, sizeof(line), f))
		if (sscanf(line, "ID: %u", &id) == 1)
			break;
	fclose(f);
	return id;
}

/* sys_enter_openat against its format file and the kernel's BTF */
static void test_openat(void)
{
	static const char path[] = "/sys/kernel/tracing/events/syscalls/sys_enter_openat/format";
	static const char *const names[] = { "dfd", "filename", "flags", "mode" };
	struct bd_func f = {};
	const struct btf_type *t;
	struct bpfdump *d;
	int i, err;

	if (access(path, R_OK)) {
		printf("skip tpfmt: sys_enter_openat: %s: %s\n", path, strerror(errno));
		return;
	}
	d = bpfdump__new(NULL);
	if (!d) {
		printf("skip tpfmt: sys_enter_openat: no kernel BTF: %s\n", strerror(errno));
		return;
	}
	err = bd_tp_format_resolve(d, &f, "syscalls", "sys_enter_openat");
	if (!ASSERT_EQ_INT(err, 0, "tpfmt: sys_enter_openat resolves"))
		goto free_d;
	ASSERT_TRUE(f.classic, "tpfmt: sys_enter_openat is marked classic");
	ASSERT_EQ_INT(f.tp_id, format_id(path), "tpfmt: sys_enter_openat: the format file's ID");
	ASSERT_EQ_INT(f.nargs, 4, "tpfmt: sys_enter_openat: four arguments (no common_*, no nr)");
	for (i = 0; i < 4 && i < f.nargs; i++) {
		char name[128];

		snprintf(name, sizeof(name), "tpfmt: sys_enter_openat: argument %d is %s", i,
			 names[i]);
		ASSERT_STR_EQ(f.arg_names[i], names[i], name);
		snprintf(name, sizeof(name), "tpfmt: sys_enter_openat: %s at the format's offset",
			 names[i]);
		ASSERT_EQ_INT(f.arg_offs[i], format_offset(path, names[i]), name);
	}
	if (f.nargs > 1) {
		/* "const char * filename": PTR to CONST to the INT char */
		t = btf__type_by_id(d->btf, f.arg_types[1]);
		ASSERT_TRUE(t && btf_is_ptr(t), "tpfmt: filename's type is a pointer");
		t = t ? btf__type_by_id(d->btf, t->type) : NULL;
		ASSERT_TRUE(t && btf_is_const(t), "tpfmt: ... to const");
		t = t ? btf__type_by_id(d->btf, t->type) : NULL;
		ASSERT_TRUE(t && btf_is_int(t) && !strcmp(btf__name_by_offset(d->btf, t->name_off),
							  "char"),
			    "tpfmt: ... char");
	}
	ASSERT_EQ_INT(bd_tp_format_resolve(d, &f, "syscalls", "sys_enter_no_such_call"), -ENOENT,
		      "tpfmt: an event tracefs lacks is -ENOENT");
	ASSERT_EQ_INT(bd_tp_format_resolve(d, &f, "..", "syscalls"), -ENOENT,
		      "tpfmt: a group \"..\" reads nothing");
	ASSERT_EQ_INT(bd_tp_format_resolve(d, &f, "syscalls/sys_enter_openat", "x"), -ENOENT,
		      "tpfmt: a group with '/' reads nothing");
	ASSERT_EQ_INT(bd_tp_format_resolve(d, &f, "", "sys_enter_openat"), -ENOENT,
		      "tpfmt: an empty group reads nothing");
free_d:
	bpfdump__free(d);
}

int main(void)
{
	struct btf *b = make_btf();

	if (ASSERT_TRUE(b != NULL, "tpfmt: test BTF made")) {
		test_resolve_decl(b);
		test_fallback(b);
		btf__free(b);
	}
	test_openat();
	return test_summary();
}
