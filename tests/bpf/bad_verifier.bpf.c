// SPDX-License-Identifier: (LGPL-2.1 OR BSD-2-Clause)
/* An iterator the verifier rejects (reads the task without a NULL check). */
#include "vmlinux.h"
#include <bpf/bpf_helpers.h>

char LICENSE[] SEC("license") = "GPL";

SEC("iter/task")
int deref_null(struct bpf_iter__task *ctx)
{
	return ctx->task->pid;
}
