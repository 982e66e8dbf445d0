// SPDX-License-Identifier: (LGPL-2.1 OR BSD-2-Clause)
/* An object with two iterator programs, for run/pin --prog: the maps named bdui_*
 * ("ID NAME", checked against bpftool map show) and, given --pid, one process's
 * "TGID COMM" (checked against /proc/PID/comm). */
#include "vmlinux.h"
#include <bpf/bpf_helpers.h>
#include <bpf/bpf_tracing.h>

char LICENSE[] SEC("license") = "GPL";

static const char prefix[] = "bdui_";

SEC("iter/bpf_map")
int test_maps(struct bpf_iter__bpf_map *ctx)
{
	struct seq_file *seq = ctx->meta->seq;
	struct bpf_map *map = ctx->map;
	int i;

	if (!map)
		return 0;
#pragma unroll
	for (i = 0; i < sizeof(prefix) - 1; i++)
		if (map->name[i] != prefix[i])
			return 0;
	BPF_SEQ_PRINTF(seq, "%u %s\n", map->id, map->name);
	return 0;
}

SEC("iter/task")
int task_comm(struct bpf_iter__task *ctx)
{
	struct seq_file *seq = ctx->meta->seq;
	struct task_struct *task = ctx->task;

	if (!task || task->pid != task->tgid)
		return 0;
	BPF_SEQ_PRINTF(seq, "%d %s\n", task->tgid, task->comm);
	return 0;
}
