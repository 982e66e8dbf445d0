// SPDX-License-Identifier: (LGPL-2.1 OR BSD-2-Clause)
/*
 * Opening and loading the snapshot program, without parsing the kernel's BTF
 * where that can be helped.
 *
 * libbpf 1.1 parses vmlinux BTF for every load that has CO-RE relocations,
 * __ksym externs or a tracing program (an iterator is one): megabytes copied from
 * sysfs and parsed, most of a snapshot's time (bench/README.md, "Measurements behind design choices").
 * The program avoids all three on the kernel it was built for:
 *  - CO-RE: the variant without relocations (vmlinux.h is this kernel's);
 *  - kfuncs: it calls "helpers" SNAP_KFUNC_BASE + n, which prepare_load() turns
 *    into kfunc calls just before bpf_prog_load (libbpf's documented hook:
 *    a section handler's prog_prepare_load_fn and bpf_program__set_insns);
 *  - attach: its section is our own (SNAP_PROG_SEC), registered with a
 *    non-tracing type, which prepare_load() makes BPF_PROG_TYPE_TRACING /
 *    BPF_TRACE_ITER with the attach target's BTF id.
 * The BTF ids come from the build (host_kernel.h, read off the same kernel as
 * vmlinux.h) when the running kernel has the build id recorded there; else from
 * the kernel's BTF, parsed once by the library (and libbpf's own CO-RE pass).
 */
#include <errno.h>
#include <fcntl.h>
#include <pthread.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>
#include <bpf/bpf.h>
#include <bpf/btf.h>
#include <bpf/libbpf.h>

#include "internal.h"
#include "snapshot_load.h"
#include "host_kernel.h"
#include "snapshot.skel.h"
#include "snapshot_host.skel.h"
#include "snapshot_classic.skel.h"
#include "snapshot_direct.skel.h"
#include "snapshot_hash.h"

/* The direct-read programs are opened through the classic skeleton: the same
 * source, maps, programs and globals (SNAP_DIRECT_READS changes only the reads). */
_Static_assert(sizeof(struct snapshot_direct_bpf) == sizeof(struct snapshot_classic_bpf) &&
	       sizeof(*((struct snapshot_direct_bpf *)0)->rodata) ==
	       sizeof(*((struct snapshot_classic_bpf *)0)->rodata) &&
	       sizeof(*((struct snapshot_direct_bpf *)0)->bss) ==
	       sizeof(*((struct snapshot_classic_bpf *)0)->bss),
	       "snapshot_direct.bpf.o must lay out as snapshot_classic.bpf.o");

static const char *const kfunc_names[SNAP_NR_KFUNCS] = SNAP_KFUNC_NAMES;
static const __u32 host_ids[SNAP_NR_KFUNCS + 1] = BD_HOST_BTF_IDS;
static const char *const cast_names[SNAP_NR_CASTS] = SNAP_CAST_NAMES;
static const __u32 host_cast_ids[SNAP_NR_CASTS] = BD_HOST_CAST_IDS;

/* the BTF ids of the load in progress on this thread (kfuncs, then the target) */
static __thread const __u32 *load_ids;

static pthread_once_t handler_once = PTHREAD_ONCE_INIT;
static int handler_err;

static int prepare_load(struct bpf_program *prog, struct bpf_prog_load_opts *opts, long cookie)
{
	const struct bpf_insn *insns = bpf_program__insns(prog);
	size_t i, cnt = bpf_program__insn_cnt(prog);
	struct bpf_insn *patched;
	int err;

	if (!load_ids || !insns)
		return -EINVAL;
	patched = malloc(cnt * sizeof(*patched));
	if (!patched)
		return -ENOMEM;
	memcpy(patched, insns, cnt * sizeof(*patched));
	for (i = 0; i < cnt; i++) {
		struct bpf_insn *in = &patched[i];
		__u32 k = (__u32)in->imm - SNAP_KFUNC_BASE;

		if (in->code != (BPF_JMP | BPF_CALL) || in->src_reg || k >= SNAP_NR_KFUNCS)
			continue;
		in->src_reg = BPF_PSEUDO_KFUNC_CALL;
		in->off = 0;	/* vmlinux, not a module */
		in->imm = load_ids[k];
	}
	err = bpf_program__set_insns(prog, patched, cnt);
	free(patched);
	if (!err)
		err = bpf_program__set_type(prog, BPF_PROG_TYPE_TRACING);
	opts->expected_attach_type = BPF_TRACE_ITER;
	opts->attach_btf_id = load_ids[SNAP_NR_KFUNCS];
	opts->attach_btf_obj_fd = 0;
	opts->attach_prog_fd = 0;
	return err;
}

/* once per process, never unregistered: snapshots may run in several threads */
static void register_handler(void)
{
	LIBBPF_OPTS(libbpf_prog_handler_opts, ho, .prog_prepare_load_fn = prepare_load);
	int id = libbpf_register_prog_handler(SNAP_PROG_SEC, BPF_PROG_TYPE_SOCKET_FILTER, 0, &ho);

	handler_err = id < 0 ? id : 0;
}

/* The running kernel's GNU build id, in hex, from /sys/kernel/notes ("" if none). */
static void kernel_build_id(char *hex, size_t len)
{
	__u8 notes[4096];
	size_t off = 0;
	ssize_t n = -1;
	int fd;

	hex[0] = '\0';
	fd = open("/sys/kernel/notes", O_RDONLY | O_CLOEXEC);
	if (fd >= 0) {
		n = read(fd, notes, sizeof(notes));
		close(fd);
	}
	while (n > 0 && off + 12 <= (size_t)n) {
		__u32 namesz, descsz, type, i;
		size_t desc;

		memcpy(&namesz, notes + off, 4);
		memcpy(&descsz, notes + off + 4, 4);
		memcpy(&type, notes + off + 8, 4);
		desc = off + 12 + (((size_t)namesz + 3) & ~3ul);
		if (desc + descsz > (size_t)n)
			return;
		if (type == 3 /* NT_GNU_BUILD_ID */ && namesz == 4 &&
		    !memcmp(notes + off + 12, "GNU", 4) && descsz * 2 < len) {
			for (i = 0; i < descsz; i++)
				snprintf(hex + 2 * i, 3, "%02x", notes[desc + i]);
			return;
		}
		off = desc + (((size_t)descsz + 3) & ~3ul);
	}
}

/* Where the running kernel keeps a vma's anon_name (CONFIG_ANON_VMA_NAME), from BTF. */
static void anon_name_offsets(const struct btf *btf, __u32 *vma_off, __u32 *name_off)
{
	__u32 boff, tid, bsz;
	int vma = btf__find_by_name_kind(btf, "vm_area_struct", BTF_KIND_STRUCT);
	int avn = btf__find_by_name_kind(btf, "anon_vma_name", BTF_KIND_STRUCT);

	*vma_off = *name_off = 0;
	if (vma <= 0 || avn <= 0 || bd_find_member(btf, vma, "anon_name", &boff, &tid, &bsz))
		return;
	*vma_off = boff / 8;
	if (bd_find_member(btf, avn, "name", &boff, &tid, &bsz))
		*vma_off = 0;
	else
		*name_off = boff / 8;
}

/* What the programs need to show a backing file as the user's file (snapshot.h):
 * the f_mode bits (an enum's FMODE_BACKING where a kernel's BTF has one) and
 * where struct backing_file keeps user_path; 0, 0 where it has none. */
static void backing_offsets(const struct btf *btf, __u32 *mode, __u32 *off)
{
	int bf = btf__find_by_name_kind(btf, "backing_file", BTF_KIND_STRUCT);
	__u32 boff, tid, bsz, i, n = btf__type_cnt(btf);
	int j;

	*mode = *off = 0;
	if (bf <= 0 || bd_find_member(btf, bf, "user_path", &boff, &tid, &bsz) || !boff)
		return;
	*off = boff / 8;
	*mode = SNAP_FMODE_BACKING_BITS;
	for (i = 1; i < n; i++) {
		const struct btf_type *t = btf__type_by_id(btf, i);
		const struct btf_enum *e;

		if (!btf_is_enum(t))
			continue;
		e = btf_enum(t);
		for (j = 0; j < btf_vlen(t); j++, e++)
			if (!strcmp(btf__name_by_offset(btf, e->name_off), "FMODE_BACKING") &&
			    e->val > 0) {
				*mode = e->val;
				return;
			}
	}
}

/* The kfuncs' and the attach target's ids in the running kernel's BTF, and the
 * structs' the program casts to. */
static int btf_ids(struct bpfdump *d, __u32 *ids, __u32 *casts)
{
	int i, id, err;

	err = bd_btf_ready(d);
	if (err)
		return err;
	for (i = 0; i < SNAP_NR_CASTS; i++) {
		id = btf__find_by_name_kind(d->btf, cast_names[i], BTF_KIND_STRUCT);
		if (id <= 0)
			return bd_err(d, -EOPNOTSUPP, "snapshot: this kernel's BTF has no struct %s",
				      cast_names[i]);
		casts[i] = id;
	}
	for (i = 0; i <= SNAP_NR_KFUNCS; i++) {
		const char *name = i < SNAP_NR_KFUNCS ? kfunc_names[i] : SNAP_ATTACH_FUNC;

		id = btf__find_by_name_kind(d->btf, name, BTF_KIND_FUNC);
		if (id <= 0)
			return bd_err(d, -EOPNOTSUPP, "snapshot: this kernel has no %s() (open-coded "
				      "iterators need Linux 6.7 or later)", name);
		ids[i] = id;
	}
	return 0;
}

void snap_program_choose(struct snap_program *sp, __u64 *elf_hash, char *build_id, size_t len)
{
	const char *force = getenv("BPFDUMP_SNAPSHOT_CORE");

	memset(sp, 0, sizeof(*sp));
	kernel_build_id(build_id, len);
	sp->host = !(force && !strcmp(force, "1")) && BD_HOST_KERNEL_BUILD_ID[0] &&
		   !strcmp(build_id, BD_HOST_KERNEL_BUILD_ID);
	*elf_hash = sp->host ? SNAP_ELF_HASH_HOST : SNAP_ELF_HASH_CORE;
	sp->chosen = true;
}

/* Where lockdown=confidentiality was read from, for the messages. */
static const char *lockdown_source(void)
{
	const char *force = secure_getenv("BPFDUMP_LOCKDOWN");

	return force && !strcmp(force, "confidentiality") ? "BPFDUMP_LOCKDOWN=confidentiality" :
	       BD_LOCKDOWN_FILE;
}

/* The classic programs with direct reads: the kernel forbids probe reads (how says
 * where that was seen); they need bpf_rdonly_cast. */
static int use_direct(struct bpfdump *d, struct snap_program *sp, const char *how)
{
	int err = bd_btf_ready(d);

	if (err)
		return err;
	if (btf__find_by_name_kind(d->btf, "bpf_rdonly_cast", BTF_KIND_FUNC) <= 0 ||
	    btf__find_by_name_kind(d->btf, "timespec64", BTF_KIND_STRUCT) <= 0)
		return bd_err(d, -EOPNOTSUPP, "snapshot: lockdown=confidentiality (%s) forbids "
			      "bpf_probe_read_kernel, and this kernel has no bpf_rdonly_cast "
			      "(Linux 6.2) to read without it", how);
	sp->classic = true;
	sp->direct = true;
	snprintf(sp->why, sizeof(sp->why), "lockdown=confidentiality (%s) forbids "
		 "bpf_probe_read_kernel: loads through bpf_rdonly_cast instead", how);
	return 0;
}

int snap_program_probe(struct bpfdump *d, struct snap_program *sp)
{
	const char *force = getenv("BPFDUMP_SNAPSHOT_CLASSIC");
	char id[128];
	__u64 hash;
	int i, err;

	if (!sp->chosen)
		snap_program_choose(sp, &hash, id, sizeof(id));
	if (sp->probed)
		return 0;
	sp->probed = true;
	sp->classic = false;
	sp->why[0] = '\0';
	if (bd_lockdown_probe(d)->confidential)
		return use_direct(d, sp, lockdown_source());
	if (force && !strcmp(force, "1")) {
		sp->classic = true;
		snprintf(sp->why, sizeof(sp->why), "BPFDUMP_SNAPSHOT_CLASSIC=1 asks for them");
		return 0;
	}
	if (sp->host)	/* built on this very kernel, which has them all */
		return 0;
	err = bd_btf_ready(d);
	if (err)
		return err;
	for (i = 0; i < SNAP_NR_KFUNCS; i++)
		if (btf__find_by_name_kind(d->btf, kfunc_names[i], BTF_KIND_FUNC) <= 0) {
			sp->classic = true;
			snprintf(sp->why, sizeof(sp->why), "this kernel has no %s()", kfunc_names[i]);
			return 0;
		}
	return 0;
}

/* The classic iterators' programs, opened; their .rodata set from the kernel's BTF. */
static int open_classic(struct bpfdump *d, struct snap_program *sp)
{
	struct snapshot_classic_bpf *skel;
	int err;

	err = bd_btf_ready(d);
	if (err)
		return err;
	if (!sp->direct) {
		skel = snapshot_classic_bpf__open();
		if (!skel)
			return bd_err(d, -errno, "snapshot programs (classic iterators): open: %s",
				      strerror(errno));
	} else {
		/* the same skeleton, the direct-read object's ELF */
		skel = calloc(1, sizeof(*skel));
		if (!skel)
			return bd_err(d, -ENOMEM, "snapshot programs (direct reads): open: %s",
				      strerror(ENOMEM));
		err = snapshot_classic_bpf__create_skeleton(skel);
		if (!err) {
			skel->skeleton->data =
				(void *)snapshot_direct_bpf__elf_bytes(&skel->skeleton->data_sz);
			err = bpf_object__open_skeleton(skel->skeleton, NULL);
		}
		if (err) {
			snapshot_classic_bpf__destroy(skel);
			return bd_err(d, err, "snapshot programs (direct reads): open: %s",
				      strerror(-err));
		}
	}
	anon_name_offsets(d->btf, &skel->rodata->anon_name_off,
			  &skel->rodata->anon_vma_name_name_off);
	backing_offsets(d->btf, &skel->rodata->backing_mode, &skel->rodata->user_path_off);
	sp->cskel = skel;
	return 0;
}

int snap_program_open(struct bpfdump *d, struct snap_program *sp)
{
	struct snapshot_bpf *skel;
	int err;

	err = snap_program_probe(d, sp);
	if (err)
		return err;
	if (sp->classic)
		return open_classic(d, sp);
	pthread_once(&handler_once, register_handler);
	if (handler_err)
		return bd_err(d, handler_err, "snapshot program: section handler: %s",
			      strerror(-handler_err));
	if (!sp->host) {
		__u32 casts[SNAP_NR_CASTS];

		err = btf_ids(d, sp->ids, casts);
		if (err)
			return err;
		skel = snapshot_bpf__open();
		if (!skel)
			return bd_err(d, -errno, "snapshot program: open: %s", strerror(errno));
		memcpy((void *)skel->rodata->cast_ids, casts, sizeof(casts));
		anon_name_offsets(d->btf, &skel->rodata->anon_name_off,
				  &skel->rodata->anon_vma_name_name_off);
		backing_offsets(d->btf, &skel->rodata->backing_mode, &skel->rodata->user_path_off);
		sp->skel = skel;
		return 0;
	}
	memcpy(sp->ids, host_ids, sizeof(sp->ids));
	skel = calloc(1, sizeof(*skel));
	if (!skel)
		return bd_err(d, -ENOMEM, "snapshot program: open: %s", strerror(ENOMEM));
	err = snapshot_bpf__create_skeleton(skel);
	if (!err) {
		skel->skeleton->data = (void *)snapshot_host_bpf__elf_bytes(&skel->skeleton->data_sz);
		err = bpf_object__open_skeleton(skel->skeleton, NULL);
	}
	if (err) {
		snapshot_bpf__destroy(skel);
		return bd_err(d, err, "snapshot program: open: %s", strerror(-err));
	}
	memcpy((void *)skel->rodata->cast_ids, host_cast_ids, sizeof(host_cast_ids));
	skel->rodata->anon_name_off = BD_HOST_ANON_NAME_OFF;
	skel->rodata->anon_vma_name_name_off = BD_HOST_ANON_VMA_NAME_NAME_OFF;
	skel->rodata->user_path_off = BD_HOST_USER_PATH_OFF;
	skel->rodata->backing_mode = BD_HOST_USER_PATH_OFF ? SNAP_FMODE_BACKING_BITS : 0;
	bd_log(d, BPFDUMP_DEBUG, "snapshot program: built for this kernel: no CO-RE, "
	       "BTF ids from the build");
	sp->skel = skel;
	return 0;
}

/*
 * Does the kernel forbid bpf_probe_read_kernel (lockdown=confidentiality that
 * the lockdown file did not show: no securityfs mounted)? A raw tracepoint
 * program that calls it asks the verifier, and its answer is read from the log.
 */
static bool probe_reads_forbidden(void)
{
	static const struct bpf_insn insns[] = {
		{ .code = BPF_ALU64 | BPF_MOV | BPF_X, .dst_reg = BPF_REG_1, .src_reg = BPF_REG_10 },
		{ .code = BPF_ALU64 | BPF_ADD | BPF_K, .dst_reg = BPF_REG_1, .imm = -8 },
		{ .code = BPF_ALU64 | BPF_MOV | BPF_K, .dst_reg = BPF_REG_2, .imm = 8 },
		{ .code = BPF_ALU64 | BPF_MOV | BPF_K, .dst_reg = BPF_REG_3, .imm = 0 },
		{ .code = BPF_JMP | BPF_CALL, .imm = BPF_FUNC_probe_read_kernel },
		{ .code = BPF_ALU64 | BPF_MOV | BPF_K, .dst_reg = BPF_REG_0, .imm = 0 },
		{ .code = BPF_JMP | BPF_EXIT },
	};
	char log[1024] = "";
	LIBBPF_OPTS(bpf_prog_load_opts, o, .log_buf = log, .log_size = sizeof(log), .log_level = 1);
	int fd = bpf_prog_load(BPF_PROG_TYPE_RAW_TRACEPOINT, NULL, "GPL", insns,
			       sizeof(insns) / sizeof(insns[0]), &o);

	if (fd >= 0) {
		close(fd);
		return false;
	}
	return strstr(log, "cannot use helper bpf_probe_read_kernel") != NULL;
}

/* The classic programs' .rodata user space set, from the open-coded or classic ones. */
struct snap_rodata_set {
	__u32 sections, all_threads, nr_cpus;
};

/*
 * The programs of sp were refused because the kernel forbids probe reads: the
 * direct-read ones opened in their place, with the same .rodata. 0 or -errno.
 */
static int switch_direct(struct bpfdump *d, struct snap_program *sp)
{
	struct snap_rodata_set r;
	int err;

	if (sp->classic) {
		r.sections = sp->cskel->rodata->sections;
		r.all_threads = sp->cskel->rodata->all_threads;
		r.nr_cpus = sp->cskel->rodata->nr_cpus;
	} else {
		r.sections = sp->skel->rodata->sections;
		r.all_threads = sp->skel->rodata->all_threads;
		r.nr_cpus = sp->skel->rodata->nr_cpus;
	}
	snap_program_close(sp);
	err = use_direct(d, sp, "the verifier refused bpf_probe_read_kernel");
	if (!err)
		err = open_classic(d, sp);
	if (err)
		return err;
	sp->cskel->rodata->sections = r.sections;
	sp->cskel->rodata->all_threads = r.all_threads;
	sp->cskel->rodata->nr_cpus = r.nr_cpus;
	bd_log(d, BPFDUMP_INFO, "snapshot: %s", sp->why);
	return 0;
}

int snap_program_load(struct bpfdump *d, struct snap_program *sp)
{
	bool was_classic = sp->classic;
	int err;

	if (sp->classic) {
		err = snapshot_classic_bpf__load(sp->cskel);
	} else {
		load_ids = sp->ids;
		err = snapshot_bpf__load(sp->skel);
		load_ids = NULL;
	}
	if (err && !sp->direct && probe_reads_forbidden()) {
		err = switch_direct(d, sp);
		if (err)
			return err;
		if (!was_classic)
			return -EAGAIN;	/* the caller sets the classic .rodata and loads */
		err = snapshot_classic_bpf__load(sp->cskel);
	}
	if (err)
		return bd_err(d, err, "snapshot program%s: load: %s%s", sp->direct ?
			      "s (direct reads, lockdown=confidentiality)" : "", strerror(-err),
			      err == -EPERM ? " (needs CAP_BPF, CAP_PERFMON and CAP_SYS_ADMIN: "
					      "run it as root)" : " (-vv shows the verifier log)");
	return 0;
}

void snap_program_close(struct snap_program *sp)
{
	snapshot_bpf__destroy(sp->skel);
	sp->skel = NULL;
	snapshot_classic_bpf__destroy(sp->cskel);
	sp->cskel = NULL;
}
