// SPDX-License-Identifier: (LGPL-2.1 OR BSD-2-Clause)
/*
 * The one-shot floor: what any libbpf tool pays to run an iterator once.
 * Open a do-nothing iterator object, load it (libbpf parses the vmlinux BTF to
 * find the attach point; the verifier runs), attach, read to the end, exit.
 *
 *   floor_run OBJ.bpf.o
 */
#include <bpf/bpf.h>
#include <bpf/libbpf.h>
#include <errno.h>
#include <stdio.h>
#include <string.h>
#include <unistd.h>

static int quiet(enum libbpf_print_level level, const char *fmt, va_list ap)
{
	return level == LIBBPF_WARN ? vfprintf(stderr, fmt, ap) : 0;
}

int main(int argc, char **argv)
{
	static char buf[1 << 20];
	struct bpf_object *obj;
	struct bpf_program *prog;
	struct bpf_link *link;
	int fd, err = 1;

	if (argc != 2) {
		fprintf(stderr, "usage: floor_run OBJ.bpf.o\n");
		return 2;
	}
	libbpf_set_print(quiet);
	obj = bpf_object__open_file(argv[1], NULL);
	if (!obj) {
		fprintf(stderr, "floor_run: %s: %s\n", argv[1], strerror(errno));
		return 1;
	}
	if (bpf_object__load(obj)) {
		fprintf(stderr, "floor_run: %s: load failed: %s\n", argv[1], strerror(errno));
		goto close_obj;
	}
	prog = bpf_object__next_program(obj, NULL);
	link = prog ? bpf_program__attach_iter(prog, NULL) : NULL;
	if (!link) {
		fprintf(stderr, "floor_run: %s: attach failed: %s\n", argv[1], strerror(errno));
		goto close_obj;
	}
	fd = bpf_iter_create(bpf_link__fd(link));
	if (fd < 0) {
		fprintf(stderr, "floor_run: bpf_iter_create: %s\n", strerror(errno));
		goto destroy_link;
	}
	for (;;) {
		ssize_t n = read(fd, buf, sizeof(buf));

		if (n < 0 && (errno == EAGAIN || errno == EINTR))
			continue;
		if (n <= 0) {
			err = n < 0;
			break;
		}
	}
	close(fd);
destroy_link:
	bpf_link__destroy(link);
close_obj:
	bpf_object__close(obj);
	return err;
}
