// SPDX-License-Identifier: (LGPL-2.1 OR BSD-2-Clause)
// FUZZ_SRCS: src/lib/user_obj.c src/lib/pin.c src/lib/context.c src/lib/load.c src/lib/read.c src/lib/read_ahead.c src/lib/path_cache.c src/lib/btf.c src/lib/plan.c src/lib/names.c src/lib/formats.c src/lib/format.c src/lib/strbuf.c src/lib/util.c src/lib/output.c src/lib/targets.c src/lib/log.c src/lib/query.c src/lib/scope.c src/lib/codegen.c src/lib/codegen_text.c src/lib/insn.c src/lib/rows.c src/lib/map_syscall.c
// FUZZ_LIBS: -lbpf -lelf -lz -lpthread
/*
 * libFuzzer harness for the user-object path (bpfdump run/pin OBJ.bpf.o): the
 * input is an ELF object, opened from memory by bd_user_obj_open, the very
 * step bpfdump__run_object takes before bpf_object__load (libbpf's ELF, BTF
 * and relocation parsing with our options, then our iterator-program choice
 * and target check). Nothing is loaded: a load would create maps and run the
 * verifier in the kernel for each input, which is slow, shared with everything
 * else on the machine, and fuzzes the kernel rather than this code.
 * Checks: an error is a negative errno with a one-line message; on success the
 * chosen program's section is iter/ or iter.s/ of a target of this kernel, it
 * is the only program left to autoload, and the count of iterator programs
 * matches the object's programs.
 */
#include <errno.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "internal.h"
#include "user_obj.h"

#define check(cond)                  \
	do {                         \
		if (!(cond))         \
			abort();     \
	} while (0)

#define LOG_SIZE 4096

static struct bpfdump *d;

static void quiet(enum bpfdump_log_level level, const char *msg, void *ctx)
{
}

static int no_libbpf_print(enum libbpf_print_level level, const char *fmt, va_list args)
{
	return 0;
}

int LLVMFuzzerInitialize(int *argc, char ***argv)
{
	BPFDUMP_OPTS(bpfdump_opts, o, .log = quiet);

	libbpf_set_print(no_libbpf_print);
	d = bpfdump__new(&o);
	if (!d) {
		fprintf(stderr, "bpfobj_fuzz: cannot open the kernel's BTF: %s\n", strerror(errno));
		exit(1);
	}
	return 0;
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	static char log[LOG_SIZE];
	struct bd_user_obj u;
	struct bpf_program *prog;
	const char *sec;
	int err, iters = 0;

	bd_errmsg()[0] = '\0';
	err = bd_user_obj_open(d, "fuzz.bpf.o", data, size, log, sizeof(log), NULL, NULL, &u);
	if (err) {
		check(err < 0 && err >= -4095);
		check(!u.obj && !u.iter && !u.target);
		check(bd_errmsg()[0] && !strchr(bd_errmsg(), '\n'));
		check(memchr(bd_errmsg(), '\0', BD_ERRMSG_MAX));
		return 0;
	}
	check(u.obj && u.iter && u.target && u.n_iter >= 1);
	check(bd_target_find(d, u.target));
	sec = bpf_program__section_name(u.iter);
	check(sec && (!strncmp(sec, "iter/", 5) || !strncmp(sec, "iter.s/", 7)));
	check(!strcmp(strchr(sec, '/') + 1, u.target));
	bpf_object__for_each_program(prog, u.obj) {
		sec = bpf_program__section_name(prog);
		iters += sec && (!strncmp(sec, "iter/", 5) || !strncmp(sec, "iter.s/", 7));
		check(bpf_program__autoload(prog) == (prog == u.iter));
		/* what the load would hand the kernel */
		check(bpf_program__insn_cnt(prog) == 0 || bpf_program__insns(prog));
	}
	check(iters == u.n_iter);
	bpf_object__close(u.obj);
	return 0;
}
