// SPDX-License-Identifier: (LGPL-2.1 OR BSD-2-Clause)
/*
 * Unit tests of the access planner and the code generator (src/lib/plan.c,
 * codegen.c), against the running kernel's BTF:
 *   - the plan's offsets, sizes, derefs and bitfields equal what an independent
 *     walk of the BTF says;
 *   - the record layout has no overlapping slots and fits the buffer;
 *   - the generated instructions are well formed (jumps in range, ld_imm64 pairs,
 *     registers, a final exit), a predicate's literal reaches a compare;
 *   - every target's default columns, as a binary and as a text writer, pass the
 *     kernel's verifier (targets this kernel refuses to load at all are skipped);
 *   - under lockdown=confidentiality (forced in the context) no program calls
 *     bpf_probe_read_kernel(_str), each still passes the verifier, and run here
 *     it prints the same rows as the program with probe reads.
 */
#include <bpf/bpf.h>
#include <bpf/btf.h>
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "bpfdump.h"
#include "internal.h"
#include "output.h"
#include "test.h"

static struct bpfdump *d;
static bool check_no_probe;	/* gen_and_verify: assert no probe-read helper call */
static int no_probe_progs;	/* programs checked that way */

/* ---- an independent BTF walk: member offset (bits) by name, through anonymous members ---- */

static const struct btf_type *strip(const struct btf *btf, __u32 *id)
{
	const struct btf_type *t = btf__type_by_id(btf, *id);

	while (t && (btf_is_typedef(t) || btf_is_mod(t))) {
		*id = t->type;
		t = btf__type_by_id(btf, *id);
	}
	return t;
}

static long member_bits(const struct btf *btf, __u32 struct_id, const char *name, __u32 *type_id,
			__u32 *bitfield)
{
	const struct btf_type *t = strip(btf, &struct_id);
	const struct btf_member *m;
	int i;

	if (!t || !btf_is_composite(t))
		return -1;
	m = btf_members(t);
	for (i = 0; i < btf_vlen(t); i++, m++) {
		const char *mn = btf__name_by_offset(btf, m->name_off);
		long inner;

		if (mn && !strcmp(mn, name)) {
			*type_id = m->type;
			*bitfield = btf_member_bitfield_size(t, i);
			return btf_member_bit_offset(t, i);
		}
		if (!mn || !*mn) {
			inner = member_bits(btf, m->type, name, type_id, bitfield);
			if (inner >= 0)
				return btf_member_bit_offset(t, i) + inner;
		}
	}
	return -1;
}

static long offset_of(const char *strct, const char *member)
{
	__s32 id = btf__find_by_name_kind(d->btf, strct, BTF_KIND_STRUCT);
	__u32 tid, bf;
	long bits = id < 0 ? -1 : member_bits(d->btf, id, member, &tid, &bf);

	return bits < 0 ? -1 : bits / 8;
}

/* The first bitfield member of a struct, by name, or NULL. */
static const char *first_bitfield(const char *strct, __u32 *bit_size)
{
	__s32 id = btf__find_by_name_kind(d->btf, strct, BTF_KIND_STRUCT);
	const struct btf_type *t = id < 0 ? NULL : btf__type_by_id(d->btf, id);
	int i;

	for (i = 0; t && i < btf_vlen(t); i++) {
		const char *mn = btf__name_by_offset(d->btf, btf_members(t)[i].name_off);

		*bit_size = btf_member_bitfield_size(t, i);
		if (*bit_size && mn && *mn)
			return mn;
	}
	return NULL;
}

/* ---- plans ---- */

static int plan(const char *target, const char *cols, const char *where, struct bd_plan *p)
{
	memset(p, 0, sizeof(*p));
	p->map.fd = -1;
	p->target = bd_target_find(d, target);
	if (!p->target)
		return -ENOENT;
	return bd_plan_build(d, p, cols, where);
}

static void test_plan_offsets(void)
{
	long tgid = offset_of("task_struct", "tgid"), comm = offset_of("task_struct", "comm");
	long mm = offset_of("task_struct", "mm"), total_vm = offset_of("mm_struct", "total_vm");
	struct bd_plan p;

	if (!ASSERT_EQ_INT(plan("task", "pid=task->tgid,comm=task->comm,vm=task->mm->total_vm,"
				"c1=task->comm[1]", NULL, &p), 0, "plan: task columns build"))
		return;
	ASSERT_EQ_INT(p.col_cnt, 4, "plan: four columns");
	/* the chain starts at the ctx: first the task pointer out of bpf_iter__task */
	ASSERT_EQ_INT(p.cols[0].acc[0].deref_cnt, 1, "plan: task->tgid loads the task pointer only");
	ASSERT_EQ_INT(p.cols[0].acc[0].deref_off[0], offset_of("bpf_iter__task", "task"),
		      "plan: ... from the ctx's task member");
	ASSERT_EQ_INT(p.cols[0].acc[0].off, tgid, "plan: task->tgid offset equals BTF's");
	ASSERT_EQ_INT(p.cols[0].acc[0].size, 4, "plan: task->tgid is 4 bytes");
	ASSERT_EQ_INT(p.cols[0].acc[0].fetch, BD_FETCH_SCALAR, "plan: task->tgid is a scalar load");
	ASSERT_EQ_INT(p.cols[1].acc[0].off, comm, "plan: task->comm offset equals BTF's");
	ASSERT_EQ_INT(p.cols[1].acc[0].size, 16, "plan: task->comm is char[16]");
	ASSERT_EQ_INT(p.cols[2].acc[0].deref_cnt, 2, "plan: task->mm->total_vm loads two pointers");
	ASSERT_EQ_INT(p.cols[2].acc[0].deref_off[1], mm, "plan: ... the second at task->mm's offset");
	ASSERT_EQ_INT(p.cols[2].acc[0].off, total_vm, "plan: ... to mm_struct.total_vm's offset");
	ASSERT_EQ_INT(p.cols[2].acc[0].size, 8, "plan: total_vm is 8 bytes");
	ASSERT_EQ_INT(p.cols[3].acc[0].off, comm + 1, "plan: task->comm[1] is one byte further");
	ASSERT_EQ_INT(p.cols[3].acc[0].size, 1, "plan: task->comm[1] is one byte");
	ASSERT_STR_EQ(p.cols[2].header, "VM", "plan: header is the upper-cased name");

	/* slots: after the record header, disjoint, inside the fixed part, inside the buffer */
	{
		bool disjoint = true, inside = true;
		int i, j;

		for (i = 0; i < p.col_cnt; i++) {
			const struct bd_access *a = &p.cols[i].acc[0];

			inside &= a->slot_off >= 8 &&	/* __u32 len; __u32 reserved */
				  a->slot_off + a->slot_size <= p.fixed_size;
			for (j = 0; j < i; j++) {
				const struct bd_access *b = &p.cols[j].acc[0];

				disjoint &= a->slot_off >= b->slot_off + b->slot_size ||
					    b->slot_off >= a->slot_off + a->slot_size;
			}
		}
		ASSERT_TRUE(inside, "plan: every slot lies in the record's fixed part");
		ASSERT_TRUE(disjoint, "plan: no two slots overlap");
		ASSERT_TRUE(p.fixed_size <= p.buf_size, "plan: the record fits the buffer");
	}
	bd_plan_free(&p);
}

static void test_plan_bitfield(void)
{
	__u32 bits = 0, tid, bf;
	const char *name = first_bitfield("task_struct", &bits);
	char cols[128];
	long bit_off;
	struct bd_plan p;

	if (!name) {
		printf("skip plan: task_struct has no named bitfield here\n");
		return;
	}
	bit_off = member_bits(d->btf, btf__find_by_name_kind(d->btf, "task_struct", BTF_KIND_STRUCT),
			      name, &tid, &bf);
	snprintf(cols, sizeof(cols), "b=task->%s", name);
	if (!ASSERT_EQ_INT(plan("task", cols, NULL, &p), 0, "plan: a bitfield column builds"))
		return;
	ASSERT_EQ_INT(p.cols[0].acc[0].fetch, BD_FETCH_BITFIELD, "plan: bitfield fetch kind");
	ASSERT_EQ_INT(p.cols[0].acc[0].bit_size, bits, "plan: bitfield width equals BTF's");
	ASSERT_EQ_INT(p.cols[0].acc[0].off * 8 + p.cols[0].acc[0].bit_off, bit_off,
		      "plan: bitfield bit position equals BTF's");
	bd_plan_free(&p);
}

static void test_plan_errors(void)
{
	struct bd_plan p;

	ASSERT_TRUE(plan("task", "x=task->no_such_member", NULL, &p) < 0,
		    "plan: unknown member refused");
	ASSERT_TRUE(strstr(bd_errmsg(), "no_such_member") != NULL, "plan: the message names it");
	ASSERT_TRUE(plan("task", "x=task->comm->x", NULL, &p) < 0, "plan: -> on an array refused");
	ASSERT_TRUE(plan("task", "x=task->tgid", "task->comm > 3", &p) < 0,
		    "plan: ordering compare on a string refused");
}

/* A literal the field cannot hold is refused; a negative one on an unsigned field is its
 * two's complement in the field's width (found by tests/integration/property.sh). */
static void test_plan_literal_range(void)
{
	const char *name;
	char where[128];
	__u32 bits = 0;
	struct bd_plan p;

	ASSERT_TRUE(plan("task", "x=task->tgid", "task->flags < 4294967296", &p) < 0 &&
			    strstr(bd_errmsg(), "literal out of range") != NULL,
		    "plan: 2^32 against a u32 refused");
	ASSERT_TRUE(plan("task", "x=task->tgid", "task->flags > -2147483649", &p) < 0,
		    "plan: -2^31-1 against a u32 refused");
	ASSERT_TRUE(plan("task", "x=task->tgid", "task->prio < 18446744073709551615", &p) < 0,
		    "plan: 2^64-1 against an int refused");
	if (ASSERT_EQ_INT(plan("task", "x=task->tgid", "task->prio > 4294967296", &p), 0,
			  "plan: an s64 literal beyond an int's range builds"))
		bd_plan_free(&p);
	if (ASSERT_EQ_INT(plan("task", "x=task->tgid", "task->flags & 0x1ffffffff", &p), 0,
			  "plan: '&' takes a wider mask")) {
		ASSERT_TRUE(p.pred->imm == 0xffffffffULL, "plan: the mask is cut to 32 bits");
		bd_plan_free(&p);
	}
	if (ASSERT_EQ_INT(plan("task", "x=task->tgid", "task->flags == -1", &p), 0,
			  "plan: -1 against a u32 builds")) {
		ASSERT_TRUE(p.pred->imm == 0xffffffffULL, "plan: -1 on a u32 is 0xffffffff");
		bd_plan_free(&p);
	}
	name = first_bitfield("task_struct", &bits);
	if (!name || bits >= 63)
		return;
	snprintf(where, sizeof(where), "task->%s == -1", name);
	if (ASSERT_EQ_INT(plan("task", "x=task->tgid", where, &p), 0,
			  "plan: -1 against an unsigned bitfield builds")) {
		ASSERT_TRUE(p.pred->imm == (1ULL << bits) - 1, "plan: -1 on a bitfield is all ones");
		bd_plan_free(&p);
	}
	snprintf(where, sizeof(where), "task->%s == %llu", name, 1ULL << bits);
	ASSERT_TRUE(plan("task", "x=task->tgid", where, &p) < 0,
		    "plan: 2^width against a bitfield refused");
}

/* ---- instructions ---- */

static bool well_formed(const struct bpf_insn *in, int cnt, char *why, size_t len)
{
	int i;

	for (i = 0; i < cnt; i++) {
		__u8 cls = BPF_CLASS(in[i].code), op = BPF_OP(in[i].code);

		if (in[i].dst_reg > 10 || in[i].src_reg > 10) {
			if (!(in[i].code == (BPF_LD | BPF_IMM | BPF_DW) || in[i].code == (BPF_JMP | BPF_CALL))) {
				snprintf(why, len, "insn %d: register %u/%u", i, in[i].dst_reg,
					 in[i].src_reg);
				return false;
			}
		}
		if (in[i].code == (BPF_LD | BPF_IMM | BPF_DW)) {
			if (i + 1 >= cnt || in[i + 1].code) {
				snprintf(why, len, "insn %d: ld_imm64 without its second half", i);
				return false;
			}
			i++;
			continue;
		}
		if ((cls == BPF_JMP || cls == BPF_JMP32) && op != BPF_CALL && op != BPF_EXIT) {
			int to = i + 1 + in[i].off;

			if (to < 0 || to >= cnt) {
				snprintf(why, len, "insn %d: jump to %d of %d", i, to, cnt);
				return false;
			}
		}
	}
	if (!cnt || in[cnt - 1].code != (BPF_JMP | BPF_EXIT)) {
		snprintf(why, len, "the program does not end with exit");
		return false;
	}
	return true;
}

/* Does some conditional jump compare against this immediate? */
static bool compares_imm(const struct bpf_insn *in, int cnt, __s32 imm)
{
	for (int i = 0; i < cnt; i++) {
		__u8 cls = BPF_CLASS(in[i].code), op = BPF_OP(in[i].code);

		if (in[i].code == (BPF_LD | BPF_IMM | BPF_DW)) {
			i++;
			continue;
		}
		if ((cls == BPF_JMP || cls == BPF_JMP32) && BPF_SRC(in[i].code) == BPF_K &&
		    op != BPF_JA && op != BPF_CALL && op != BPF_EXIT && in[i].imm == imm)
			return true;
	}
	return false;
}

/* The first call of a kernel-reading helper lockdown=confidentiality forbids
 * (bpf_probe_read 4, _str 45, _kernel 113, _kernel_str 115), or -1. */
static int probe_read_call(const struct bpf_insn *in, int cnt)
{
	int i;

	for (i = 0; i < cnt; i++)
		if (in[i].code == (BPF_JMP | BPF_CALL) && in[i].src_reg == 0 &&
		    (in[i].imm == BPF_FUNC_probe_read || in[i].imm == BPF_FUNC_probe_read_str ||
		     in[i].imm == BPF_FUNC_probe_read_kernel ||
		     in[i].imm == BPF_FUNC_probe_read_kernel_str))
			return i;
	return -1;
}

/* Generate; check the shape; load in the verifier unless the kernel refuses the target. */
static int gen_and_verify(struct bd_plan *p, bool text, bool *verified, const char *what)
{
	char name[200], why[128] = "", *log = calloc(1, 1 << 20);
	struct bd_strbuf fmts = {};
	struct bpf_insn *insns = NULL;
	int buf_fd, fmt_fd = -1, fd, cnt = 0, err;
	LIBBPF_OPTS(bpf_prog_load_opts, lo, .expected_attach_type = BPF_TRACE_ITER,
		    .attach_btf_id = p->target->func_id, .log_buf = log, .log_size = 1 << 20);

	*verified = false;
	buf_fd = bd_create_buf_map(d, p->buf_size);
	if (buf_fd < 0 || !log)
		return -ENOMEM;
	err = bd_codegen_iter(d, p, buf_fd, text, &insns, &cnt, &fmts);
	snprintf(name, sizeof(name), "codegen: %s: generates", what);
	if (!ASSERT_EQ_INT(err, 0, name))
		goto out;
	snprintf(name, sizeof(name), "codegen: %s: well formed", what);
	if (!test_result(well_formed(insns, cnt, why, sizeof(why)), name))
		printf("FAIL %s: %s\n", name, why);
	snprintf(name, sizeof(name), "codegen: %s: starts by saving ctx in r6", what);
	ASSERT_TRUE(insns[0].code == (BPF_ALU64 | BPF_MOV | BPF_X) && insns[0].dst_reg == 6 &&
		    insns[0].src_reg == 1, name);
	if (check_no_probe) {
		int bad = probe_read_call(insns, cnt);

		snprintf(name, sizeof(name), "codegen: %s: no bpf_probe_read_kernel(_str) call "
			 "under lockdown=confidentiality", what);
		if (!test_result(bad < 0, name))
			printf("FAIL %s: insn %d calls helper %d\n", name, bad, insns[bad].imm);
		no_probe_progs++;
	}
	if (text) {
		LIBBPF_OPTS(bpf_map_create_opts, mo, .map_flags = BPF_F_RDONLY_PROG);
		__u32 key = 0;

		fmt_fd = bpf_map_create(BPF_MAP_TYPE_ARRAY, "bdt_fmt", 4, fmts.len ? fmts.len : 1, 1,
					&mo);
		if (fmt_fd < 0 || bpf_map_update_elem(fmt_fd, &key, fmts.s ? fmts.s : "", 0) ||
		    bpf_map_freeze(fmt_fd)) {
			err = -errno;
			goto out;
		}
		bd_codegen_set_fmt_map(insns, cnt, fmt_fd);
	}
	fd = bpf_prog_load(BPF_PROG_TYPE_TRACING, "bdt_codegen", "GPL", insns, cnt, &lo);
	err = fd < 0 ? -errno : 0;
	if (fd >= 0) {
		*verified = true;
		close(fd);
	} else if (err == -EPERM && !log[0]) {
		printf("skip codegen: %s: the kernel refuses this target's programs (EPERM)\n", what);
		err = 0;
	} else {
		char tail[400];

		bd_log_tail(log, tail, sizeof(tail));
		printf("FAIL codegen: %s: verifier: %s: %s\n", what, strerror(-err), tail);
		test_failed++;
	}
out:
	if (fmt_fd >= 0)
		close(fmt_fd);
	close(buf_fd);
	sb_free(&fmts);
	free(insns);
	free(log);
	return err;
}

static void test_predicate_reaches_compare(void)
{
	struct bpf_insn *insns = NULL;
	struct bd_strbuf fmts = {};
	struct bd_plan p;
	int cnt, buf_fd;

	if (plan("task", "pid=task->tgid", "task->tgid == 424242 || task->pid == 434343", &p))
		return (void)ASSERT_TRUE(false, "codegen: predicate plan builds");
	buf_fd = bd_create_buf_map(d, p.buf_size);
	if (!bd_codegen_iter(d, &p, buf_fd, false, &insns, &cnt, &fmts)) {
		ASSERT_TRUE(compares_imm(insns, cnt, 424242) && compares_imm(insns, cnt, 434343),
			    "codegen: both literals of the predicate are compared in the program");
		ASSERT_TRUE(!compares_imm(insns, cnt, 454545), "codegen: ... and no other literal");
	}
	free(insns);
	sb_free(&fmts);
	close(buf_fd);
	bd_plan_free(&p);
}

static void test_targets_verify(void)
{
	static const char *const wheres[] = { NULL, "task->tgid > 1 && task->comm != \"bdt\"" };
	int i, verified = 0, tried = 0;

	for (i = 0; i < d->target_cnt; i++) {
		const struct bd_target *t = &d->targets[i];
		const char *cols = bd_target_preset(t->name);
		char what[160];
		struct bd_plan p;
		bool ok;

		if (t->params & BPFDUMP_PARAM_MAP)
			continue;	/* needs a real map: the map tests do those */
		if (!cols) {
			printf("skip codegen: %s has no preset\n", t->name);
			continue;
		}
		for (int text = 0; text < 2; text++) {
			snprintf(what, sizeof(what), "%s default columns%s", t->name,
				 text ? " (text writer)" : "");
			if (plan(t->name, cols, NULL, &p)) {
				printf("FAIL codegen: %s: plan: %s\n", what, bd_errmsg());
				test_failed++;
				continue;
			}
			tried++;
			gen_and_verify(&p, text, &ok, what);
			verified += ok;
			bd_plan_free(&p);
		}
	}
	for (i = 0; i < 2; i++) {
		struct bd_plan p;
		bool ok;

		if (!wheres[i] || plan("task", "pid=task->tgid,comm=task->comm,vm=task->mm->total_vm",
				       wheres[i], &p))
			continue;
		tried++;
		gen_and_verify(&p, false, &ok, "task with a predicate");
		verified += ok;
		bd_plan_free(&p);
	}
	ASSERT_TRUE(tried >= 10 && verified >= tried / 2,
		    "codegen: most targets' programs were tried and passed the verifier");
	printf("# %d of %d generated programs passed the verifier\n", verified, tried);
}

/* A format string among the NUL-separated ones of a text writer */
static bool has_fmt(const struct bd_strbuf *fmts, const char *f)
{
	return fmts->s && memmem(fmts->s, fmts->len, f, strlen(f) + 1) != NULL;
}

/* The text writer's care for its readers: strings (a 4 KiB d_path too) through the
 * sanitizing loop and kernel addresses as zeros, still accepted by the verifier. */
static void test_text_writer_safety(void)
{
	struct bd_kaddr_sysctl sc;
	struct bd_plan p;
	bool ok, hides;
	int i;

	if (plan("task_file", "pid=task->tgid,comm=task->comm,c=task->comm[0],path=path(file),"
		 "f=file,mnt=file->f_path.mnt", NULL, &p)) {
		printf("FAIL codegen: text writer safety: plan: %s\n", bd_errmsg());
		test_failed++;
	} else {
		gen_and_verify(&p, true, &ok, "task_file strings, a char, d_path and pointers "
			       "(text writer)");
		bd_plan_free(&p);
	}
	bd_kaddr_sysctl_read(&sc);
	hides = !bd_kaddr_shown(&sc, false);
	for (i = 0; i < 2; i++) {
		struct bd_strbuf fmts = {};
		struct bpf_insn *insns = NULL;
		int cnt, buf_fd;
		char name[160];

		if (plan("ksym", "addr=hex(ksym->value),v=ksym->value,name=ksym->name", NULL, &p))
			return (void)ASSERT_TRUE(false, "codegen: ksym plan builds");
		p.text_kaddrs = i;	/* 1: a pin only root reads */
		buf_fd = bd_create_buf_map(d, p.buf_size);
		if (!ASSERT_EQ_INT(bd_codegen_iter(d, &p, buf_fd, true, &insns, &cnt, &fmts), 0,
				   "codegen: ksym text writer generates"))
			goto next;
		snprintf(name, sizeof(name), "codegen: ksym text writer %s addresses as zeros "
			 "(kallsyms hides them from unprivileged readers here: %d, root-only pin: %d)",
			 hides && !i ? "writes" : "does not write", hides, i);
		ASSERT_EQ_INT(has_fmt(&fmts, "0x0000000000000000") &&
			      has_fmt(&fmts, " 0"), hides && !i, name);
		ASSERT_TRUE(has_fmt(&fmts, "0x%llx"), "codegen: ksym text writer prints a value");
next:
		free(insns);
		sb_free(&fmts);
		close(buf_fd);
		if (!i)
			gen_and_verify(&p, true, &ok, "ksym with hidden addresses (text writer)");
		bd_plan_free(&p);
	}
}

/* -o paths that read through pointers the verifier does not type (fd tables,
 * char * names, paths walked through dentries) and bytes of structs */
static const struct {
	const char *target, *cols, *where;
	bool rows;	/* compare rows: stable while the test runs */
} lockdown_queries[] = {
	{ "task", "pid=task->tgid,exe=path(task->mm->exe_file),comm=task->comm,"
		  "vm=task->mm->total_vm,root=path(task->fs->root)", NULL, true },
	{ "task", "n=task->mm->exe_file->f_path.dentry->d_name.name,p=task->real_parent->comm,"
		  "f0=task->files->fdt->fd[0]->f_inode->i_ino,"
		  "f2=task->files->fdt->fd[2]->f_path.dentry->d_name.name,"
		  "cred=task->cred->uid.val,bf=task->in_execve",
	  "task->comm != \"bdt-none\" && task->mm->exe_file->f_path.dentry->d_name.name != \"x\"",
	  true },
	{ "task_file", "fd,path=path(file),ino=file->f_inode->i_ino,"
		       "n=file->f_path.dentry->d_name.name,fs=file->f_inode->i_sb->s_type->name",
	  NULL, true },
	{ "task_vma", "start=vma->vm_start,file=path(vma->vm_file),"
		      "n=vma->vm_file->f_path.dentry->d_name.name,ino=vma->vm_file->f_inode->i_ino",
	  NULL, true },
	{ "tcp", "port=sk_common->skc_num,dport=sk_common->skc_dport,family=sk_common->skc_family,"
		 "state=sk_common->skc_state,v6=sk_common->skc_v6_rcv_saddr,"
		 "net=sk_common->skc_net.net->ns.inum", "sk_common->skc_num == 1", false },
	{ "ksym", "name=ksym->name,mod=ksym->module_name,v=ksym->value,t=ksym->type",
	  "ksym->module_name != \"bpf\"", true },
	{ "bpf_map", "id=map->id,name=map->name,type=map->map_type,btf=map->btf->id,"
		     "owner=map->name[0]", "map->name != \"bpfdump_buf\"", true },
};

/* The rows one context prints for a query of the task targets' own parent */
static char *query_rows(struct bpfdump *ctx, const char *target, const char *cols,
			const char *where, long *rows)
{
	LIBBPF_OPTS(bpfdump_query_opts, qo, .target = target, .columns = cols, .where = where);
	LIBBPF_OPTS(bpfdump_print_opts, po, .format = BPFDUMP_FMT_TABLE);
	struct bpfdump_query *q;
	char *buf = NULL;
	size_t len = 0;
	FILE *f;

	if (bpfdump__target_params(ctx, target) & BPFDUMP_PARAM_TASK)
		qo.pid = getppid();
	*rows = -1;
	q = bpfdump_query__new(ctx, &qo);
	if (!q)
		return NULL;
	f = open_memstream(&buf, &len);
	if (f) {
		*rows = bpfdump_query__print(q, f, &po);
		fclose(f);
	}
	bpfdump_query__free(q);
	return buf;
}

static void test_lockdown(void)
{
	const char *force = getenv("BPFDUMP_LOCKDOWN");
	bool file_says = false, ok;
	struct bpfdump *dl;
	int map_fd;
	char line[128];
	FILE *f;
	size_t i;
	int tried = 0, verified = 0;

	/* the mode is the bracketed word of the kernel's file */
	f = fopen(BD_LOCKDOWN_FILE, "re");
	if (f) {
		file_says = fgets(line, sizeof(line), f) && strstr(line, "[confidentiality]");
		fclose(f);
	}
	ASSERT_EQ_INT(d->lockdown.confidential,
		      file_says || (force && !strcmp(force, "confidentiality")),
		      "lockdown: the context's mode is the one " BD_LOCKDOWN_FILE " shows");
	ASSERT_TRUE(d->lockdown.cast_fn_id > 0 && d->lockdown.cast_u64_id > 0,
		    "lockdown: bpf_rdonly_cast and an 8-byte cast struct found in BTF");

	/* every target's default columns and the paths above, forced to confidentiality */
	d->lockdown.confidential = true;
	check_no_probe = true;
	for (i = 0; i < (size_t)d->target_cnt; i++) {
		const struct bd_target *t = &d->targets[i];
		const char *cols = bd_target_preset(t->name);
		char what[160];
		struct bd_plan p;

		if ((t->params & BPFDUMP_PARAM_MAP) || !cols)
			continue;
		for (int text = 0; text < 2; text++) {
			snprintf(what, sizeof(what), "lockdown: %s default columns%s", t->name,
				 text ? " (text writer)" : "");
			if (plan(t->name, cols, NULL, &p)) {
				/* not a lockdown matter: test_targets_verify fails on it */
				printf("skip codegen: %s: plan: %s\n", what, bd_errmsg());
				continue;
			}
			tried++;
			gen_and_verify(&p, text, &ok, what);
			verified += ok;
			bd_plan_free(&p);
		}
	}
	for (i = 0; i < sizeof(lockdown_queries) / sizeof(lockdown_queries[0]); i++) {
		char what[200];
		struct bd_plan p;

		for (int all = 0; all < 3; all++) {
			snprintf(what, sizeof(what), "lockdown: %s -o %.40s...%s", lockdown_queries[i].target,
				 lockdown_queries[i].cols, all == 1 ? " (all pointers cast)" :
				 all == 2 ? " (text writer)" : "");
			memset(&p, 0, sizeof(p));
			p.map.fd = -1;
			p.all_probe = all == 1;	/* the fallback's plan */
			p.target = bd_target_find(d, lockdown_queries[i].target);
			if (!p.target || bd_plan_build(d, &p, lockdown_queries[i].cols,
						       lockdown_queries[i].where)) {
				printf("FAIL codegen: %s: plan: %s\n", what, bd_errmsg());
				test_failed++;
				continue;
			}
			tried++;
			gen_and_verify(&p, all == 2, &ok, what);
			verified += ok;
			bd_plan_free(&p);
		}
	}
	check_no_probe = false;
	d->lockdown.confidential = file_says || (force && !strcmp(force, "confidentiality"));
	printf("# lockdown: %d of %d programs without probe reads passed the verifier\n", verified,
	       tried);
	ASSERT_TRUE(no_probe_progs == tried && verified >= tried * 3 / 4,
		    "lockdown: most lockdown-safe programs passed the verifier");

	/* the same rows with and without probe reads, run on this kernel */
	if (d->lockdown.confidential) {
		printf("skip lockdown: rows: this kernel forbids the probe reads to compare with\n");
		return;
	}
	dl = bpfdump__new(NULL);
	if (!ASSERT_TRUE(dl != NULL, "lockdown: a second context"))
		return;
	dl->lockdown.confidential = true;
	/* a map of the test's own, so bpf_map has a row whatever else is loaded */
	map_fd = bpf_map_create(BPF_MAP_TYPE_ARRAY, "bdcg_lockdown", 4, 8, 1, NULL);
	ASSERT_TRUE(map_fd >= 0, "lockdown: a map of the test's own for bpf_map's rows");
	for (i = 0; i < sizeof(lockdown_queries) / sizeof(lockdown_queries[0]); i++) {
		char name[200], *a, *b;
		long ra, rb;

		if (!lockdown_queries[i].rows)
			continue;
		a = query_rows(d, lockdown_queries[i].target, lockdown_queries[i].cols,
			       lockdown_queries[i].where, &ra);
		b = query_rows(dl, lockdown_queries[i].target, lockdown_queries[i].cols,
			       lockdown_queries[i].where, &rb);
		snprintf(name, sizeof(name), "lockdown: %s -o %.40s...: the same %ld rows with "
			 "bpf_rdonly_cast as with probe reads", lockdown_queries[i].target,
			 lockdown_queries[i].cols, ra);
		if (ra == -EPERM || (ra < 0 && rb == ra && !a)) {
			printf("skip %s: the kernel refuses this target (%s)\n", name,
			       bpfdump__errmsg(d));
		} else if (!test_result(ra > 0 && ra == rb && a && b && !strcmp(a, b), name)) {
			printf("FAIL %s: %ld vs %ld rows%s%s\n", name, ra, rb,
			       rb < 0 ? ": " : "", rb < 0 ? bpfdump__errmsg(dl) : "");
		}
		free(a);
		free(b);
	}
	if (map_fd >= 0)
		close(map_fd);
	bpfdump__free(dl);
}

int main(void)
{
	if (geteuid() != 0) {
		printf("skip codegen: needs root to load programs\n");
		return 0;
	}
	d = bpfdump__new(NULL);
	if (!ASSERT_TRUE(d != NULL, "codegen: bpfdump__new"))
		return test_summary();
	test_plan_offsets();
	test_plan_bitfield();
	test_plan_errors();
	test_plan_literal_range();
	test_predicate_reaches_compare();
	test_targets_verify();
	test_text_writer_safety();
	test_lockdown();
	bpfdump__free(d);
	return test_summary();
}
