// SPDX-License-Identifier: (LGPL-2.1 OR BSD-2-Clause)
/*
 * The benchmark floor's reader: open a pinned iterator link (an open of the
 * pin creates a new iterator session) and read it to the end, discarding the
 * bytes. Nothing is parsed or printed: this is the cost of iteration alone.
 *
 *   iter_read [-c] PIN...   -c: print the byte count on stdout
 *
 * Several pins are read one after another (the floor of a query over several
 * targets).
 */
#include <errno.h>
#include <fcntl.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#define CHUNK (1 << 20)

/* Bytes read from the pin, or -1 (said on stderr). */
static long long read_pin(const char *pin)
{
	static char buf[CHUNK];
	long long total = 0;
	int fd;

	fd = open(pin, O_RDONLY | O_CLOEXEC);
	if (fd < 0) {
		fprintf(stderr, "iter_read: %s: %s\n", pin, strerror(errno));
		return -1;
	}
	for (;;) {
		ssize_t n = read(fd, buf, sizeof(buf));

		if (n < 0 && (errno == EAGAIN || errno == EINTR))
			continue;	/* EAGAIN: a million objects without output */
		if (n < 0) {
			fprintf(stderr, "iter_read: %s: read: %s\n", pin, strerror(errno));
			close(fd);
			return -1;
		}
		if (!n)
			break;
		total += n;
	}
	close(fd);
	return total;
}

int main(int argc, char **argv)
{
	int count = argc > 1 && !strcmp(argv[1], "-c"), i;
	long long total = 0, n;

	if (argc < 2 + count) {
		fprintf(stderr, "usage: iter_read [-c] PINNED_ITER...\n");
		return 2;
	}
	for (i = 1 + count; i < argc; i++) {
		n = read_pin(argv[i]);
		if (n < 0)
			return 1;
		total += n;
	}
	if (count)
		printf("%lld\n", total);
	return 0;
}
