// SPDX-License-Identifier: (LGPL-2.1 OR BSD-2-Clause)
/* The tcp benchmark floor: an iterator that visits every socket and writes nothing. */
#include "vmlinux.h"
#include <bpf/bpf_helpers.h>

char LICENSE[] SEC("license") = "GPL";

SEC("iter/tcp")
int floor_tcp(struct bpf_iter__tcp *ctx)
{
	return 0;
}
