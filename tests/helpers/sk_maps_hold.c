// SPDX-License-Identifier: (LGPL-2.1 OR BSD-2-Clause)
/*
 * Hold socket maps for the bpf_sk_storage_map and sockmap iterator tests, until killed.
 * Usage: sk_maps_hold PREFIX OUTFILE
 *   - three TCP sockets on 127.0.0.1: a listener, a client connected to it, the accepted one;
 *   - PREFIX_sks: an SK_STORAGE map with BTF (value struct bdt_sk_val { u32 tag; u32 port; }),
 *     one element per socket: { 0xbd00 + i, that socket's local port };
 *   - PREFIX_skm: a SOCKMAP of 4 slots holding the three sockets at keys 0, 1, 2;
 *   - PREFIX_sk8: the same with 8-byte values (lookups from user space give socket cookies).
 * Writes "sks_id skm_id listen_port client_port accepted_port sk8_id" to OUTFILE (made
 * atomically), then sleeps. Everything goes away with the process.
 */
#include <bpf/bpf.h>
#include <bpf/btf.h>
#include <linux/bpf.h>
#include <arpa/inet.h>
#include <errno.h>
#include <netinet/in.h>
#include <stdio.h>
#include <string.h>
#include <sys/socket.h>
#include <unistd.h>

struct bdt_sk_val {
	__u32 tag;
	__u32 port;
};

static int die(const char *what)
{
	fprintf(stderr, "sk_maps_hold: %s: %s\n", what, strerror(errno));
	return 1;
}

static int local_port(int fd)
{
	struct sockaddr_in a;
	socklen_t len = sizeof(a);

	return getsockname(fd, (struct sockaddr *)&a, &len) ? -1 : ntohs(a.sin_port);
}

/* A listener on an ephemeral loopback port, a client connected to it, the accepted socket. */
static int tcp_trio(int fds[3])
{
	struct sockaddr_in a = { .sin_family = AF_INET, .sin_addr.s_addr = htonl(INADDR_LOOPBACK) };
	socklen_t len = sizeof(a);

	fds[0] = socket(AF_INET, SOCK_STREAM, 0);
	if (fds[0] < 0 || bind(fds[0], (struct sockaddr *)&a, sizeof(a)) || listen(fds[0], 4) ||
	    getsockname(fds[0], (struct sockaddr *)&a, &len))
		return -1;
	fds[1] = socket(AF_INET, SOCK_STREAM, 0);
	if (fds[1] < 0 || connect(fds[1], (struct sockaddr *)&a, sizeof(a)))
		return -1;
	fds[2] = accept(fds[0], NULL, NULL);
	return fds[2] < 0 ? -1 : 0;
}

static int sk_storage_map(const char *name)
{
	int int_id, u32_id, val_id;
	struct btf *btf = btf__new_empty();

	int_id = btf__add_int(btf, "int", 4, BTF_INT_SIGNED);
	u32_id = btf__add_int(btf, "__u32", 4, 0);
	val_id = btf__add_struct(btf, "bdt_sk_val", sizeof(struct bdt_sk_val));
	if (int_id < 0 || u32_id < 0 || val_id < 0 || btf__add_field(btf, "tag", u32_id, 0, 0) ||
	    btf__add_field(btf, "port", u32_id, 32, 0) || btf__load_into_kernel(btf))
		return -1;
	LIBBPF_OPTS(bpf_map_create_opts, mo, .btf_fd = btf__fd(btf), .btf_key_type_id = int_id,
		    .btf_value_type_id = val_id, .map_flags = BPF_F_NO_PREALLOC);
	return bpf_map_create(BPF_MAP_TYPE_SK_STORAGE, name, 4, sizeof(struct bdt_sk_val), 0, &mo);
}

static __u32 map_id(int fd)
{
	struct bpf_map_info mi = {};
	__u32 len = sizeof(mi);

	return bpf_obj_get_info_by_fd(fd, &mi, &len) ? 0 : mi.id;
}

int main(int argc, char **argv)
{
	char name[64], tmp[4096];
	int fds[3], sks, skm, sk8;
	FILE *f;

	if (argc != 3) {
		fprintf(stderr, "usage: sk_maps_hold PREFIX OUTFILE\n");
		return 2;
	}
	if (tcp_trio(fds))
		return die("TCP sockets");
	snprintf(name, sizeof(name), "%s_sks", argv[1]);
	sks = sk_storage_map(name);
	if (sks < 0)
		return die("SK_STORAGE map");
	snprintf(name, sizeof(name), "%s_skm", argv[1]);
	skm = bpf_map_create(BPF_MAP_TYPE_SOCKMAP, name, 4, 4, 4, NULL);
	if (skm < 0)
		return die("SOCKMAP");
	snprintf(name, sizeof(name), "%s_sk8", argv[1]);
	sk8 = bpf_map_create(BPF_MAP_TYPE_SOCKMAP, name, 4, 8, 4, NULL);
	if (sk8 < 0)
		return die("SOCKMAP of 8-byte values");
	for (__u32 i = 0; i < 3; i++) {
		struct bdt_sk_val v = { .tag = 0xbd00 + i, .port = local_port(fds[i]) };
		__u32 fd = fds[i];

		if (bpf_map_update_elem(sks, &fds[i], &v, BPF_NOEXIST))
			return die("sk_storage update");
		__u64 fd8 = fds[i];

		if (bpf_map_update_elem(skm, &i, &fd, BPF_ANY))
			return die("sockmap update");
		if (bpf_map_update_elem(sk8, &i, &fd8, BPF_ANY))
			return die("sockmap (8-byte values) update");
	}
	snprintf(tmp, sizeof(tmp), "%s.tmp", argv[2]);
	f = fopen(tmp, "w");
	if (!f)
		return die(tmp);
	fprintf(f, "%u %u %d %d %d %u\n", map_id(sks), map_id(skm), local_port(fds[0]),
		local_port(fds[1]), local_port(fds[2]), map_id(sk8));
	if (fclose(f) || rename(tmp, argv[2]))
		return die(argv[2]);
	for (int i = 0; i < 600; i++)
		sleep(1);
	return 0;
}
