// SPDX-License-Identifier: (LGPL-2.1 OR BSD-2-Clause)
/*
 * The task_file "path floor": the do-nothing iterator plus the one load any method
 * that names an fd's file must make, file->f_path.dentry (the second cache line of
 * struct file). It writes nothing; the sum only keeps the load from being dropped.
 */
#include "vmlinux.h"
#include <bpf/bpf_helpers.h>

char LICENSE[] SEC("license") = "GPL";

__u64 sum;

SEC("iter/task_file")
int floor_tf_path(struct bpf_iter__task_file *ctx)
{
	struct file *file = ctx->file;

	if (file && file->f_path.dentry)
		sum++;
	return 0;
}
