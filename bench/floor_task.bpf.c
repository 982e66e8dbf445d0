// SPDX-License-Identifier: (LGPL-2.1 OR BSD-2-Clause)
/* The task benchmark floor: an iterator that visits every task and writes nothing. */
#include "vmlinux.h"
#include <bpf/bpf_helpers.h>

char LICENSE[] SEC("license") = "GPL";

SEC("iter/task")
int floor_task(struct bpf_iter__task *ctx)
{
	return 0;
}
