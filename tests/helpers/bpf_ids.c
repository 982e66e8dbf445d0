// SPDX-License-Identifier: (LGPL-2.1 OR BSD-2-Clause)
/* Print how many BPF programs, maps and links exist system-wide: "progs maps links".
 * The suite compares this before and after each test to catch leaks. */
#include <bpf/bpf.h>
#include <stdio.h>

static int count(int (*next)(__u32, __u32 *))
{
	__u32 id = 0;
	int n = 0;

	while (!next(id, &id))
		n++;
	return n;
}

int main(void)
{
	printf("%d %d %d\n", count(bpf_prog_get_next_id), count(bpf_map_get_next_id),
	       count(bpf_link_get_next_id));
	return 0;
}
