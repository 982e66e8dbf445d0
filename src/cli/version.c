// SPDX-License-Identifier: (LGPL-2.1 OR BSD-2-Clause)
/* bpfdump --version: our version, the libbpf we run with, and what this kernel offers.
 * Every probe is cheap (a file, a BTF lookup, one map or one tiny program) and needs no
 * privilege unless the feature itself does; then it reports "no (EPERM)". */
#include <dlfcn.h>
#include <errno.h>
#include <limits.h>
#include <stdbool.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/utsname.h>
#include <unistd.h>
#include <bpf/bpf.h>
#include <bpf/btf.h>
#include <bpf/libbpf.h>

#include "cli.h"

#define VMLINUX_BTF "/sys/kernel/btf/vmlinux"
#define ENOTSUPP_KERNEL 524	/* the kernel's ENOTSUPP, which has no libc name */

struct feature {
	bool yes;
	char detail[128];
};

/* "EPERM" for 1, "ENOTSUPP" for the kernel's 524, "errno N" for the rest. */
static const char *errno_name(int err, char *buf, size_t len)
{
	const char *n;

	if (err < 0)
		err = -err;
	if (err == ENOTSUPP_KERNEL)
		return "ENOTSUPP";
	n = strerrorname_np(err);
	if (n)
		return n;
	snprintf(buf, len, "errno %d", err);
	return buf;
}

static void set_no(struct feature *f, int err, const char *why)
{
	char buf[32];

	f->yes = false;
	snprintf(f->detail, sizeof(f->detail), "%s%s%s", errno_name(err, buf, sizeof(buf)),
		 why ? ": " : "", why ? why : "");
}

/* BTF: the kernel's (or --btf's) file parses. */
static struct btf *probe_btf(const char *path, struct feature *f)
{
	struct btf *btf;

	if (access(path, R_OK)) {
		set_no(f, errno, path);
		return NULL;
	}
	btf = btf__parse(path, NULL);
	if (!btf) {
		set_no(f, errno, "does not parse");
		return NULL;
	}
	f->yes = true;
	snprintf(f->detail, sizeof(f->detail), "%s, %u types", path, btf__type_cnt(btf) - 1);
	return btf;
}

static int cmp_str(const void *a, const void *b)
{
	return strcmp(*(const char *const *)a, *(const char *const *)b);
}

/* Iterators: a FUNC bpf_iter_task; count the targets (FUNC bpf_iter_X + struct
 * bpf_iter__X), in one pass over the types: a name lookup per FUNC would scan
 * all of them each time, quadratic in the kernel's type count. */
static void probe_iters(const struct btf *btf, struct feature *f)
{
	const char **funcs = NULL, **ctxs = NULL;
	int i, n, nf = 0, nc = 0, targets = 0;
	bool task = false;

	if (!btf) {
		set_no(f, ENOENT, "no BTF");
		return;
	}
	n = btf__type_cnt(btf);
	funcs = calloc(n, sizeof(*funcs));
	ctxs = calloc(n, sizeof(*ctxs));
	if (!funcs || !ctxs) {
		set_no(f, ENOMEM, NULL);
		goto cleanup;
	}
	for (i = 1; i < n; i++) {
		const struct btf_type *t = btf__type_by_id(btf, i);
		const char *name = btf__name_by_offset(btf, t->name_off);

		if (!name || strncmp(name, "bpf_iter_", 9))
			continue;
		if (btf_is_func(t) && name[9] != '_') {
			funcs[nf++] = name + 9;
			task |= !strcmp(name + 9, "task");
		} else if (btf_is_struct(t) && name[9] == '_') {
			ctxs[nc++] = name + 10;
		}
	}
	if (!task) {
		set_no(f, ENOENT, "no bpf_iter_task in BTF");
		goto cleanup;
	}
	qsort(ctxs, nc, sizeof(*ctxs), cmp_str);
	for (i = 0; i < nf; i++)
		if (bsearch(&funcs[i], ctxs, nc, sizeof(*ctxs), cmp_str))
			targets++;
	f->yes = true;
	snprintf(f->detail, sizeof(f->detail), "%d targets", targets);
cleanup:
	free(funcs);
	free(ctxs);
}

/* Open-coded iterators (bpf_for_each): the bpf_iter_task_new kfunc. */
static void probe_open_coded(const struct btf *btf, struct feature *f)
{
	if (!btf) {
		set_no(f, ENOENT, "no BTF");
	} else if (btf__find_by_name_kind(btf, "bpf_iter_task_new", BTF_KIND_FUNC) >= 0) {
		f->yes = true;
		snprintf(f->detail, sizeof(f->detail), "bpf_iter_task_new");
	} else if (btf__find_by_name_kind(btf, "bpf_iter_num_new", BTF_KIND_FUNC) >= 0) {
		f->yes = true;
		snprintf(f->detail, sizeof(f->detail), "bpf_iter_num_new only, no task iterator");
	} else {
		set_no(f, ENOENT, "no bpf_iter_task_new kfunc in BTF");
	}
}

/* fentry: load "return 0" as BPF_TRACE_FENTRY on a function, then attach it and detach.
 * bpf_fentry_test1 exists for this kind of test and is only called by BPF_PROG_TEST_RUN. */
static void probe_fentry(const struct btf *btf, struct feature *f)
{
	static const char *const funcs[] = { "bpf_fentry_test1", "do_sys_openat2" };
	const struct bpf_insn insns[] = {
		{ .code = BPF_ALU64 | BPF_MOV | BPF_K, .dst_reg = BPF_REG_0, .imm = 0 },
		{ .code = BPF_JMP | BPF_EXIT },
	};
	LIBBPF_OPTS(bpf_prog_load_opts, lo, .expected_attach_type = BPF_TRACE_FENTRY);
	const char *func = NULL;
	int prog_fd, link_fd, err;
	size_t i;

	if (!btf) {
		set_no(f, ENOENT, "no BTF");
		return;
	}
	for (i = 0; i < sizeof(funcs) / sizeof(funcs[0]) && !func; i++) {
		int id = btf__find_by_name_kind(btf, funcs[i], BTF_KIND_FUNC);

		if (id > 0) {
			lo.attach_btf_id = id;
			func = funcs[i];
		}
	}
	if (!func) {
		set_no(f, ENOENT, "no bpf_fentry_test1 or do_sys_openat2 in BTF");
		return;
	}
	prog_fd = bpf_prog_load(BPF_PROG_TYPE_TRACING, NULL, "GPL", insns,
				sizeof(insns) / sizeof(insns[0]), &lo);
	if (prog_fd < 0) {
		err = -errno;
		set_no(f, err, NULL);
		return;
	}
	link_fd = bpf_raw_tracepoint_open(NULL, prog_fd);
	if (link_fd < 0) {
		err = -errno;
		set_no(f, err, "loads, attach fails");
		goto close_prog;
	}
	f->yes = true;
	snprintf(f->detail, sizeof(f->detail), "attached to %s", func);
	close(link_fd);
close_prog:
	close(prog_fd);
}

/* kprobes: the perf kprobe PMU, or tracefs' kprobe_events. */
static void probe_kprobes(struct feature *f)
{
	static const char *const files[] = {
		"/sys/bus/event_source/devices/kprobe",
		"/sys/kernel/tracing/kprobe_events",
		"/sys/kernel/debug/tracing/kprobe_events",
	};
	size_t i;

	for (i = 0; i < sizeof(files) / sizeof(files[0]); i++) {
		if (!access(files[i], F_OK)) {
			f->yes = true;
			snprintf(f->detail, sizeof(f->detail), "%s", files[i]);
			return;
		}
	}
	set_no(f, ENOENT, "no kprobe PMU, no tracefs kprobe_events");
}

/* The bracketed word of /sys/kernel/security/lockdown; "none" without the file. */
static void lockdown_mode(char *buf, size_t len)
{
	char line[128], *l, *r;
	FILE *f = fopen("/sys/kernel/security/lockdown", "re");

	snprintf(buf, len, "none");
	if (!f)
		return;
	if (fgets(line, sizeof(line), f) && (l = strchr(line, '[')) && (r = strchr(l, ']')))
		snprintf(buf, len, "%.*s", (int)(r - l - 1), l + 1);
	fclose(f);
}

/* bpf_rdonly_cast: the kfunc that replaces probe reads under lockdown=confidentiality. */
static void probe_rdonly_cast(const struct btf *btf, struct feature *f)
{
	if (!btf) {
		set_no(f, ENOENT, "no BTF");
		return;
	}
	if (btf__find_by_name_kind(btf, "bpf_rdonly_cast", BTF_KIND_FUNC) < 0) {
		set_no(f, ENOENT, "not in BTF");
		return;
	}
	f->yes = true;
	snprintf(f->detail, sizeof(f->detail), "kfunc in BTF");
}

/* ringbuf: create (and close) the smallest BPF_MAP_TYPE_RINGBUF. */
static void probe_ringbuf(struct feature *f)
{
	long page = sysconf(_SC_PAGESIZE);
	int fd;

	fd = bpf_map_create(BPF_MAP_TYPE_RINGBUF, NULL, 0, 0, page > 0 ? page : 4096, NULL);
	if (fd < 0) {
		set_no(f, -errno, NULL);
		return;
	}
	f->yes = true;
	snprintf(f->detail, sizeof(f->detail), "map created");
	close(fd);
}

/* The file the dynamic linker took libbpf from, resolved: "libbpf.so.1.1.2";
 * "built in" when it is linked into the command itself (the Makefile does so
 * where libbpf.a is installed). */
static void libbpf_file(char *buf, size_t len)
{
	char real[PATH_MAX];
	Dl_info info, self;
	const char *base;

	buf[0] = '\0';
	if (!dladdr((void *)libbpf_version_string, &info) || !info.dli_fname)
		return;
	if (dladdr((void *)print_version, &self) && self.dli_fbase == info.dli_fbase) {
		snprintf(buf, len, "built in");
		return;
	}
	if (!realpath(info.dli_fname, real))
		snprintf(real, sizeof(real), "%s", info.dli_fname);
	base = strrchr(real, '/');
	snprintf(buf, len, "%s", base ? base + 1 : real);
}

static void print_feature(const char *name, const struct feature *f)
{
	printf("  %s: %s%s%s%s\n", name, f->yes ? "yes" : "no", f->detail[0] ? " (" : "",
	       f->detail, f->detail[0] ? ")" : "");
}

int print_version(void)
{
	struct feature btf_f = {}, iter_f = {}, open_f = {}, fentry_f = {}, kprobe_f = {},
		       ringbuf_f = {}, cast_f = {};
	char lib[PATH_MAX], lockdown[64];
	struct utsname u;
	struct btf *btf, *vmlinux = NULL;

	libbpf_file(lib, sizeof(lib));
	printf("bpfdump %s\n", bpfdump_version());
	printf("libbpf %s%s%s%s\n", libbpf_version_string(), lib[0] ? " (" : "", lib,
	       lib[0] ? ")" : "");
	if (!uname(&u))
		printf("kernel %s %s\n", u.release, u.machine);

	btf = probe_btf(env.btf_path ? env.btf_path : VMLINUX_BTF, &btf_f);
	probe_iters(btf, &iter_f);
	probe_open_coded(btf, &open_f);
	/* attach_btf_id is an id in the running kernel's BTF, whatever --btf says */
	if (env.btf_path && strcmp(env.btf_path, VMLINUX_BTF))
		vmlinux = btf__parse(VMLINUX_BTF, NULL);
	probe_fentry(env.btf_path && strcmp(env.btf_path, VMLINUX_BTF) ? vmlinux : btf, &fentry_f);
	btf__free(vmlinux);
	probe_kprobes(&kprobe_f);
	probe_ringbuf(&ringbuf_f);
	probe_rdonly_cast(btf, &cast_f);
	btf__free(btf);
	lockdown_mode(lockdown, sizeof(lockdown));
	if (!strcmp(lockdown, "confidentiality") && kprobe_f.yes)
		set_no(&kprobe_f, EPERM, "not allowed under lockdown=confidentiality");

	printf("features:\n");
	print_feature("BTF", &btf_f);
	print_feature("iterators", &iter_f);
	print_feature("open-coded iterators", &open_f);
	print_feature("fentry", &fentry_f);
	print_feature("kprobes", &kprobe_f);
	print_feature("ringbuf", &ringbuf_f);
	print_feature("bpf_rdonly_cast", &cast_f);
	printf("  lockdown: %s%s\n", lockdown, !strcmp(lockdown, "confidentiality") ?
	       " (no bpf_probe_read_kernel: BTF-typed loads, bpf_rdonly_cast, bpf_d_path; no "
	       "kprobes, no tracefs tracepoints)" : "");
	return 0;
}
