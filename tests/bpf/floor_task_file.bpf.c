// SPDX-License-Identifier: (LGPL-2.1 OR BSD-2-Clause)
/* The benchmark floor: an iterator that visits every object and writes nothing. */
#include "vmlinux.h"
#include <bpf/bpf_helpers.h>

char LICENSE[] SEC("license") = "GPL";

SEC("iter/task_file")
int floor_task_file(struct bpf_iter__task_file *ctx)
{
	return 0;
}
