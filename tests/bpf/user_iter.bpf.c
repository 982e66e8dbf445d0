// SPDX-License-Identifier: (LGPL-2.1 OR BSD-2-Clause)
/* A user's own iterator program, as `bpfdump run/pin` receive them: one line
 * "TGID FD" per open file. Built at test time with clang. */
#include "vmlinux.h"
#include <bpf/bpf_helpers.h>
#include <bpf/bpf_tracing.h>

char LICENSE[] SEC("license") = "GPL";

SEC("iter/task_file")
int list_fds(struct bpf_iter__task_file *ctx)
{
	struct seq_file *seq = ctx->meta->seq;
	struct task_struct *task = ctx->task;

	if (!task || !ctx->file)
		return 0;
	BPF_SEQ_PRINTF(seq, "%d %u\n", task->tgid, ctx->fd);
	return 0;
}
