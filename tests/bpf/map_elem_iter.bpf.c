// SPDX-License-Identifier: (LGPL-2.1 OR BSD-2-Clause)
/* A user's bpf_map_elem iterator: "KEY" (a __u32) per element. Some kernels refuse
 * every such program with EPERM before the verifier runs (a security policy). */
#include "vmlinux.h"
#include <bpf/bpf_helpers.h>
#include <bpf/bpf_tracing.h>

char LICENSE[] SEC("license") = "GPL";

SEC("iter/bpf_map_elem")
int map_keys(struct bpf_iter__bpf_map_elem *ctx)
{
	struct seq_file *seq = ctx->meta->seq;
	__u32 *key = ctx->key;

	if (!key)
		return 0;
	BPF_SEQ_PRINTF(seq, "%u\n", *key);
	return 0;
}
