// SPDX-License-Identifier: (LGPL-2.1 OR BSD-2-Clause)
/* An object without an iterator program: bpfdump run must refuse it. */
#include "vmlinux.h"
#include <bpf/bpf_helpers.h>

char LICENSE[] SEC("license") = "GPL";

SEC("tp_btf/sched_switch")
int on_switch(void *ctx)
{
	return 0;
}
