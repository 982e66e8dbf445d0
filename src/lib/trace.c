// SPDX-License-Identifier: (LGPL-2.1 OR BSD-2-Clause)
/*
 * bpfdump trace: for each spec, resolve the function or tracepoint, plan its
 * arguments, generate and load the programs for the best attach mode that
 * works (fentry/fexit, else kprobe/kretprobe; tp_btf, else raw_tp; a perf
 * tracepoint for those without a BTF type), read the ring buffer and print
 * events with BTF-typed values.
 */
#include <bpf/bpf.h>
#include <bpf/libbpf.h>
#include <errno.h>
#include <linux/perf_event.h>
#include <stdlib.h>
#include <string.h>
#include <sys/syscall.h>
#include <time.h>
#include <unistd.h>

#include "ksyms.h"
#include "output.h"
#include "trace.h"
#include "trace_cmd.h"
#include "trace_ctx.h"
#include "trace_func.h"
#include "trace_syscall.h"
#include "usyms.h"
#include "util.h"

#define RINGBUF_SIZE (8 << 20)
#define RINGBUF_AGG_SIZE (64 << 10)
#define LOG_SIZE (1 << 20)
#define DEFAULT_STRUCT_SIZE 1024

struct probe {
	struct bd_func f;
	struct q_trace_spec spec;
	const char *text;
	enum bpfdump_trace_mode mode;
	struct bd_target tgt;
	struct bd_plan plan;		/* entry (or single, or stash) */
	struct bd_plan plan_ret;	/* the bare function's return events */
	bool has_ret;
	bool stash;
	int buf_fd;
	int prog_fd[2], link_fd[2], perf_fd[2];
	struct bd_trace_ctx ctx;	/* context values and predicates */
	struct bd_agg agg;		/* --agg: the SPEC with its keys and value */
	int agg_fd, agg_zero_fd;	/* --agg: key -> per-CPU value; a zero value */
	int agg_val_off, agg_val_size;	/* the value in the record, or -1 */
	bool agg_val_signed;
	int saved_cols;			/* --agg of a bare SPEC: its columns, not keys */
	bool latency;			/* entry (or hit) to return (or f_end) */
	bool has_end;			/* a tracepoint's latency ends at f_end */
	struct bd_func f_end;
	struct bd_syscall sys;		/* syscall:NAME: f_end is its sys_exit_NAME */
	__u32 sys_ret_off;		/* where the exit's ret is in its record */
};

struct trace_run {
	struct bpfdump *d;
	const struct bpfdump_trace_opts *o;
	struct probe *probes;
	int probe_cnt;
	int ringbuf_fd, lost_fd;
	long events;
	bool done;
	FILE *out;
	struct bd_strbuf cell;
	char *log;
	int cgroup_level;	/* --cgroup: only tasks under it, or -1 */
	__u64 cgroup_id;
	const char *agg;	/* --agg, or NULL */
	int top;
	double interval;
	unsigned int max_keys;
	/* stacks: frames' room in an event, the map of key stacks, the symbols */
	__u32 stack_bytes;
	int stack_map_fd;
	struct bd_ksyms *ksyms;
	struct bd_usyms *usyms;
	size_t rec_size;	/* the record being printed, its frames after it */
	struct bd_trace_cmd cmd;	/* -- CMD: its cgroup or process tree; --follow */
	bool follow;
	bool latency;		/* --latency: every probe */
	const char *latency_end;	/* a tracepoint's latency ends there */
	struct sc_raw *raw;	/* syscall: over many syscalls, or NULL */
};

/*
 * syscall:* and other SPECs naming more than BD_SC_RAW_MIN syscalls, without
 * items: one program pair on raw_syscalls:sys_enter/sys_exit, filtered by number
 * in the kernel, instead of a pair per syscall (each attach and detach waits in
 * the kernel: hundreds took half a minute). Each number's event prints through
 * the probe the syscall would have had (prepared, never loaded): the same text.
 */
#define BD_SC_RAW_MIN 4

enum { SC_RAW_NONE, SC_RAW_TRACED, SC_RAW_BAD };

struct sc_raw {
	int nr_cnt;		/* numbers the map holds: 0 .. nr_cnt - 1 */
	size_t nr_cap;		/* by_nr's room */
	struct sc_raw_nr {	/* by syscall number */
		struct probe *probe;	/* made at its first event, or NULL */
		char *name;		/* "syscall:NAME" when traced so */
		struct bd_sc_raw_val val;	/* its value in the id map */
		__u8 state;		/* SC_RAW_* */
	} *by_nr;
	int traced;
	enum bpfdump_trace_mode mode;
	int id_fd, buf_fd, prog_fd[2], link_fd[2];
	__u8 *rec;		/* an event made into its probe's record */
	__u32 rec_size;
};

static const char *mode_name(enum bpfdump_trace_mode m)
{
	switch (m) {
	case BPFDUMP_TRACE_FENTRY: return "fentry/fexit";
	case BPFDUMP_TRACE_KPROBE: return "kprobe/kretprobe";
	case BPFDUMP_TRACE_TP_BTF: return "tp_btf";
	case BPFDUMP_TRACE_RAW_TP: return "raw_tp";
	case BPFDUMP_TRACE_TRACEPOINT: return "tracepoint";
	default: return "auto";
	}
}

/* Programs off; the plan and the aggregation maps stay, for printing. */
static void probe_unlink(struct probe *p)
{
	int i;

	for (i = 0; i < 2; i++) {
		if (p->link_fd[i] >= 0)
			close(p->link_fd[i]);
		if (p->perf_fd[i] >= 0)
			close(p->perf_fd[i]);
		if (p->prog_fd[i] >= 0)
			close(p->prog_fd[i]);
		p->link_fd[i] = p->perf_fd[i] = p->prog_fd[i] = -1;
	}
}

static void probe_detach(struct probe *p)
{
	probe_unlink(p);
	if (p->saved_cols)
		p->plan.col_cnt = p->saved_cols;
	p->saved_cols = 0;
	if (p->buf_fd >= 0)
		close(p->buf_fd);
	p->buf_fd = -1;
	bd_plan_free(&p->plan);
	bd_plan_free(&p->plan_ret);
	p->has_ret = false;
}

static int regs_off(const struct btf *btf, const char *reg, __u32 *off)
{
	__s32 id = btf__find_by_name_kind(btf, "pt_regs", BTF_KIND_STRUCT);
	__u32 bit_off, type_id, bsz;

	if (id < 0 || bd_find_member(btf, id, reg, &bit_off, &type_id, &bsz))
		return -ENOENT;
	*off = bit_off / 8;
	return 0;
}

/* The ctx the programs see: arguments (and 'return') as members. */
static int make_target(struct bpfdump *d, struct probe *p, enum bpfdump_trace_mode m)
{
	static const char *const regs[] = { "di", "si", "dx", "cx", "r8", "r9" };
	struct bd_target *t = &p->tgt;
	int i;

	memset(t, 0, sizeof(*t));
	snprintf(t->name, sizeof(t->name), "%.*s", (int)sizeof(t->name) - 1, p->f.name);
	for (i = 0; i < p->f.nargs; i++) {
		struct bd_ctx_member *cm = &t->members[t->member_cnt];

		if (m == BPFDUMP_TRACE_KPROBE) {
			if (i >= 6 || regs_off(d->btf, regs[i], &cm->off))
				break;	/* on the stack: not reachable from pt_regs here */
		} else {
			cm->off = p->f.classic ? p->f.arg_offs[i] : 8 * (__u32)i;
		}
		snprintf(cm->name, sizeof(cm->name), "%s", p->f.arg_names[i]);
		cm->type_id = p->f.arg_types[i];
		cm->size = 8;
		t->member_cnt++;
	}
	if ((!p->f.is_tp || p->sys.name[0]) && p->f.ret_type) {
		struct bd_ctx_member *cm = &t->members[t->member_cnt];

		if (m == BPFDUMP_TRACE_KPROBE) {
			if (regs_off(d->btf, "ax", &cm->off))
				return -ENOENT;
		} else if (p->sys.name[0]) {
			cm->off = p->sys_ret_off;	/* read by the exit's program only */
		} else {
			cm->off = 8 * p->f.nargs;
		}
		snprintf(cm->name, sizeof(cm->name), "return");
		cm->type_id = p->f.ret_type;
		cm->size = 8;
		t->member_cnt++;
	}
	return 0;
}

static void plan_init(struct trace_run *r, struct probe *p, struct bd_plan *pl,
		      enum bpfdump_trace_mode m)
{
	memset(pl, 0, sizeof(*pl));
	pl->target = &p->tgt;
	pl->btf = p->f.btf;
	pl->map.fd = -1;
	pl->tracing = true;
	pl->no_dpath = true;
	pl->deref_ptrs = !p->sys.name[0];	/* a syscall's pointers are the caller's */
	pl->struct_limit = r->o->struct_size ? r->o->struct_size : DEFAULT_STRUCT_SIZE;
	pl->hdr_size = BD_TRACE_HDR_SIZE;
	pl->all_probe = m == BPFDUMP_TRACE_KPROBE || m == BPFDUMP_TRACE_RAW_TP ||
			m == BPFDUMP_TRACE_TRACEPOINT;
	pl->dump_multiline = r->o->multiline;
	pl->dump_zeroes = r->o->zeroes;
}

static int kprobe_pmu(bool retprobe, __u64 *config)
{
	char buf[64];
	FILE *f = fopen("/sys/bus/event_source/devices/kprobe/type", "re");
	int type = -1, bit = 0;

	if (!f)
		return -ENOENT;
	if (fscanf(f, "%d", &type) != 1)
		type = -1;
	fclose(f);
	*config = 0;
	if (retprobe) {
		f = fopen("/sys/bus/event_source/devices/kprobe/format/retprobe", "re");
		if (f && fgets(buf, sizeof(buf), f))
			sscanf(buf, "config:%d", &bit);
		if (f)
			fclose(f);
		*config = 1ULL << bit;
	}
	return type;
}

/* --- stacks: the kernel's and the user's of each event (--stack, --ustack,
 * 'kstack', 'ustack' in a SPEC), or as keys of --agg --- */

#define STACK_BITS (1u << BD_CTX_KSTACK | 1u << BD_CTX_USTACK)

/* the stacks any probe wants (1 << BD_CTX_KSTACK, 1 << BD_CTX_USTACK) */
static __u32 stacks_wanted(const struct trace_run *r)
{
	__u32 w = 0;
	int i;

	for (i = 0; i < r->probe_cnt; i++)
		w |= r->probes[i].ctx.want & STACK_BITS;
	return w;
}

/* kernel.perf_event_max_stack: the frames bpf_get_stack gives and a stack map takes */
static __u32 max_stack_frames(void)
{
	FILE *f = fopen("/proc/sys/kernel/perf_event_max_stack", "re");
	int v = 127;

	if (f) {
		if (fscanf(f, "%d", &v) != 1)
			v = 127;
		fclose(f);
	}
	return v < 1 ? 1 : v > 127 ? 127 : v;
}

/* Before the programs are made: --stack/--ustack on every probe, the stack map for keys. */
static int stack_setup(struct trace_run *r)
{
	__u32 opt = 0;
	int i;

	if (OPTS_HAS(r->o, stack) && r->o->stack)
		opt |= 1u << BD_CTX_KSTACK;
	if (OPTS_HAS(r->o, ustack) && r->o->ustack)
		opt |= 1u << BD_CTX_USTACK;
	if (opt && r->agg)
		return bd_err(r->d, -EINVAL, "%s adds the stack to each event; to count per "
			      "stack, make it a key: --agg 'count BY %s'",
			      opt & 1u << BD_CTX_KSTACK ? "--stack" : "--ustack",
			      opt & 1u << BD_CTX_KSTACK ? "kstack" : "ustack");
	for (i = 0; i < r->probe_cnt; i++) {
		struct probe *p = &r->probes[i];

		p->ctx.want |= opt;
		if (p->ctx.want & 1u << BD_CTX_USTACK)
			p->ctx.want |= 1u << BD_CTX_PID;	/* whose addresses a key's are */
	}
	if (!stacks_wanted(r))
		return 0;
	r->stack_bytes = 8 * max_stack_frames();
	if (!r->agg)
		return 0;
	r->stack_map_fd = bpf_map_create(BPF_MAP_TYPE_STACK_TRACE, "bpfdump_stacks", 4,
					 r->stack_bytes, r->max_keys, NULL);
	if (r->stack_map_fd < 0)
		return bd_err(r->d, -errno, "stacks: cannot create the stack map (%u stacks of "
			      "%u bytes; --max-keys): %s", r->max_keys, r->stack_bytes,
			      strerror(errno));
	return 0;
}

/* An event's record has room for its frames after it (in a stash, every slot). */
static void stack_room(const struct trace_run *r, struct probe *p)
{
	struct bd_plan *pl[2] = { &p->plan, p->has_ret ? &p->plan_ret : NULL };
	__u32 bytes = 0;
	int i;

	if (p->agg.fn)
		return;
	if (p->ctx.want & 1u << BD_CTX_KSTACK)
		bytes += r->stack_bytes;
	if (p->ctx.want & 1u << BD_CTX_USTACK)
		bytes += r->stack_bytes;
	for (i = 0; i < 2 && bytes; i++)
		if (pl[i] && pl[i]->buf_size < pl[i]->fixed_size + bytes)
			pl[i]->buf_size = (pl[i]->fixed_size + bytes + 7) & ~7u;
}

/* After attaching (kallsyms then lists the programs' own frames): the symbols. */
static int stack_symbols(struct trace_run *r)
{
	__u32 w = stacks_wanted(r);

	if (w & 1u << BD_CTX_USTACK) {
		r->usyms = bd_usyms__new();
		if (!r->usyms)
			return bd_err(r->d, -ENOMEM, "ustack: cannot set up libelf");
	}
	if (!(w & 1u << BD_CTX_KSTACK))
		return 0;
	r->ksyms = bd_ksyms__load();
	if (!r->ksyms)
		return bd_err(r->d, -errno, "kstack: cannot read /proc/kallsyms: %s",
			      strerror(errno));
	if (bd_ksyms__hidden(r->ksyms))
		bd_log(r->d, BPFDUMP_WARN, "kstack: /proc/kallsyms shows this user no addresses "
		       "(kernel.kptr_restrict): frames cannot be symbolized and are not shown");
	return 0;
}

/* The frames after an event's record (the kernel's, then the user's), its last values. */
static void print_event_stack(struct trace_run *r, const struct probe *p, const __u8 *rec,
			      __u32 len, int n)
{
	size_t room = (r->rec_size - len) / 8, at = 0;
	__u16 cnt[2];
	int u;

	memcpy(cnt, rec + BD_TRACE_HDR_STACK, 4);
	for (u = 0; u < 2; u++) {
		int k = u ? BD_CTX_USTACK : BD_CTX_KSTACK;
		size_t c = cnt[u] == BD_TRACE_FRAMES_LOST ? 0 : cnt[u];
		__u64 *ips;

		if (!(p->ctx.want & 1u << k))
			continue;
		if (c > room - at)
			c = room - at;
		ips = calloc(c + 1, sizeof(*ips));
		if (ips && c)
			memcpy(ips, rec + len + at * 8, c * 8);
		at += c;
		if (!ips || !c) {
			sb_reset(&r->cell);
			sb_puts(&r->cell, r->o->json ? "null" : "        (stack lost)\n",
				r->o->json ? 4 : 21);
		} else if (u) {
			__u32 pid;

			memcpy(&pid, rec + bd_ctx_hdr_off(BD_CTX_PID), 4);
			bd_ustack_format(r->usyms, pid, ips, c, "        ", r->o->json, &r->cell);
		} else {
			bd_stack_format(r->ksyms, ips, c, "        ", r->o->json, &r->cell);
		}
		free(ips);
		if (r->o->json)
			fprintf(r->out, "%s\"%s\":%s", n++ ? "," : "", bd_ctx_name(k), r->cell.s);
		else
			fprintf(r->out, "    %s =\n%s", bd_ctx_name(k), r->cell.s);
	}
}

/* Stacks that could not be had: counted by the programs, said once at the end. */
static void stack_report(struct trace_run *r)
{
	__u64 lost[BD_TRACE_LOST_CNT] = {};
	__u32 i;

	if (!stacks_wanted(r))
		return;
	for (i = BD_TRACE_LOST_STACKID; i < BD_TRACE_LOST_CNT; i++)
		bpf_map_lookup_elem(r->lost_fd, &i, &lost[i]);
	if (lost[BD_TRACE_LOST_STACKID])
		bd_log(r->d, BPFDUMP_WARN, "stacks: %llu not kept: their bucket of the stack "
		       "map held another stack (%u buckets; --max-keys); counted as (stack lost)",
		       (unsigned long long)lost[BD_TRACE_LOST_STACKID], r->max_keys);
	if (lost[BD_TRACE_LOST_STACK])
		bd_log(r->d, BPFDUMP_WARN, "stacks: %llu could not be read; shown as (stack lost)",
		       (unsigned long long)lost[BD_TRACE_LOST_STACK]);
}

/* 'latency' as a bare name that no argument has */
static bool is_latency(const struct probe *p, const struct q_value *v)
{
	int i;

	if (v->func || v->path.step_cnt || strcmp(v->path.root, "latency"))
		return false;
	for (i = 0; i < p->f.nargs; i++)
		if (!strcmp(p->f.arg_names[i], "latency"))
			return false;	/* the argument wins */
	return true;
}

/*
 * Take 'latency' out of the SPEC's kept items (after the context values were)
 * into p->ctx as BD_CTX_LATENCY; the later columns move down. It is a value to
 * print or the --agg value, never a key.
 */
static int take_latency(struct trace_run *r, struct probe *p)
{
	struct q_trace_spec *sp = &p->spec;
	int item_of[BD_TRACE_CTX_MAX], gone[BD_TRACE_CTX_MAX + 1] = {};
	struct q_trace_item *tmp;
	int vi = p->agg.value ? p->ctx.val_cnt - 1 : -1;
	int i, n = 0, cols = 0, out = 0;

	for (i = 0; i < sp->item_cnt && cols < BD_TRACE_CTX_MAX; i++)
		if (!sp->items[i].is_pred)
			item_of[cols++] = i;
	for (i = 0; i < p->ctx.val_cnt; i++) {
		int c = p->ctx.vals[i].col;

		if (p->ctx.vals[i].ctx >= 0 || c < 0 || c >= cols ||
		    !is_latency(p, &sp->items[item_of[c]].value))
			continue;
		if (p->agg.fn && i != vi)
			return bd_err(r->d, -EINVAL, "trace '%s': latency is a value, not a key: "
				      "--agg 'hist(latency) BY comm'", p->text);
		p->latency = true;
		p->ctx.vals[i].ctx = BD_CTX_LATENCY;
		p->ctx.vals[i].col = -1;
		gone[c] = 1;
		n++;
	}
	if (!n)
		return 0;
	/* kept items without it, then it (still freed with the SPEC) */
	tmp = calloc(sp->item_cnt, sizeof(*tmp));
	if (!tmp)
		return -ENOMEM;
	for (i = 0, cols = 0; i < sp->item_cnt; i++) {
		bool g = !sp->items[i].is_pred && gone[cols];

		if (!sp->items[i].is_pred)
			cols++;
		if (!g)
			tmp[out++] = sp->items[i];
	}
	for (i = 0, cols = 0; i < sp->item_cnt; i++) {
		if (!sp->items[i].is_pred && gone[cols])
			tmp[out++] = sp->items[i];
		if (!sp->items[i].is_pred)
			cols++;
	}
	memcpy(sp->items, tmp, sp->item_cnt * sizeof(*tmp));
	free(tmp);
	sp->item_cnt -= n;
	for (i = 0; i < p->ctx.val_cnt; i++) {
		int c = p->ctx.vals[i].col, below = 0, j;

		for (j = 0; j < c; j++)
			below += gone[j];
		if (c >= 0)
			p->ctx.vals[i].col = c - below;
	}
	return 0;
}

/* --latency, or 'latency' in the SPEC: a function's return ends it, a tracepoint's
 * hit needs --latency-end, the tracepoint of the same kind that ends it. */
static int latency_setup(struct trace_run *r, struct probe *p)
{
	struct bpfdump *d = r->d;
	int err;

	err = take_latency(r, p);
	if (err)
		return err;
	if (r->latency)
		p->latency = true;
	if (!p->latency || !p->f.is_tp || p->has_end)
		return 0;
	if (!r->latency_end)
		return bd_err(d, -EINVAL, "trace '%s': a tracepoint has no return: its latency "
			      "needs --latency-end tp:GROUP:NAME, the tracepoint that ends it on "
			      "the same thread", p->text);
	err = bd_func_resolve(d, r->latency_end, &p->f_end);
	if (err)
		return err;
	if (!p->f_end.is_tp || p->f_end.classic != p->f.classic)
		return bd_err(d, -EINVAL, "--latency-end '%s': not a tracepoint %s a BTF type, "
			      "as '%s' is", r->latency_end, p->f.classic ? "without" : "with",
			      p->text);
	p->has_end = true;
	return 0;
}

/* syscall:NAME: its exit tracepoint ends the event, its 'ret' is 'return' */
static int syscall_setup(struct trace_run *r, struct probe *p)
{
	char tp[128];
	int i, err;

	snprintf(tp, sizeof(tp), "tp:syscalls:sys_exit_%s", p->sys.name);
	err = bd_func_resolve(r->d, tp, &p->f_end);
	if (err)
		return err;
	for (i = 0; i < p->f_end.nargs && strcmp(p->f_end.arg_names[i], "ret"); i++)
		;
	if (i == p->f_end.nargs || !p->f_end.classic)
		return bd_err(r->d, -ENOENT, "trace '%s': tracepoint %s has no field 'ret'",
			      p->sys.display, tp);
	p->f.ret_type = p->f_end.arg_types[i];
	p->sys_ret_off = p->f_end.arg_offs[i];
	p->has_end = true;
	return 0;
}

/* Load a generated program (insns freed): its fd, or -errno with the verifier's last
 * words in why. */
static int load_insns(struct trace_run *r, enum bpf_prog_type type, const char *name,
		      struct bpf_insn *insns, int cnt, struct bpf_prog_load_opts *lo, char *why,
		      size_t why_len)
{
	char tail[300];
	int fd, err;

	r->log[0] = '\0';
	fd = bpf_prog_load(type, name, "GPL", insns, cnt, lo);
	err = fd < 0 ? -errno : 0;
	free(insns);
	if (fd >= 0)
		return fd;
	bd_log_tail(r->log, tail, sizeof(tail));
	snprintf(why, why_len, "%s%s%s%s", strerror(-err), tail[0] ? " (" : "", tail,
		 tail[0] ? ")" : "");
	return err;
}

static int load_one(struct trace_run *r, struct probe *p, struct bd_plan *pl,
		    enum bd_trace_kind kind, int slot, enum bpfdump_trace_mode m, char *why,
		    size_t why_len)
{
	struct bd_trace_gen tg = { .kind = kind, .buf_map_fd = p->buf_fd,
				   .ringbuf_fd = r->ringbuf_fd, .lost_map_fd = r->lost_fd,
				   .probe_id = (p - r->probes) * 2 + slot, .pid = r->o->pid,
				   .sp_off = -1, .cgroup_level = r->cgroup_level,
				   .cgroup_id = r->cgroup_id, .ctx_preds = p->ctx.preds,
				   .ctx_pred_cnt = p->ctx.pred_cnt, .ctx_want = p->ctx.want,
				   .agg = p->agg.fn, .agg_map_fd = p->agg_fd,
				   .agg_zero_fd = p->agg_zero_fd, .agg_val_off = p->agg_val_off,
				   .agg_val_size = p->agg_val_size,
				   .agg_val_signed = p->agg_val_signed,
				   .cmd_cgroup_id = r->cmd.cg_id,
				   .cmd_cgroup_level = r->cmd.cg_level,
				   .tree_map_fd = r->cmd.tree_fd > 0 ? r->cmd.tree_fd : 0,
				   .skip_tgid = p->sys.name[0] ? getpid() : 0,
				   .latency = p->latency };
	/* a tracepoint's latency: the exit program runs at the end tracepoint */
	const struct bd_func *f = slot == 1 && p->has_end ? &p->f_end : &p->f;
	LIBBPF_OPTS(bpf_prog_load_opts, lo, .log_buf = r->log, .log_size = LOG_SIZE);
	enum bpf_prog_type type = BPF_PROG_TYPE_TRACING;
	bool is_exit = slot == 1;
	struct bpf_insn *insns;
	char name[16];
	int cnt, fd, lfd = -1, pfd = -1, err;

	if (r->follow)
		tg.pid = 0;	/* the tree map has the process */
	if (m == BPFDUMP_TRACE_KPROBE && kind != BD_TRACE_SINGLE) {
		__u32 off;

		/* a missed kretprobe leaves its slot behind: the stack pointer tells */
		if (!regs_off(r->d->btf, "sp", &off))
			tg.sp_off = off;
	}
	tg.stack_bytes = r->stack_bytes;
	tg.stack_map_fd = r->stack_map_fd;
	err = bd_codegen_trace(r->d, pl, &tg, &insns, &cnt);
	if (err) {
		snprintf(why, why_len, "code generation: %s", strerror(-err));
		return err;
	}
	switch (m) {
	case BPFDUMP_TRACE_FENTRY:
		lo.expected_attach_type = is_exit ? BPF_TRACE_FEXIT : BPF_TRACE_FENTRY;
		lo.attach_btf_id = p->f.func_id;
		lo.attach_btf_obj_fd = p->f.mod_btf_fd >= 0 ? p->f.mod_btf_fd : 0;
		break;
	case BPFDUMP_TRACE_TP_BTF:
		lo.expected_attach_type = BPF_TRACE_RAW_TP;
		lo.attach_btf_id = f->attach_id;
		break;
	case BPFDUMP_TRACE_KPROBE:
		type = BPF_PROG_TYPE_KPROBE;
		break;
	case BPFDUMP_TRACE_TRACEPOINT:
		type = BPF_PROG_TYPE_TRACEPOINT;
		break;
	default:
		type = BPF_PROG_TYPE_RAW_TRACEPOINT;
	}
	snprintf(name, sizeof(name), "bd_%.10s", p->f.is_tp ? p->f.tp_name : p->f.name);
	fd = load_insns(r, type, name, insns, cnt, &lo, why, why_len);
	if (fd < 0)
		return fd;
	p->prog_fd[slot] = fd;
	if (m == BPFDUMP_TRACE_KPROBE || m == BPFDUMP_TRACE_TRACEPOINT) {
		struct perf_event_attr attr = { .size = sizeof(attr) };
		__u64 config = 0;

		if (m == BPFDUMP_TRACE_KPROBE) {
			attr.type = kprobe_pmu(is_exit, &config);
			attr.config = config;
			attr.config1 = (__u64)(unsigned long)p->f.name;	/* kprobe_func */
		} else {
			/* one event, on CPU 0: the program runs wherever the tracepoint fires */
			attr.type = PERF_TYPE_TRACEPOINT;
			attr.config = f->tp_id;
		}
		pfd = syscall(__NR_perf_event_open, &attr, -1, 0, -1, PERF_FLAG_FD_CLOEXEC);
		if (pfd < 0) {
			err = -errno;
			snprintf(why, why_len, "perf_event_open(%s): %s", mode_name(m),
				 strerror(errno));
			return err;
		}
		p->perf_fd[slot] = pfd;
		lfd = bpf_link_create(fd, pfd, BPF_PERF_EVENT, NULL);
	} else if (m == BPFDUMP_TRACE_RAW_TP) {
		lfd = bpf_raw_tracepoint_open(f->tp_name, fd);
	} else {
		lfd = bpf_raw_tracepoint_open(NULL, fd);
	}
	if (lfd < 0) {
		err = -errno;
		snprintf(why, why_len, "attach: %s", strerror(errno));
		return err;
	}
	p->link_fd[slot] = lfd;
	return 0;
}

/*
 * --agg: the value's place in the record, the key's size, the maps. A bare SPEC's
 * columns (all its arguments) are not keys: only the context keys are.
 */
static int agg_setup(struct trace_run *r, struct probe *p, bool bare)
{
	struct bpfdump *d = r->d;
	int vi = p->agg.value ? p->ctx.val_cnt - 1 : -1;
	__u32 vsize = bd_agg_value_size(p->agg.fn);
	LIBBPF_OPTS(bpf_map_create_opts, agg_opts, .map_flags = BPF_F_NO_PREALLOC);
	__u32 zero = 0;
	void *zv;

	if (bare) {
		p->saved_cols = p->plan.col_cnt;
		p->plan.col_cnt = 0;
		/* nothing but the header is key then: the arguments' bytes are not */
		if (vi < 0 || p->ctx.vals[vi].ctx >= 0)
			p->plan.fixed_size = p->plan.hdr_size;
	}
	p->agg_val_off = -1;
	p->agg_val_size = 0;
	p->agg_val_signed = false;
	if (vi >= 0 && p->ctx.vals[vi].ctx == BD_CTX_LATENCY) {
		p->agg_val_off = BD_TRACE_HDR_LATENCY;	/* the program measures it */
		p->agg_val_size = 8;
	} else if (vi >= 0 && p->ctx.vals[vi].ctx >= 0) {
		int k = p->ctx.vals[vi].ctx;

		if (k == BD_CTX_COMM || k == BD_CTX_KSTACK || k == BD_CTX_USTACK)
			return bd_err(d, -EINVAL, "--agg '%s': %s(%s): %s is not a number; "
				      "count BY %s counts per %s", r->agg, bd_agg_name(p->agg.fn),
				      bd_ctx_name(k), bd_ctx_name(k), bd_ctx_name(k),
				      k == BD_CTX_COMM ? "name" : "stack");
		p->agg_val_off = bd_ctx_hdr_off(k);
		p->agg_val_size = k == BD_CTX_CGROUP ? 8 : 4;
	} else if (vi >= 0) {
		const struct bd_column *c = &p->plan.cols[p->ctx.vals[vi].col];
		const struct bd_access *a = &c->acc[0];

		if (c->acc_cnt != 1 || a->slot_size > 8 || (a->slot_size & (a->slot_size - 1)) ||
		    (c->fast != BD_FAST_UINT && c->fast != BD_FAST_SINT &&
		     c->fast != BD_FAST_BOOL && c->fast != BD_FAST_CHAR && c->fast != BD_FAST_PTR))
			return bd_err(d, -EINVAL, "--agg '%s': '%s' is not a number (%s takes an "
				      "integer value)", r->agg, c->name, bd_agg_name(p->agg.fn));
		p->agg_val_off = a->slot_off;
		p->agg_val_size = a->slot_size;
		p->agg_val_signed = c->fast == BD_FAST_SINT;
	}
	if (p->plan.fixed_size > BD_TRACE_AGG_KEY_MAX)
		return bd_err(d, -E2BIG, "--agg '%s': the key takes %u bytes, more than %d: "
			      "fewer or smaller keys (a struct is not a key; a member is)",
			      r->agg, p->plan.fixed_size, BD_TRACE_AGG_KEY_MAX);
	if (p->agg_fd >= 0)
		close(p->agg_fd);
	if (p->agg_zero_fd >= 0)
		close(p->agg_zero_fd);
	/* allocated as keys come: preallocating every key's per-CPU values took
	 * longer than the rest of the start (bench/README.md) */
	p->agg_fd = bpf_map_create(BPF_MAP_TYPE_PERCPU_HASH, "bpfdump_agg", p->plan.fixed_size,
				   vsize, r->max_keys, &agg_opts);
	p->agg_zero_fd = bpf_map_create(BPF_MAP_TYPE_ARRAY, "bpfdump_agg0", 4, vsize, 1, NULL);
	zv = calloc(1, vsize);
	if (p->agg_fd < 0 || p->agg_zero_fd < 0 || !zv) {
		int err = -errno;

		free(zv);
		return bd_err(d, err, "--agg: cannot create the aggregation map: %s",
			      strerror(-err));
	}
	bpf_map_update_elem(p->agg_zero_fd, &zero, zv, 0);
	free(zv);
	return 0;
}

/* The probe's record: its target in mode m, its plan (columns, predicates). */
static int probe_plan(struct trace_run *r, struct probe *p, enum bpfdump_trace_mode m, char *why,
		      size_t why_len)
{
	int err, i;

	err = make_target(r->d, p, m);
	if (err) {
		snprintf(why, why_len, "pt_regs not in BTF");
		return err;
	}
	plan_init(r, p, &p->plan, m);
	if (p->latency)
		p->plan.hdr_size += 8;	/* BD_TRACE_HDR_LATENCY */
	err = bd_plan_build_trace(r->d, &p->plan, &p->spec, p->text, false, &p->stash);
	if (err)
		return err;	/* a query error: the same in every mode */
	if (p->latency)
		p->stash = true;	/* one event (or value) at return, or at the end */
	for (i = 0; p->sys.name[0] && i < p->plan.col_cnt; i++) {
		char *c = p->plan.cols[i].name, *in;

		/* syscall:NAME's strings are its arguments' values: named as them */
		if (c && !strncmp(c, "ustr(", 5) && (in = strndup(c + 5, strlen(c) - 6))) {
			free(c);
			p->plan.cols[i].name = in;
		}
	}
	return 0;
}

static int try_mode(struct trace_run *r, struct probe *p, enum bpfdump_trace_mode m, char *why,
		    size_t why_len)
{
	struct bpfdump *d = r->d;
	bool bare = !p->spec.item_cnt;
	__u32 size;
	int err;

	if (m == BPFDUMP_TRACE_KPROBE && bd_lockdown_probe(d)->confidential) {
		/* the kernel would say only EPERM at perf_event_open */
		snprintf(why, why_len, "kprobes are not allowed under lockdown=confidentiality "
			 "(%s); use fentry or tp_btf", BD_LOCKDOWN_FILE);
		return -EPERM;
	}
	if (m == BPFDUMP_TRACE_KPROBE && access("/sys/bus/event_source/devices/kprobe/type", F_OK)) {
		snprintf(why, why_len, "this kernel has no kprobes (CONFIG_KPROBES)");
		return -EOPNOTSUPP;
	}
	err = probe_plan(r, p, m, why, why_len);
	if (err)
		return err;
	if (bare && !p->f.is_tp && p->f.ret_type && !p->agg.fn && !p->latency) {
		bool unused;

		plan_init(r, p, &p->plan_ret, m);
		err = bd_plan_build_trace(d, &p->plan_ret, &p->spec, p->text, true, &unused);
		if (err)
			return err;
		p->has_ret = true;
	}
	if (p->stash && p->f.is_tp && !p->has_end)
		return bd_err(d, -EINVAL, "trace '%s': a tracepoint has no return value", p->text);
	if (p->agg.fn) {
		err = agg_setup(r, p, bare);
		if (err)
			return err;
	}
	stack_room(r, p);
	size = p->stash ? 8 + BD_TRACE_DEPTH * p->plan.buf_size : p->plan.buf_size;
	if (p->has_ret && p->plan_ret.buf_size > size)
		size = p->plan_ret.buf_size;
	p->buf_fd = bd_create_buf_map(d, size);
	if (p->buf_fd < 0) {
		snprintf(why, why_len, "%s", bpfdump__errmsg(d));
		return p->buf_fd;
	}
	if (p->stash) {
		err = load_one(r, p, &p->plan, BD_TRACE_ENTRY_STASH, 0, m, why, why_len);
		if (!err)
			err = load_one(r, p, &p->plan, BD_TRACE_EXIT_STASH, 1, m, why, why_len);
	} else {
		err = load_one(r, p, &p->plan, BD_TRACE_SINGLE, 0, m, why, why_len);
		if (!err && p->has_ret)
			err = load_one(r, p, &p->plan_ret, BD_TRACE_SINGLE, 1, m, why, why_len);
	}
	return err;
}

static int attach_probe(struct trace_run *r, struct probe *p)
{
	struct bpfdump *d = r->d;
	enum bpfdump_trace_mode modes[2];
	char why[2][400] = { "", "" };
	int n = 0, i, err = 0, traceable;

	if (r->o->mode) {
		bool tp_mode = r->o->mode == BPFDUMP_TRACE_TP_BTF ||
			       r->o->mode == BPFDUMP_TRACE_RAW_TP;
		bool classic_mode = r->o->mode == BPFDUMP_TRACE_TRACEPOINT;

		if ((tp_mode || classic_mode) != p->f.is_tp)
			return bd_err(d, -EINVAL, "trace '%s': --mode %s applies to %s", p->text,
				      mode_name(r->o->mode), p->f.is_tp ? "functions"
								       : "tracepoints (tp:GROUP:NAME)");
		if (p->f.is_tp && classic_mode != p->f.classic)
			return bd_err(d, -EINVAL, "trace '%s': --mode %s applies to tracepoints %s "
				      "BTF type", p->text, mode_name(r->o->mode),
				      classic_mode ? "without a" : "with a");
		modes[n++] = r->o->mode;
	} else if (p->f.classic) {
		modes[n++] = BPFDUMP_TRACE_TRACEPOINT;
	} else if (p->f.is_tp) {
		modes[n++] = BPFDUMP_TRACE_TP_BTF;
		modes[n++] = BPFDUMP_TRACE_RAW_TP;
	} else {
		modes[n++] = BPFDUMP_TRACE_FENTRY;
		modes[n++] = BPFDUMP_TRACE_KPROBE;
	}
	if (!p->f.is_tp) {
		traceable = bd_func_traceable(d, p->f.name);
		if (traceable == 0)
			return bd_err(d, -EOPNOTSUPP, "function '%s': cannot be attached: not in "
				      "available_filter_functions (inlined or notrace)", p->f.name);
	}
	for (i = 0; i < n; i++) {
		err = try_mode(r, p, modes[i], why[i], sizeof(why[i]));
		if (!err) {
			p->mode = modes[i];
			if (!p->sys.name[0])
				bd_log(d, BPFDUMP_WARN, "tracing %s with %s", p->text,
				       mode_name(modes[i]));
			else if (r->probe_cnt <= 8)	/* a glob's hundreds: said once, after */
				bd_log(d, BPFDUMP_WARN, "tracing %s with tracepoints "
				       "syscalls:sys_enter_%s and sys_exit_%s",
				       r->o->specs[p - r->probes], p->sys.name, p->sys.name);
			return 0;
		}
		probe_detach(p);
		if (!why[i][0])
			return err;	/* the query itself is wrong: its message stands */
	}
	if (n == 1)
		return bd_err(d, err, "trace '%s': %s does not work here: %s", p->text,
			      mode_name(modes[0]), why[0]);
	return bd_err(d, err, "trace '%s': cannot attach: %s: %s; %s: %s", p->text,
		      mode_name(modes[0]), why[0], mode_name(modes[1]), why[1]);
}

/* a syscall's value: in symbols where it has them, a string quoted, else as is */
static void syscall_value(struct trace_run *r, const struct probe *p, const struct bd_plan *pl,
			  const struct bd_column *c, const __u8 *rec, __u32 len,
			  struct bd_strbuf *out)
{
	bool numeric;
	long long v;
	size_t i;

	if (bd_column_int(c, rec, len, &v) && bd_sc_format(p->f.btf, p->sys.name, c->name, v, out))
		return;
	if (bd_format_column(r->d, pl, c, rec, len, &r->cell, &numeric))
		sb_reset(&r->cell);
	if (numeric || c->fmt != BD_FMT_USTR) {
		sb_puts(out, r->cell.s ? r->cell.s : "", r->cell.s ? r->cell.len : 0);
		return;
	}
	sb_putc(out, '"');
	for (i = 0; r->cell.s && i < r->cell.len; i++) {
		unsigned char ch = r->cell.s[i];

		if (ch == '"' || ch == '\\')
			sb_printf(out, "\\%c", ch);
		else if (ch < 0x20 || ch == 0x7f)
			sb_printf(out, "\\x%02x", ch);
		else
			sb_putc(out, ch);
	}
	sb_putc(out, '"');
}

/* syscall:NAME as strace prints it: comm pid NAME(ARG, ...) = RETURN, then the
 * context values, the latency (in seconds, as strace -T) and the stacks */
static void print_syscall(struct trace_run *r, const struct probe *p, const struct bd_plan *pl,
			  const __u8 *rec, __u32 len)
{
	struct bd_strbuf line = {};
	char comm[17] = "";
	__u32 tgid;
	int i, n = 0, ret = -1;
	long long flags = -1, v;

	for (i = 0; i < pl->col_cnt; i++)
		if (!strcmp(pl->cols[i].name, "flags") &&
		    !bd_column_int(&pl->cols[i], rec, len, &flags))
			flags = -1;

	memcpy(&tgid, rec + 16, 4);
	memcpy(comm, rec + 32, 16);
	bd_ctx_format(BD_CTX_COMM, rec, &r->cell);
	sb_printf(&line, "%s %u %s(", r->cell.s ? r->cell.s : comm, tgid, p->sys.name);
	for (i = 0; i < pl->col_cnt; i++) {
		const struct bd_column *c = &pl->cols[i];
		int a;

		if (!strcmp(c->name, "return")) {
			ret = i;
			continue;
		}
		if (flags >= 0 && bd_column_int(c, rec, len, &v) && !v &&
		    bd_sc_unused(p->sys.name, c->name, flags))
			continue;	/* open's mode without O_CREAT, as strace */
		for (a = 0; a < p->f.nargs && strcmp(p->f.arg_names[a], c->name); a++)
			;
		sb_printf(&line, "%s%s%s", n++ ? ", " : "", a < p->f.nargs ? "" : c->name,
			  a < p->f.nargs ? "" : "=");
		syscall_value(r, p, pl, c, rec, len, &line);
	}
	sb_putc(&line, ')');
	if (ret >= 0) {
		sb_puts(&line, " = ", 3);
		syscall_value(r, p, pl, &pl->cols[ret], rec, len, &line);
	}
	for (i = 0; i < p->ctx.val_cnt; i++) {
		int k = p->ctx.vals[i].ctx;

		if (k < 0 || k >= BD_CTX_CNT)
			continue;
		bd_ctx_format(k, rec, &r->cell);
		sb_printf(&line, " %s=%s", bd_ctx_name(k), r->cell.s ? r->cell.s : "");
	}
	if (p->latency) {
		__u64 ns;

		memcpy(&ns, rec + BD_TRACE_HDR_LATENCY, 8);
		sb_printf(&line, " <%llu.%06llu>", (unsigned long long)ns / 1000000000ULL,
			  (unsigned long long)(ns / 1000) % 1000000ULL);
	}
	fprintf(r->out, "%s\n", line.s ? line.s : "");
	sb_free(&line);
	if (p->ctx.want & STACK_BITS)
		print_event_stack(r, p, rec, len, 0);
	fflush(r->out);
}

/* -J of syscall:NAME: the values in symbols too, "symbolic":{"flags":"O_RDONLY",...} */
static void print_syscall_symbols(struct trace_run *r, const struct probe *p,
				  const struct bd_plan *pl, const __u8 *rec, __u32 len)
{
	int i, n = 0;

	fputs(",\"symbolic\":{", r->out);
	for (i = 0; i < pl->col_cnt; i++) {
		const struct bd_column *c = &pl->cols[i];
		long long v;

		sb_reset(&r->cell);
		if (!bd_column_int(c, rec, len, &v) ||
		    !bd_sc_format(p->f.btf, p->sys.name, c->name, v, &r->cell) || !r->cell.s)
			continue;
		fprintf(r->out, "%s", n++ ? "," : "");
		bd_json_str(r->out, c->name, strlen(c->name));
		fputc(':', r->out);
		bd_json_str(r->out, r->cell.s, r->cell.len);
	}
	fputc('}', r->out);
}

static void print_event(struct trace_run *r, const struct probe *p, const struct bd_plan *pl,
			const __u8 *rec, __u32 len, bool is_exit)
{
	__u64 ts;
	__u32 tgid, tid, cpu;
	char comm[17] = "";
	const char *kind = p->f.is_tp ? "hit" : (is_exit || p->stash) ? "return" : "entry";
	const char *fname = p->sys.name[0] ? p->sys.display : p->f.name;
	int i, j;

	if (p->sys.name[0]) {
		if (!r->o->json) {
			print_syscall(r, p, pl, rec, len);
			return;
		}
		kind = p->stash ? "syscall" : "entry";
	}

	memcpy(&ts, rec + 8, 8);
	memcpy(&tgid, rec + 16, 4);
	memcpy(&tid, rec + 20, 4);
	memcpy(&cpu, rec + 24, 4);
	memcpy(comm, rec + 32, 16);
	if (r->o->json) {
		fprintf(r->out, "{\"time_ns\":%llu,\"comm\":", (unsigned long long)ts);
		bd_json_str(r->out, comm, strlen(comm));
		fprintf(r->out, ",\"pid\":%u,\"tid\":%u,\"cpu\":%u,\"func\":", tgid, tid, cpu);
		bd_json_str(r->out, fname, strlen(fname));
		fprintf(r->out, ",\"event\":\"%s\",\"values\":{", kind);
	} else {
		fprintf(r->out, "%llu.%06llu %s %u/%u cpu%u %s %s\n",
			(unsigned long long)ts / 1000000000ULL,
			(unsigned long long)(ts / 1000) % 1000000ULL, comm, tgid, tid, cpu,
			p->f.name, kind);
	}
	for (i = 0; i < pl->col_cnt; i++) {
		const struct bd_column *c = &pl->cols[i];
		bool numeric;

		if (bd_format_column(r->d, pl, c, rec, len, &r->cell, &numeric))
			sb_reset(&r->cell);
		if (!r->cell.s)
			sb_puts(&r->cell, "", 0);
		if (r->o->json) {
			fprintf(r->out, "%s", i ? "," : "");
			bd_json_str(r->out, c->name, strlen(c->name));
			fputc(':', r->out);
			if (numeric)
				fputs(r->cell.s, r->out);
			else
				bd_json_str(r->out, r->cell.s, r->cell.len);
		} else {
			fprintf(r->out, "    %s = %s\n", c->name, r->cell.s);
		}
	}
	for (i = 0, j = pl->col_cnt; i < p->ctx.val_cnt; i++) {
		int k = p->ctx.vals[i].ctx;
		const char *name = bd_ctx_name(k);

		if (k < 0 || k >= BD_CTX_CNT)
			continue;	/* a column; the latency and the stacks below */
		bd_ctx_format(k, rec, &r->cell);
		if (r->o->json) {
			fprintf(r->out, "%s", j++ ? "," : "");
			bd_json_str(r->out, name, strlen(name));
			fputc(':', r->out);
			if (k == BD_CTX_COMM)
				bd_json_str(r->out, r->cell.s, r->cell.len);
			else
				fputs(r->cell.s, r->out);
		} else {
			fprintf(r->out, "    %s = %s\n", name, r->cell.s);
		}
	}
	if (p->latency) {
		__u64 ns;

		memcpy(&ns, rec + BD_TRACE_HDR_LATENCY, 8);
		if (r->o->json)
			fprintf(r->out, "%s\"latency_ns\":%llu", j++ ? "," : "",
				(unsigned long long)ns);
		else
			fprintf(r->out, "    latency_ns = %llu\n", (unsigned long long)ns);
	}
	if (p->ctx.want & STACK_BITS)
		print_event_stack(r, p, rec, len, j);
	if (r->o->json) {
		fputc('}', r->out);
		if (p->sys.name[0])
			print_syscall_symbols(r, p, pl, rec, len);
		fprintf(r->out, "}\n");
	}
	fflush(r->out);
}

/* the argument of that name (-1: 'return') */
static int sc_arg_index(const struct probe *p, const char *name)
{
	int a;

	for (a = 0; a < p->f.nargs; a++)
		if (!strcmp(p->f.arg_names[a], name))
			return a;
	return -1;
}

static bool sc_raw_print(struct trace_run *r, const __u8 *ev);

static int on_record(void *ctx, void *data, size_t size)
{
	struct trace_run *r = ctx;
	const __u8 *rec = data;
	const struct probe *p;
	const struct bd_plan *pl;
	__u32 probe_id, len;

	if (r->done || size < BD_TRACE_HDR_SIZE)
		return 0;	/* never < 0: that would abort the whole poll */
	memcpy(&len, rec, 4);
	memcpy(&probe_id, rec + 28, 4);
	if (probe_id == BD_SC_RAW_PROBE) {
		if (r->raw && size >= BD_SC_RAW_SIZE && sc_raw_print(r, rec))
			r->done = r->o->count && ++r->events >= r->o->count;
		return 0;
	}
	if ((int)(probe_id / 2) >= r->probe_cnt)
		return 0;
	p = &r->probes[probe_id / 2];
	pl = (probe_id & 1) && p->has_ret ? &p->plan_ret : &p->plan;
	if (len != pl->fixed_size || len > size)
		return 0;
	r->rec_size = size;
	print_event(r, p, pl, rec, len, probe_id & 1);
	if (r->o->count && ++r->events >= r->o->count)
		r->done = true;
	return 0;
}

static int print_aggs(struct trace_run *r, bool last)
{
	struct bd_agg_view *v = calloc(r->probe_cnt, sizeof(*v));
	__u64 lost[2] = {};
	__u32 i;
	int err;

	if (!v)
		return -ENOMEM;
	for (i = 0; i < 2; i++)
		bpf_map_lookup_elem(r->lost_fd, &i, &lost[i]);
	for (i = 0; i < (__u32)r->probe_cnt; i++) {
		struct probe *p = &r->probes[i];

		v[i].name = r->o->specs[i];
		v[i].fn = p->agg.fn;
		v[i].sg = p->agg_val_signed;
		v[i].map_fd = p->agg_fd;
		v[i].key_size = p->plan.fixed_size;
		v[i].plan = &p->plan;
		v[i].sys = p->sys.name[0] ? p->sys.name : NULL;
		v[i].btf = p->f.btf;
		v[i].ctx = &p->ctx;
		v[i].val_item = p->agg.value ? p->ctx.val_cnt - 1 : -1;
		v[i].key_cnt = p->ctx.val_cnt - (p->agg.value ? 1 : 0);
		v[i].stack_fd = r->stack_map_fd;
		v[i].stack_bytes = r->stack_bytes;
		v[i].ksyms = r->ksyms;
		v[i].usyms = r->usyms;
	}
	if (!r->o->json && !last)
		fputc('\n', r->out);
	err = bd_agg_print(r->d, r->out, r->o->json, v, r->probe_cnt, r->top, lost[1], lost[0],
			   &r->cell);
	free(v);
	if (err)
		return bd_err(r->d, err, "--agg: cannot read the aggregation map: %s",
			      strerror(-err));
	if (last && lost[1])
		bd_log(r->d, BPFDUMP_WARN, "%llu events not counted: the aggregation map is "
		       "full (%u keys; --max-keys)", (unsigned long long)lost[1], r->max_keys);
	return 0;
}

static double now_s(void)
{
	struct timespec ts;

	clock_gettime(CLOCK_MONOTONIC, &ts);
	return ts.tv_sec + ts.tv_nsec / 1e9;
}

static void probe_init(struct probe *p, const char *text)
{
	p->buf_fd = -1;
	p->prog_fd[0] = p->prog_fd[1] = p->link_fd[0] = p->link_fd[1] = -1;
	p->perf_fd[0] = p->perf_fd[1] = -1;
	p->f.mod_btf_fd = -1;
	p->f_end.mod_btf_fd = -1;
	p->agg_fd = p->agg_zero_fd = -1;
	p->text = text;
}

/* A SPEC parsed and resolved, its context values and latency taken out. */
static int probe_prepare(struct trace_run *r, struct probe *p)
{
	struct q_error qe = {};
	int err;

	if (bd_sc_is_spec(p->text)) {
		/* syscall:NAME: a SPEC on its entry tracepoint, paired at its exit */
		err = bd_sc_rewrite(r->d, p->text, r->agg != NULL, &p->sys);
		if (err)
			return err;
		p->text = p->sys.text;
	}
	if (r->agg) {
		/* the keys and the value become items of the SPEC */
		err = bd_agg_parse(r->d, r->agg, p->text, &p->agg);
		if (err)
			return err;
		p->text = p->agg.spec_text;
	}
	err = q_parse_trace_spec(p->text, &p->spec, &qe);
	if (err == -EINVAL)
		return bd_err(r->d, err, "trace '%s': %s (at column %d)", p->text, qe.msg,
			      qe.pos + 1);
	if (err)
		return err;
	if (p->sys.enter && !strcmp(p->spec.func, p->sys.enter->name)) {
		/* resolved once, by the rewrite: the probe takes it */
		p->f = *p->sys.enter;
		free(p->sys.enter);
		p->sys.enter = NULL;
		err = 0;
	} else {
		err = bd_func_resolve(r->d, p->spec.func, &p->f);
	}
	if (!err && p->sys.name[0])
		err = syscall_setup(r, p);
	if (!err && !p->sys.name[0] && strstr(p->text, "return") &&
	    !strncmp(p->text, "tp:syscalls:sys_enter_", 22)) {
		struct bd_strbuf fields = {};
		int a;

		for (a = 0; a < p->f.nargs; a++)
			sb_printf(&fields, "%s%s", a ? ", " : "", p->f.arg_names[a]);
		err = bd_err(r->d, -EINVAL, "trace '%s': no field 'return'; its fields: %s (a "
			     "tracepoint has no return value; syscall:%.*s(...) pairs it "
			     "with its exit)", p->text, fields.s ? fields.s : "",
			     (int)strcspn(p->text + 22, "("), p->text + 22);
		sb_free(&fields);
	}
	if (err)
		return err;
	err = bd_trace_ctx_extract(r->d, p->text, &p->spec, &p->f, &p->ctx);
	if (!err)
		err = latency_setup(r, p);
	return err;
}

static void probe_free(struct probe *p)
{
	probe_detach(p);
	if (p->agg_fd >= 0)
		close(p->agg_fd);
	if (p->agg_zero_fd >= 0)
		close(p->agg_zero_fd);
	bd_trace_ctx_restore(&p->spec, &p->ctx);
	q_trace_spec_free(&p->spec);
	bd_agg_free(&p->agg);
	bd_func_free(&p->f);
	bd_func_free(&p->f_end);
	bd_sc_free(&p->sys);
}

/* each column of p's record from an argument (a number or, its string read at the
 * entry, a string slot) or 'return': str[] for the id map; false when one is not */
static bool sc_raw_columns(const struct probe *p, struct bd_sc_raw_val *val)
{
	const struct bd_plan *pl = &p->plan;
	int i, a, strs = 0;

	memset(val, 0, sizeof(*val));
	if (!p->stash || p->ctx.pred_cnt || p->ctx.want || pl->pred || pl->pred_exit)
		return false;
	for (i = 0; i < p->ctx.val_cnt; i++)
		if (p->ctx.vals[i].ctx >= 0)
			return false;
	for (i = 0; i < pl->col_cnt; i++) {
		const struct bd_column *c = &pl->cols[i];
		const struct bd_access *acc = &c->acc[0];

		a = sc_arg_index(p, c->name);
		if (c->acc_cnt != 1 || a >= 6 || (a < 0 && strcmp(c->name, "return")))
			return false;
		if (acc->fetch == BD_FETCH_CSTR && !acc->user) {
			continue;	/* a buffer's kernel-string read of a user address: "" */
		} else if (acc->fetch == BD_FETCH_CSTR) {
			if (a < 0 || strs == BD_SC_RAW_NSTR)
				return false;
			val->str[a] = ++strs;
		} else if (acc->fetch != BD_FETCH_SCALAR || acc->slot_size > 8) {
			return false;
		}
	}
	return true;
}

static void sc_raw_unlink(struct sc_raw *raw)
{
	int i;

	for (i = 0; raw && i < 2; i++) {
		if (raw->link_fd[i] >= 0)
			close(raw->link_fd[i]);
		if (raw->prog_fd[i] >= 0)
			close(raw->prog_fd[i]);
		raw->link_fd[i] = raw->prog_fd[i] = -1;
	}
}

static void sc_raw_free(struct sc_raw *raw)
{
	int i;

	if (!raw)
		return;
	sc_raw_unlink(raw);
	for (i = 0; i < raw->nr_cnt; i++) {
		if (raw->by_nr[i].probe)
			probe_free(raw->by_nr[i].probe);
		free(raw->by_nr[i].probe);
		free(raw->by_nr[i].name);
	}
	if (raw->id_fd >= 0)
		close(raw->id_fd);
	if (raw->buf_fd >= 0)
		close(raw->buf_fd);
	free(raw->by_nr);
	free(raw->rec);
	free(raw);
}

/*
 * The string arguments of syscall NAME, from its entry tracepoint's format (its
 * const char * fields, as bd_sc_rewrite reads them with ustr()): val->str.
 * Read as text: resolving every syscall's types in BTF took most of the start.
 * -E2BIG: more strings than an event holds.
 */
static int sc_raw_strings(struct trace_run *r, const char *name, struct bd_sc_raw_val *val)
{
	const char *tfs = bd_tracefs(r->d);
	char path[512], line[512];
	int arg = -1, strs = 0;
	FILE *f;

	memset(val, 0, sizeof(*val));
	if (!tfs)
		return -ENOENT;
	snprintf(path, sizeof(path), "%s/events/syscalls/sys_enter_%s/format", tfs, name);
	f = fopen(path, "re");
	if (!f)
		return -errno;
	while (fgets(line, sizeof(line), f)) {
		const char *fl = strstr(line, "field:");

		if (!fl)
			continue;
		if (strstr(fl, " __syscall_nr;")) {
			arg = 0;
			continue;
		}
		if (arg < 0)
			continue;	/* the common fields */
		if (arg >= 6)
			break;
		if (!strncmp(fl + 6, "const char * ", 13) ||
		    !strncmp(fl + 6, "const char __user * ", 20)) {
			if (strs == BD_SC_RAW_NSTR) {
				fclose(f);
				return -E2BIG;
			}
			val->str[arg] = ++strs;
		}
		arg++;
	}
	fclose(f);
	return arg < 0 ? -ENOENT : 0;
}

/* SPEC ("syscall:NAME") onto the raw pair (its probe made at its first event);
 * 1 when it cannot be (no number known, more strings than an event holds): its
 * own pair */
static int sc_raw_add(struct trace_run *r, const char *spec)
{
	struct sc_raw *raw = r->raw;
	const char *name = spec + strlen(BD_SC_PREFIX);
	int nr = bd_sc_nr(name), err, i;
	struct sc_raw_nr *e;

	if (nr < 0) {
		bd_log(r->d, BPFDUMP_INFO, "%s: its number is not known here: its own "
		       "tracepoints", spec);
		return 1;
	}
	if (nr >= raw->nr_cnt) {
		if (bd_grow((void **)&raw->by_nr, &raw->nr_cap, (size_t)nr + 1, sizeof(*raw->by_nr)))
			return -ENOMEM;
		for (i = raw->nr_cnt; i <= nr; i++)
			raw->by_nr[i] = (struct sc_raw_nr){ .state = SC_RAW_NONE };
		raw->nr_cnt = nr + 1;
	}
	e = &raw->by_nr[nr];
	if (e->state != SC_RAW_NONE)
		return 0;	/* named twice */
	err = sc_raw_strings(r, name, &e->val);
	if (err == -E2BIG) {
		bd_log(r->d, BPFDUMP_INFO, "%s: more than %d strings: its own tracepoints",
		       spec, BD_SC_RAW_NSTR);
		return 1;
	}
	if (err)
		return bd_err(r->d, err, "trace '%s': cannot read its tracepoint's format: %s",
			      spec, strerror(-err));
	e->name = strdup(spec);
	if (!e->name)
		return -ENOMEM;
	e->state = SC_RAW_TRACED;
	raw->traced++;
	return 0;
}

/*
 * The probe that prints number nr's events, made at its first event: what
 * syscall:NAME would load, prepared and planned but never loaded. NULL when it
 * cannot be, or when its record needs what the event does not have (said once;
 * its events are dropped, never printed wrong).
 */
static struct probe *sc_raw_probe(struct trace_run *r, __u64 nr)
{
	struct sc_raw *raw = r->raw;
	struct bd_sc_raw_val val;
	struct sc_raw_nr *e;
	char why[400] = "";
	struct probe *p;
	int err;

	if (nr >= (__u64)raw->nr_cnt || raw->by_nr[nr].state != SC_RAW_TRACED)
		return NULL;
	e = &raw->by_nr[nr];
	if (e->probe)
		return e->probe;
	p = calloc(1, sizeof(*p));
	if (!p)
		goto bad;
	probe_init(p, e->name);
	e->probe = p;
	err = probe_prepare(r, p);
	if (!err)
		err = probe_plan(r, p, BPFDUMP_TRACE_TRACEPOINT, why, sizeof(why));
	if (err) {
		if (why[0])
			bd_err(r->d, err, "trace '%s': %s", e->name, why);
		goto bad;
	}
	if (!sc_raw_columns(p, &val) || memcmp(val.str, e->val.str, sizeof(val.str))) {
		bd_log(r->d, BPFDUMP_WARN, "%s: its values are not the raw_syscalls event's: "
		       "its events are left out (trace it alone)", e->name);
		goto bad;
	}
	if (p->plan.fixed_size > raw->rec_size) {
		__u8 *rec = realloc(raw->rec, p->plan.fixed_size);

		if (!rec)
			goto bad;
		raw->rec = rec;
		raw->rec_size = p->plan.fixed_size;
	}
	return p;
bad:
	if (p) {
		probe_free(p);
		free(p);
	}
	e->probe = NULL;
	e->state = SC_RAW_BAD;
	return NULL;
}

/* a raw_syscalls event printed as its syscall's probe prints its own record:
 * false when its number is not one traced */
static bool sc_raw_print(struct trace_run *r, const __u8 *ev)
{
	struct sc_raw *raw = r->raw;
	const struct probe *p;
	const struct bd_plan *pl;
	__u64 nr, args[6];
	__s64 ret;
	int i;

	memcpy(&nr, ev + BD_SC_RAW_NR, 8);
	p = sc_raw_probe(r, nr);
	if (!p)
		return false;
	pl = &p->plan;
	memcpy(args, ev + BD_SC_RAW_ARGS, sizeof(args));
	memcpy(&ret, ev + BD_SC_RAW_RET, 8);
	memset(raw->rec, 0, pl->fixed_size);
	memcpy(raw->rec, ev, BD_TRACE_HDR_SIZE);
	memcpy(raw->rec, &pl->fixed_size, 4);
	for (i = 0; i < pl->col_cnt; i++) {
		const struct bd_access *acc = &pl->cols[i].acc[0];
		int a = sc_arg_index(p, pl->cols[i].name);
		__u64 v = a < 0 ? (__u64)ret : args[a];

		if (acc->fetch == BD_FETCH_CSTR && !acc->user)
			continue;	/* as sc_raw_columns says: "" */
		if (acc->fetch == BD_FETCH_CSTR) {
			int slot = a < 0 ? 0 : raw->by_nr[nr].val.str[a] - 1;

			memcpy(raw->rec + acc->slot_off, ev + BD_SC_RAW_STR + slot * BD_CSTR_MAX,
			       acc->slot_size < BD_CSTR_MAX ? acc->slot_size : BD_CSTR_MAX);
			continue;
		}
		memcpy(raw->rec + acc->slot_off, &v, acc->slot_size);	/* little-endian */
	}
	r->rec_size = pl->fixed_size;
	print_event(r, p, pl, raw->rec, pl->fixed_size, false);
	return true;
}

/*
 * The SPECs that go on one raw_syscalls pair (syscall:LIST or GLOB of more than
 * BD_SC_RAW_MIN syscalls, no items, none of the options that need a syscall's own
 * programs): their syscalls into r->raw. *kept: the other SPECs (and syscalls the
 * pair cannot print), for their own probes.
 */
static int sc_raw_select(struct trace_run *r, const struct bpfdump_trace_opts *o,
			 struct bd_strv *kept)
{
	struct bpfdump *d = r->d;
	const char *why = NULL;
	size_t j;
	int i, err = 0;

	if (r->agg)
		why = "--agg";
	else if (r->latency)
		why = "--latency";
	else if (o->mode)
		why = "--mode";
	else if (OPTS_GET(o, stack, false) || OPTS_GET(o, ustack, false))
		why = "stacks";
	for (i = 0; i < o->spec_cnt && !err; i++) {
		const char *spec = o->specs[i];
		struct bd_strv v;

		if (!bd_sc_is_spec(spec)) {
			err = bd_strv_push(kept, strdup(spec));
			continue;
		}
		err = bd_sc_expand(d, &spec, 1, &v);
		if (err)
			return err;
		if (v.n <= BD_SC_RAW_MIN || why || strchr(spec, '(')) {
			if (v.n > BD_SC_RAW_MIN)
				bd_log(d, BPFDUMP_INFO, "trace '%s': %s: one tracepoint pair per "
				       "syscall (%zu)", spec, why ? why : "items", v.n);
			bd_strv_free(&v);
			err = bd_strv_push(kept, strdup(spec));
			continue;
		}
		if (!r->raw) {
			r->raw = calloc(1, sizeof(*r->raw));
			if (!r->raw) {
				bd_strv_free(&v);
				return bd_err(d, -ENOMEM, "syscall: out of memory");
			}
			r->raw->id_fd = r->raw->buf_fd = -1;
			r->raw->prog_fd[0] = r->raw->prog_fd[1] = -1;
			r->raw->link_fd[0] = r->raw->link_fd[1] = -1;
		}
		for (j = 0; j < v.n && !err; j++) {
			err = sc_raw_add(r, v.v[j]);
			if (err == 1)
				err = bd_strv_push(kept, strdup(v.v[j]));
		}
		bd_strv_free(&v);
	}
	if (err == -ENOMEM)
		err = bd_err(d, err, "syscall: out of memory");
	return err;
}

/* one program of the pair, loaded and attached in mode m */
static int sc_raw_load(struct trace_run *r, const struct bd_sc_raw_gen *rg, bool is_exit,
		       enum bpfdump_trace_mode m, char *why, size_t why_len)
{
	struct sc_raw *raw = r->raw;
	struct bd_trace_gen tg = { .buf_map_fd = raw->buf_fd, .ringbuf_fd = r->ringbuf_fd,
				   .lost_map_fd = r->lost_fd, .probe_id = BD_SC_RAW_PROBE,
				   .pid = r->follow ? 0 : r->o->pid,
				   .cgroup_level = r->cgroup_level, .cgroup_id = r->cgroup_id,
				   .cmd_cgroup_id = r->cmd.cg_id,
				   .cmd_cgroup_level = r->cmd.cg_level,
				   .tree_map_fd = r->cmd.tree_fd > 0 ? r->cmd.tree_fd : 0,
				   .skip_tgid = getpid() };
	const char *tp = is_exit ? "sys_exit" : "sys_enter";
	LIBBPF_OPTS(bpf_prog_load_opts, lo, .log_buf = r->log, .log_size = LOG_SIZE);
	enum bpf_prog_type type = BPF_PROG_TYPE_RAW_TRACEPOINT;
	struct bpf_insn *insns;
	char full[64];
	int cnt, fd, err;

	if (m == BPFDUMP_TRACE_TP_BTF) {
		struct bd_func f = { .mod_btf_fd = -1 };

		snprintf(full, sizeof(full), "tp:raw_syscalls:%s", tp);
		err = bd_func_resolve(r->d, full, &f);
		lo.attach_btf_id = f.attach_id;
		bd_func_free(&f);
		if (err) {
			snprintf(why, why_len, "%s has no BTF type", full);
			return err;
		}
		type = BPF_PROG_TYPE_TRACING;
		lo.expected_attach_type = BPF_TRACE_RAW_TP;
	}
	err = bd_codegen_sc_raw(r->d, &tg, rg, is_exit, &insns, &cnt);
	if (err) {
		snprintf(why, why_len, "code generation: %s", strerror(-err));
		return err;
	}
	fd = load_insns(r, type, is_exit ? "bd_sc_exit" : "bd_sc_enter", insns, cnt, &lo, why,
			why_len);
	if (fd < 0)
		return fd;
	raw->prog_fd[is_exit] = fd;
	raw->link_fd[is_exit] = bpf_raw_tracepoint_open(m == BPFDUMP_TRACE_TP_BTF ? NULL : tp, fd);
	if (raw->link_fd[is_exit] < 0) {
		err = -errno;
		snprintf(why, why_len, "attach: %s", strerror(-err));
		return err;
	}
	return 0;
}

/* task_struct's thread_info.status (x86: TS_COMPAT), or -1 */
static int compat_off(const struct btf *btf)
{
	__s32 task = btf__find_by_name_kind(btf, "task_struct", BTF_KIND_STRUCT);
	__s32 ti = btf__find_by_name_kind(btf, "thread_info", BTF_KIND_STRUCT);
	__u32 ti_off, st_off, type_id, bsz;

	if (task < 0 || ti < 0 ||
	    bd_find_member(btf, task, "thread_info", &ti_off, &type_id, &bsz) ||
	    bd_find_member(btf, ti, "status", &st_off, &type_id, &bsz))
		return -1;
	return (ti_off + st_off) / 8;
}

/* The id map, the stash and the pair: tp_btf, else raw_tp. */
static int sc_raw_attach(struct trace_run *r)
{
	static const char *const regs[] = { "di", "si", "dx", "r10", "r8", "r9" };
	static const enum bpfdump_trace_mode modes[] = { BPFDUMP_TRACE_TP_BTF,
							 BPFDUMP_TRACE_RAW_TP };
	struct sc_raw *raw = r->raw;
	struct bd_sc_raw_gen rg = {};
	char why[2][400] = { "", "" };
	__u32 nr;
	int i, err;

	for (i = 0; i < 6; i++)
		if (regs_off(r->d->btf, regs[i], &rg.reg_off[i]))
			return bd_err(r->d, -ENOENT, "syscall: struct pt_regs has no '%s' in BTF",
				      regs[i]);
	if (regs_off(r->d->btf, "orig_ax", &rg.nr_off))
		return bd_err(r->d, -ENOENT, "syscall: struct pt_regs has no 'orig_ax' in BTF");
	rg.compat_off = compat_off(r->d->btf);
	raw->id_fd = bpf_map_create(BPF_MAP_TYPE_ARRAY, "bpfdump_scnr", 4,
				    sizeof(struct bd_sc_raw_val), raw->nr_cnt, NULL);
	if (raw->id_fd < 0)
		return bd_err(r->d, -errno, "syscall: cannot create the number map: %s",
			      strerror(errno));
	for (nr = 0; nr < (__u32)raw->nr_cnt; nr++) {
		if (raw->by_nr[nr].state == SC_RAW_TRACED &&
		    bpf_map_update_elem(raw->id_fd, &nr, &raw->by_nr[nr].val, 0))
			return bd_err(r->d, -errno, "syscall: cannot fill the number map: %s",
				      strerror(errno));
	}
	rg.id_map_fd = raw->id_fd;
	raw->buf_fd = bd_create_buf_map(r->d, BD_SC_RAW_SIZE);
	if (raw->buf_fd < 0)
		return raw->buf_fd;
	for (i = 0; i < 2; i++) {
		err = sc_raw_load(r, &rg, true, modes[i], why[i], sizeof(why[i]));
		if (!err)
			err = sc_raw_load(r, &rg, false, modes[i], why[i], sizeof(why[i]));
		if (!err) {
			raw->mode = modes[i];
			bd_log(r->d, BPFDUMP_WARN, "tracing %d syscalls with raw_syscalls:sys_enter "
			       "and sys_exit (%s)", raw->traced, mode_name(modes[i]));
			return 0;
		}
		sc_raw_unlink(raw);
	}
	return bd_err(r->d, err, "syscall: cannot attach raw_syscalls:sys_enter/sys_exit: "
		      "%s: %s; %s: %s", mode_name(modes[0]), why[0], mode_name(modes[1]), why[1]);
}

int bpfdump__trace(struct bpfdump *d, const struct bpfdump_trace_opts *o)
{
	struct trace_run r = { .d = d, .o = o, .ringbuf_fd = -1, .lost_fd = -1,
			       .stack_map_fd = -1 };
	const char *const *cmd = NULL;
	const char *cmd_user = NULL;
	struct bpfdump_trace_opts sc_opts, raw_opts;
	struct bd_strv raw_kept = {}, sc_specs = {};
	struct ring_buffer *rb = NULL;
	__u64 lost = 0;
	__u32 zero = 0;
	double end, next = 0;
	int i, err = 0;

	if (!o || !OPTS_OK(o, bpfdump_trace_opts))
		return bd_err(d, -EINVAL, "trace: bad options (sz, or fields this library lacks)");
	if (!o->spec_cnt)
		return bd_err(d, -EINVAL, "trace: give at least one FUNC or tp:GROUP:NAME");
	err = bd_btf_ready(d);
	if (err)
		return err;
	r.out = o->out ? o->out : stdout;
	r.cgroup_level = -1;
	if (OPTS_GET(o, cgroup, NULL)) {
		err = bd_cgroup_scope(d, o->cgroup, &r.cgroup_id, &r.cgroup_level);
		if (err)
			return err;
	}
	if (OPTS_HAS(o, max_keys)) {
		r.agg = o->agg;
		r.top = o->top;
		r.interval = o->interval;
		r.max_keys = o->max_keys;
	}
	if (!r.max_keys)
		r.max_keys = 10240;
	bd_trace_cmd_init(&r.cmd);
	if (OPTS_HAS(o, cmd_user))
		cmd_user = o->cmd_user;
	if (OPTS_HAS(o, latency_end)) {
		cmd = o->cmd;
		r.follow = o->follow;
		r.latency = o->latency || o->latency_end;
		r.latency_end = o->latency_end;
	}
	if (cmd && !cmd[0])
		return bd_err(d, -EINVAL, "trace: '--' without a command");
	if (cmd_user && !cmd)
		return bd_err(d, -EINVAL, "trace: --user applies to '-- CMD'");
	if (cmd && o->pid)
		return bd_err(d, -EINVAL, "trace: -p and a command exclude each other");
	if (r.follow && o->pid <= 0)
		return bd_err(d, -EINVAL, "trace: --follow applies to -p PID");
	if (r.latency_end && (strchr(r.latency_end, '(') || strncmp(r.latency_end, "tp:", 3)))
		return bd_err(d, -EINVAL, "--latency-end '%s': a tracepoint name, tp:GROUP:NAME "
			      "(no items)", r.latency_end);
	/* syscall:* and long lists: one raw_syscalls pair; the rest as they are */
	err = sc_raw_select(&r, o, &raw_kept);
	if (err)
		goto out;
	if (r.raw) {
		memset(&raw_opts, 0, sizeof(raw_opts));
		memcpy(&raw_opts, o, o->sz < sizeof(raw_opts) ? o->sz : sizeof(raw_opts));
		raw_opts.sz = sizeof(raw_opts);
		raw_opts.specs = (const char *const *)raw_kept.v;
		raw_opts.spec_cnt = (int)raw_kept.n;
		o = r.o = &raw_opts;
	}
	/* syscall:A,B and syscall:GLOB: one SPEC per syscall */
	err = bd_sc_expand(d, o->specs, o->spec_cnt, &sc_specs);
	if (err)
		goto out;
	if (sc_specs.v) {
		memset(&sc_opts, 0, sizeof(sc_opts));
		memcpy(&sc_opts, o, o->sz < sizeof(sc_opts) ? o->sz : sizeof(sc_opts));
		sc_opts.specs = (const char *const *)sc_specs.v;
		sc_opts.spec_cnt = (int)sc_specs.n;
		o = r.o = &sc_opts;
	}
	r.log = malloc(LOG_SIZE);
	r.probes = calloc(o->spec_cnt + 1, sizeof(*r.probes));
	if (!r.log || !r.probes) {
		err = -ENOMEM;
		goto out;
	}
	for (i = 0; i < o->spec_cnt; i++) {
		struct probe *p = &r.probes[i];

		probe_init(p, o->specs[i]);
		r.probe_cnt++;
		err = probe_prepare(&r, p);
		if (err)
			goto out;
	}
	if (r.latency_end) {
		for (i = 0; i < r.probe_cnt && !r.probes[i].has_end; i++)
			;
		if (i == r.probe_cnt) {
			err = bd_err(d, -EINVAL, "--latency-end applies to a tracepoint SPEC "
				     "(a function's latency ends at its return)");
			goto out;
		}
	}
	if (cmd)
		err = bd_trace_cmd_start(d, &r.cmd, cmd, cmd_user);
	else if (r.follow)
		err = bd_trace_cmd_follow(d, &r.cmd, o->pid);
	if (err)
		goto out;
	/* aggregation sends no event: a ring of a few pages, not megabytes to zero */
	r.ringbuf_fd = bpf_map_create(BPF_MAP_TYPE_RINGBUF, "bpfdump_rb", 0, 0,
				      r.agg ? RINGBUF_AGG_SIZE : RINGBUF_SIZE, NULL);
	r.lost_fd = bpf_map_create(BPF_MAP_TYPE_ARRAY, "bpfdump_lost", 4, 8, BD_TRACE_LOST_CNT,
				   NULL);
	if (r.ringbuf_fd < 0 || r.lost_fd < 0) {
		err = bd_err(d, -errno, "trace: cannot create the ring buffer: %s%s", strerror(errno),
			     errno == EPERM ? " (need CAP_BPF and CAP_PERFMON, or root)" : "");
		goto out;
	}
	err = stack_setup(&r);
	if (err)
		goto out;
	if (r.raw) {
		err = sc_raw_attach(&r);
		if (err)
			goto out;
	}
	for (i = 0; i < r.probe_cnt; i++) {
		err = attach_probe(&r, &r.probes[i]);
		if (err)
			goto out;
	}
	if (r.probe_cnt > 8 && r.probes[r.probe_cnt - 1].sys.name[0])
		bd_log(d, BPFDUMP_WARN, "tracing %d probes, syscalls with their tracepoints "
		       "syscalls:sys_enter_NAME and sys_exit_NAME", r.probe_cnt);
	err = stack_symbols(&r);	/* now: kallsyms lists the programs too */
	if (err)
		goto out;
	rb = ring_buffer__new(r.ringbuf_fd, on_record, &r, NULL);
	if (!rb) {
		err = bd_err(d, -errno, "trace: cannot open the ring buffer: %s", strerror(errno));
		goto out;
	}
	err = bd_trace_cmd_release(d, &r.cmd);	/* all attached: the command may run */
	if (err)
		goto out;
	end = o->duration > 0 ? now_s() + o->duration : 0;
	if (r.agg && r.interval > 0)
		next = now_s() + r.interval;
	while (!r.done && !(o->stop && *o->stop)) {
		int n = ring_buffer__poll(rb, 100);

		if (n < 0 && n != -EINTR) {
			err = bd_err(d, n, "trace: ring buffer: %s", strerror(-n));
			break;
		}
		if (end && now_s() >= end)
			break;
		if (cmd && bd_trace_cmd_done(&r.cmd))
			break;	/* its last events are in the buffer: drained below */
		if (next && now_s() >= next) {
			next += r.interval;
			err = print_aggs(&r, false);
			if (err)
				break;
		}
	}
	/* detach first, then drain what is already in the buffer */
	for (i = 0; i < r.probe_cnt; i++)
		probe_unlink(&r.probes[i]);
	sc_raw_unlink(r.raw);
	if (r.agg && !err)
		err = print_aggs(&r, true);
	if (!r.done)
		ring_buffer__consume(rb);
	if (!bpf_map_lookup_elem(r.lost_fd, &zero, &lost) && lost)
		bd_log(d, BPFDUMP_WARN, "%llu events lost (ring buffer full, or nested deeper "
		       "than %d)", (unsigned long long)lost, BD_TRACE_DEPTH);
	stack_report(&r);
out:
	ring_buffer__free(rb);
	for (i = 0; i < r.probe_cnt; i++)
		probe_free(&r.probes[i]);
	bd_trace_cmd_end(d, &r.cmd);
	if (cmd && OPTS_HAS(o, cmd_status) && o->cmd_status && r.cmd.exited)
		*o->cmd_status = r.cmd.status;
	if (r.ringbuf_fd >= 0)
		close(r.ringbuf_fd);
	if (r.lost_fd >= 0)
		close(r.lost_fd);
	if (r.stack_map_fd >= 0)
		close(r.stack_map_fd);
	bd_ksyms__free(r.ksyms);
	bd_usyms__free(r.usyms);
	sb_free(&r.cell);
	free(r.probes);
	free(r.log);
	sc_raw_free(r.raw);
	bd_strv_free(&sc_specs);
	bd_strv_free(&raw_kept);
	return err;
}
