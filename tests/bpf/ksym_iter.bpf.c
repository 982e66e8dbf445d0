// SPDX-License-Identifier: (LGPL-2.1 OR BSD-2-Clause)
/* A user's iterator with output the test can check against /proc/kallsyms and
 * bpftool iter pin: "NAME TYPE" of each core kernel symbol named bpf_iter_*. */
#include "vmlinux.h"
#include <bpf/bpf_helpers.h>
#include <bpf/bpf_tracing.h>

char LICENSE[] SEC("license") = "GPL";

static const char prefix[] = "bpf_iter_";

SEC("iter/ksym")
int bpf_iter_syms(struct bpf_iter__ksym *ctx)
{
	struct seq_file *seq = ctx->meta->seq;
	struct kallsym_iter *it = ctx->ksym;
	int i;

	/* modules, BPF programs, ftrace and kprobe trampolines carry a module name */
	if (!it || it->module_name[0])
		return 0;
#pragma unroll
	for (i = 0; i < sizeof(prefix) - 1; i++)
		if (it->name[i] != prefix[i])
			return 0;
	BPF_SEQ_PRINTF(seq, "%s %c\n", it->name, it->type);
	return 0;
}
