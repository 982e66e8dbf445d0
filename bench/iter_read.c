// SPDX-License-Identifier: (LGPL-2.1 OR BSD-2-Clause)
/*
 * The benchmark floor's reader: open a pinned iterator link (an open of the
 * pin creates a new iterator session) and read it to the end, discarding the
 * bytes. Nothing is parsed or printed: this is the cost of iteration alone.
 *
 *   iter_read [-c] PIN      -c: print the byte count on stdout
 */
#include <errno.h>
#include <fcntl.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#define CHUNK (1 << 20)

int main(int argc, char **argv)
{
	int count = argc == 3 && !strcmp(argv[1], "-c");
	const char *pin = argv[argc - 1];
	static char buf[CHUNK];
	long long total = 0;
	int fd;

	if (argc != 2 + count) {
		fprintf(stderr, "usage: iter_read [-c] PINNED_ITER\n");
		return 2;
	}
	fd = open(pin, O_RDONLY | O_CLOEXEC);
	if (fd < 0) {
		fprintf(stderr, "iter_read: %s: %s\n", pin, strerror(errno));
		return 1;
	}
	for (;;) {
		ssize_t n = read(fd, buf, sizeof(buf));

		if (n < 0 && (errno == EAGAIN || errno == EINTR))
			continue;	/* EAGAIN: a million objects without output */
		if (n < 0) {
			fprintf(stderr, "iter_read: %s: read: %s\n", pin, strerror(errno));
			return 1;
		}
		if (!n)
			break;
		total += n;
	}
	close(fd);
	if (count)
		printf("%lld\n", total);
	return 0;
}
