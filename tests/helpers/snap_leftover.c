// SPDX-License-Identifier: (LGPL-2.1 OR BSD-2-Clause)
/*
 * Play a snapshot that stops between the pass and the drain: with the program
 * kept in DIR (bpfdump snapshot --keep), run one pass over process PID into the
 * kept ring buffer RING (a file of DIR, e.g. ring21) and exit without reading
 * it. The next snapshot that uses DIR finds those records in the ring and must
 * drop them. Usage: snap_leftover DIR RING PID. Prints the records left.
 */
#include <bpf/bpf.h>
#include <bpf/libbpf.h>
#include <errno.h>
#include <limits.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/file.h>
#include <sys/mman.h>
#include <fcntl.h>
#include <unistd.h>

#include "snapshot.h"
#include "snapshot.skel.h"	/* struct snapshot_bpf__bss: the program's .bss */

static int die(const char *what)
{
	fprintf(stderr, "snap_leftover: %s: %s\n", what, strerror(errno));
	return 1;
}

static int get(const char *dir, const char *name)
{
	char path[PATH_MAX];

	snprintf(path, sizeof(path), "%s/%s", dir, name);
	return bpf_obj_get(path);
}

int main(int argc, char **argv)
{
	LIBBPF_OPTS(bpf_link_create_opts, lo);
	union bpf_iter_link_info li = {};
	int dir_fd, prog, bss_fd, rings, ring, link, iter;
	struct snapshot_bpf__bss *bss;
	__u32 zero = 0;
	char buf[4096];
	ssize_t n;

	if (argc != 4) {
		fprintf(stderr, "usage: snap_leftover DIR RING PID\n");
		return 2;
	}
	/* as a snapshot does: the directory's lock first */
	dir_fd = open(argv[1], O_RDONLY | O_DIRECTORY);
	if (dir_fd < 0 || flock(dir_fd, LOCK_EX))
		return die(argv[1]);
	prog = get(argv[1], "prog");
	bss_fd = get(argv[1], "bss");
	rings = get(argv[1], "rings");
	ring = get(argv[1], argv[2]);
	if (prog < 0 || bss_fd < 0 || rings < 0 || ring < 0)
		return die("the kept objects");
	bss = mmap(NULL, 4096, PROT_READ | PROT_WRITE, MAP_SHARED, bss_fd, 0);
	if (bss == MAP_FAILED)
		return die("mmap bss");
	memset(bss, 0, sizeof(*bss));
	if (bpf_map_update_elem(rings, &zero, &ring, BPF_ANY))
		return die("ring into the slot");
	li.task.pid = atoi(argv[3]);
	lo.iter_info = &li;
	lo.iter_info_len = sizeof(li);
	link = bpf_link_create(prog, 0, BPF_TRACE_ITER, &lo);
	if (link < 0)
		return die("link");
	iter = bpf_iter_create(link);
	if (iter < 0)
		return die("iterator");
	while ((n = read(iter, buf, sizeof(buf))) > 0)
		;
	if (n < 0)
		return die("read");
	printf("%llu\n", (unsigned long long)bss->cnt.records);
	return 0;	/* the records stay in the ring: nothing drained them */
}
