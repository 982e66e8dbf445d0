// SPDX-License-Identifier: (LGPL-2.1 OR BSD-2-Clause)
/* An iterator whose map is declared LIBBPF_PIN_BY_NAME: libbpf alone would pin it as
 * /sys/fs/bpf/bd_pin_probe, or bind to (and write into) a map pinned there already.
 * Adds 1 to key 0 per task and prints "count N" (the value after the walk) at the end,
 * so a reused map shows in the output and a written one in bpftool map dump. */
#include "vmlinux.h"
#include <bpf/bpf_helpers.h>

char LICENSE[] SEC("license") = "GPL";

struct {
	__uint(type, BPF_MAP_TYPE_ARRAY);
	__uint(max_entries, 1);
	__type(key, __u32);
	__type(value, __u64);
	__uint(pinning, LIBBPF_PIN_BY_NAME);
} bd_pin_probe SEC(".maps");

SEC("iter/task")
int count_tasks(struct bpf_iter__task *ctx)
{
	struct seq_file *seq = ctx->meta->seq;
	__u32 key = 0;
	__u64 *v = bpf_map_lookup_elem(&bd_pin_probe, &key);

	if (!v)
		return 0;
	if (ctx->task) {
		__sync_fetch_and_add(v, 1);
		return 0;
	}
	BPF_SEQ_PRINTF(seq, "count %llu\n", *v);
	return 0;
}
