// SPDX-License-Identifier: (LGPL-2.1 OR BSD-2-Clause)
/* Maps whose keys and values have BTF, for the map-element tests (map_elems.sh): loaded
 * and pinned by bpftool prog loadall; the test fills them. The program only holds them. */
#include "vmlinux.h"
#include <bpf/bpf_helpers.h>

char LICENSE[] SEC("license") = "GPL";

struct bdme_val {
	__u32 a;
	__s32 b;
	__u64 c;
};

struct bdme_key {
	__u16 port;
	__u8 proto;
	__u8 flag;
};

struct {
	__uint(type, BPF_MAP_TYPE_HASH);
	__uint(max_entries, 16);
	__type(key, __u32);
	__type(value, struct bdme_val);
} bdme_hash SEC(".maps");

struct {
	__uint(type, BPF_MAP_TYPE_ARRAY);
	__uint(max_entries, 4);
	__type(key, __u32);
	__type(value, __u64);
} bdme_arr SEC(".maps");

struct {
	__uint(type, BPF_MAP_TYPE_PERCPU_HASH);
	__uint(max_entries, 16);
	__type(key, __u32);
	__type(value, struct bdme_val);
} bdme_pcpu SEC(".maps");

struct {
	__uint(type, BPF_MAP_TYPE_LRU_HASH);
	__uint(max_entries, 16);
	__type(key, struct bdme_key);
	__type(value, __s32);
} bdme_lru SEC(".maps");

SEC("socket")
int bdme_hold(struct __sk_buff *skb)
{
	__u32 k = 0;

	/* every map referenced, so each is the program's */
	if (bpf_map_lookup_elem(&bdme_hash, &k) || bpf_map_lookup_elem(&bdme_arr, &k) ||
	    bpf_map_lookup_elem(&bdme_pcpu, &k))
		return 1;
	return bpf_map_lookup_elem(&bdme_lru, &k) ? 1 : 0;
}
