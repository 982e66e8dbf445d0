// SPDX-License-Identifier: (LGPL-2.1 OR BSD-2-Clause)
/*
 * Hold known BPF objects for the bpf_objs integration test, until killed:
 *   - a socket filter program PREFIX_sf (not attached),
 *   - a cgroup_skb program PREFIX_cg attached by a BPF link to the cgroup2 directory CGROUP
 *     (BPF_CGROUP_INET_INGRESS),
 *   - a hash map PREFIX_btf with BTF: key u32, value struct bdt_val { u32 a; s32 b; u64 c; },
 *     elements key k -> { k * 10, -k, k << 40 } for k = 1..3.
 * Usage: bpf_hold PREFIX CGROUP OUTFILE. Writes "sf_id cg_id link_id map_id" to OUTFILE (made
 * atomically), then sleeps. Everything goes away with the process.
 *
 * bpf_hold --probe-iter TARGET: load a minimal iterator program (return 0) for TARGET, e.g.
 * bpf_map_elem, and print "ok" or the load error (exit 3): whether this kernel lets any program
 * attach there, independently of bpfdump.
 */
#include <bpf/bpf.h>
#include <bpf/btf.h>
#include <bpf/libbpf.h>
#include <linux/bpf.h>
#include <errno.h>
#include <fcntl.h>
#include <stdio.h>
#include <string.h>
#include <unistd.h>

struct bdt_val {
	__u32 a;
	__s32 b;
	__u64 c;
};

static int die(const char *what)
{
	fprintf(stderr, "bpf_hold: %s: %s\n", what, strerror(errno));
	return 1;
}

static __u32 prog_id(int fd)
{
	struct bpf_prog_info info = {};
	__u32 len = sizeof(info);

	return bpf_obj_get_info_by_fd(fd, &info, &len) ? 0 : info.id;
}

static int load(enum bpf_prog_type type, enum bpf_attach_type at, const char *name, int ret)
{
	struct bpf_insn insns[] = {
		{ .code = BPF_ALU64 | BPF_MOV | BPF_K, .dst_reg = BPF_REG_0, .imm = ret },
		{ .code = BPF_JMP | BPF_EXIT },
	};
	LIBBPF_OPTS(bpf_prog_load_opts, opts, .expected_attach_type = at);

	return bpf_prog_load(type, name, "GPL", insns, 2, &opts);
}

static int probe_iter(const char *target)
{
	struct bpf_insn insns[] = {
		{ .code = BPF_ALU64 | BPF_MOV | BPF_K, .dst_reg = BPF_REG_0, .imm = 0 },
		{ .code = BPF_JMP | BPF_EXIT },
	};
	int id = libbpf_find_vmlinux_btf_id(target, BPF_TRACE_ITER), fd;
	LIBBPF_OPTS(bpf_prog_load_opts, opts, .expected_attach_type = BPF_TRACE_ITER,
		    .attach_btf_id = id);

	if (id < 0) {
		printf("no BTF for bpf_iter_%s\n", target);
		return 3;
	}
	fd = bpf_prog_load(BPF_PROG_TYPE_TRACING, "bdt_probe", "GPL", insns, 2, &opts);
	if (fd < 0) {
		printf("%s\n", strerror(errno));
		return 3;
	}
	close(fd);
	printf("ok\n");
	return 0;
}

int main(int argc, char **argv)
{
	char name[64], tmp[4096];
	struct bpf_link_info li = {};
	struct bpf_map_info mi = {};
	__u32 len;
	int sf, cg, cgfd, link, btf_fd, map, val_id, key_id, s32_id, u64_id;
	struct btf *btf;
	FILE *f;

	if (argc == 3 && !strcmp(argv[1], "--probe-iter"))
		return probe_iter(argv[2]);
	if (argc != 4) {
		fprintf(stderr, "usage: bpf_hold PREFIX CGROUP OUTFILE\n");
		return 2;
	}
	snprintf(name, sizeof(name), "%s_sf", argv[1]);
	sf = load(BPF_PROG_TYPE_SOCKET_FILTER, 0, name, 0);
	if (sf < 0)
		return die("load socket filter");
	snprintf(name, sizeof(name), "%s_cg", argv[1]);
	cg = load(BPF_PROG_TYPE_CGROUP_SKB, BPF_CGROUP_INET_INGRESS, name, 1);
	if (cg < 0)
		return die("load cgroup_skb");
	cgfd = open(argv[2], O_RDONLY | O_DIRECTORY);
	if (cgfd < 0)
		return die(argv[2]);
	link = bpf_link_create(cg, cgfd, BPF_CGROUP_INET_INGRESS, NULL);
	if (link < 0)
		return die("bpf_link_create");

	btf = btf__new_empty();
	key_id = btf__add_int(btf, "__u32", 4, 0);
	s32_id = btf__add_int(btf, "__s32", 4, BTF_INT_SIGNED);
	u64_id = btf__add_int(btf, "__u64", 8, 0);
	val_id = btf__add_struct(btf, "bdt_val", sizeof(struct bdt_val));
	if (key_id < 0 || s32_id < 0 || u64_id < 0 || val_id < 0 ||
	    btf__add_field(btf, "a", key_id, 0, 0) || btf__add_field(btf, "b", s32_id, 32, 0) ||
	    btf__add_field(btf, "c", u64_id, 64, 0) || btf__load_into_kernel(btf))
		return die("BTF");
	btf_fd = btf__fd(btf);
	{
		LIBBPF_OPTS(bpf_map_create_opts, mo, .btf_fd = btf_fd, .btf_key_type_id = key_id,
			    .btf_value_type_id = val_id);
		snprintf(name, sizeof(name), "%s_btf", argv[1]);
		map = bpf_map_create(BPF_MAP_TYPE_HASH, name, 4, sizeof(struct bdt_val), 8, &mo);
	}
	if (map < 0)
		return die("bpf_map_create");
	for (__u32 k = 1; k <= 3; k++) {
		struct bdt_val v = { .a = k * 10, .b = -(__s32)k, .c = (__u64)k << 40 };

		if (bpf_map_update_elem(map, &k, &v, BPF_ANY))
			return die("bpf_map_update_elem");
	}

	len = sizeof(li);
	if (bpf_obj_get_info_by_fd(link, &li, &len))
		return die("link info");
	len = sizeof(mi);
	if (bpf_obj_get_info_by_fd(map, &mi, &len))
		return die("map info");
	snprintf(tmp, sizeof(tmp), "%s.tmp", argv[3]);
	f = fopen(tmp, "w");
	if (!f)
		return die(tmp);
	fprintf(f, "%u %u %u %u\n", prog_id(sf), prog_id(cg), li.id, mi.id);
	if (fclose(f) || rename(tmp, argv[3]))
		return die(argv[3]);
	for (int i = 0; i < 600; i++)
		sleep(1);
	return 0;
}
